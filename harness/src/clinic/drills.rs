//! Practice drills (練習) for clinic staff, from the procedure sheet's causes: a patient whose
//! face auth fails (顔のけが, 包帯, 眼帯, 乳幼児の成長, 車いす, カメラの故障) AND who cannot use the
//! PIN (顔認証マイナンバーカード, 暗証番号を忘れた) arrives; staff work through ①–⑦ of
//! 「目視確認モード」を使って資格確認を行ってください (別添2, the seed sheet).
//!
//! [`check`] is pure: it takes what happened during the drill ([`DrillEvent`]s, in order) and the
//! readers' modes at the end, and returns [`Finding`]s. The clinic's host collects the events
//! from the engine (patient actions, the facility's events, the terminal's audit records).

use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::protocol::IdentityMethod;
use harness_face::camera::{DeviceFault, Scene};
use harness_reader::ReaderMode;

use crate::facility::CameraCondition;

/// Why face auth fails in a drill (the sheet's 「顔認証」ができない causes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceCause {
    /// 顔貌が大きく変化（顔面に生じた外傷）.
    Injury,
    /// けが等で顔に包帯.
    Bandage,
    /// 眼帯をしており顔が隠れている.
    Eyepatch,
    /// 乳幼児の成長 (the card photo was taken as a baby).
    InfantGrownUp,
    /// 車いす等を利用しており、カードリーダーの高さまで顔を上げられない.
    Wheelchair,
    /// カメラが故障している.
    BrokenCamera,
}

impl FaceCause {
    /// Every cause, in the sheet's order.
    pub const ALL: [FaceCause; 6] = [
        Self::Injury,
        Self::Bandage,
        Self::Eyepatch,
        Self::InfantGrownUp,
        Self::Wheelchair,
        Self::BrokenCamera,
    ];

    /// The cause as the sheet words it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Injury => "顔面の外傷で顔貌が変化",
            Self::Bandage => "けがで顔に包帯",
            Self::Eyepatch => "眼帯で顔が隠れている",
            Self::InfantGrownUp => "乳幼児の成長（カードの顔写真は赤ちゃんのとき）",
            Self::Wheelchair => "車いすでカードリーダーの高さまで顔を上げられない",
            Self::BrokenCamera => "カードリーダーのカメラが故障",
        }
    }

    /// What the camera shows in this drill.
    pub fn camera(self) -> CameraCondition {
        match self {
            Self::Injury => CameraCondition::Scene(Scene::Injured),
            Self::Bandage => CameraCondition::Scene(Scene::Bandage),
            Self::Eyepatch => CameraCondition::Scene(Scene::Eyepatch),
            // The holder as she is today; her card photo shows her at one year old.
            Self::InfantGrownUp => CameraCondition::Scene(Scene::CardHolder),
            Self::Wheelchair => CameraCondition::Scene(Scene::BelowFrame),
            Self::BrokenCamera => CameraCondition::Fault(DeviceFault::BlackFrames),
        }
    }
}

/// Why the PIN cannot be used in a drill (the sheet's 「暗証番号」が入力できない causes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCause {
    /// 顔認証マイナンバーカード: no PIN was set at issue.
    FaceOnlyCard,
    /// 暗証番号を忘れてしまった: wrong PINs lock it after 3 tries.
    ForgottenPin,
}

impl PinCause {
    /// The cause as the sheet words it.
    pub fn label(self) -> &'static str {
        match self {
            Self::FaceOnlyCard => "顔認証マイナンバーカードで暗証番号がない",
            Self::ForgottenPin => "暗証番号を忘れた（3回間違えるとロック）",
        }
    }
}

/// One drill of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drill {
    /// Stable id (URL and API).
    pub id: &'static str,
    /// Who comes to the counter (fixtures/people.toml id), with their own card.
    pub person: &'static str,
    /// Why face auth fails.
    pub face: FaceCause,
    /// Why the PIN cannot be used.
    pub pin: PinCause,
}

impl Drill {
    /// The drill's title.
    pub fn title(&self) -> String {
        format!("{} × {}", self.face.label(), self.pin.label())
    }

    /// What the trainee plays on the patient's side.
    pub fn patient_briefing(&self) -> &'static str {
        match self.pin {
            PinCause::FaceOnlyCard => {
                "患者役: カードを置いて顔認証を試してください。このカードには暗証番号がありません。"
            }
            PinCause::ForgottenPin => {
                "患者役: カードを置いて顔認証を試し、暗証番号は思い出せないので適当な番号を3回入れてください。"
            }
        }
    }
}

/// The drills: every face cause of the sheet at least once, each PIN cause at least twice.
pub const DRILLS: [Drill; 6] = [
    Drill {
        id: "injury-face-only",
        person: "sato-hanako",
        face: FaceCause::Injury,
        pin: PinCause::FaceOnlyCard,
    },
    Drill {
        id: "bandage-face-only",
        person: "sato-hanako",
        face: FaceCause::Bandage,
        pin: PinCause::FaceOnlyCard,
    },
    Drill {
        id: "eyepatch-forgotten-pin",
        person: "yamada-taro",
        face: FaceCause::Eyepatch,
        pin: PinCause::ForgottenPin,
    },
    Drill {
        id: "grown-up-forgotten-pin",
        person: "watanabe-sora",
        face: FaceCause::InfantGrownUp,
        pin: PinCause::ForgottenPin,
    },
    Drill {
        id: "wheelchair-face-only",
        person: "sato-hanako",
        face: FaceCause::Wheelchair,
        pin: PinCause::FaceOnlyCard,
    },
    Drill {
        id: "broken-camera-forgotten-pin",
        person: "yamada-taro",
        face: FaceCause::BrokenCamera,
        pin: PinCause::ForgottenPin,
    },
];

/// A drill by id.
pub fn drill(id: &str) -> Option<&'static Drill> {
    DRILLS.iter().find(|d| d.id == id)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const R0: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
    const R1: &str = "Identiv CLOUD 3701 F Contactless Reader 1";

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn at(minute: u32) -> NaiveDateTime {
        day().and_hms_opt(9, minute, 0).unwrap()
    }

    fn target() -> DrillTarget {
        DrillTarget {
            reader: R0.into(),
            visit_date: day(),
        }
    }

    fn ev(minute: u32, kind: DrillEventKind) -> DrillEvent {
        DrillEvent {
            at: at(minute),
            kind,
        }
    }

    fn mode(reader: &str, to: ReaderMode) -> DrillEventKind {
        DrillEventKind::ModeChanged {
            reader: reader.into(),
            to,
        }
    }

    fn tick(reader: &str, date: NaiveDate) -> DrillEventKind {
        DrillEventKind::VisualTicked {
            reader: reader.into(),
            date,
        }
    }

    fn card(reader: &str) -> DrillEventKind {
        DrillEventKind::CardPlaced {
            reader: reader.into(),
        }
    }

    fn result(reader: &str, outcome: &str) -> DrillEventKind {
        DrillEventKind::ResultWritten {
            reader: reader.into(),
            outcome: outcome.into(),
        }
    }

    fn ended(reader: &str, method: Option<IdentityMethod>, completed: bool) -> DrillEventKind {
        DrillEventKind::VisitEnded {
            reader: reader.into(),
            method,
            completed,
        }
    }

    /// ①–⑦ as the sheet says, after the patient's failed face attempt.
    fn good_run() -> Vec<DrillEvent> {
        vec![
            ev(0, card(R0)),
            ev(1, ended(R0, Some(IdentityMethod::Face), false)),
            ev(2, mode(R0, ReaderMode::VisualCheck)),
            ev(3, tick(R0, day())),
            ev(4, card(R0)),
            ev(5, result(R0, "有効")),
            ev(5, ended(R0, Some(IdentityMethod::Visual), true)),
            ev(6, mode(R0, ReaderMode::Unattended)),
        ]
    }

    fn final_modes(r0: ReaderMode) -> Vec<(String, ReaderMode)> {
        vec![(R0.into(), r0), (R1.into(), ReaderMode::Unattended)]
    }

    #[test]
    fn the_sheets_steps_pass_without_findings() {
        let report = check(&target(), &good_run(), &final_modes(ReaderMode::Unattended));
        assert!(report.passed(), "{:?}", report.findings);
        assert!(report.findings.is_empty());
    }

    #[test]
    fn left_in_visual_check_fails() {
        let mut events = good_run();
        events.pop();
        let report = check(&target(), &events, &final_modes(ReaderMode::VisualCheck));
        assert!(!report.passed());
        assert_eq!(
            report.findings,
            vec![Finding::NotSwitchedBack { reader: R0.into() }]
        );
        assert!(report.findings[0].message().contains("目視確認のまま"));
    }

    #[test]
    fn the_wrong_reader_switched_fails_and_is_named() {
        let events = vec![
            ev(2, mode(R1, ReaderMode::VisualCheck)),
            ev(3, tick(R1, day())),
            ev(4, card(R0)),
            ev(6, mode(R1, ReaderMode::Unattended)),
        ];
        let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
        assert!(!report.passed());
        assert_eq!(
            report.findings,
            vec![
                Finding::WrongReaderSwitched { reader: R1.into() },
                Finding::NeverSwitched
            ]
        );
        assert!(report.findings[0].message().contains(R1));
    }

    #[test]
    fn a_card_placed_before_the_tick_fails() {
        let events = vec![
            ev(2, mode(R0, ReaderMode::VisualCheck)),
            ev(3, card(R0)),
            ev(4, tick(R0, day())),
            ev(5, result(R0, "有効")),
            ev(5, ended(R0, Some(IdentityMethod::Visual), true)),
            ev(6, mode(R0, ReaderMode::Unattended)),
        ];
        let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
        assert_eq!(report.findings, vec![Finding::CardBeforeTick]);
    }

    #[test]
    fn no_tick_and_no_result_are_both_named() {
        let events = vec![
            ev(2, mode(R0, ReaderMode::VisualCheck)),
            ev(6, mode(R0, ReaderMode::Unattended)),
        ];
        let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
        assert_eq!(
            report.findings,
            vec![
                Finding::NotTicked,
                Finding::NoValidVisualResult { outcomes: vec![] },
                Finding::SwitchedBackTooEarly
            ]
        );
    }

    #[test]
    fn a_result_other_than_valid_fails_with_the_outcome() {
        let mut events = good_run();
        events[5] = ev(5, result(R0, "無効"));
        let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
        assert_eq!(
            report.findings,
            vec![Finding::NoValidVisualResult {
                outcomes: vec!["無効".into()]
            }]
        );
        assert!(report.findings[0].message().contains("無効"));
    }

    #[test]
    fn a_valid_result_by_pin_before_the_switch_does_not_count() {
        let events = vec![
            ev(0, card(R0)),
            ev(1, result(R0, "有効")),
            ev(1, ended(R0, Some(IdentityMethod::Pin), true)),
            ev(2, mode(R0, ReaderMode::VisualCheck)),
            ev(3, tick(R0, day())),
            ev(6, mode(R0, ReaderMode::Unattended)),
        ];
        let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
        assert!(report
            .findings
            .contains(&Finding::NoValidVisualResult { outcomes: vec![] }));
    }

    #[test]
    fn another_date_and_a_refused_switch_are_reported() {
        let other = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let mut events = good_run();
        events[3] = ev(3, tick(R0, other));
        events.insert(
            2,
            ev(2, DrillEventKind::ModeChangeRefused { reader: R0.into() }),
        );
        let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
        assert_eq!(
            report.findings,
            vec![
                Finding::ConfirmationDateNotToday {
                    date: other,
                    visit: day()
                },
                Finding::RefusedSwitch { count: 1 }
            ]
        );
        assert!(!report.passed());
        assert!(!Finding::RefusedSwitch { count: 1 }.fails());
    }

    #[test]
    fn a_tick_before_the_switch_does_not_let_the_card_through() {
        let events = vec![
            ev(1, tick(R0, day())),
            ev(2, mode(R0, ReaderMode::VisualCheck)),
            ev(3, card(R0)),
        ];
        let report = check(&target(), &events, &final_modes(ReaderMode::VisualCheck));
        assert!(report.findings.contains(&Finding::CardBeforeTick));
    }

    #[test]
    fn every_cause_of_the_sheet_has_a_drill() {
        for face in FaceCause::ALL {
            assert!(DRILLS.iter().any(|d| d.face == face), "{face:?}");
        }
        for pin in [PinCause::FaceOnlyCard, PinCause::ForgottenPin] {
            assert!(DRILLS.iter().any(|d| d.pin == pin), "{pin:?}");
        }
        assert!(drill("bandage-face-only").is_some());
        assert!(drill("nope").is_none());
    }
}
