//! Why a card check ended in an error result: the service's typed errors, with the code and
//! message the result file carries (ProcessingResultCode / ProcessingResultMessage) and the label
//! the scenarios use.

use chrono::NaiveDate;
use serde::Serialize;

use crate::pki::CertificateError;

/// Why a card check ended in an error result (SegmentOfResult 9). Codes and messages are this
/// mock's own (documented in the crate README section of `lib.rs`), not the real service's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum CheckError {
    /// 1101: the user-auth certificate does not parse, or uses an unsupported algorithm.
    #[error("bad user-auth certificate: {0}")]
    BadCertificate(String),
    /// 1102: the certificate is not issued by a trusted user-auth CA (the test JPKI CA, or the
    /// CA a bench added).
    #[error("user-auth certificate not issued by the JPKI user-auth CA")]
    UntrustedCertificate,
    /// 1103: `now` is before the certificate's notBefore.
    #[error("user-auth certificate not yet valid")]
    CertificateNotYetValid,
    /// 1104: `now` is after the certificate's notAfter.
    #[error("user-auth certificate expired")]
    CertificateExpired,
    /// 1105: the certificate is on the CA's CRL.
    #[error("user-auth certificate revoked")]
    CertificateRevoked,
    /// 1201: the card's signature over the challenge does not verify with the certificate's key.
    #[error("card signature does not verify")]
    BadSignature,
    /// 1202: the challenge was never issued by this service (or was forgotten long ago).
    #[error("unknown challenge")]
    UnknownChallenge,
    /// 1203: the challenge was already used by an earlier check.
    #[error("challenge already used")]
    ChallengeReused,
    /// 1204: the challenge expired before it was used.
    #[error("challenge expired")]
    ChallengeExpired,
    /// 1301: the reader's certificate is not from the reader maker's CA, or not valid now.
    #[error("reader certificate not trusted: {0}")]
    UntrustedReader(String),
    /// 1302: the reader's signature over the statement does not verify.
    #[error("reader attestation signature does not verify")]
    BadAttestationSignature,
    /// 1303: the statement is malformed or does not bind this check (other card, other reader,
    /// matched outside the challenge's lifetime).
    #[error("reader attestation statement rejected: {0}")]
    BadAttestationStatement(String),
    /// 1401: the staff confirmation is incomplete or does not fit this check.
    #[error("staff confirmation rejected: {0}")]
    BadStaffConfirmation(String),
    /// 1501: 資格確認日 is after the day of the check.
    #[error("資格確認日 {0} is after the day of the check")]
    ConfirmationDateInFuture(NaiveDate),
}

impl CheckError {
    /// ErrorCode / ProcessingResultCode of the result file.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadCertificate(_) => "1101",
            Self::UntrustedCertificate => "1102",
            Self::CertificateNotYetValid => "1103",
            Self::CertificateExpired => "1104",
            Self::CertificateRevoked => "1105",
            Self::BadSignature => "1201",
            Self::UnknownChallenge => "1202",
            Self::ChallengeReused => "1203",
            Self::ChallengeExpired => "1204",
            Self::UntrustedReader(_) => "1301",
            Self::BadAttestationSignature => "1302",
            Self::BadAttestationStatement(_) => "1303",
            Self::BadStaffConfirmation(_) => "1401",
            Self::ConfirmationDateInFuture(_) => "1501",
        }
    }

    /// ErrorMessage / ProcessingResultMessage of the result file (Japanese).
    pub fn message(&self) -> &'static str {
        match self {
            Self::BadCertificate(_) => "利用者証明用電子証明書を読み取れません。",
            Self::UntrustedCertificate => "利用者証明用電子証明書の発行元を確認できません。",
            Self::CertificateNotYetValid => "利用者証明用電子証明書の有効期間の開始前です。",
            Self::CertificateExpired => "利用者証明用電子証明書の有効期限が切れています。",
            Self::CertificateRevoked => "利用者証明用電子証明書は失効しています。",
            Self::BadSignature => "マイナンバーカードの署名を検証できません。",
            Self::UnknownChallenge => "認証要求が発行されていません。",
            Self::ChallengeReused => "認証要求は使用済みです。",
            Self::ChallengeExpired => "認証要求の有効期限が切れています。",
            Self::UntrustedReader(_) => "顔認証付きカードリーダーの証明書を確認できません。",
            Self::BadAttestationSignature => "顔認証付きカードリーダーの署名を検証できません。",
            Self::BadAttestationStatement(_) => "顔認証の結果がこの資格確認と一致しません。",
            Self::BadStaffConfirmation(_) => "目視による本人確認の記録が不正です。",
            Self::ConfirmationDateInFuture(_) => "資格確認日に未来の日付は指定できません。",
        }
    }

    /// Short label as the scenarios name the outcome (e.g. 証明書の有効期限切れ, 証明書の失効).
    pub fn label(&self) -> &'static str {
        match self {
            Self::BadCertificate(_) => "証明書の読取エラー",
            Self::UntrustedCertificate => "証明書の発行元エラー",
            Self::CertificateNotYetValid => "証明書の有効期間前",
            Self::CertificateExpired => "証明書の有効期限切れ",
            Self::CertificateRevoked => "証明書の失効",
            Self::BadSignature => "署名の検証エラー",
            Self::UnknownChallenge => "認証要求の不明",
            Self::ChallengeReused => "認証要求の再使用",
            Self::ChallengeExpired => "認証要求の期限切れ",
            Self::UntrustedReader(_) => "カードリーダー証明書のエラー",
            Self::BadAttestationSignature => "カードリーダー署名の検証エラー",
            Self::BadAttestationStatement(_) => "顔認証結果の不一致",
            Self::BadStaffConfirmation(_) => "目視確認記録のエラー",
            Self::ConfirmationDateInFuture(_) => "資格確認日のエラー",
        }
    }
}

impl From<CertificateError> for CheckError {
    fn from(e: CertificateError) -> Self {
        match e {
            CertificateError::Malformed(m) | CertificateError::Unsupported(m) => {
                Self::BadCertificate(m)
            }
            CertificateError::NotEndEntity => {
                Self::BadCertificate("a CA certificate is not a card's certificate".into())
            }
            CertificateError::UntrustedIssuer { .. } => Self::UntrustedCertificate,
            CertificateError::Expired { .. } => Self::CertificateExpired,
            CertificateError::NotYetValid { .. } => Self::CertificateNotYetValid,
            CertificateError::Revoked { .. } => Self::CertificateRevoked,
        }
    }
}
