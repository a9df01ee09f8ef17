//! Cards of another CA (a bench's physical test cards): refused by default, accepted once their
//! CA is trusted and the card enrolled for its person; enrolment refuses a certificate that does
//! not chain, is expired or not yet valid, is revoked, belongs to someone else, or a person the
//! insurance records do not know. The second CA is made here ([`TestCa`]); the card keys are the
//! fixture cards' own.

mod common;

use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use harness_eligibility::pki::{der_from_der_or_pem, sha256, TrustSetupError};
use harness_eligibility::protocol::{EligibilityCheck, IdentityProof};
use harness_eligibility::{
    CardEnrolment, CardToEnrol, CheckError, CheckOutcome, EligibilityService, EnrolFailure,
    EnrolmentError, ExtraAuthCa, FixtureDir, FixtureSource, QualificationValidity, ServiceConfig,
};
use rand::SeedableRng;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::PrivateKey;
use sha2::Sha256;
use virtual_card::pki_issue::TestCa;

const READER: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
const BENCH_CA: &str = "CN=Bench Test Card CA,O=Example Test Authority,C=JP";

/// The CA of the bench's cards (made once: RSA key generation takes a moment).
fn bench_ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(|| TestCa::generate(BENCH_CA, 1).expect("bench CA"))
}

/// A CA nobody configured.
fn stranger_ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(|| TestCa::generate("CN=Unknown CA,O=Nobody,C=JP", 2).expect("stranger CA"))
}

fn now() -> NaiveDateTime {
    at(10, 0, 5)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn fresh_service() -> EligibilityService {
    let fixtures = FixtureDir::workspace().load().expect("fixtures load");
    EligibilityService::from_fixtures(&fixtures, ServiceConfig::default()).expect("service")
}

/// The fixture card key of `person` (the physical card's key stands in for it).
fn card_key(person: &str) -> PrivateKey {
    let path = FixtureDir::workspace()
        .root()
        .join(format!("pki/cards/{person}/auth.key.pem"));
    let pem = std::fs::read_to_string(&path).expect("key");
    PrivateKey::from_pkcs8_pem(&pem).expect("PKCS#8 RSA key")
}

/// A user-auth certificate for `person`'s key from `ca`.
fn card_cert(ca: &TestCa, person: &str, not_before: NaiveDate, not_after: NaiveDate) -> Vec<u8> {
    ca.issue_auth_certificate(
        "CN=BENCH0001,OU=User Authentication,O=Example Test Authority,C=JP",
        &card_key(person).to_public_key(),
        &format!("bench/{person}/{not_before}/{not_after}"),
        not_before,
        not_after,
    )
    .expect("card certificate")
}

fn valid_card_cert(ca: &TestCa, person: &str) -> Vec<u8> {
    card_cert(ca, person, date(2024, 4, 1), date(2029, 3, 31))
}

/// A PIN-route check as the reader makes it: a challenge signed with the card's key.
fn pin_check(service: &mut EligibilityService, person: &str, certificate: &[u8]) -> CheckOutcome {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let challenge = service.issue_challenge(&mut rng, now());
    let signature = SigningKey::<Sha256>::new(card_key(person))
        .sign(&challenge.nonce)
        .to_vec();
    let check = EligibilityCheck {
        auth_certificate: certificate.to_vec(),
        proof: IdentityProof::CardSignature {
            challenge: challenge.nonce,
            signature,
        },
        consents: mixed_consents(),
        reader_name: READER.into(),
        requested_at: now(),
    };
    service.check(check, now(), now().date())
}

fn refusal(result: Result<impl std::fmt::Debug, harness_eligibility::EnrolError>) -> EnrolFailure {
    match result {
        Err(e) => e.reason,
        Ok(v) => panic!("expected a refusal, got {v:?}"),
    }
}

#[test]
fn a_card_of_another_ca_is_refused_by_default_and_valid_once_its_ca_is_trusted_and_it_is_enrolled()
{
    let mut service = fresh_service();
    let cert = valid_card_cert(bench_ca(), "yamada-taro");

    // Default: the test CA only.
    let outcome = pin_check(&mut service, "yamada-taro", &cert);
    assert_eq!(outcome.error(), Some(&CheckError::UntrustedCertificate));
    assert!(matches!(
        refusal(service.enrol("yamada-taro", &cert, now())),
        EnrolFailure::Untrusted { trusted } if trusted.contains("Test JPKI User Authentication CA")
    ));

    // The CA trusted, the card not enrolled: a good certificate of nobody the service knows.
    service
        .add_auth_ca(bench_ca().certificate_der(), None)
        .expect("bench CA");
    let outcome = pin_check(&mut service, "yamada-taro", &cert);
    assert_eq!(outcome.person_id, None);
    assert_eq!(outcome.label(), "該当資格なし");

    // Enrolled: 有効, for that person.
    let enrolled = service
        .enrol("yamada-taro", &cert, now())
        .expect("enrolled");
    assert_eq!(
        enrolled.subject,
        "CN=BENCH0001,OU=User Authentication,O=Example Test Authority,C=JP"
    );
    assert_eq!(enrolled.der_sha256, sha256(&cert));
    let outcome = pin_check(&mut service, "yamada-taro", &cert);
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.person_id.as_deref(), Some("yamada-taro"));
    // The person's card is now the enrolled one (face-failure counts follow it).
    assert_eq!(service.card_of_person("yamada-taro"), Some(sha256(&cert)));
    // Enrolling it again changes nothing.
    service
        .enrol("yamada-taro", &cert, now())
        .expect("same card again");
    // The fixture cards keep working.
    let fixture = std::fs::read(
        FixtureDir::workspace()
            .root()
            .join("pki/cards/yamada-taro/auth.crt.der"),
    )
    .expect("fixture certificate");
    let outcome = pin_check(&mut service, "yamada-taro", &fixture);
    assert_eq!(outcome.validity(), Some(QualificationValidity::Valid));
}

#[test]
fn expired_and_not_yet_valid_certificates_are_not_enrolled() {
    let mut service = fresh_service();
    service
        .add_auth_ca(bench_ca().certificate_der(), None)
        .expect("bench CA");
    let expired = card_cert(
        bench_ca(),
        "yamada-taro",
        date(2021, 4, 1),
        date(2026, 7, 20),
    );
    let error = service
        .enrol("yamada-taro", &expired, now())
        .expect_err("expired");
    assert!(matches!(error.reason, EnrolFailure::Expired { .. }));
    let message = error.to_string();
    assert!(
        message.contains("yamada-taro") && message.contains("有効期限"),
        "{message}"
    );
    assert!(message.contains("subject CN=BENCH0001"), "{message}");
    let future = card_cert(
        bench_ca(),
        "yamada-taro",
        date(2027, 1, 1),
        date(2031, 12, 31),
    );
    assert!(matches!(
        refusal(service.enrol("yamada-taro", &future, now())),
        EnrolFailure::NotYetValid { .. }
    ));
    // Nothing was registered.
    assert_eq!(service.person_for_certificate(&expired), None);
    assert_eq!(service.person_for_certificate(&future), None);
}

#[test]
fn certificates_that_do_not_chain_to_a_trusted_ca_are_not_enrolled() {
    let mut service = fresh_service();
    service
        .add_auth_ca(bench_ca().certificate_der(), None)
        .expect("bench CA");
    let stranger = valid_card_cert(stranger_ca(), "yamada-taro");
    match refusal(service.enrol("yamada-taro", &stranger, now())) {
        EnrolFailure::Untrusted { trusted } => assert!(trusted.contains(BENCH_CA), "{trusted}"),
        other => panic!("{other:?}"),
    }
    // The bench CA's name, another key's signature.
    let mut tampered = valid_card_cert(bench_ca(), "yamada-taro");
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    assert!(matches!(
        refusal(service.enrol("yamada-taro", &tampered, now())),
        EnrolFailure::Untrusted { .. }
    ));
    // A CA certificate is no card's certificate; garbage is no certificate.
    assert!(matches!(
        refusal(service.enrol("yamada-taro", bench_ca().certificate_der(), now())),
        EnrolFailure::Malformed(_)
    ));
    let error = service
        .enrol("yamada-taro", &[0x30, 0x03, 0x02, 0x01, 0x01], now())
        .expect_err("garbage");
    assert!(matches!(error.reason, EnrolFailure::Malformed(_)));
    assert_eq!(error.certificate, None);
}

#[test]
fn a_person_unknown_to_the_insurance_records_or_a_card_of_someone_else_is_refused() {
    let mut service = fresh_service();
    service
        .add_auth_ca(bench_ca().certificate_der(), None)
        .expect("bench CA");
    // nakamura-aoi is in people.toml but has no insurance record.
    let aoi = valid_card_cert(bench_ca(), "nakamura-aoi");
    let error = service
        .enrol("nakamura-aoi", &aoi, now())
        .expect_err("no record");
    assert_eq!(error.reason, EnrolFailure::UnknownPerson);
    assert!(error.to_string().contains("保険の記録"), "{error}");
    assert!(matches!(
        refusal(service.enrol("nobody-at-all", &aoi, now())),
        EnrolFailure::UnknownPerson
    ));
    // sato-hanako's fixture card cannot be enrolled as yamada-taro's.
    let sato = std::fs::read(
        FixtureDir::workspace()
            .root()
            .join("pki/cards/sato-hanako/auth.crt.der"),
    )
    .expect("fixture certificate");
    assert_eq!(
        refusal(service.enrol("yamada-taro", &sato, now())),
        EnrolFailure::OtherHolder("sato-hanako".into())
    );
    // One card enrolled for a person cannot be enrolled for another.
    let cert = valid_card_cert(bench_ca(), "yamada-taro");
    service.enrol("yamada-taro", &cert, now()).expect("yamada");
    assert_eq!(
        refusal(service.enrol("sato-hanako", &cert, now())),
        EnrolFailure::OtherHolder("yamada-taro".into())
    );
}

#[test]
fn the_bench_crl_revokes_and_must_be_the_bench_cas() {
    let revoked = card_cert(
        bench_ca(),
        "ito-makoto",
        date(2024, 4, 1),
        date(2029, 3, 31),
    );
    let crl = bench_ca().crl(&[&revoked]).expect("CRL");
    let mut service = fresh_service();
    service
        .add_auth_ca(bench_ca().certificate_der(), Some(&crl))
        .expect("bench CA with its CRL");
    assert_eq!(
        refusal(service.enrol("ito-makoto", &revoked, now())),
        EnrolFailure::Revoked
    );
    assert_eq!(
        pin_check(&mut service, "ito-makoto", &revoked).error(),
        Some(&CheckError::CertificateRevoked)
    );
    // Not on the CRL: enrolled.
    let good = valid_card_cert(bench_ca(), "yamada-taro");
    service.enrol("yamada-taro", &good, now()).expect("good");

    // Another CA's CRL, a CRL that is not one.
    let mut service = fresh_service();
    let foreign = stranger_ca().crl(&[]).expect("CRL");
    assert!(matches!(
        service.add_auth_ca(bench_ca().certificate_der(), Some(&foreign)),
        Err(TrustSetupError::BadCrl(_))
    ));
    assert!(matches!(
        service.add_auth_ca(&[0x30, 0x00], None),
        Err(TrustSetupError::BadCa { .. })
    ));
}

#[test]
fn an_enrolment_applies_its_ca_then_its_cards_and_stops_at_the_first_refusal() {
    let yamada = valid_card_cert(bench_ca(), "yamada-taro");
    let aoi = valid_card_cert(bench_ca(), "nakamura-aoi");
    let enrolment = CardEnrolment {
        auth_ca: Some(ExtraAuthCa {
            certificate_der: bench_ca().certificate_der().to_vec(),
            crl_der: None,
        }),
        cards: vec![CardToEnrol {
            person: "yamada-taro".into(),
            auth_certificate_der: yamada.clone(),
        }],
    };
    let mut service = fresh_service();
    let enrolled = service.apply_enrolment(&enrolment, now()).expect("applied");
    assert_eq!(enrolled.len(), 1);
    assert_eq!(service.person_for_certificate(&yamada), Some("yamada-taro"));

    let mut refused = enrolment.clone();
    refused.cards.push(CardToEnrol {
        person: "nakamura-aoi".into(),
        auth_certificate_der: aoi,
    });
    match fresh_service().apply_enrolment(&refused, now()) {
        Err(EnrolmentError::Card(e)) => {
            assert_eq!(e.person, "nakamura-aoi");
            assert_eq!(e.reason, EnrolFailure::UnknownPerson);
        }
        other => panic!("{other:?}"),
    }
    // Without a CA the cards must chain to the test CA.
    let without_ca = CardEnrolment {
        auth_ca: None,
        ..enrolment
    };
    assert!(matches!(
        fresh_service().apply_enrolment(&without_ca, now()),
        Err(EnrolmentError::Card(e)) if matches!(e.reason, EnrolFailure::Untrusted { .. })
    ));
    // The default enrolment changes nothing.
    assert_eq!(
        fresh_service()
            .apply_enrolment(&CardEnrolment::default(), now())
            .expect("nothing"),
        vec![]
    );
}

#[test]
fn a_ca_certificate_may_come_as_pem() {
    let der = bench_ca().certificate_der();
    let pem = der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).expect("PEM");
    assert_eq!(der_from_der_or_pem(pem.as_bytes()).expect("PEM"), der);
    assert_eq!(der_from_der_or_pem(der).expect("DER"), der);
    assert!(der_from_der_or_pem(b"-----BEGIN CERTIFICATE-----\nnot base64\n").is_err());
}
