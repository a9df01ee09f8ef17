//! The patient screens of the reader, rendered as plain Japanese text, and the buttons each
//! screen shows ([`PatientScreen::buttons`]: drivers press buttons by these labels).
//!
//! Taken from public sources: the method names 顔認証 / 暗証番号 (アイン薬局's walkthrough of its
//! reader: 「本人確認方法を顔認証または暗証番号のどちらかを選択」,
//! <https://www.ainj.co.jp/pharmacy/online-e-checks.html>), the 目視確認 mode name (the seed's
//! operator screen), and the consent items and buttons (see [`ConsentScreens`]). Every other line
//! is the harness's own wording: real readers differ by maker and their texts are not published
//! in full, so they are not copied from anywhere and must not be read as the real screens.

use harness_eligibility::protocol::IdentityMethod;
use harness_face::MatchDecision;

use crate::result::FailureReason;
use crate::vocab::{
    Availability, CardFaceScanError, ConsentItem, ConsentScreens, FaceFailure, PinFailure, Touch,
};

/// What the patient sees on the reader.
#[derive(Debug, Clone, PartialEq)]
pub enum PatientScreen {
    /// マイナンバーカードを置いてください (無人運転 / 暗証番号認証固定, no card).
    PlaceCard,
    /// 目視確認モード: waiting for staff to tick 目視で本人確認完了.
    VisualWaitingForStaff,
    /// 目視確認モード after staff confirmed: place the card.
    VisualPlaceCard,
    /// Reading the card.
    ReadingCard,
    /// 顔認証 / 暗証番号 の選択.
    ChooseMethod {
        /// The face button.
        face: Availability,
        /// The PIN button.
        pin: Availability,
    },
    /// The optical scan of the printed card face is running.
    ScanningCardFace,
    /// The card face could not be read (sleeve, glare, or the card refused the number read).
    CardFaceUnreadable {
        /// What the scan saw, or `None` when the card refused 照合番号B.
        cause: Option<CardFaceScanError>,
        /// ［暗証番号で認証］ is offered.
        pin_offered: bool,
    },
    /// カメラに顔を向けてください.
    LookAtCamera {
        /// 1-based try of this visit.
        try_number: u32,
        /// Tries per visit.
        tries: u32,
    },
    /// 顔認証できませんでした, with what can be done next.
    FaceNotRecognised {
        /// The matcher's verdict.
        decision: MatchDecision,
        /// Tries left in this visit (［もう一度］ when > 0).
        tries_left: u32,
        /// ［暗証番号で認証］ is offered.
        pin_offered: bool,
    },
    /// Face auth cannot be used on this visit; the PIN is offered.
    FaceUnavailable {
        /// Why.
        failure: FaceFailure,
    },
    /// 暗証番号を入力してください（残り N 回）.
    EnterPin {
        /// Tries left on the card.
        tries_left: u8,
        /// Digits typed so far (shown as ●).
        typed: usize,
        /// The last PIN was wrong.
        last_wrong: bool,
        /// The last entry was not 4 digits.
        malformed: bool,
    },
    /// しばらくお待ちください (talking to the card or the service).
    PleaseWait,
    /// 同意の選択, first screen since 2024-10-07: ［全て同意する］ or ［個別に同意する］.
    ConsentChoice,
    /// 同意の選択: one item on its own screen.
    ConsentItem {
        /// The consent screens in force (they name the items).
        screens: ConsentScreens,
        /// The item asked.
        item: ConsentItem,
        /// 1-based position of this screen among the item screens.
        number: usize,
        /// How many item screens there are.
        of: usize,
    },
    /// 受付が完了しました.
    Completed,
    /// The visit failed.
    Failed {
        /// The method used or last tried.
        method: Option<IdentityMethod>,
        /// Why.
        reason: FailureReason,
    },
}

// Harness wording (see the module comment).
const TAKE_CARD: &str = "カードをお取りください";
const ASK_STAFF: &str = "受付にお声かけください";

fn button(label: &str) -> String {
    format!("［{label}］")
}

/// The two answers on an item's consent screen. 限度額情報 was answered 「提供する」「提供しない」
/// (社会保険研究所, see [`ConsentScreens`]); the other items 「同意する」「同意しない」.
fn consent_answers(item: ConsentItem) -> (&'static str, &'static str) {
    match item {
        ConsentItem::LimitApplication => ("提供する", "提供しない"),
        _ => ("同意する", "同意しない"),
    }
}

impl PatientScreen {
    /// Exactly the buttons this screen shows: (label as rendered inside ［］, the touch it sends),
    /// in screen order. The reader refuses any other touch (`Output::Refused`).
    pub fn buttons(&self) -> Vec<(String, Touch)> {
        let mut buttons: Vec<(String, Touch)> = Vec::new();
        let mut push = |label: &str, touch: Touch| buttons.push((label.to_owned(), touch));
        match self {
            Self::ChooseMethod { face, pin } => {
                if *face == Availability::Offered {
                    push("顔認証", Touch::ChooseFace);
                }
                if *pin == Availability::Offered {
                    push("暗証番号", Touch::ChoosePin);
                }
                push("中止", Touch::Cancel);
            }
            Self::ScanningCardFace | Self::LookAtCamera { .. } => push("中止", Touch::Cancel),
            Self::CardFaceUnreadable { pin_offered, .. } => {
                push("もう一度", Touch::Retry);
                if *pin_offered {
                    push("暗証番号で認証", Touch::ChoosePin);
                }
                push("中止", Touch::Cancel);
            }
            Self::FaceNotRecognised {
                tries_left,
                pin_offered,
                ..
            } => {
                if *tries_left > 0 {
                    push("もう一度", Touch::Retry);
                }
                if *pin_offered {
                    push("暗証番号で認証", Touch::ChoosePin);
                }
                push("中止", Touch::Cancel);
            }
            Self::FaceUnavailable { .. } => {
                push("暗証番号で認証", Touch::ChoosePin);
                push("中止", Touch::Cancel);
            }
            Self::EnterPin { .. } => {
                for digit in 0..=9u8 {
                    push(&digit.to_string(), Touch::Digit(digit));
                }
                push("訂正", Touch::Clear);
                push("OK", Touch::PinOk);
                push("中止", Touch::Cancel);
            }
            Self::ConsentChoice => {
                push("全て同意する", Touch::ConsentAll);
                push("個別に同意する", Touch::ConsentIndividually);
            }
            Self::ConsentItem { item, .. } => {
                let (yes, no) = consent_answers(*item);
                push(
                    yes,
                    Touch::Consent {
                        item: *item,
                        given: true,
                    },
                );
                push(
                    no,
                    Touch::Consent {
                        item: *item,
                        given: false,
                    },
                );
            }
            Self::PlaceCard
            | Self::VisualWaitingForStaff
            | Self::VisualPlaceCard
            | Self::ReadingCard
            | Self::PleaseWait
            | Self::Completed
            | Self::Failed { .. } => {}
        }
        buttons
    }

    /// The touch of the button labelled `label` on this screen, if it is there.
    pub fn button(&self, label: &str) -> Option<Touch> {
        self.buttons()
            .into_iter()
            .find(|(shown, _)| shown == label)
            .map(|(_, touch)| touch)
    }

    /// The screen as plain text, one line per row, buttons in ［］.
    pub fn render(&self) -> String {
        let lines: Vec<String> = match self {
            Self::PlaceCard => vec!["マイナンバーカードを置いてください".into()],
            Self::VisualWaitingForStaff => {
                vec!["目視確認モード".into(), "職員の確認をお待ちください".into()]
            }
            Self::VisualPlaceCard => vec![
                "目視確認モード".into(),
                "職員による本人確認が完了しました".into(),
                "マイナンバーカードを置いてください".into(),
            ],
            Self::ReadingCard => vec![
                "カードを読み取っています".into(),
                "カードを動かさないでください".into(),
            ],
            Self::ChooseMethod { face, pin } => {
                let mut lines = vec!["本人確認の方法を選択してください".to_string()];
                lines.push(match face {
                    Availability::Offered => button("顔認証"),
                    Availability::Locked => "顔認証（ロック中のため利用できません）".into(),
                    Availability::NotOnCard => "顔認証（このカードでは利用できません）".into(),
                });
                lines.push(match pin {
                    Availability::Offered => button("暗証番号"),
                    Availability::Locked => "暗証番号（ロック中のため利用できません）".into(),
                    Availability::NotOnCard => "暗証番号（このカードでは利用できません）".into(),
                });
                lines.push(button("中止"));
                lines
            }
            Self::ScanningCardFace => vec![
                "カードの券面を読み取っています".into(),
                "カードを動かさないでください".into(),
                button("中止"),
            ],
            Self::CardFaceUnreadable { cause, pin_offered } => {
                let mut lines = vec!["カードの券面を読み取れませんでした".to_string()];
                lines.push(
                    match cause {
                        Some(CardFaceScanError::Sleeve) => {
                            "カードケースから出して、顔写真の面を上にして置いてください"
                        }
                        Some(CardFaceScanError::Glare) => {
                            "光が反射しています　カードを置き直してください"
                        }
                        Some(CardFaceScanError::Unreadable) | None => {
                            "カードをまっすぐ置き直してください"
                        }
                    }
                    .into(),
                );
                lines.push(button("もう一度"));
                if *pin_offered {
                    lines.push(button("暗証番号で認証"));
                }
                lines.push(button("中止"));
                lines
            }
            Self::LookAtCamera { try_number, tries } => vec![
                "顔認証を行います".into(),
                "カメラに顔を向けてください".into(),
                format!("（{try_number} / {tries} 回目）"),
                button("中止"),
            ],
            Self::FaceNotRecognised {
                decision,
                tries_left,
                pin_offered,
            } => {
                let mut lines = vec![
                    "顔認証できませんでした".to_string(),
                    decision_hint(*decision).into(),
                ];
                if *tries_left > 0 {
                    lines.push(button("もう一度"));
                } else {
                    lines.push("顔認証はこれ以上試せません".into());
                }
                if *pin_offered {
                    lines.push(button("暗証番号で認証"));
                }
                lines.push(button("中止"));
                lines
            }
            Self::FaceUnavailable { failure } => {
                let mut lines = vec![failure.patient_text().to_string()];
                lines.extend(failure.patient_hint().map(String::from));
                lines.push("暗証番号で本人確認を行ってください".into());
                lines.push(button("暗証番号で認証"));
                lines.push(button("中止"));
                lines
            }
            Self::EnterPin {
                tries_left,
                typed,
                last_wrong,
                malformed,
            } => {
                let mut lines = Vec::new();
                if *last_wrong {
                    lines.push("暗証番号が違います".to_string());
                }
                if *malformed {
                    lines.push("数字4桁を入力してください".to_string());
                }
                lines.push(format!(
                    "暗証番号を入力してください（残り {tries_left} 回）"
                ));
                lines.push("利用者証明用電子証明書の暗証番号（数字4桁）".into());
                let typed = (*typed).min(4);
                lines.push(format!("{}{}", "●".repeat(typed), "○".repeat(4 - typed)));
                lines.push((1..=9).chain([0]).map(|d| button(&d.to_string())).collect());
                lines.push(format!(
                    "{}{}{}",
                    button("訂正"),
                    button("OK"),
                    button("中止")
                ));
                lines
            }
            Self::PleaseWait => vec!["しばらくお待ちください".into()],
            // 同意の選択 and the question lines are ours; the items and buttons are cited at
            // ConsentScreens.
            Self::ConsentChoice => vec![
                "同意の選択".into(),
                "過去の診療・薬剤情報などを医療機関・薬局に提供することに同意しますか".into(),
                button("全て同意する"),
                button("個別に同意する"),
            ],
            Self::ConsentItem {
                screens,
                item,
                number,
                of,
            } => {
                let label = screens.label(*item);
                let question = match item {
                    ConsentItem::LimitApplication => {
                        format!("{label}を医療機関・薬局に提供しますか")
                    }
                    _ => format!("過去の{label}を医療機関・薬局に提供することに同意しますか"),
                };
                let (yes, no) = consent_answers(*item);
                vec![
                    format!("同意の選択（{number} / {of}）"),
                    label.into(),
                    question,
                    format!("{}{}", button(yes), button(no)),
                ]
            }
            Self::Completed => vec!["受付が完了しました".into(), TAKE_CARD.into()],
            Self::Failed { reason, .. } => failure_lines(reason),
        };
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

fn decision_hint(decision: MatchDecision) -> &'static str {
    match decision {
        MatchDecision::Match => "もう一度お試しください",
        MatchDecision::NoMatch => "カードの顔写真と一致しませんでした",
        MatchDecision::NoFace => "顔が見つかりません　カメラの正面に顔を向けてください",
        MatchDecision::Occluded => "マスク・眼帯などを外してカメラに顔を向けてください",
        MatchDecision::PoorImage => "明るさが足りないか逆光です",
        MatchDecision::NotLive => "本人の顔を確認できませんでした",
    }
}

fn failure_lines(reason: &FailureReason) -> Vec<String> {
    let mut lines: Vec<String> = match reason {
        FailureReason::CardRemoved => {
            return vec![
                "カードが取り外されました".into(),
                "はじめからやり直してください".into(),
            ]
        }
        FailureReason::PatientTimeout => {
            return vec![
                "一定時間操作がなかったため中止しました".into(),
                TAKE_CARD.into(),
            ]
        }
        FailureReason::Cancelled => return vec!["中止しました".into(), TAKE_CARD.into()],
        FailureReason::NotAMyNumberCard => vec!["このカードはご利用いただけません".into()],
        FailureReason::CardError { .. }
        | FailureReason::CardNoResponse
        | FailureReason::CardTransport(_) => vec!["カードを読み取れませんでした".into()],
        FailureReason::Face(failure) => {
            let mut lines = vec![failure.patient_text().to_string()];
            lines.extend(failure.patient_hint().map(String::from));
            lines
        }
        FailureReason::Pin(PinFailure::Locked) => vec!["暗証番号がロックされています".into()],
        FailureReason::Pin(PinFailure::NotSet) => {
            vec!["このカードは暗証番号が設定されていません".into()]
        }
        FailureReason::NoMethodAvailable { face, .. } => {
            let mut lines = vec!["顔認証・暗証番号のどちらもご利用いただけません".to_string()];
            lines.extend(face.patient_hint().map(String::from));
            lines
        }
        FailureReason::StaffConfirmationMissing => vec![
            "目視確認モード".into(),
            "職員による本人確認が完了していません".into(),
        ],
        FailureReason::ServiceTimeout
        | FailureReason::ServiceRejected(_)
        | FailureReason::AttestationFailed(_)
        | FailureReason::MissingData(_) => vec!["資格確認できませんでした".into()],
    };
    lines.push(ASK_STAFF.into());
    lines.push(TAKE_CARD.into());
    lines
}
