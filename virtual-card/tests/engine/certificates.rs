//! The JPKI application's public files and the fixture PKI: certificates that verify against
//! their CAs, the signature certificate behind the signature password, token info, expired and
//! revoked certificates; every fixture profile loads, and broken profiles fail clearly.

use card_protocol::{aid, fid, StatusWord};
use virtual_card::pki;

use crate::common;
use crate::common::*;
use crate::read_ef;

#[test]
fn public_certificates_read_without_pin_and_verify_against_the_cas() {
    let mut card = card("yamada-taro");
    let auth = read_ef(&mut card, &aid::JPKI, fid::JPKI_AUTH_CERT);
    let auth_ca = read_ef(&mut card, &aid::JPKI, fid::JPKI_AUTH_CA_CERT);
    assert_eq!(&auth[..2], &[0x30, 0x82]);
    let pki_dir = fixtures().join("pki");
    assert_eq!(
        auth,
        std::fs::read(pki_dir.join("cards/yamada-taro/auth.crt.der")).unwrap()
    );
    assert_eq!(
        auth_ca,
        std::fs::read(pki_dir.join("auth-ca.crt.der")).unwrap()
    );
    pki::verify_certificate(&auth, &auth_ca).expect("auth cert verifies with the auth CA");
    pki::verify_certificate(&auth_ca, &auth_ca).expect("auth CA is self-signed");
    let sign_ca = read_ef(&mut card, &aid::JPKI, fid::JPKI_SIGN_CA_CERT);
    // The wrong CA fails.
    assert!(pki::verify_certificate(&auth, &sign_ca).is_err());
    let info = pki::parse_certificate(&auth).unwrap();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    assert!(info.is_valid_at(at));
}

#[test]
fn signature_certificate_needs_the_signature_password() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_SIGN_CERT)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::read_binary(0, 4)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_SIGN_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"YAMADA2024")), StatusWord::OK);
    let sign = read_ef(&mut card, &aid::JPKI, fid::JPKI_SIGN_CERT);
    let sign_ca = std::fs::read(fixtures().join("pki/sign-ca.crt.der")).unwrap();
    pki::verify_certificate(&sign, &sign_ca).unwrap();
    assert!(pki::parse_certificate(&sign)
        .unwrap()
        .subject
        .contains("山田　太郎"));
}

#[test]
fn token_info_and_certificate_presence() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_TOKEN_INFO)),
        StatusWord::OK
    );
    let r = send(&mut card, &cmd::read_binary(0, 256));
    assert_eq!((r.sw, r.data.len()), (StatusWord::OK, 160));
    assert!(r.data.starts_with(b"JPKIAPICCTOKEN2 "));
    assert!(r.data[15..].iter().all(|b| *b == b' '));
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_CERT_PRESENCE)),
        StatusWord::OK
    );
    assert_eq!(
        send(&mut card, &cmd::read_binary(0, 3)).data,
        vec![0x8F, 0x8F, 0x00]
    );
}

#[test]
fn expired_and_revoked_certificates() {
    let pki_dir = fixtures().join("pki");
    let ca = std::fs::read(pki_dir.join("auth-ca.crt.der")).unwrap();
    let crl = std::fs::read(pki_dir.join("auth-ca.crl.der")).unwrap();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut card = card("tanaka-yuki");
    let tanaka = read_ef(&mut card, &aid::JPKI, fid::JPKI_AUTH_CERT);
    pki::verify_certificate(&tanaka, &ca).unwrap();
    let info = pki::parse_certificate(&tanaka).unwrap();
    assert!(!info.is_valid_at(at));
    assert!(info.not_after < at);
    assert!(!pki::is_revoked(&tanaka, &crl, &ca).unwrap());
    let mut card = common::card("ito-makoto");
    let ito = read_ef(&mut card, &aid::JPKI, fid::JPKI_AUTH_CERT);
    assert!(pki::parse_certificate(&ito).unwrap().is_valid_at(at));
    assert!(pki::is_revoked(&ito, &crl, &ca).unwrap());
    let sign_ca = std::fs::read(pki_dir.join("sign-ca.crt.der")).unwrap();
    assert!(
        pki::revoked_serials(&crl, &sign_ca).is_err(),
        "CRL checked against the wrong CA"
    );
    // Reader attestation key and certificate.
    let reader = std::fs::read(pki_dir.join("readers/reader-0.crt.der")).unwrap();
    let reader_ca = std::fs::read(pki_dir.join("reader-ca.crt.der")).unwrap();
    pki::verify_certificate(&reader, &reader_ca).unwrap();
    let key = pki::private_key_from_pem(
        &std::fs::read_to_string(pki_dir.join("readers/reader-0.key.pem")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        key.to_public_key(),
        pki::certificate_public_key(&reader).unwrap()
    );
}

#[test]
fn every_fixture_profile_loads_with_its_files() {
    let dir = fixtures().join("cards");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let loaded = virtual_card::profile::load(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let ca = &loaded.data.auth.ca_cert_der;
            pki::verify_certificate(&loaded.data.auth.cert_der, ca).unwrap();
            assert_eq!(
                loaded.data.auth.key.to_public_key(),
                pki::certificate_public_key(&loaded.data.auth.cert_der).unwrap()
            );
            count += 1;
        }
    }
    assert_eq!(count, 9);
}

#[test]
fn missing_photo_and_unknown_person_are_clear_errors() {
    let p = temp_profile_edited("yamada-taro", |t| {
        t.replace("photo = ", "photo = \"/nonexistent/x.jp2\"\n#")
    });
    match virtual_card::profile::load(&p.path) {
        Err(virtual_card::profile::ProfileError::PhotoMissing(path)) => {
            assert!(path.ends_with("x.jp2"))
        }
        other => panic!("{other:?}"),
    }
    let p = temp_profile_edited("yamada-taro", |t| {
        t.replace("person = \"yamada-taro\"", "person = \"nobody\"")
    });
    assert!(matches!(
        virtual_card::profile::load(&p.path),
        Err(virtual_card::profile::ProfileError::UnknownPerson(_))
    ));
    let p = temp_profile_edited("yamada-taro", |t| {
        t.replace("[pins]", "[pins]\n# no auth")
            .replace("auth = \"1234\"", "")
    });
    assert!(matches!(
        virtual_card::profile::load(&p.path),
        Err(virtual_card::profile::ProfileError::Invalid { .. })
    ));
}
