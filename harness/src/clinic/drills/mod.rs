//! Practice drills (練習) for clinic staff, from the procedure sheet's causes: a patient whose
//! face auth fails (顔のけが, 包帯, 眼帯, 乳幼児の成長, 車いす, カメラの故障) AND who cannot use the
//! PIN (顔認証マイナンバーカード, 暗証番号を忘れた) arrives; staff work through ①–⑦ of
//! 「目視確認モード」を使って資格確認を行ってください (別添2, the seed sheet).
//!
//! [`check`] is pure: it takes what happened during the drill ([`DrillEvent`]s, in order) and the
//! readers' modes at the end, and returns [`Finding`]s. The clinic's host collects the events
//! from the engine (patient actions, the facility's events, the terminal's audit records).

mod catalog;
#[cfg(test)]
mod tests;

use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::protocol::IdentityMethod;
use harness_reader::ReaderMode;

pub use catalog::{drill, Drill, FaceCause, PinCause, DRILLS};

/// Something that happened during a drill, as the checker needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillEventKind {
    /// A reader's mode was changed (by an operator or by the terminal itself).
    ModeChanged {
        /// Reader name.
        reader: String,
        /// The new mode.
        to: ReaderMode,
    },
    /// The terminal refused a mode change (一般アカウント).
    ModeChangeRefused {
        /// Reader name.
        reader: String,
    },
    /// 目視で本人確認完了 was ticked with a 資格確認日.
    VisualTicked {
        /// Reader name.
        reader: String,
        /// 資格確認日.
        date: NaiveDate,
    },
    /// The patient placed a card on a reader.
    CardPlaced {
        /// Reader name.
        reader: String,
    },
    /// A visit at a reader ended.
    VisitEnded {
        /// Reader name.
        reader: String,
        /// The identity method used or last tried.
        method: Option<IdentityMethod>,
        /// True when 受付が完了しました.
        completed: bool,
    },
    /// A result file was written for a check at a reader.
    ResultWritten {
        /// Reader name.
        reader: String,
        /// 有効, 無効, 該当資格なし, or an error label.
        outcome: String,
    },
}

/// One drill event with its facility time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillEvent {
    /// Facility local time.
    pub at: NaiveDateTime,
    /// What happened.
    pub kind: DrillEventKind,
}

/// Where the drill takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillTarget {
    /// The reader the patient stands at.
    pub reader: String,
    /// The day of the visit (the expected 資格確認日).
    pub visit_date: NaiveDate,
}

/// What the checker found. [`Finding::fails`] tells a missed step from a remark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// ② was done on another reader.
    WrongReaderSwitched {
        /// The reader switched by mistake.
        reader: String,
    },
    /// ② never happened on the patient's reader.
    NeverSwitched,
    /// ⑤ never happened for the patient's reader.
    NotTicked,
    /// ⑥ before ⑤: the card was placed in 目視確認 before the tick.
    CardBeforeTick,
    /// ⑤ with a 資格確認日 other than the day of the visit.
    ConfirmationDateNotToday {
        /// The date entered.
        date: NaiveDate,
        /// The day of the visit.
        visit: NaiveDate,
    },
    /// ⑥ gave no 有効 result by 目視.
    NoValidVisualResult {
        /// The outcomes that were written at the patient's reader in 目視確認, if any.
        outcomes: Vec<String>,
    },
    /// ⑦ missed: the reader was left in 目視確認 (the next patients cannot use face or PIN).
    NotSwitchedBack {
        /// The reader left in 目視確認.
        reader: String,
    },
    /// ⑦ before ⑥ finished: switched back before the visit by 目視 completed.
    SwitchedBackTooEarly,
    /// A mode switch was refused: the 一般アカウント cannot change modes (remark).
    RefusedSwitch {
        /// How many times.
        count: usize,
    },
}

impl Finding {
    /// True when the finding fails the drill; false for a remark.
    pub fn fails(&self) -> bool {
        !matches!(self, Self::RefusedSwitch { .. })
    }

    /// What was missed, in Japanese, with the step of the sheet.
    pub fn message(&self) -> String {
        match self {
            Self::WrongReaderSwitched { reader } => format!(
                "② 患者のいないカードリーダー「{reader}」を目視確認に切り替えました。患者が使っているカードリーダーを確認してください。"
            ),
            Self::NeverSwitched => {
                "② 患者が使っているカードリーダーを「目視確認」に切り替えていません。".into()
            }
            Self::NotTicked => {
                "⑤ 「目視で本人確認完了」にチェックを入れていません（資格確認日は必須です）。".into()
            }
            Self::CardBeforeTick => "⑤⑥ 「目視で本人確認完了」にチェックを入れる前に患者がカードを置きました。先に顔写真で本人確認をしてチェックを入れてください。".into(),
            Self::ConfirmationDateNotToday { date, visit } => format!(
                "⑤ 資格確認日が {} になっていました（受診日は {}）。",
                date.format("%Y/%m/%d"),
                visit.format("%Y/%m/%d")
            ),
            Self::NoValidVisualResult { outcomes } => {
                if outcomes.is_empty() {
                    "⑥ 目視確認での資格確認の結果（有効）が出ていません。患者にカードを置いてもらい、同意を選択してもらってください。".into()
                } else {
                    format!(
                        "⑥ 目視確認での資格確認の結果が「有効」になっていません（結果: {}）。",
                        outcomes.join("、")
                    )
                }
            }
            Self::NotSwitchedBack { reader } => format!(
                "⑦ カードリーダー「{reader}」が目視確認のままです。無人運転に戻さないと、次の患者は顔認証も暗証番号も使えません。"
            ),
            Self::SwitchedBackTooEarly => "⑦ 患者の操作が終わる前に無人運転に戻しました。".into(),
            Self::RefusedSwitch { count } => format!(
                "モードの切り替えが{count}回拒否されました。目視確認への切り替えは管理アカウントで行います。"
            ),
        }
    }
}

/// The verdict of a drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillReport {
    /// Everything found, failing findings first.
    pub findings: Vec<Finding>,
}

impl DrillReport {
    /// True when no finding fails the drill.
    pub fn passed(&self) -> bool {
        !self.findings.iter().any(Finding::fails)
    }
}

/// Checks a drill: `events` in the order they happened, `final_modes` the readers' modes when the
/// trainee finished (reader name → mode).
pub fn check(
    target: &DrillTarget,
    events: &[DrillEvent],
    final_modes: &[(String, ReaderMode)],
) -> DrillReport {
    let mut findings = Vec::new();
    let is_target = |reader: &str| reader == target.reader;

    // Replay the modes of the patient's reader to know which phase each event belongs to.
    let mut target_mode = ReaderMode::Unattended;
    let mut switched = false;
    let mut ticked_in_visual = false;
    let mut card_before_tick = false;
    let mut tick_dates = Vec::new();
    let mut visual_completed = false;
    let mut visual_outcomes: Vec<String> = Vec::new();
    let mut valid_result = false;
    let mut switched_back_before_done = false;
    let mut wrong_readers: Vec<String> = Vec::new();
    let mut refused = 0;

    for event in events {
        match &event.kind {
            DrillEventKind::ModeChanged { reader, to } if is_target(reader) => {
                if *to == ReaderMode::VisualCheck {
                    switched = true;
                } else if target_mode == ReaderMode::VisualCheck && !visual_completed {
                    switched_back_before_done = true;
                }
                target_mode = *to;
                if *to != ReaderMode::VisualCheck {
                    ticked_in_visual = false;
                }
            }
            DrillEventKind::ModeChanged { reader, to } => {
                if *to == ReaderMode::VisualCheck && !wrong_readers.contains(reader) {
                    wrong_readers.push(reader.clone());
                }
            }
            DrillEventKind::ModeChangeRefused { .. } => refused += 1,
            DrillEventKind::VisualTicked { reader, date } if is_target(reader) => {
                tick_dates.push(*date);
                if target_mode == ReaderMode::VisualCheck {
                    ticked_in_visual = true;
                }
            }
            DrillEventKind::CardPlaced { reader } if is_target(reader) => {
                if target_mode == ReaderMode::VisualCheck && !ticked_in_visual {
                    card_before_tick = true;
                }
            }
            DrillEventKind::VisitEnded {
                reader,
                method,
                completed,
            } if is_target(reader) => {
                if *method == Some(IdentityMethod::Visual) && *completed {
                    visual_completed = true;
                }
            }
            DrillEventKind::ResultWritten { reader, outcome } if is_target(reader) => {
                if target_mode == ReaderMode::VisualCheck {
                    if outcome == VALID {
                        valid_result = true;
                    }
                    visual_outcomes.push(outcome.clone());
                }
            }
            DrillEventKind::VisualTicked { .. }
            | DrillEventKind::CardPlaced { .. }
            | DrillEventKind::VisitEnded { .. }
            | DrillEventKind::ResultWritten { .. } => {}
        }
    }

    findings.extend(
        wrong_readers
            .into_iter()
            .map(|reader| Finding::WrongReaderSwitched { reader }),
    );
    if !switched {
        findings.push(Finding::NeverSwitched);
    }
    if switched && tick_dates.is_empty() {
        findings.push(Finding::NotTicked);
    }
    if card_before_tick {
        findings.push(Finding::CardBeforeTick);
    }
    if let Some(date) = tick_dates.iter().find(|d| **d != target.visit_date) {
        findings.push(Finding::ConfirmationDateNotToday {
            date: *date,
            visit: target.visit_date,
        });
    }
    if switched && !(valid_result && visual_completed) {
        findings.push(Finding::NoValidVisualResult {
            outcomes: visual_outcomes,
        });
    }
    if switched_back_before_done {
        findings.push(Finding::SwitchedBackTooEarly);
    }
    for (reader, mode) in final_modes {
        if *mode == ReaderMode::VisualCheck {
            findings.push(Finding::NotSwitchedBack {
                reader: reader.clone(),
            });
        }
    }
    if refused > 0 {
        findings.push(Finding::RefusedSwitch { count: refused });
    }
    findings.sort_by_key(|f| !f.fails());
    DrillReport { findings }
}

/// The outcome label of a valid qualification (資格: 有効).
const VALID: &str = "有効";
