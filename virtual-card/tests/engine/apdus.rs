//! Command coding and the status words of the files: the ATR, SELECT of applications, EFs and
//! the MF, wrong class, instruction, length and P1/P2, READ BINARY offsets and forms (short EF,
//! extended Le), EFs without READ BINARY, and extended VERIFY.

use card_protocol::{aid, fid, CommandApdu, StatusWord};
use virtual_card::{Atr, PinId};

use crate::common;
use crate::common::*;
use crate::{read_ef, verify_auth_pin};

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
