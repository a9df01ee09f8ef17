//! The card engine against the committed fixture cards: every status word, PIN counters,
//! signatures, certificates, the 入力補助AP and 券面AP, the face-only and infant cards.

mod common;

use card_protocol::{aid, fid, CommandApdu, StatusWord};
use common::*;
use rsa::Pkcs1v15Sign;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use virtual_card::pki;
use virtual_card::{Atr, Card, PinId};

fn verify_auth_pin(card: &mut Card, pin: &[u8]) -> StatusWord {
    select_jpki(card);
    assert_eq!(
        sw(card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    sw(card, &cmd::verify(pin))
}

fn read_ef(card: &mut Card, df: &[u8], ef: u16) -> Vec<u8> {
    assert_eq!(sw(card, &cmd::select_df(df)), StatusWord::OK);
    assert_eq!(sw(card, &cmd::select_ef(ef)), StatusWord::OK);
    read_tlv_file(card)
}

#[test]
fn atr_is_the_profiles_with_a_valid_tck() {
    let card = card("yamada-taro");
    assert_eq!(card.atr(), Atr::Contactless.bytes(), "the default");
    let tck = card.atr()[1..].iter().fold(0u8, |a, b| a ^ b);
    assert_eq!(tck, 0, "XOR of T0..TCK is zero");
    // The face-only fixture card is of the batch with the contact ATR (fixtures/cards/README.md).
    assert_eq!(common::card("sato-hanako").atr(), Atr::Contact.bytes());
}

#[test]
fn select_unknown_aid_and_fid_is_6a82() {
    let mut card = card("yamada-taro");
    assert_eq!(
        sw(&mut card, &cmd::select_df(&[0xD3, 0x92, 0, 0])),
        StatusWord::FILE_NOT_FOUND
    );
    // EF with no DF selected.
    assert_eq!(
        sw(&mut card, &cmd::select_ef(0x000A)),
        StatusWord::FILE_NOT_FOUND
    );
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(0x1234)),
        StatusWord::FILE_NOT_FOUND
    );
    for df in [aid::JPKI, aid::TEXT, aid::FACE, aid::JUKI] {
        assert_eq!(sw(&mut card, &cmd::select_df(&df)), StatusWord::OK);
    }
}

#[test]
fn wrong_cla_unknown_ins_and_bad_lengths() {
    let mut card = card("yamada-taro");
    assert_eq!(
        sw(&mut card, &[0x10, 0xA4, 0x04, 0x0C, 0x01, 0xD3]),
        StatusWord::CLA_NOT_SUPPORTED
    );
    assert_eq!(
        sw(&mut card, &[0xFF, 0xB0, 0, 0, 0]),
        StatusWord::CLA_NOT_SUPPORTED
    );
    // COMPUTE DIGITAL SIGNATURE with CLA 00 and SELECT with CLA 80 are the wrong class too.
    assert_eq!(
        sw(&mut card, &[0x00, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00]),
        StatusWord::CLA_NOT_SUPPORTED
    );
    assert_eq!(
        sw(&mut card, &[0x80, 0xA4, 0x04, 0x0C, 0x01, 0xD3]),
        StatusWord::CLA_NOT_SUPPORTED
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0xCA, 0x00, 0x00, 0x00]),
        StatusWord::INS_NOT_SUPPORTED
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0x84, 0x00, 0x00, 0x08]),
        StatusWord::INS_NOT_SUPPORTED
    );
    // Malformed lengths.
    for bad in [
        &[0x00][..],
        &[0x00, 0xA4, 0x04],
        &[0x00, 0xA4, 0x04, 0x0C, 0x05, 0xD3],
        &[0x00, 0xB0, 0, 0, 0, 0],
    ] {
        assert_eq!(sw(&mut card, bad), StatusWord::WRONG_LENGTH, "{bad:02X?}");
    }
    // SELECT EF with a 3-byte FID, READ BINARY without Le, SELECT DF without data.
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &[0x00, 0xA4, 0x02, 0x0C, 0x03, 0, 0, 0x0A]),
        StatusWord::WRONG_LENGTH
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_CERT)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0xB0, 0x00, 0x00]),
        StatusWord::WRONG_LENGTH
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0xA4, 0x04, 0x0C]),
        StatusWord::WRONG_LENGTH
    );
    // Wrong P1/P2.
    assert_eq!(
        sw(&mut card, &[0x00, 0xA4, 0x08, 0x0C, 0x02, 0, 0x0A]),
        StatusWord::WRONG_P1P2
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0x20, 0x01, 0x80]),
        StatusWord::WRONG_P1P2
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0x20, 0x00, 0x01]),
        StatusWord::WRONG_P1P2
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0xB0, 0xE0, 0x00, 0x01]),
        StatusWord::WRONG_P1P2
    );
    // GET RESPONSE with nothing pending.
    assert_eq!(
        sw(&mut card, &[0x00, 0xC0, 0x00, 0x00, 0x10]),
        StatusWord::CONDITIONS_NOT_SATISFIED
    );
}

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
fn read_binary_offsets_short_reads_and_extended_le() {
    let mut card = card("yamada-taro");
    let cert = read_ef(&mut card, &aid::JPKI, fid::JPKI_AUTH_CERT);
    let len = cert.len();
    // Le 00 = 256.
    let r = send(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!((r.sw, r.data.as_slice()), (StatusWord::OK, &cert[..256]));
    // Short read at the end: fewer bytes, still 9000.
    let r = send(&mut card, &cmd::read_binary((len - 10) as u16, 256));
    assert_eq!(
        (r.sw, r.data.as_slice()),
        (StatusWord::OK, &cert[len - 10..])
    );
    // Offset at or past the end: 6B00.
    assert_eq!(
        sw(&mut card, &cmd::read_binary(len as u16, 1)),
        StatusWord::OFFSET_OUTSIDE_EF
    );
    assert_eq!(
        sw(&mut card, &cmd::read_binary(0x7FFF, 1)),
        StatusWord::OFFSET_OUTSIDE_EF
    );
    // Extended Le: the whole certificate at once, also with Le 0000 = 65536.
    let r = send(&mut card, &cmd::read_binary_extended(0, len));
    assert_eq!((r.sw, r.data), (StatusWord::OK, cert.clone()));
    let r = send(&mut card, &[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert_eq!((r.sw, r.data), (StatusWord::OK, cert.clone()));
    // Short-EF form: P1 = 80|SFI selects 000B and reads from offset P2.
    let r = send(&mut card, &cmd::read_binary_short_ef(0x0B, 0, 4));
    assert_eq!((r.sw, &r.data[..2]), (StatusWord::OK, &[0x30u8, 0x82][..]));
    let ca = std::fs::read(fixtures().join("pki/auth-ca.crt.der")).unwrap();
    assert_eq!(r.data, ca[..4]);
    // It became the current EF.
    assert_eq!(send(&mut card, &cmd::read_binary(4, 4)).data, ca[4..8]);
    assert_eq!(
        sw(&mut card, &cmd::read_binary_short_ef(0x1E, 0, 4)),
        StatusWord::FILE_NOT_FOUND
    );
}

#[test]
fn read_binary_without_current_ef_or_on_pin_and_key_efs() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::read_binary(0, 4)),
        StatusWord::NO_CURRENT_EF
    );
    // Private keys are never readable, not even after VERIFY.
    assert_eq!(verify_auth_pin(&mut card, b"1234"), StatusWord::OK);
    for ef in [fid::JPKI_AUTH_KEY, fid::JPKI_SIGN_KEY, fid::JPKI_AUTH_PIN] {
        assert_eq!(sw(&mut card, &cmd::select_ef(ef)), StatusWord::OK);
        let r = send(&mut card, &cmd::read_binary(0, 256));
        assert_eq!(
            (r.sw, r.data.len()),
            (StatusWord::SECURITY_STATUS_NOT_SATISFIED, 0)
        );
        let r = send(&mut card, &cmd::read_binary_extended(0, 65536));
        assert_eq!(
            (r.sw, r.data.len()),
            (StatusWord::SECURITY_STATUS_NOT_SATISFIED, 0)
        );
    }
    // VERIFY on a key EF or a binary EF.
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_KEY)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::verify(b"1234")),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_CERT)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::verify(b"1234")),
        StatusWord::INCOMPATIBLE_FILE_STRUCTURE
    );
}

#[test]
fn wrong_pin_counts_down_then_blocks_and_the_query_says_63c0() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify_query()), StatusWord(0x63C3));
    assert_eq!(sw(&mut card, &cmd::verify(b"0000")), StatusWord(0x63C2));
    assert_eq!(sw(&mut card, &cmd::verify(b"0000")), StatusWord(0x63C1));
    assert_eq!(sw(&mut card, &cmd::verify(b"0000")), StatusWord(0x63C0));
    assert_eq!(
        sw(&mut card, &cmd::verify(b"0000")),
        StatusWord::REFERENCE_DATA_NOT_USABLE
    );
    // Even the right PIN is refused once blocked.
    assert_eq!(
        sw(&mut card, &cmd::verify(b"1234")),
        StatusWord::REFERENCE_DATA_NOT_USABLE
    );
    assert_eq!(sw(&mut card, &cmd::verify_query()), StatusWord(0x63C0));
    assert_eq!(card.tries_left(PinId::JpkiAuth), 0);
    // A reset does not unblock.
    card.reset();
    assert_eq!(
        verify_auth_pin(&mut card, b"1234"),
        StatusWord::REFERENCE_DATA_NOT_USABLE
    );
}

#[test]
fn success_resets_the_counter_and_the_query_is_never_9000() {
    let mut card = card("yamada-taro");
    assert_eq!(verify_auth_pin(&mut card, b"9999"), StatusWord(0x63C2));
    assert_eq!(sw(&mut card, &cmd::verify(b"1234")), StatusWord::OK);
    assert_eq!(sw(&mut card, &cmd::verify_query()), StatusWord(0x63C3));
    assert!(card.is_verified(PinId::JpkiAuth));
    // A wrong try drops the verified status.
    assert_eq!(sw(&mut card, &cmd::verify(b"12")), StatusWord(0x63C2));
    assert!(!card.is_verified(PinId::JpkiAuth));
    // The short-EF form of VERIFY (P2 = 80|EF) without SELECT EF.
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::verify_short_ef(0x18, b"1234")),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &[0x00, 0x20, 0x00, 0x98]), StatusWord(0x63C3));
    assert_eq!(
        sw(&mut card, &cmd::verify_short_ef(0x1C, b"1234")),
        StatusWord::REFERENCED_DATA_NOT_FOUND
    );
    // Without a current EF.
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::verify_query()),
        StatusWord::NO_CURRENT_EF
    );
}

#[test]
fn signature_password_has_five_tries() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_SIGN_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify_query()), StatusWord(0x63C5));
    assert_eq!(sw(&mut card, &cmd::verify(b"WRONG1")), StatusWord(0x63C4));
}

fn sha256_digest_info(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let hash = Sha256::digest(message).to_vec();
    let mut di = SHA256_PREFIX.to_vec();
    di.extend_from_slice(&hash);
    (hash, di)
}

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

#[test]
fn selecting_another_df_or_reset_forgets_verification() {
    let mut card = card("yamada-taro");
    assert_eq!(verify_auth_pin(&mut card, b"1234"), StatusWord::OK);
    // Re-selecting the same DF keeps it (OpenSC does that).
    select_jpki(&mut card);
    assert!(card.is_verified(PinId::JpkiAuth));
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::TEXT)), StatusWord::OK);
    assert!(!card.is_verified(PinId::JpkiAuth));
    assert_eq!(verify_auth_pin(&mut card, b"1234"), StatusWord::OK);
    card.reset();
    assert!(!card.is_verified(PinId::JpkiAuth));
    select_jpki(&mut card);
    let (_, di) = sha256_digest_info(b"x");
    assert_eq!(
        sw(
            &mut card,
            &cmd::compute_digital_signature_short_ef(0x17, &di)
        ),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
}

#[test]
fn change_reference_data_after_verify() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    // Not verified yet.
    assert_eq!(
        sw(&mut card, &cmd::change_reference_data(b"4321")),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"1234")), StatusWord::OK);
    // Wrong format for a 4-digit PIN.
    assert_eq!(
        sw(&mut card, &cmd::change_reference_data(b"43210")),
        StatusWord::WRONG_DATA
    );
    assert_eq!(
        sw(&mut card, &cmd::change_reference_data(b"43a1")),
        StatusWord::WRONG_DATA
    );
    // Only P1 = 01 is supported; no data is a wrong length.
    assert_eq!(
        sw(
            &mut card,
            &[0x00, 0x24, 0x00, 0x80, 0x04, b'4', b'3', b'2', b'1']
        ),
        StatusWord::WRONG_P1P2
    );
    assert_eq!(
        sw(&mut card, &[0x00, 0x24, 0x01, 0x80]),
        StatusWord::WRONG_LENGTH
    );
    let exchange = card.exchange(&cmd::change_reference_data(b"4321"));
    assert_eq!(exchange.response, vec![0x90, 0x00]);
    assert!(exchange.state_changed);
    assert_eq!(sw(&mut card, &cmd::verify(b"1234")), StatusWord(0x63C2));
    assert_eq!(sw(&mut card, &cmd::verify(b"4321")), StatusWord::OK);
    // 照合番号 cannot be changed.
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::FACE)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_MATCH_A)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"100000000013")), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::change_reference_data(b"100000000021")),
        StatusWord::CONDITIONS_NOT_SATISFIED
    );
}

#[test]
fn my_number_and_basic_four_after_the_text_pin() {
    let mut card = card("yamada-taro");
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::TEXT)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_MY_NUMBER)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::read_binary(0, 17)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify_query()), StatusWord(0x63C3));
    assert_eq!(sw(&mut card, &cmd::verify(b"1234")), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_MY_NUMBER)),
        StatusWord::OK
    );
    let r = send(&mut card, &cmd::read_binary(0, 256));
    assert_eq!(r.sw, StatusWord::OK);
    let mut expected = vec![0xFF, 0x10, 0x0C];
    expected.extend_from_slice(b"100000000013");
    expected.extend_from_slice(&[0xFF, 0xFF]);
    assert_eq!(r.data, expected);

    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_BASIC_FOUR)),
        StatusWord::OK
    );
    let record = read_tlv_file(&mut card);
    assert_eq!(&record[..2], &[0xFF, 0x20]);
    assert_eq!(
        find_tag(&record, [0xDF, 0x22]).unwrap(),
        "山田　太郎".as_bytes()
    );
    assert_eq!(
        find_tag(&record, [0xDF, 0x23]).unwrap(),
        "東京都千代田区霞が関一丁目２番２号".as_bytes()
    );
    assert_eq!(find_tag(&record, [0xDF, 0x24]).unwrap(), b"19800401");
    assert_eq!(find_tag(&record, [0xDF, 0x25]).unwrap(), b"1");
    // DF21 offsets point at DF22..DF25 in order.
    let offsets = find_tag(&record, [0xDF, 0x21]).unwrap();
    for (i, tag) in [0x22u8, 0x23, 0x24, 0x25].iter().enumerate() {
        let at = usize::from(u16::from_be_bytes([offsets[2 * i], offsets[2 * i + 1]]));
        assert_eq!(&record[at..at + 2], &[0xDF, *tag]);
    }
}

#[test]
fn text_ap_opens_with_match_number_a_or_b() {
    let mut card = card("yamada-taro");
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::TEXT)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_MATCH_B)),
        StatusWord::OK
    );
    // 昭和55年4月1日 + 2034 + 2231
    assert_eq!(
        sw(&mut card, &cmd::verify(b"55040120342231")),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_MY_NUMBER)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::read_binary(0, 17)), StatusWord::OK);
    card.reset();
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::TEXT)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_MATCH_A)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify_query()), StatusWord(0x63CA));
    assert_eq!(
        sw(&mut card, &cmd::verify(b"100000000021")),
        StatusWord(0x63C9)
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"100000000013")), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_BASIC_FOUR)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::read_binary(0, 4)), StatusWord::OK);
}

#[test]
fn photo_after_match_number_b() {
    let mut card = card("yamada-taro");
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::FACE)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_RECORD)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::read_binary(0, 4)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_MATCH_B)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::verify(b"55040120340000")),
        StatusWord(0x63C9)
    );
    assert_eq!(
        sw(&mut card, &cmd::verify(b"55040120342231")),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_RECORD)),
        StatusWord::OK
    );
    let record = read_tlv_file(&mut card);
    assert_eq!(
        find_tag(&record, [0xDF, 0x27]).unwrap(),
        photo_bytes("yamada-taro")
    );
    assert_eq!(find_tag(&record, [0xDF, 0x22]).unwrap(), b"19800401");
    assert_eq!(find_tag(&record, [0xDF, 0x23]).unwrap(), b"1");
    assert_eq!(find_tag(&record, [0xDF, 0x29]).unwrap(), b"20340401");
    assert!(find_tag(&record, [0xDF, 0x25])
        .unwrap()
        .starts_with(b"\x89PNG"));
    // DF28 is the card's signature over the face data, verifiable with DF24.
    let spki = find_tag(&record, [0xDF, 0x24]).unwrap();
    let key = <rsa::PublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_der(&spki).unwrap();
    let mut hasher = Sha256::new();
    for tag in [0x22u8, 0x23, 0x25, 0x26, 0x27, 0x29, 0x2A] {
        hasher.update(find_tag(&record, [0xDF, tag]).unwrap());
    }
    let signature = find_tag(&record, [0xDF, 0x28]).unwrap();
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &hasher.finalize(),
        &signature,
    )
    .unwrap();
}

#[test]
fn photo_after_match_number_a_too() {
    let mut card = card("watanabe-sora");
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::FACE)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_MATCH_A)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"100000000072")), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_RECORD)),
        StatusWord::OK
    );
    let record = read_tlv_file(&mut card);
    assert_eq!(
        find_tag(&record, [0xDF, 0x27]).unwrap(),
        photo_bytes("watanabe-sora")
    );
    // Born 2019-05-05 (令和元年), so 照合番号B starts with 010505.
    let loaded = loaded("watanabe-sora");
    assert_eq!(loaded.data.match_number_b(), "01050520273975");
}

#[test]
fn face_only_card_refuses_pin_operations_and_still_gives_the_auth_certificate() {
    let mut card = card("sato-hanako");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::verify_query()),
        StatusWord::REFERENCED_DATA_NOT_FOUND
    );
    assert_eq!(
        sw(&mut card, &cmd::verify(b"1234")),
        StatusWord::REFERENCED_DATA_NOT_FOUND
    );
    assert_eq!(
        sw(&mut card, &cmd::change_reference_data(b"1234")),
        StatusWord::REFERENCED_DATA_NOT_FOUND
    );
    assert_eq!(
        card.tries_left(PinId::JpkiAuth),
        3,
        "no counter was touched"
    );
    for ef in [
        fid::JPKI_SIGN_CERT,
        fid::JPKI_SIGN_CA_CERT,
        fid::JPKI_SIGN_KEY,
        fid::JPKI_SIGN_PIN,
    ] {
        assert_eq!(
            sw(&mut card, &cmd::select_ef(ef)),
            StatusWord::FILE_NOT_FOUND,
            "{ef:04X}"
        );
    }
    let (_, di) = sha256_digest_info(b"x");
    assert_eq!(
        sw(
            &mut card,
            &cmd::compute_digital_signature_short_ef(0x17, &di)
        ),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_CERT_PRESENCE)),
        StatusWord::OK
    );
    assert_eq!(
        send(&mut card, &cmd::read_binary(0, 3)).data,
        vec![0x8F, 0x00, 0x00]
    );
    let auth = read_ef(&mut card, &aid::JPKI, fid::JPKI_AUTH_CERT);
    let ca = std::fs::read(fixtures().join("pki/auth-ca.crt.der")).unwrap();
    pki::verify_certificate(&auth, &ca).unwrap();
    // The 入力補助AP PIN is not set either; 照合番号B still opens the photo.
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::TEXT)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::TEXT_PIN)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::verify(b"1234")),
        StatusWord::REFERENCED_DATA_NOT_FOUND
    );
    let b = loaded("sato-hanako").data.match_number_b();
    assert_eq!(b, "17091520344821", "昭和17年9月15日 + 2034 + 4821");
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::FACE)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_MATCH_B)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b.as_bytes())), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_RECORD)),
        StatusWord::OK
    );
    let record = read_tlv_file(&mut card);
    assert_eq!(
        find_tag(&record, [0xDF, 0x27]).unwrap(),
        photo_bytes("sato-hanako")
    );
}

#[test]
fn infant_card_has_an_empty_photo_and_pins() {
    let mut card = card("suzuki-haruto");
    assert_eq!(verify_auth_pin(&mut card, b"2468"), StatusWord::OK);
    assert_eq!(sw(&mut card, &cmd::select_df(&aid::FACE)), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_MATCH_A)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"100000000030")), StatusWord::OK);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::FACE_RECORD)),
        StatusWord::OK
    );
    let record = read_tlv_file(&mut card);
    assert_eq!(
        find_tag(&record, [0xDF, 0x27]),
        Some(Vec::new()),
        "DF27 present with length 0"
    );
    assert_eq!(find_tag(&record, [0xDF, 0x29]).unwrap(), b"20310301");
}

#[test]
fn locked_card_answers_6984_and_the_query_63c0() {
    let mut card = card("takahashi-kenji");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify_query()), StatusWord(0x63C0));
    assert_eq!(
        sw(&mut card, &cmd::verify(b"1357")),
        StatusWord::REFERENCE_DATA_NOT_USABLE
    );
    // Its other PINs work.
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_SIGN_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"KENJI1965")), StatusWord::OK);
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

#[test]
fn command_apdu_debug_never_shows_the_pin() {
    let apdu = CommandApdu::parse(&cmd::verify(b"1234")).unwrap();
    let text = format!("{apdu:?}");
    assert!(!text.contains("1234") && !text.contains("31, 32"), "{text}");
    let loaded = loaded("yamada-taro");
    let text = format!("{:?}", loaded.data);
    assert!(
        !text.contains("YAMADA2024") && !text.contains("100000000013"),
        "{text}"
    );
}

#[test]
fn signature_password_change_checks_its_format_and_a_blocked_pin_cannot_change() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_SIGN_PIN)),
        StatusWord::OK
    );
    assert_eq!(sw(&mut card, &cmd::verify(b"YAMADA2024")), StatusWord::OK);
    for bad in [&b"ABC12"[..], b"abc123", b"ABCDEFGHIJ1234567", b"ABC-123"] {
        assert_eq!(
            sw(&mut card, &cmd::change_reference_data(bad)),
            StatusWord::WRONG_DATA,
            "{bad:?}"
        );
    }
    assert_eq!(
        sw(&mut card, &cmd::change_reference_data(b"NEWPASS16CHARS00")),
        StatusWord::OK
    );
    card.reset();
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::verify_short_ef(0x1B, b"NEWPASS16CHARS00")),
        StatusWord::OK
    );

    // A blocked PIN: VERIFY and CHANGE REFERENCE DATA both answer 6984.
    let mut card = common::card("takahashi-kenji");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    assert_eq!(
        sw(&mut card, &cmd::change_reference_data(b"2468")),
        StatusWord::REFERENCE_DATA_NOT_USABLE
    );
}

#[test]
fn extended_verify_and_master_file_selection() {
    let mut card = card("yamada-taro");
    select_jpki(&mut card);
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    // VERIFY as an extended case-3 APDU.
    let extended = CommandApdu::new(0x00, 0x20, 0x00, 0x80)
        .with_data(b"1234".to_vec())
        .extended();
    assert_eq!(sw(&mut card, &extended.to_bytes().unwrap()), StatusWord::OK);
    // SELECT MF (00 A4 00 0C 02 3F00, or 00 A4 00 00 without data) leaves the application.
    assert_eq!(
        sw(&mut card, &[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]),
        StatusWord::OK
    );
    assert!(!card.is_verified(PinId::JpkiAuth));
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_CERT)),
        StatusWord::FILE_NOT_FOUND
    );
    assert_eq!(sw(&mut card, &[0x00, 0xA4, 0x00, 0x00]), StatusWord::OK);
    // SELECT with P2 = 00 (FCI asked) answers 9000 without data.
    let r = send(
        &mut card,
        &[
            0x00, 0xA4, 0x04, 0x00, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
            0x01,
        ],
    );
    assert_eq!((r.sw, r.data.len()), (StatusWord::OK, 0));
    // State changes are reported: a wrong PIN changes the state, a read does not.
    assert_eq!(
        sw(&mut card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    let before = card.state_generation();
    assert!(card.exchange(&cmd::verify(b"0000")).state_changed);
    assert!(!card.exchange(&cmd::verify_query()).state_changed);
    assert!(
        card.exchange(&cmd::verify(b"1234")).state_changed,
        "counter back to 3"
    );
    assert!(
        !card.exchange(&cmd::verify(b"1234")).state_changed,
        "already at 3"
    );
    assert_eq!(card.state_generation(), before + 2);
}
