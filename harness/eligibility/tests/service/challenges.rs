//! The service's challenges: single use, unknown unless issued, expiring, random and distinct.

use chrono::Duration;
use harness_eligibility::protocol::IdentityProof;
use harness_eligibility::{CheckError, QualificationValidity, ServiceConfig};

use crate::{card_key, now, rejected, setup, sign};

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
