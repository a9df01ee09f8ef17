//! PIN counters and verification state: wrong PINs count down and block, a success resets the
//! counter, the signature password's five tries and format, CHANGE REFERENCE DATA, what forgets a
//! verification, a locked fixture card, and no PIN in Debug output.

use card_protocol::{aid, fid, CommandApdu, StatusWord};
use virtual_card::PinId;

use crate::common;
use crate::common::*;
use crate::{sha256_digest_info, verify_auth_pin};

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
