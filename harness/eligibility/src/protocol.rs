//! What a card check sends to the eligibility service, and what comes back.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// How the patient's identity was confirmed (本人確認方法). Kept in our audit log and report,
/// never written into the receipt-system XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityMethod {
    /// 顔認証: the reader matched the face with the card photo.
    Face,
    /// 暗証番号: the user-auth PIN was verified by the card.
    Pin,
    /// 目視: staff compared the card photo with the patient.
    Visual,
}

/// Proof that fits the identity method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityProof {
    /// PIN route: the card signed the service's challenge with its user-auth key
    /// (RSA PKCS#1 v1.5 over a SHA-256 DigestInfo of the challenge).
    CardSignature {
        /// The challenge the service handed out.
        challenge: Vec<u8>,
        /// The card's signature over it.
        signature: Vec<u8>,
    },
    /// Face route: the reader's signed statement that the face matched the card photo.
    ReaderAttestation {
        /// The signed statement (bytes as signed).
        statement: Vec<u8>,
        /// The reader's signature over `statement`.
        signature: Vec<u8>,
        /// The reader's certificate (DER).
        reader_certificate: Vec<u8>,
    },
    /// Visual route: staff ticked 目視で本人確認完了 on the terminal.
    StaffConfirmation {
        /// The terminal account that confirmed.
        account: String,
        /// The reader the patient used.
        reader: String,
        /// 資格確認日 entered on the terminal.
        confirmation_date: NaiveDate,
        /// When the box was ticked.
        confirmed_at: NaiveDateTime,
    },
}

impl IdentityProof {
    /// The method this proof belongs to.
    pub fn method(&self) -> IdentityMethod {
        match self {
            Self::CardSignature { .. } => IdentityMethod::Pin,
            Self::ReaderAttestation { .. } => IdentityMethod::Face,
            Self::StaffConfirmation { .. } => IdentityMethod::Visual,
        }
    }
}

/// A patient's answer on one consent item, with the time it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// True when the patient agreed (同意する).
    pub given: bool,
    /// When the patient answered.
    pub at: NaiveDateTime,
}

/// A patient's answers on the consent screens. `None`: the screens in force did not ask this item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consents {
    /// 薬剤情報
    pub medication: Option<Consent>,
    /// 特定健診等情報
    pub health_checkups: Option<Consent>,
    /// 診療情報
    pub diagnosis: Option<Consent>,
    /// 手術情報
    pub operation: Option<Consent>,
    /// 限度額適用認定証関連情報 (asked on its own screen before 2024-10-07)
    pub limit_application: Option<Consent>,
}

/// One card check, as the reader hands it to the terminal and the terminal to the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityCheck {
    /// The card's user-auth certificate (DER), read from JPKI EF 000A.
    pub auth_certificate: Vec<u8>,
    /// Proof of identity for the method used.
    pub proof: IdentityProof,
    /// The patient's consents.
    pub consents: Consents,
    /// PC/SC name of the reader the card was placed on.
    pub reader_name: String,
    /// When the check was made (facility local time, JST).
    pub requested_at: NaiveDateTime,
}
