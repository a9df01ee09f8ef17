//! The service against the committed test PKI (fixtures/pki) and insurance records: every outcome
//! of a card check, for each identity method. One module per subject; the fixture service, the
//! PKI's keys and the result-file check they share are below, the conformance helpers in
//! ../common.

#[path = "../common/mod.rs"]
mod common;

mod certificates;
mod challenges;
mod face_route;
mod qualification;
mod visual_route;

use chrono::{Duration, NaiveDateTime};
use harness_eligibility::protocol::{EligibilityCheck, IdentityProof};
use harness_eligibility::xml_tree::parse_document;
use harness_eligibility::{
    attestation_statement, confirmation_date_for, render_result_xml, CardCheckWithoutRecord,
    Challenge, CheckError, CheckOutcome, EligibilityService, FixtureDir, FixtureSource,
    ResultFileOptions, ResultMessage, ServiceConfig,
};
use rand::SeedableRng;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::PrivateKey;
use sha2::Sha256;

use common::*;

const READER: &str = "Identiv CLOUD 3701 F Contactless Reader 0";

struct Fixture {
    service: EligibilityService,
    rng: rand::rngs::StdRng,
}

fn pki_file(relative: &str) -> Vec<u8> {
    let path = FixtureDir::workspace().root().join("pki").join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn key(relative: &str) -> PrivateKey {
    let pem = String::from_utf8(pki_file(relative)).expect("PEM is text");
    let (label, der) = der::pem::decode_vec(pem.as_bytes()).expect("PEM");
    assert_eq!(label, "PRIVATE KEY", "PKCS#8 key expected in {relative}");
    PrivateKey::from_pkcs8_der(&der).expect("PKCS#8 RSA key")
}

fn sign(key: &PrivateKey, message: &[u8]) -> Vec<u8> {
    SigningKey::<Sha256>::new(key.clone())
        .sign(message)
        .to_vec()
}

fn auth_cert(person: &str) -> Vec<u8> {
    pki_file(&format!("cards/{person}/auth.crt.der"))
}

fn card_key(person: &str) -> PrivateKey {
    key(&format!("cards/{person}/auth.key.pem"))
}

fn reader_cert() -> Vec<u8> {
    pki_file("readers/reader-0.crt.der")
}

fn reader_key() -> PrivateKey {
    key("readers/reader-0.key.pem")
}

fn setup() -> Fixture {
    let fixtures = FixtureDir::workspace().load().expect("fixtures load");
    let service =
        EligibilityService::from_fixtures(&fixtures, ServiceConfig::default()).expect("service");
    Fixture {
        service,
        rng: rand::rngs::StdRng::seed_from_u64(7),
    }
}

impl Fixture {
    fn challenge(&mut self, now: NaiveDateTime) -> Challenge {
        self.service.issue_challenge(&mut self.rng, now)
    }

    /// A check as the engine runs it: the 資格確認日 is the staff's on the visual route, today
    /// otherwise.
    fn check(&mut self, person: &str, proof: IdentityProof, now: NaiveDateTime) -> CheckOutcome {
        let check = EligibilityCheck {
            auth_certificate: auth_cert(person),
            proof,
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now,
        };
        let date = confirmation_date_for(&check, now.date());
        self.service.check(check, now, date)
    }

    /// The PIN route as the reader runs it: challenge, card signature, check.
    fn pin_check(&mut self, person: &str, now: NaiveDateTime) -> CheckOutcome {
        let challenge = self.challenge(now);
        let signature = sign(&card_key(person), &challenge.nonce);
        self.check(
            person,
            IdentityProof::CardSignature {
                challenge: challenge.nonce,
                signature,
            },
            now,
        )
    }

    fn face_proof(&mut self, person: &str, now: NaiveDateTime) -> IdentityProof {
        let challenge = self.challenge(now);
        let statement =
            attestation_statement(&challenge.nonce, &auth_cert(person), READER, 0.9312, now);
        let signature = sign(&reader_key(), &statement);
        IdentityProof::ReaderAttestation {
            statement,
            signature,
            reader_certificate: reader_cert(),
        }
    }
}

fn staff(now: NaiveDateTime) -> IdentityProof {
    IdentityProof::StaffConfirmation {
        account: "admin".into(),
        reader: READER.into(),
        confirmation_date: now.date(),
        confirmed_at: now - Duration::seconds(30),
    }
}

fn now() -> NaiveDateTime {
    at(10, 0, 5)
}

fn rejected(outcome: &CheckOutcome) -> &CheckError {
    outcome
        .error()
        .unwrap_or_else(|| panic!("expected an error, got {:?}", outcome.result))
}

/// Renders the outcome's result file (a file for every outcome), checks it conforms and names no
/// identity method.
fn result_file(outcome: &CheckOutcome) -> harness_eligibility::xml_tree::XmlElement {
    let options = ResultFileOptions {
        card_check_without_record: CardCheckWithoutRecord::WithoutResultList,
        ..ResultFileOptions::default()
    };
    let message = ResultMessage::for_card_check(outcome, &options).expect("a file");
    let bytes = render_result_xml(&message);
    assert_conforms(
        &format!(
            "OQSsiquc01res_face_{}_{}.xml",
            outcome.file_id(),
            outcome.checked_at.format("%Y%m%d%H%M%S")
        ),
        &bytes,
    );
    assert_no_method(&String::from_utf8(bytes.clone()).expect("utf8"));
    let doc = parse_document(&bytes).expect("parses");
    check_envelope(&doc.root, "1");
    doc.root
}
