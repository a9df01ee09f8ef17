//! The service against the committed test PKI (fixtures/pki) and insurance records: every outcome
//! of a card check, for each identity method.

mod common;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use common::*;
use der::{Decode, Encode};
use harness_eligibility::protocol::{EligibilityCheck, IdentityMethod, IdentityProof};
use harness_eligibility::xml_tree::parse_document;
use harness_eligibility::{
    attestation_statement, confirmation_date_for, render_result_xml, CardCheckWithoutRecord,
    Challenge, CheckError, CheckOutcome, EligibilityService, FixtureDir, FixtureSource,
    IdentityEvidence, QualificationValidity, ResultFileOptions, ResultMessage, ServiceConfig,
};
use rand::SeedableRng;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::PrivateKey;
use sha2::Sha256;

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

#[test]
fn pin_route_gives_valid_for_an_insured_person() {
    let mut f = setup();
    let outcome = f.pin_check("yamada-taro", now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.label(), "有効");
    assert_eq!(outcome.method, IdentityMethod::Pin);
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::CardSignature { .. })
    ));
    assert_eq!(outcome.person_id.as_deref(), Some("yamada-taro"));
    assert_eq!(outcome.consents, mixed_consents());
    let root = result_file(&outcome);
    assert_eq!(text(&root, &["MessageBody", "QualificationValidity"]), "1");
    assert_eq!(root.find("InsuredBranchNumber").expect("branch").text, "01");
}

#[test]
fn every_fixture_card_maps_to_its_person() {
    let f = setup();
    for person in [
        "yamada-taro",
        "sato-hanako",
        "suzuki-haruto",
        "takahashi-kenji",
        "tanaka-yuki",
        "ito-makoto",
        "watanabe-sora",
        "nakamura-aoi",
        "kobayashi-ren",
    ] {
        assert_eq!(
            f.service.person_for_certificate(&auth_cert(person)),
            Some(person)
        );
    }
}

#[test]
fn an_ended_qualification_is_invalid() {
    let mut f = setup();
    let outcome = f.pin_check("takahashi-kenji", now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Invalid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.label(), "無効");
    assert_eq!(
        text(
            &result_file(&outcome),
            &["MessageBody", "QualificationValidity"]
        ),
        "2"
    );
}

#[test]
fn a_person_without_a_record_has_no_qualification() {
    let mut f = setup();
    let outcome = f.pin_check("nakamura-aoi", now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::NotFound),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.label(), "該当資格なし");
    let root = result_file(&outcome);
    assert_eq!(text(&root, &["MessageBody", "QualificationValidity"]), "4");
    assert!(root.find("ResultList").is_none());
}

#[test]
fn an_expired_certificate_is_refused_from_the_second_after_not_after() {
    let cert = x509_cert::Certificate::from_der(&auth_cert("tanaka-yuki")).expect("cert");
    let not_after = cert
        .tbs_certificate()
        .validity()
        .not_after
        .to_unix_duration();
    let not_after_utc =
        chrono::DateTime::from_timestamp(i64::try_from(not_after.as_secs()).expect("secs"), 0)
            .expect("time")
            .naive_utc();
    let last_valid_jst = not_after_utc + Duration::hours(9);
    let mut f = setup();
    let still_valid = f.pin_check("tanaka-yuki", last_valid_jst);
    assert_eq!(
        still_valid.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        still_valid.result
    );
    let expired = f.pin_check("tanaka-yuki", last_valid_jst + Duration::seconds(1));
    assert_eq!(rejected(&expired), &CheckError::CertificateExpired);
    assert_eq!(expired.label(), "証明書の有効期限切れ");
    let today = f.pin_check("tanaka-yuki", now());
    assert_eq!(rejected(&today), &CheckError::CertificateExpired);
    let root = result_file(&today);
    assert_eq!(text(&root, &["MessageHeader", "SegmentOfResult"]), "1");
    assert_eq!(text(&root, &["MessageBody", "ProcessingResultStatus"]), "2");
    assert_eq!(
        text(&root, &["MessageBody", "ProcessingResultCode"]),
        "1104"
    );
}

#[test]
fn a_revoked_certificate_is_refused() {
    let mut f = setup();
    assert!(f.service.trust().revoked_count() >= 1);
    let outcome = f.pin_check("ito-makoto", now());
    assert_eq!(rejected(&outcome), &CheckError::CertificateRevoked);
    assert_eq!(outcome.label(), "証明書の失効");
    assert_eq!(
        text(
            &result_file(&outcome),
            &["MessageBody", "ProcessingResultCode"]
        ),
        "1105"
    );
    // Revoked whatever the method.
    let proof = staff(now());
    let visual = f.check("ito-makoto", proof, now());
    assert_eq!(rejected(&visual), &CheckError::CertificateRevoked);
}

#[test]
fn certificates_not_from_the_user_auth_ca_are_refused() {
    let mut f = setup();
    let challenge = f.challenge(now());
    // The reader's certificate is a good certificate, from the wrong CA.
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: reader_cert(),
            proof: IdentityProof::CardSignature {
                challenge: challenge.nonce.clone(),
                signature: vec![0; 256],
            },
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        now().date(),
    );
    assert_eq!(rejected(&outcome), &CheckError::UntrustedCertificate);
    assert_eq!(outcome.error().map(CheckError::code), Some("1102"));
    // Garbage is a bad certificate.
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: vec![0x30, 0x82, 0x01],
            proof: staff(now()),
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        now().date(),
    );
    assert!(matches!(rejected(&outcome), CheckError::BadCertificate(_)));
    // The CA's own (self-signed) certificate is not a card's certificate.
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: pki_file("auth-ca.crt.der"),
            proof: staff(now()),
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        now().date(),
    );
    assert!(
        matches!(rejected(&outcome), CheckError::BadCertificate(_)),
        "{:?}",
        outcome.result
    );
    // A certificate whose CA signature was tampered with.
    let mut tampered = auth_cert("yamada-taro");
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: tampered,
            proof: staff(now()),
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        now().date(),
    );
    assert_eq!(rejected(&outcome), &CheckError::UntrustedCertificate);
}

#[test]
fn a_signature_by_another_key_or_over_other_bytes_is_refused() {
    let mut f = setup();
    let challenge = f.challenge(now());
    let by_other_card = sign(&card_key("sato-hanako"), &challenge.nonce);
    let outcome = f.check(
        "yamada-taro",
        IdentityProof::CardSignature {
            challenge: challenge.nonce,
            signature: by_other_card,
        },
        now(),
    );
    assert_eq!(rejected(&outcome), &CheckError::BadSignature);
    assert_eq!(outcome.error().map(CheckError::code), Some("1201"));

    let challenge = f.challenge(now());
    let mut flipped = sign(&card_key("yamada-taro"), &challenge.nonce);
    flipped[10] ^= 0x80;
    let outcome = f.check(
        "yamada-taro",
        IdentityProof::CardSignature {
            challenge: challenge.nonce,
            signature: flipped,
        },
        now(),
    );
    assert_eq!(rejected(&outcome), &CheckError::BadSignature);

    let challenge = f.challenge(now());
    let outcome = f.check(
        "yamada-taro",
        IdentityProof::CardSignature {
            challenge: challenge.nonce,
            signature: vec![],
        },
        now(),
    );
    assert_eq!(rejected(&outcome), &CheckError::BadSignature);
}

#[test]
fn a_challenge_is_single_use() {
    let mut f = setup();
    let challenge = f.challenge(now());
    let signature = sign(&card_key("yamada-taro"), &challenge.nonce);
    let proof = IdentityProof::CardSignature {
        challenge: challenge.nonce.clone(),
        signature,
    };
    let first = f.check("yamada-taro", proof.clone(), now());
    assert_eq!(first.validity(), Some(QualificationValidity::Valid));
    let replay = f.check("yamada-taro", proof, now() + Duration::seconds(1));
    assert_eq!(rejected(&replay), &CheckError::ChallengeReused);
    assert_eq!(replay.error().map(CheckError::code), Some("1203"));
    assert_eq!(f.service.open_challenges(now()), 0);
}

#[test]
fn a_challenge_the_service_never_issued_is_unknown() {
    let mut f = setup();
    let _issued = f.challenge(now());
    let made_up = vec![0x42; 32];
    let signature = sign(&card_key("yamada-taro"), &made_up);
    let outcome = f.check(
        "yamada-taro",
        IdentityProof::CardSignature {
            challenge: made_up,
            signature,
        },
        now(),
    );
    assert_eq!(rejected(&outcome), &CheckError::UnknownChallenge);
    assert_eq!(outcome.error().map(CheckError::code), Some("1202"));
    assert_eq!(
        f.service.open_challenges(now()),
        1,
        "the issued one is still open"
    );
}

#[test]
fn a_challenge_expires() {
    let mut f = setup();
    let challenge = f.challenge(now());
    assert_eq!(
        challenge.expires_at,
        now() + ServiceConfig::default().challenge_lifetime
    );
    let signature = sign(&card_key("yamada-taro"), &challenge.nonce);
    let proof = IdentityProof::CardSignature {
        challenge: challenge.nonce.clone(),
        signature,
    };
    let late = f.check(
        "yamada-taro",
        proof.clone(),
        challenge.expires_at + Duration::seconds(1),
    );
    assert_eq!(rejected(&late), &CheckError::ChallengeExpired);
    // At the last second it was still fine.
    let mut g = setup();
    let c = g.challenge(now());
    let signature = sign(&card_key("yamada-taro"), &c.nonce);
    let on_time = g.check(
        "yamada-taro",
        IdentityProof::CardSignature {
            challenge: c.nonce,
            signature,
        },
        c.expires_at,
    );
    assert_eq!(on_time.validity(), Some(QualificationValidity::Valid));
}

#[test]
fn challenges_are_random_and_distinct() {
    let mut f = setup();
    let a = f.challenge(now());
    let b = f.challenge(now());
    assert_eq!(a.nonce.len(), 32);
    assert_ne!(a.nonce, b.nonce);
    assert_eq!(f.service.open_challenges(now()), 2);
}

#[test]
fn face_route_with_a_good_attestation_is_valid() {
    let mut f = setup();
    let proof = f.face_proof("sato-hanako", now());
    let outcome = f.check("sato-hanako", proof, now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.method, IdentityMethod::Face);
    match &outcome.evidence {
        Some(IdentityEvidence::ReaderAttestation {
            match_score,
            matched_at,
            reader_certificate_subject,
        }) => {
            assert!((match_score - 0.9312).abs() < 1e-9);
            assert_eq!(*matched_at, now());
            assert!(!reader_certificate_subject.is_empty());
        }
        other => panic!("expected reader attestation evidence, got {other:?}"),
    }
    let root = result_file(&outcome);
    assert_eq!(text(&root, &["MessageBody", "QualificationValidity"]), "1");
    assert_eq!(root.find("Name").expect("Name").text, "佐藤\u{3000}花子");
}

/// Found by the face-route soak: the statement's `matched-at` has whole seconds, the challenge's
/// issue time a fraction; a match in the same second must be accepted.
#[test]
fn a_face_match_in_the_same_second_as_the_challenge_is_valid() {
    let mut f = setup();
    let issued = now() + Duration::milliseconds(600);
    let challenge = f.challenge(issued);
    let statement = attestation_statement(
        &challenge.nonce,
        &auth_cert("sato-hanako"),
        READER,
        0.93,
        issued + Duration::milliseconds(200),
    );
    let proof = IdentityProof::ReaderAttestation {
        signature: sign(&reader_key(), &statement),
        statement,
        reader_certificate: reader_cert(),
    };
    let outcome = f.check("sato-hanako", proof, issued + Duration::milliseconds(300));
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
}

#[test]
fn face_route_attestations_that_do_not_hold_are_refused() {
    let mut f = setup();
    // Signed by a card key instead of the reader's key.
    let challenge = f.challenge(now());
    let statement = attestation_statement(
        &challenge.nonce,
        &auth_cert("yamada-taro"),
        READER,
        0.95,
        now(),
    );
    let wrong_key = IdentityProof::ReaderAttestation {
        signature: sign(&card_key("yamada-taro"), &statement),
        statement: statement.clone(),
        reader_certificate: reader_cert(),
    };
    assert_eq!(
        rejected(&f.check("yamada-taro", wrong_key, now())),
        &CheckError::BadAttestationSignature
    );

    // Score changed after signing.
    let signature = sign(&reader_key(), &statement);
    let tampered = String::from_utf8(statement.clone())
        .expect("utf8")
        .replace("0.9500", "0.9900");
    let proof = IdentityProof::ReaderAttestation {
        statement: tampered.into_bytes(),
        signature,
        reader_certificate: reader_cert(),
    };
    assert_eq!(
        rejected(&f.check("yamada-taro", proof, now())),
        &CheckError::BadAttestationSignature
    );

    // A reader certificate that is not from the reader maker's CA (a card's certificate).
    let proof = IdentityProof::ReaderAttestation {
        signature: sign(&card_key("yamada-taro"), &statement),
        statement: statement.clone(),
        reader_certificate: auth_cert("yamada-taro"),
    };
    let outcome = f.check("yamada-taro", proof, now());
    assert!(
        matches!(rejected(&outcome), CheckError::UntrustedReader(_)),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.error().map(CheckError::code), Some("1301"));

    // The reader maker's CA certificate is not a reader's certificate.
    let proof = IdentityProof::ReaderAttestation {
        signature: sign(&reader_key(), &statement),
        statement: statement.clone(),
        reader_certificate: pki_file("reader-ca.crt.der"),
    };
    let outcome = f.check("yamada-taro", proof, now());
    assert!(
        matches!(rejected(&outcome), CheckError::UntrustedReader(_)),
        "{:?}",
        outcome.result
    );

    // A genuine attestation about another card, presented with this card's certificate.
    let challenge = f.challenge(now());
    let about_sato = attestation_statement(
        &challenge.nonce,
        &auth_cert("sato-hanako"),
        READER,
        0.95,
        now(),
    );
    let proof = IdentityProof::ReaderAttestation {
        signature: sign(&reader_key(), &about_sato),
        statement: about_sato,
        reader_certificate: reader_cert(),
    };
    let outcome = f.check("yamada-taro", proof, now());
    assert!(
        matches!(rejected(&outcome), CheckError::BadAttestationStatement(_)),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.error().map(CheckError::code), Some("1303"));

    // A genuine attestation from another reader name.
    let challenge = f.challenge(now());
    let other_reader = attestation_statement(
        &challenge.nonce,
        &auth_cert("yamada-taro"),
        "Other Reader 1",
        0.95,
        now(),
    );
    let proof = IdentityProof::ReaderAttestation {
        signature: sign(&reader_key(), &other_reader),
        statement: other_reader,
        reader_certificate: reader_cert(),
    };
    assert!(matches!(
        rejected(&f.check("yamada-taro", proof, now())),
        CheckError::BadAttestationStatement(_)
    ));

    // A genuine attestation over a challenge we never issued, and a replayed one.
    let made_up = attestation_statement(&[7; 32], &auth_cert("yamada-taro"), READER, 0.95, now());
    let proof = IdentityProof::ReaderAttestation {
        signature: sign(&reader_key(), &made_up),
        statement: made_up,
        reader_certificate: reader_cert(),
    };
    assert_eq!(
        rejected(&f.check("yamada-taro", proof, now())),
        &CheckError::UnknownChallenge
    );
    let good = f.face_proof("yamada-taro", now());
    assert_eq!(
        f.check("yamada-taro", good.clone(), now()).validity(),
        Some(QualificationValidity::Valid)
    );
    assert_eq!(
        rejected(&f.check("yamada-taro", good, now())),
        &CheckError::ChallengeReused
    );

    // A match claimed before the challenge existed.
    let challenge = f.challenge(now());
    let early = attestation_statement(
        &challenge.nonce,
        &auth_cert("yamada-taro"),
        READER,
        0.95,
        now() - Duration::minutes(1),
    );
    let proof = IdentityProof::ReaderAttestation {
        signature: sign(&reader_key(), &early),
        statement: early,
        reader_certificate: reader_cert(),
    };
    assert!(matches!(
        rejected(&f.check("yamada-taro", proof, now())),
        CheckError::BadAttestationStatement(_)
    ));
}

#[test]
fn visual_route_records_the_staff_confirmation() {
    let mut f = setup();
    let outcome = f.check("yamada-taro", staff(now()), now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.method, IdentityMethod::Visual);
    assert_eq!(
        outcome.evidence,
        Some(IdentityEvidence::StaffConfirmation {
            account: "admin".into(),
            reader: READER.into(),
            confirmation_date: now().date(),
            confirmed_at: now() - Duration::seconds(30),
        })
    );
    let root = result_file(&outcome);
    assert_eq!(
        text(&root, &["MessageHeader", "QualificationConfirmationDate"]),
        "20261125"
    );

    // The 資格確認日 the staff entered becomes QualificationConfirmationDate.
    let yesterday = IdentityProof::StaffConfirmation {
        account: "admin".into(),
        reader: READER.into(),
        confirmation_date: now().date() - Duration::days(1),
        confirmed_at: now(),
    };
    let outcome = f.check("yamada-taro", yesterday, now());
    assert_eq!(
        text(
            &result_file(&outcome),
            &["MessageHeader", "QualificationConfirmationDate"]
        ),
        "20261124"
    );

    for bad in [
        IdentityProof::StaffConfirmation {
            account: " ".into(),
            reader: READER.into(),
            confirmation_date: now().date(),
            confirmed_at: now(),
        },
        IdentityProof::StaffConfirmation {
            account: "admin".into(),
            reader: "Other Reader".into(),
            confirmation_date: now().date(),
            confirmed_at: now(),
        },
        IdentityProof::StaffConfirmation {
            account: "admin".into(),
            reader: READER.into(),
            confirmation_date: now().date(),
            confirmed_at: now() + Duration::minutes(1),
        },
    ] {
        let outcome = f.check("yamada-taro", bad, now());
        assert!(
            matches!(rejected(&outcome), CheckError::BadStaffConfirmation(_)),
            "{:?}",
            outcome.result
        );
        assert_eq!(outcome.error().map(CheckError::code), Some("1401"));
    }
}

/// 資格確認日 drives the lookup (issue 12): kobayashi-ren lost his qualification on 2026-11-01.
#[test]
fn the_confirmation_date_decides_the_qualification() {
    let mut f = setup();
    let last_valid_day = NaiveDate::from_ymd_opt(2026, 10, 31).expect("date");
    // Staff enter an earlier 資格確認日 with 目視で本人確認完了: the qualification as it was then.
    let earlier = IdentityProof::StaffConfirmation {
        account: "admin".into(),
        reader: READER.into(),
        confirmation_date: last_valid_day,
        confirmed_at: now() - Duration::seconds(30),
    };
    let outcome = f.check("kobayashi-ren", earlier, now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.qualification_confirmation_date, last_valid_day);
    let root = result_file(&outcome);
    assert_eq!(
        text(&root, &["MessageHeader", "QualificationConfirmationDate"]),
        "20261031"
    );
    // Today (any route) he has none.
    let today = f.check("kobayashi-ren", staff(now()), now());
    assert_eq!(today.validity(), Some(QualificationValidity::Invalid));
    let pin = f.pin_check("kobayashi-ren", now());
    assert_eq!(pin.validity(), Some(QualificationValidity::Invalid));
    assert_eq!(
        text(
            &result_file(&pin),
            &[
                "MessageBody",
                "ResultList",
                "ResultOfQualificationConfirmation",
                "DisqualificationDate"
            ]
        ),
        "20261101"
    );
    // The engine passes the terminal's 資格確認日 on the PIN and face routes too.
    let challenge = f.challenge(now());
    let signature = sign(&card_key("kobayashi-ren"), &challenge.nonce);
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: auth_cert("kobayashi-ren"),
            proof: IdentityProof::CardSignature {
                challenge: challenge.nonce,
                signature,
            },
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        last_valid_day,
    );
    assert_eq!(outcome.validity(), Some(QualificationValidity::Valid));
    // A date after today is refused (1501), and a staff confirmation whose date is not the
    // check's is refused (1401): one 資格確認日 per check.
    let challenge = f.challenge(now());
    let signature = sign(&card_key("yamada-taro"), &challenge.nonce);
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: auth_cert("yamada-taro"),
            proof: IdentityProof::CardSignature {
                challenge: challenge.nonce,
                signature,
            },
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        now().date() + Duration::days(1),
    );
    assert_eq!(rejected(&outcome).code(), "1501");
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: auth_cert("kobayashi-ren"),
            proof: staff(now()),
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        last_valid_day,
    );
    assert!(matches!(
        rejected(&outcome),
        CheckError::BadStaffConfirmation(_)
    ));
}

#[test]
fn check_ids_count_up_and_name_the_result_file() {
    let mut f = setup();
    let a = f.pin_check("yamada-taro", now());
    let b = f.check("yamada-taro", staff(now()), now());
    assert_eq!(a.check_id + 1, b.check_id);
    assert_eq!(a.file_id(), format!("{:08}", a.check_id));
}

#[test]
fn the_statement_carries_the_certificate_hash_not_the_certificate() {
    let cert = auth_cert("yamada-taro");
    let statement = attestation_statement(&[1, 2], &cert, READER, 0.5, now());
    let text = String::from_utf8(statement).expect("utf8");
    let hash = harness_eligibility::pki::hex(&harness_eligibility::pki::sha256(&cert));
    assert!(text.contains(&format!("auth-certificate-sha256={hash}\n")));
    // Re-encoding the certificate gives the same bytes (DER is canonical), so the hash is stable.
    let reencoded = x509_cert::Certificate::from_der(&cert)
        .expect("cert")
        .to_der()
        .expect("der");
    assert_eq!(reencoded, cert);
}
