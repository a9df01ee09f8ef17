//! COMPUTE DIGITAL SIGNATURE: the user-auth key over SHA-256 and SHA-1 DigestInfo (current EF
//! and short EF forms, bad inputs), and the signature key after the signature password.

use card_protocol::{aid, fid, StatusWord};
use rsa::Pkcs1v15Sign;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use virtual_card::pki;

use crate::common::*;
use crate::{read_ef, sha256_digest_info, verify_auth_pin};

#[test]
fn auth_signature_over_sha256_and_sha1_digest_info_verifies_with_the_certificate() {
    let mut card = card("yamada-taro");
    let cert = read_ef(&mut card, &aid::JPKI, fid::JPKI_AUTH_CERT);
    let public_key = pki::certificate_public_key(&cert).unwrap();
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_KEY)),
        StatusWord::OK
    );
    let (hash, di) = sha256_digest_info(b"challenge from the eligibility service");
    // Not verified yet.
    assert_eq!(
        sw(&mut card, &cmd::compute_digital_signature(&di)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(verify_auth_pin(&mut card, b"1234"), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_KEY)),
        StatusWord::OK
    );
    let r = send(&mut card, &cmd::compute_digital_signature(&di));
    assert_eq!((r.sw, r.data.len()), (StatusWord::OK, 256));
    public_key
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &r.data)
        .expect("SHA-256 signature verifies");
    // A different message does not.
    let (other, _) = sha256_digest_info(b"other");
    assert!(public_key
        .verify(Pkcs1v15Sign::new::<Sha256>(), &other, &r.data)
        .is_err());

    let sha1_hash = Sha1::digest(b"legacy client").to_vec();
    let mut di1 = SHA1_PREFIX.to_vec();
    di1.extend_from_slice(&sha1_hash);
    let r = send(&mut card, &cmd::compute_digital_signature(&di1));
    assert_eq!(r.sw, StatusWord::OK);
    public_key
        .verify(Pkcs1v15Sign::new::<Sha1>(), &sha1_hash, &r.data)
        .expect("SHA-1 signature verifies");

    // Key by short EF id without SELECT (P2 = 97).
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::verify_short_ef(0x18, b"1234")),
        StatusWord::OK
    );
    let r = send(
        &mut card,
        &cmd::compute_digital_signature_short_ef(0x17, &di),
    );
    assert_eq!(r.sw, StatusWord::OK);
    public_key
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &r.data)
        .unwrap();
    // Too long for type-1 padding in 256 bytes, a PIN EF as key, unsupported P1.
    assert_eq!(
        sw(
            &mut card,
            &cmd::compute_digital_signature_short_ef(0x17, &[0x30; 246])
        ),
        StatusWord::WRONG_LENGTH
    );
    assert_eq!(
        sw(
            &mut card,
            &cmd::compute_digital_signature_short_ef(0x18, &di)
        ),
        StatusWord::INCOMPATIBLE_FILE_STRUCTURE
    );
    let mut p1 = cmd::compute_digital_signature_short_ef(0x17, &di);
    p1[2] = 0x01;
    assert_eq!(sw(&mut card, &p1), StatusWord::WRONG_P1P2);
    // The signature key needs the signature password, not the auth PIN.
    assert_eq!(
        sw(
            &mut card,
            &cmd::compute_digital_signature_short_ef(0x1A, &di)
        ),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
}

#[test]
fn signature_key_signs_after_the_signature_password() {
    let mut card = card("yamada-taro");
    let sign_cert = std::fs::read(fixtures().join("pki/cards/yamada-taro/sign.crt.der")).unwrap();
    let public_key = pki::certificate_public_key(&sign_cert).unwrap();
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_SIGN_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"YAMADA2024")), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_SIGN_KEY)),
        StatusWord::OK
    );
    let (hash, di) = sha256_digest_info(b"document");
    let r = send(&mut card, &cmd::compute_digital_signature(&di));
    assert_eq!(r.sw, StatusWord::OK);
    public_key
        .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &r.data)
        .unwrap();
}
