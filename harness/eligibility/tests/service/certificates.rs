//! Card certificates and signatures the service refuses: expired (from the second after
//! notAfter), revoked, not from the user-auth CA, and signatures by another key or over other
//! bytes.

use chrono::Duration;
use der::Decode;
use harness_eligibility::protocol::{EligibilityCheck, IdentityProof};
use harness_eligibility::{CheckError, QualificationValidity};

use crate::common::*;
use crate::{
    auth_cert, card_key, now, pki_file, reader_cert, rejected, result_file, setup, sign, staff,
    READER,
};

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
