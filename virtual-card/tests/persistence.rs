//! Card state persisted through a state file: counters and changed PINs survive a restart.

mod common;

use common::*;
use virtual_card::apdu::{build, ResponseApdu, StatusWord};
use virtual_card::card::{aid, fid, PinId};
use virtual_card::state::{CardState, OpenError, PersistentCard, StateError, StateFile};

fn sw_of(card: &mut PersistentCard, command: &[u8]) -> StatusWord {
    let bytes = card.exchange(command).expect("state saved");
    ResponseApdu::parse(&bytes).expect("status word").sw
}

fn select_auth_pin(card: &mut PersistentCard) {
    assert_eq!(sw_of(card, &build::select_df(&aid::JPKI)), StatusWord::OK);
    assert_eq!(
        sw_of(card, &build::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
}

#[test]
fn counters_and_changed_pins_survive_a_restart() {
    let profile = temp_profile("yamada-taro");
    let state_path = profile.dir.path().join("yamada-taro.state.toml");
    {
        let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
        select_auth_pin(&mut card);
        assert!(!state_path.exists(), "nothing written before a change");
        assert_eq!(
            sw_of(&mut card, &build::verify(b"0000")),
            StatusWord(0x63C2)
        );
        // Written before the response came back.
        let saved = StateFile::new(&state_path).load().unwrap().unwrap();
        assert_eq!(saved.pins[&PinId::JpkiAuth].tries_left, 2);
        assert_eq!(
            sw_of(&mut card, &build::verify(b"0000")),
            StatusWord(0x63C1)
        );
    }
    {
        let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
        select_auth_pin(&mut card);
        assert_eq!(sw_of(&mut card, &build::verify_query()), StatusWord(0x63C1));
        assert_eq!(sw_of(&mut card, &build::verify(b"1234")), StatusWord::OK);
        assert_eq!(
            sw_of(&mut card, &build::change_reference_data(b"8642")),
            StatusWord::OK
        );
        let text = std::fs::read_to_string(&state_path).unwrap();
        assert!(text.contains("jpki-auth"), "{text}");
    }
    {
        let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
        select_auth_pin(&mut card);
        assert_eq!(sw_of(&mut card, &build::verify_query()), StatusWord(0x63C3));
        assert_eq!(
            sw_of(&mut card, &build::verify(b"1234")),
            StatusWord(0x63C2)
        );
        assert_eq!(sw_of(&mut card, &build::verify(b"8642")), StatusWord::OK);
        // Reset keeps counters.
        card.reset();
        select_auth_pin(&mut card);
        assert_eq!(
            sw_of(&mut card, &build::verify(b"0000")),
            StatusWord(0x63C2)
        );
    }
    // Without a state file every start is the issued state.
    let mut card = PersistentCard::open(&profile.path, None).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(sw_of(&mut card, &build::verify_query()), StatusWord(0x63C3));
    assert_eq!(sw_of(&mut card, &build::verify(b"1234")), StatusWord::OK);
}

#[test]
fn a_blocked_pin_stays_blocked_after_restart() {
    let profile = temp_profile("yamada-taro");
    let state_path = profile.dir.path().join("state.toml");
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    for expected in [0x63C2, 0x63C1, 0x63C0] {
        assert_eq!(
            sw_of(&mut card, &build::verify(b"0000")),
            StatusWord(expected)
        );
    }
    drop(card);
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(
        sw_of(&mut card, &build::verify(b"1234")),
        StatusWord::REFERENCE_DATA_NOT_USABLE
    );
    assert_eq!(sw_of(&mut card, &build::verify_query()), StatusWord(0x63C0));
}

#[test]
fn the_profile_initial_state_applies_until_a_state_file_exists() {
    let profile = temp_profile("takahashi-kenji");
    let state_path = profile.dir.path().join("state.toml");
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(sw_of(&mut card, &build::verify_query()), StatusWord(0x63C0));
    // A state file, once there, wins over the profile.
    StateFile::new(&state_path)
        .save(&CardState::issued())
        .unwrap();
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(sw_of(&mut card, &build::verify_query()), StatusWord(0x63C3));
}

#[test]
fn a_corrupt_state_file_is_a_clear_error() {
    let profile = temp_profile("yamada-taro");
    let state_path = profile.dir.path().join("state.toml");
    std::fs::write(&state_path, "[pins.jpki-auth]\ntries_left = \"many\"\n").unwrap();
    match PersistentCard::open(&profile.path, Some(&state_path)) {
        Err(OpenError::State(StateError::Parse(_))) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failed_save_withholds_the_response() {
    let profile = temp_profile("yamada-taro");
    // The state file's folder does not exist: the save fails.
    let state_path = profile.dir.path().join("missing-dir").join("state.toml");
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert!(matches!(
        card.exchange(&build::verify(b"0000")),
        Err(StateError::Io { .. })
    ));
    // Commands that change nothing still answer.
    assert_eq!(
        card.exchange(&build::select_df(&aid::TEXT)).unwrap(),
        vec![0x90, 0x00]
    );
}
