//! How a visit at the reader ended: [`CheckResult`], [`CheckOutcome`], [`FailureReason`].

use card_protocol::StatusWord;
use chrono::NaiveDateTime;
use harness_eligibility::protocol::{Consents, IdentityMethod};
use harness_face::MatchReport;

use crate::vocab::{CardKey, FaceFailure, MissingData, PinFailure};

/// Why a visit failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureReason {
    /// The card was taken off mid-flow.
    CardRemoved,
    /// The patient did not touch anything within the patient timeout (walked away).
    PatientTimeout,
    /// The patient touched ［中止］.
    Cancelled,
    /// The card has no JPKI AP: not a My Number card.
    NotAMyNumberCard,
    /// The card answered a command with an unexpected status word or malformed data.
    CardError {
        /// What the reader was doing.
        step: &'static str,
        /// The status word, when the answer had one.
        status: Option<StatusWord>,
    },
    /// The card did not answer within the card timeout.
    CardNoResponse,
    /// The card channel failed.
    CardTransport(String),
    /// Face authentication failed and no other route was left.
    Face(FaceFailure),
    /// The PIN route failed and no other route was left.
    Pin(PinFailure),
    /// Neither face nor PIN could be used on this card (e.g. face locked and PIN locked).
    NoMethodAvailable {
        /// Why face could not be used.
        face: FaceFailure,
        /// Why the PIN could not be used.
        pin: PinFailure,
    },
    /// In 目視確認 the card was placed but staff never confirmed.
    StaffConfirmationMissing,
    /// The eligibility service gave no challenge or answer in time.
    ServiceTimeout,
    /// The eligibility service refused the check.
    ServiceRejected(String),
    /// The reader could not sign its attestation.
    AttestationFailed(String),
    /// Data a step needed was missing (never replaced by an empty default).
    MissingData(MissingData),
}

impl FailureReason {
    /// A short Japanese label for reports.
    pub fn label(&self) -> String {
        match self {
            Self::CardRemoved => "カード取り外し".into(),
            Self::PatientTimeout => "操作タイムアウト".into(),
            Self::Cancelled => "患者による中止".into(),
            Self::NotAMyNumberCard => "マイナンバーカードではない".into(),
            Self::CardError { step, status } => match status {
                Some(status) => format!("カードエラー（{step}: {status}）"),
                None => format!("カードエラー（{step}）"),
            },
            Self::CardNoResponse => "カード無応答".into(),
            Self::CardTransport(error) => format!("通信エラー（{error}）"),
            Self::Face(failure) => failure.patient_text().into(),
            Self::Pin(PinFailure::Locked) => "暗証番号ロック".into(),
            Self::Pin(PinFailure::NotSet) => "暗証番号未設定（顔認証マイナンバーカード）".into(),
            Self::NoMethodAvailable { face, pin } => {
                let pin = match pin {
                    PinFailure::Locked => "暗証番号ロック",
                    PinFailure::NotSet => "暗証番号未設定",
                };
                format!(
                    "顔認証・暗証番号とも利用不可（{} / {pin}）",
                    face.patient_text()
                )
            }
            Self::StaffConfirmationMissing => "目視確認未完了".into(),
            Self::ServiceTimeout => "資格確認サービス無応答".into(),
            Self::ServiceRejected(reason) => format!("資格確認エラー（{reason}）"),
            Self::AttestationFailed(error) => format!("署名エラー（{error}）"),
            Self::MissingData(missing) => format!("データ欠落（{}）", missing.label()),
        }
    }
}

/// How the visit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// 受付が完了しました: identity confirmed, consents chosen, the service accepted the check.
    Completed,
    /// The visit failed.
    Failed(FailureReason),
}

/// The result of one visit (card placed → end screen).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// PC/SC name of the reader.
    pub reader_name: String,
    /// The identity method used or last tried (`None` when the visit ended before one was chosen).
    pub method: Option<IdentityMethod>,
    /// Completed, or failed with a reason.
    pub outcome: CheckOutcome,
    /// The consents, when the patient got through the consent screen.
    pub consents: Option<Consents>,
    /// Every face comparison of this visit.
    pub face_reports: Vec<MatchReport>,
    /// The card, when its user-auth certificate was read.
    pub card: Option<CardKey>,
    /// When the visit ended (facility local time).
    pub finished_at: NaiveDateTime,
}

impl CheckResult {
    /// 顔認証 / 暗証番号 / 目視, or 未選択.
    pub fn method_label(&self) -> &'static str {
        method_label(self.method)
    }

    /// True when the visit completed.
    pub fn is_completed(&self) -> bool {
        self.outcome == CheckOutcome::Completed
    }
}

/// 顔認証 / 暗証番号 / 目視, or 未選択 for none.
pub fn method_label(method: Option<IdentityMethod>) -> &'static str {
    match method {
        Some(IdentityMethod::Face) => "顔認証",
        Some(IdentityMethod::Pin) => "暗証番号",
        Some(IdentityMethod::Visual) => "目視",
        None => "未選択",
    }
}
