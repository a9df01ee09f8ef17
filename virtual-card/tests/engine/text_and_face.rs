//! The 券面入力補助AP (My Number, basic four) and the 券面AP (photo) with their PINs and 照合番号A/B,
//! and the face-only and infant cards.

use card_protocol::{aid, fid, StatusWord};
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use virtual_card::pki;
use virtual_card::PinId;

use crate::common::*;
use crate::{read_ef, sha256_digest_info, verify_auth_pin};

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
