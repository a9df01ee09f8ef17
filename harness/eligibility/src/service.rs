//! The mock eligibility service (オンライン資格確認等システム): challenges and card checks.
//!
//! Pure core: values and `now` (facility local time, JST) in, values out. Randomness comes in as
//! an RNG argument; fixtures come in as bytes (see [`crate::fixtures`]). Which card belongs to
//! which person is one registry here: the fixture cards, and the cards a bench enrolled
//! (`crate::enrolment`).

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::attestation::AttestationStatement;
pub use crate::check_error::CheckError;
use crate::fixtures::ServiceFixtures;
use crate::insurance::{InsuranceBook, Qualification, QualificationValidity, RecordsError};
use crate::pki::{self, TrustAnchors, TrustSetupError, VerifiedCertificate};
use crate::protocol::{Consents, EligibilityCheck, IdentityMethod, IdentityProof};

/// Length of a challenge nonce in bytes.
pub const CHALLENGE_LEN: usize = 32;

/// Tunables of the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// How long an issued challenge can be used.
    pub challenge_lifetime: Duration,
    /// How long a used or expired challenge is remembered (to answer "reused" / "expired"
    /// rather than "unknown") after its expiry.
    pub challenge_memory: Duration,
    /// The id of the first check (each check takes the next one; it names the result file).
    pub first_check_id: u64,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            challenge_lifetime: Duration::minutes(5),
            challenge_memory: Duration::hours(1),
            first_check_id: 1,
        }
    }
}

/// A challenge the service handed out (for the card to sign, or for the reader to attest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// The random nonce ([`CHALLENGE_LEN`] bytes).
    pub nonce: Vec<u8>,
    /// When it was issued.
    pub issued_at: NaiveDateTime,
    /// After this time it is refused as expired.
    pub expires_at: NaiveDateTime,
}

/// What the service established about the patient's identity, for our audit log and report
/// (never written into the receipt-system XML).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum IdentityEvidence {
    /// PIN route: the card signed our challenge with the certificate's key (verified).
    CardSignature {
        /// The challenge, hex.
        challenge_hex: String,
    },
    /// Face route: a reader certified by the reader maker's CA attested a match (verified).
    ReaderAttestation {
        /// Subject of the reader's certificate.
        reader_certificate_subject: String,
        /// The matcher's score in the statement.
        match_score: f64,
        /// When the reader says the face matched.
        matched_at: NaiveDateTime,
    },
    /// Visual route: the terminal's word that staff confirmed the patient (目視), recorded as
    /// given; the service cannot verify it cryptographically.
    StaffConfirmation {
        /// Terminal account that ticked 目視で本人確認完了.
        account: String,
        /// Reader name.
        reader: String,
        /// 資格確認日.
        confirmation_date: NaiveDate,
        /// When it was ticked.
        confirmed_at: NaiveDateTime,
    },
}

/// 資格確認日 of a check: on the visual route the date staff entered with the confirmation
/// (目視で本人確認完了, [`IdentityProof::StaffConfirmation`]), otherwise the terminal's 資格確認日
/// (normally today). The engine passes the result to [`EligibilityService::check`].
pub fn confirmation_date_for(check: &EligibilityCheck, terminal_date: NaiveDate) -> NaiveDate {
    match &check.proof {
        IdentityProof::StaffConfirmation {
            confirmation_date, ..
        } => *confirmation_date,
        IdentityProof::CardSignature { .. } | IdentityProof::ReaderAttestation { .. } => {
            terminal_date
        }
    }
}

/// The result of a check: the qualification found, or the error that stopped it.
// One outcome per patient: the size difference between the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CheckResult {
    /// The identity was accepted; this is the person's qualification (有効 / 無効 / 該当資格なし).
    Eligibility(Qualification),
    /// The certificate or the proof was refused (SegmentOfResult 9).
    Rejected(CheckError),
}

/// Everything a card check produced: the result for the receipt system and the audit facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckOutcome {
    /// Sequential id of this check (names the result file).
    pub check_id: u64,
    /// 本人確認方法 as claimed by the proof — for the audit log and report only.
    pub method: IdentityMethod,
    /// What was verified about the identity (`None` when the check was rejected before or
    /// while verifying the proof).
    pub evidence: Option<IdentityEvidence>,
    /// The person the certificate belongs to, when known.
    pub person_id: Option<String>,
    /// SHA-256 of the presented user-auth certificate, hex.
    pub auth_certificate_sha256: String,
    /// Qualification or error.
    pub result: CheckResult,
    /// The patient's consents, as given on the reader.
    pub consents: Consents,
    /// PC/SC name of the reader.
    pub reader_name: String,
    /// When the reader made the request.
    pub requested_at: NaiveDateTime,
    /// When the service checked (the `now` of [`EligibilityService::check`]).
    pub checked_at: NaiveDateTime,
    /// 資格確認日: the date the qualification was checked on (the `confirmation_date` of
    /// [`EligibilityService::check`]).
    pub qualification_confirmation_date: NaiveDate,
}

impl CheckOutcome {
    /// The qualification validity, unless the check was rejected.
    pub fn validity(&self) -> Option<QualificationValidity> {
        match &self.result {
            CheckResult::Eligibility(q) => Some(q.validity),
            CheckResult::Rejected(_) => None,
        }
    }

    /// The error, if the check was rejected.
    pub fn error(&self) -> Option<&CheckError> {
        match &self.result {
            CheckResult::Eligibility(_) => None,
            CheckResult::Rejected(e) => Some(e),
        }
    }

    /// The outcome as the scenarios name it: 有効, 無効, 無効（新しい資格あり）, 該当資格なし, 複数該当, or the
    /// error's label (証明書の有効期限切れ, 証明書の失効, ...).
    pub fn label(&self) -> &'static str {
        match &self.result {
            CheckResult::Eligibility(q) => q.validity.label(),
            CheckResult::Rejected(e) => e.label(),
        }
    }

    /// Result file id (the `<id>` of `OQSsiquc01res_face_<id>_<yyyyMMddHHmmss>.xml`).
    pub fn file_id(&self) -> String {
        format!("{:08}", self.check_id)
    }
}

/// Errors building the service from fixtures.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// CA certificates or CRL are broken.
    #[error(transparent)]
    Trust(#[from] TrustSetupError),
    /// Insurance records are broken.
    #[error(transparent)]
    Records(#[from] RecordsError),
    /// A fixture card's certificate does not parse.
    #[error("fixture card {person}: {reason}")]
    BadCard {
        /// The card's person id.
        person: String,
        /// What is wrong.
        reason: String,
    },
    /// Two fixture cards carry the same certificate.
    #[error("fixture cards {0} and {1} carry the same certificate")]
    DuplicateCard(String, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChallengeState {
    Open,
    Used,
}

#[derive(Debug, Clone)]
struct ChallengeEntry {
    issued_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    state: ChallengeState,
}

/// The mock eligibility service.
#[derive(Debug, Clone)]
pub struct EligibilityService {
    trust: TrustAnchors,
    /// SHA-256 of a user-auth certificate → the person whose card carries it.
    cards: HashMap<[u8; 32], String>,
    /// Person → their card's certificate hash (an enrolled card replaces the fixture card).
    holders: HashMap<String, [u8; 32]>,
    insurance: InsuranceBook,
    challenges: HashMap<Vec<u8>, ChallengeEntry>,
    config: ServiceConfig,
    next_check_id: u64,
}

impl EligibilityService {
    /// Builds the service from loaded fixtures.
    pub fn from_fixtures(
        fixtures: &ServiceFixtures,
        config: ServiceConfig,
    ) -> Result<Self, SetupError> {
        let trust = TrustAnchors::new(
            &fixtures.auth_ca_der,
            &fixtures.auth_crl_der,
            &fixtures.reader_ca_der,
        )?;
        let insurance = InsuranceBook::from_toml(&fixtures.insurance_records_toml)?;
        let cards = fixtures
            .cards
            .iter()
            .map(|card| (card.person_id.clone(), card.auth_certificate_der.clone()));
        Self::new(trust, cards, insurance, config)
    }

    /// Builds the service from its parts; `cards` maps person ids to their user-auth
    /// certificate (DER).
    pub fn new(
        trust: TrustAnchors,
        cards: impl IntoIterator<Item = (String, Vec<u8>)>,
        insurance: InsuranceBook,
        config: ServiceConfig,
    ) -> Result<Self, SetupError> {
        let mut by_hash: HashMap<[u8; 32], String> = HashMap::new();
        let mut holders = HashMap::new();
        for (person, der) in cards {
            if let Err(e) = <x509_cert::Certificate as der::Decode>::from_der(&der) {
                return Err(SetupError::BadCard {
                    person,
                    reason: e.to_string(),
                });
            }
            if let Some(other) = by_hash.insert(pki::sha256(&der), person.clone()) {
                return Err(SetupError::DuplicateCard(other, person));
            }
            holders.insert(person, pki::sha256(&der));
        }
        Ok(Self {
            trust,
            cards: by_hash,
            holders,
            insurance,
            challenges: HashMap::new(),
            next_check_id: config.first_check_id,
            config,
        })
    }

    /// The insurance records.
    pub fn insurance(&self) -> &InsuranceBook {
        &self.insurance
    }

    /// The trust anchors.
    pub fn trust(&self) -> &TrustAnchors {
        &self.trust
    }

    /// Trusts one more user-auth CA (a bench's physical cards) beside the test CA; without a
    /// CRL nothing it issued counts as revoked. See [`TrustAnchors::add_auth_ca`].
    pub fn add_auth_ca(
        &mut self,
        ca_der: &[u8],
        crl_der: Option<&[u8]>,
    ) -> Result<(), TrustSetupError> {
        self.trust.add_auth_ca(ca_der, crl_der)
    }

    /// The person a user-auth certificate belongs to (fixture or enrolled card), if any.
    pub fn person_for_certificate(&self, auth_certificate_der: &[u8]) -> Option<&str> {
        self.cards
            .get(&pki::sha256(auth_certificate_der))
            .map(String::as_str)
    }

    /// SHA-256 of the user-auth certificate of `person`'s card: the enrolled card when one was
    /// enrolled, else the fixture card.
    pub fn card_of_person(&self, person: &str) -> Option<[u8; 32]> {
        self.holders.get(person).copied()
    }

    /// Registers the card whose certificate hashes to `sha256` as `person`'s (checked by
    /// `crate::enrolment`). A certificate already registered for someone else is refused with
    /// that person's id; for the same person it changes nothing.
    pub(crate) fn register_card(&mut self, sha256: [u8; 32], person: &str) -> Result<(), String> {
        match self.cards.get(&sha256) {
            Some(holder) if holder != person => return Err(holder.clone()),
            _ => {}
        }
        self.cards.insert(sha256, person.to_owned());
        self.holders.insert(person.to_owned(), sha256);
        Ok(())
    }

    /// Number of challenges issued and still open (not used, not expired) at `now`.
    pub fn open_challenges(&self, now: NaiveDateTime) -> usize {
        self.challenges
            .values()
            .filter(|c| c.state == ChallengeState::Open && now <= c.expires_at)
            .count()
    }

    /// Issues a fresh single-use challenge, valid for the configured lifetime from `now`.
    pub fn issue_challenge<R: rand::CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        now: NaiveDateTime,
    ) -> Challenge {
        self.forget_old_challenges(now);
        let mut nonce = vec![0u8; CHALLENGE_LEN];
        loop {
            rng.fill_bytes(&mut nonce);
            if !self.challenges.contains_key(&nonce) {
                break;
            }
        }
        let expires_at = now
            .checked_add_signed(self.config.challenge_lifetime)
            .unwrap_or(NaiveDateTime::MAX);
        self.challenges.insert(
            nonce.clone(),
            ChallengeEntry {
                issued_at: now,
                expires_at,
                state: ChallengeState::Open,
            },
        );
        Challenge {
            nonce,
            issued_at: now,
            expires_at,
        }
    }

    /// Checks a card check at `now`: the certificate (CA, validity, CRL, at `now`), the proof of
    /// identity for its method, then the person's insurance qualification on `confirmation_date`
    /// (資格確認日: an earlier date finds the qualification as it was on that date). The visual
    /// route's proof carries the date staff entered; it must be `confirmation_date`
    /// ([`confirmation_date_for`] gives it). A date after the day of `now` is refused (1501).
    pub fn check(
        &mut self,
        check: EligibilityCheck,
        now: NaiveDateTime,
        confirmation_date: NaiveDate,
    ) -> CheckOutcome {
        let outcome = self.run_check(check, now, confirmation_date);
        tracing::info!(
            check_id = outcome.check_id,
            method = ?outcome.method,
            person = outcome.person_id.as_deref().unwrap_or("-"),
            reader = %outcome.reader_name,
            result = outcome.label(),
            code = outcome.error().map(CheckError::code).unwrap_or("-"),
            "eligibility check"
        );
        outcome
    }

    fn run_check(
        &mut self,
        check: EligibilityCheck,
        now: NaiveDateTime,
        confirmation_date: NaiveDate,
    ) -> CheckOutcome {
        self.forget_old_challenges(now);
        let check_id = self.next_check_id;
        self.next_check_id = self.next_check_id.saturating_add(1);
        let mut outcome = CheckOutcome {
            check_id,
            method: check.proof.method(),
            evidence: None,
            person_id: self
                .person_for_certificate(&check.auth_certificate)
                .map(str::to_owned),
            auth_certificate_sha256: pki::hex(&pki::sha256(&check.auth_certificate)),
            result: CheckResult::Rejected(CheckError::UntrustedCertificate),
            consents: check.consents,
            reader_name: check.reader_name.clone(),
            requested_at: check.requested_at,
            checked_at: now,
            qualification_confirmation_date: confirmation_date,
        };
        let verified = match self
            .trust
            .verify_auth_certificate(&check.auth_certificate, now)
        {
            Ok(v) => v,
            Err(e) => {
                outcome.result = CheckResult::Rejected(e.into());
                return outcome;
            }
        };
        match self.verify_proof(&check, &verified, now, confirmation_date) {
            Ok(evidence) => outcome.evidence = Some(evidence),
            Err(e) => {
                outcome.result = CheckResult::Rejected(e);
                return outcome;
            }
        }
        if confirmation_date > now.date() {
            outcome.result =
                CheckResult::Rejected(CheckError::ConfirmationDateInFuture(confirmation_date));
            return outcome;
        }
        let qualification = match &outcome.person_id {
            Some(person) => self.insurance.for_person(person, confirmation_date),
            None => Qualification::not_found(),
        };
        outcome.result = CheckResult::Eligibility(qualification);
        outcome
    }

    fn verify_proof(
        &mut self,
        check: &EligibilityCheck,
        certificate: &VerifiedCertificate,
        now: NaiveDateTime,
        terminal_date: NaiveDate,
    ) -> Result<IdentityEvidence, CheckError> {
        match &check.proof {
            IdentityProof::CardSignature {
                challenge,
                signature,
            } => {
                self.consume_challenge(challenge, now)?;
                if !pki::verify_sha256_rsa(&certificate.public_key, challenge, signature) {
                    return Err(CheckError::BadSignature);
                }
                Ok(IdentityEvidence::CardSignature {
                    challenge_hex: pki::hex(challenge),
                })
            }
            IdentityProof::ReaderAttestation {
                statement,
                signature,
                reader_certificate,
            } => {
                let reader = self
                    .trust
                    .verify_reader_certificate(reader_certificate, now)
                    .map_err(|e| CheckError::UntrustedReader(e.to_string()))?;
                if !pki::verify_sha256_rsa(&reader.public_key, statement, signature) {
                    return Err(CheckError::BadAttestationSignature);
                }
                let parsed = AttestationStatement::parse(statement)
                    .map_err(|e| CheckError::BadAttestationStatement(e.0))?;
                let entry = self.consume_challenge(&parsed.challenge, now)?;
                if parsed.auth_certificate_sha256 != certificate.der_sha256 {
                    return Err(CheckError::BadAttestationStatement(
                        "statement is about another card's certificate".into(),
                    ));
                }
                if parsed.reader_name != check.reader_name {
                    return Err(CheckError::BadAttestationStatement(format!(
                        "statement names reader {:?}, the check came from {:?}",
                        parsed.reader_name, check.reader_name
                    )));
                }
                // The statement carries whole seconds: a match in the challenge's own second is
                // inside its lifetime (found by the face-route soak).
                let issued_second = chrono::Timelike::with_nanosecond(&entry.issued_at, 0)
                    .unwrap_or(entry.issued_at);
                if parsed.matched_at < issued_second || parsed.matched_at > entry.expires_at {
                    return Err(CheckError::BadAttestationStatement(
                        "face matched outside the challenge's lifetime".into(),
                    ));
                }
                Ok(IdentityEvidence::ReaderAttestation {
                    reader_certificate_subject: reader.subject,
                    match_score: parsed.match_score,
                    matched_at: parsed.matched_at,
                })
            }
            IdentityProof::StaffConfirmation {
                account,
                reader,
                confirmation_date,
                confirmed_at,
            } => {
                if account.trim().is_empty() {
                    return Err(CheckError::BadStaffConfirmation(
                        "no terminal account".into(),
                    ));
                }
                if *reader != check.reader_name {
                    return Err(CheckError::BadStaffConfirmation(format!(
                        "confirmed for reader {reader:?}, the check came from {:?}",
                        check.reader_name
                    )));
                }
                if *confirmed_at > now {
                    return Err(CheckError::BadStaffConfirmation(
                        "confirmed after the check".into(),
                    ));
                }
                if *confirmation_date > now.date() {
                    return Err(CheckError::BadStaffConfirmation(
                        "資格確認日 is in the future".into(),
                    ));
                }
                if *confirmation_date != terminal_date {
                    return Err(CheckError::BadStaffConfirmation(format!(
                        "資格確認日 {confirmation_date} of the confirmation is not the check's \
                         {terminal_date}"
                    )));
                }
                Ok(IdentityEvidence::StaffConfirmation {
                    account: account.clone(),
                    reader: reader.clone(),
                    confirmation_date: *confirmation_date,
                    confirmed_at: *confirmed_at,
                })
            }
        }
    }

    /// Marks `nonce` used. A challenge is consumed by the first check that presents it in an
    /// authentic proof (for the PIN route: any proof), whether the rest of the proof holds or not.
    fn consume_challenge(
        &mut self,
        nonce: &[u8],
        now: NaiveDateTime,
    ) -> Result<ChallengeEntry, CheckError> {
        let entry = self
            .challenges
            .get_mut(nonce)
            .ok_or(CheckError::UnknownChallenge)?;
        match entry.state {
            ChallengeState::Used => Err(CheckError::ChallengeReused),
            ChallengeState::Open if now > entry.expires_at => Err(CheckError::ChallengeExpired),
            ChallengeState::Open => {
                entry.state = ChallengeState::Used;
                Ok(entry.clone())
            }
        }
    }

    fn forget_old_challenges(&mut self, now: NaiveDateTime) {
        let memory = self.config.challenge_memory;
        self.challenges.retain(|_, c| {
            now <= c
                .expires_at
                .checked_add_signed(memory)
                .unwrap_or(NaiveDateTime::MAX)
        });
    }
}
