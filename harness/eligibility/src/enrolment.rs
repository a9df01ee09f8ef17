//! Cards the fixtures do not know — a bench's physical test cards, whose user-auth certificates
//! were issued by another CA than the test CA: that CA (with its CRL, if it has one), and each
//! card's certificate registered for its person after the checks a card check makes (chains to
//! a trusted user-auth CA, valid at `now`, not revoked) and a look at the insurance records.
//!
//! A bench reads the certificates off its cards once and hands the same [`CardEnrolment`] to
//! every facility it builds ([`EligibilityService::apply_enrolment`]); the service's card
//! registry stays the one place that says which card is whose.

use chrono::NaiveDateTime;

use crate::pki::{self, CertificateError, TrustSetupError};
use crate::service::EligibilityService;

/// An extra user-auth CA: its certificate and, if it has one, its CRL (DER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraAuthCa {
    /// The CA's self-signed certificate, DER.
    pub certificate_der: Vec<u8>,
    /// Its CRL, DER (`None`: nothing it issued counts as revoked).
    pub crl_der: Option<Vec<u8>>,
}

/// One card to register: whose it is and the user-auth certificate read off it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardToEnrol {
    /// The person's id (`fixtures/people.toml`).
    pub person: String,
    /// The card's user-auth certificate, DER (public data, read without a PIN).
    pub auth_certificate_der: Vec<u8>,
}

/// Cards beyond the fixtures' and the CA that issued them. The default is none: the fixtures
/// only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardEnrolment {
    /// The CA of the cards, trusted beside the test CA (`None`: the test CA only).
    pub auth_ca: Option<ExtraAuthCa>,
    /// The cards, in the order they are registered.
    pub cards: Vec<CardToEnrol>,
}

/// A card registered for its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolledCard {
    /// The person.
    pub person: String,
    /// The certificate's subject (RFC 4514).
    pub subject: String,
    /// The certificate's serial number, hex.
    pub serial: String,
    /// SHA-256 of the certificate (the card's key in the service and the face-failure store).
    pub der_sha256: [u8; 32],
}

/// Why a card was not registered (Japanese: the bench run stops with it and shows it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{person} のカードを登録できません{}: {reason}", certificate_text(.certificate))]
pub struct EnrolError {
    /// The person the card stands for.
    pub person: String,
    /// The certificate's subject and serial (hex), when it parses.
    pub certificate: Option<(String, String)>,
    /// What is wrong.
    pub reason: EnrolFailure,
}

fn certificate_text(certificate: &Option<(String, String)>) -> String {
    certificate
        .as_ref()
        .map(|(subject, serial)| format!("（証明書 subject {subject}、serial {serial}）"))
        .unwrap_or_default()
}

/// What is wrong with a card to enrol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolFailure {
    /// Not issued by any trusted user-auth CA (or the CA's signature does not verify).
    #[error("信頼する利用者証明用の認証局（{trusted}）が発行した証明書ではありません")]
    Untrusted {
        /// Subjects of the trusted user-auth CAs.
        trusted: String,
    },
    /// Expired at `now`.
    #[error("証明書の有効期限が切れています（{not_after} UTC まで）")]
    Expired {
        /// notAfter, UTC.
        not_after: String,
    },
    /// Not yet valid at `now`.
    #[error("証明書の有効期間がまだ始まっていません（{not_before} UTC から）")]
    NotYetValid {
        /// notBefore, UTC.
        not_before: String,
    },
    /// On its CA's CRL.
    #[error("証明書は失効しています（認証局の CRL に載っています）")]
    Revoked,
    /// Not a usable end-entity certificate.
    #[error("利用者証明用電子証明書として使えません: {0}")]
    Malformed(String),
    /// The insurance records have no record of the person.
    #[error("保険の記録（insurance/records.toml）にない人物です")]
    UnknownPerson,
    /// The certificate is already another person's card.
    #[error("同じ証明書が {0} のカードとして登録されています")]
    OtherHolder(String),
}

impl From<CertificateError> for EnrolFailure {
    fn from(error: CertificateError) -> Self {
        match error {
            CertificateError::UntrustedIssuer { expected_ca } => Self::Untrusted {
                trusted: expected_ca,
            },
            CertificateError::Expired { not_after } => Self::Expired { not_after },
            CertificateError::NotYetValid { not_before } => Self::NotYetValid { not_before },
            CertificateError::Revoked { .. } => Self::Revoked,
            other @ (CertificateError::Malformed(_)
            | CertificateError::Unsupported(_)
            | CertificateError::NotEndEntity) => Self::Malformed(other.to_string()),
        }
    }
}

/// Why an enrolment could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentError {
    /// The extra CA's certificate or CRL is unusable.
    #[error("利用者証明用の認証局（auth_ca / auth_crl）を使えません: {0}")]
    Ca(#[from] TrustSetupError),
    /// A card was refused.
    #[error(transparent)]
    Card(#[from] EnrolError),
}

impl EligibilityService {
    /// Registers the card carrying `auth_certificate_der` as `person`'s: the certificate must
    /// chain to a trusted user-auth CA (the test CA, or one added with
    /// [`EligibilityService::add_auth_ca`]), be valid at `now` (JST) and not be revoked, and the
    /// person must have an insurance record. Registering the same card again changes nothing.
    pub fn enrol(
        &mut self,
        person: &str,
        auth_certificate_der: &[u8],
        now: NaiveDateTime,
    ) -> Result<EnrolledCard, EnrolError> {
        let refuse = |reason: EnrolFailure| EnrolError {
            person: person.to_owned(),
            certificate: pki::subject_and_serial(auth_certificate_der),
            reason,
        };
        let verified = self
            .trust()
            .verify_auth_certificate(auth_certificate_der, now)
            .map_err(|e| refuse(e.into()))?;
        if !self
            .insurance()
            .records()
            .iter()
            .any(|r| r.person == person)
        {
            return Err(refuse(EnrolFailure::UnknownPerson));
        }
        self.register_card(verified.der_sha256, person)
            .map_err(|holder| refuse(EnrolFailure::OtherHolder(holder)))?;
        let enrolled = EnrolledCard {
            person: person.to_owned(),
            subject: verified.subject,
            serial: pki::hex(&verified.serial),
            der_sha256: verified.der_sha256,
        };
        tracing::debug!(
            person,
            subject = %enrolled.subject,
            serial = %enrolled.serial,
            "card enrolled"
        );
        Ok(enrolled)
    }

    /// Trusts the enrolment's CA (if any), then enrols its cards in order at `now`; stops at the
    /// first card refused.
    pub fn apply_enrolment(
        &mut self,
        enrolment: &CardEnrolment,
        now: NaiveDateTime,
    ) -> Result<Vec<EnrolledCard>, EnrolmentError> {
        if let Some(ca) = &enrolment.auth_ca {
            self.add_auth_ca(&ca.certificate_der, ca.crl_der.as_deref())?;
        }
        let mut enrolled = Vec::with_capacity(enrolment.cards.len());
        for card in &enrolment.cards {
            enrolled.push(self.enrol(&card.person, &card.auth_certificate_der, now)?);
        }
        Ok(enrolled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_certificate_error_is_a_failure_a_bench_team_can_read() {
        let untrusted = EnrolFailure::from(CertificateError::UntrustedIssuer {
            expected_ca: "CN=Bench CA".into(),
        });
        assert_eq!(
            untrusted,
            EnrolFailure::Untrusted {
                trusted: "CN=Bench CA".into()
            }
        );
        assert!(untrusted.to_string().contains("CN=Bench CA"));
        assert_eq!(
            EnrolFailure::from(CertificateError::Revoked {
                serial: "01".into()
            }),
            EnrolFailure::Revoked
        );
        assert!(matches!(
            EnrolFailure::from(CertificateError::NotEndEntity),
            EnrolFailure::Malformed(_)
        ));
        let error = EnrolError {
            person: "yamada-taro".into(),
            certificate: Some(("CN=BENCH0001".into(), "1a2b".into())),
            reason: EnrolFailure::UnknownPerson,
        };
        assert_eq!(
            error.to_string(),
            "yamada-taro のカードを登録できません（証明書 subject CN=BENCH0001、serial 1a2b）: \
             保険の記録（insurance/records.toml）にない人物です"
        );
        let unparsed = EnrolError {
            certificate: None,
            ..error
        };
        assert!(unparsed
            .to_string()
            .starts_with("yamada-taro のカードを登録できません: "));
    }
}
