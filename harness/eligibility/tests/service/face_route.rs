//! The face route: a good reader attestation is valid (also in the challenge's second), every
//! attestation that does not hold is refused, and the statement carries the certificate's hash.

use chrono::Duration;
use der::{Decode, Encode};
use harness_eligibility::protocol::{IdentityMethod, IdentityProof};
use harness_eligibility::{
    attestation_statement, CheckError, IdentityEvidence, QualificationValidity,
};

use crate::common::*;
use crate::{
    auth_cert, card_key, now, pki_file, reader_cert, reader_key, rejected, result_file, setup,
    sign, READER,
};

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
