//! Card state persisted through a state file: counters and changed PINs survive a restart.

mod common;

use card_protocol::{aid, fid, ResponseApdu, StatusWord};
use common::*;
use virtual_card::card_state::StateFormatError;
use virtual_card::state::{OpenError, PersistentCard, StateError, StateFile};
use virtual_card::{CardState, PinId};

fn sw_of(card: &mut PersistentCard, command: &[u8]) -> StatusWord {
    let bytes = card.exchange(command).expect("state saved");
    ResponseApdu::parse(&bytes).expect("status word").sw
}

fn select_auth_pin(card: &mut PersistentCard) {
    assert_eq!(sw_of(card, &cmd::select_df(&aid::JPKI)), StatusWord::OK);
    assert_eq!(
        sw_of(card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
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
        assert_eq!(sw_of(&mut card, &cmd::verify(b"0000")), StatusWord(0x63C2));
        // Written before the response came back.
        let saved = StateFile::new(&state_path).load().unwrap().unwrap();
        assert_eq!(saved.pins[&PinId::JpkiAuth].tries_left, 2);
        assert_eq!(sw_of(&mut card, &cmd::verify(b"0000")), StatusWord(0x63C1));
    }
    {
        let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
        select_auth_pin(&mut card);
        assert_eq!(sw_of(&mut card, &cmd::verify_query()), StatusWord(0x63C1));
        assert_eq!(sw_of(&mut card, &cmd::verify(b"1234")), StatusWord::OK);
        assert_eq!(
            sw_of(&mut card, &cmd::change_reference_data(b"8642")),
            StatusWord::OK
        );
        let text = std::fs::read_to_string(&state_path).unwrap();
        assert!(text.contains("jpki-auth"), "{text}");
    }
    {
        let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
        select_auth_pin(&mut card);
        assert_eq!(sw_of(&mut card, &cmd::verify_query()), StatusWord(0x63C3));
        assert_eq!(sw_of(&mut card, &cmd::verify(b"1234")), StatusWord(0x63C2));
        assert_eq!(sw_of(&mut card, &cmd::verify(b"8642")), StatusWord::OK);
        // Reset keeps counters.
        card.reset();
        select_auth_pin(&mut card);
        assert_eq!(sw_of(&mut card, &cmd::verify(b"0000")), StatusWord(0x63C2));
    }
    // Without a state file every start is the issued state.
    let mut card = PersistentCard::open(&profile.path, None).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(sw_of(&mut card, &cmd::verify_query()), StatusWord(0x63C3));
    assert_eq!(sw_of(&mut card, &cmd::verify(b"1234")), StatusWord::OK);
}

#[test]
fn a_blocked_pin_stays_blocked_after_restart() {
    let profile = temp_profile("yamada-taro");
    let state_path = profile.dir.path().join("state.toml");
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    for expected in [0x63C2, 0x63C1, 0x63C0] {
        assert_eq!(
            sw_of(&mut card, &cmd::verify(b"0000")),
            StatusWord(expected)
        );
    }
    drop(card);
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(
        sw_of(&mut card, &cmd::verify(b"1234")),
        StatusWord::REFERENCE_DATA_NOT_USABLE
    );
    assert_eq!(sw_of(&mut card, &cmd::verify_query()), StatusWord(0x63C0));
}

#[test]
fn the_profile_initial_state_applies_until_a_state_file_exists() {
    let profile = temp_profile("takahashi-kenji");
    let state_path = profile.dir.path().join("state.toml");
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(sw_of(&mut card, &cmd::verify_query()), StatusWord(0x63C0));
    // A state file, once there, wins over the profile.
    StateFile::new(&state_path)
        .save(&CardState::issued())
        .unwrap();
    let mut card = PersistentCard::open(&profile.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(sw_of(&mut card, &cmd::verify_query()), StatusWord(0x63C3));
}

#[test]
fn a_corrupt_state_file_is_a_clear_error() {
    let profile = temp_profile("yamada-taro");
    let state_path = profile.dir.path().join("state.toml");
    std::fs::write(&state_path, "[pins.jpki-auth]\ntries_left = \"many\"\n").unwrap();
    match PersistentCard::open(&profile.path, Some(&state_path)) {
        Err(OpenError::State(StateError::Format(StateFormatError::Parse(_)))) => {}
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
        card.exchange(&cmd::verify(b"0000")),
        Err(StateError::Io { .. })
    ));
    // Commands that change nothing still answer.
    assert_eq!(
        card.exchange(&cmd::select_df(&aid::TEXT)).unwrap(),
        vec![0x90, 0x00]
    );
}

/// Child side of [`sigkill_right_after_a_wrong_pin_keeps_the_count`]: opens the card named by
/// `VC_SIGKILL_CHILD` (`<profile>\n<state file>`), sends one wrong VERIFY, prints the status word,
/// then blocks on stdin until the parent kills it. Only run by that test (`--ignored`).
#[test]
#[ignore = "child process of sigkill_right_after_a_wrong_pin_keeps_the_count"]
fn sigkill_child() {
    use std::io::{BufRead, Write};
    let spec = std::env::var("VC_SIGKILL_CHILD").expect("run by the parent test");
    let (profile, state) = spec.split_once('\n').expect("profile and state");
    let mut card = PersistentCard::open(profile.as_ref(), Some(state.as_ref())).unwrap();
    select_auth_pin(&mut card);
    let sw = sw_of(&mut card, &cmd::verify(b"0000"));
    let mut out = std::io::stdout().lock();
    // libtest prints "test sigkill_child ... " before this on the same line: mark the answer.
    writeln!(out, "\n@@SW={sw}@@").unwrap();
    out.flush().unwrap();
    // Wait (without sleeping) until killed.
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
}

#[test]
fn sigkill_right_after_a_wrong_pin_keeps_the_count() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let profile = temp_profile("yamada-taro");
    let state_path = profile.dir.path().join("state.toml");
    let spec = format!("{}\n{}", profile.path.display(), state_path.display());
    for expected in ["63C2", "63C1", "63C0", "6984"] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "sigkill_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("VC_SIGKILL_CHILD", &spec)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut answer = None;
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(at) = line.find("@@SW=") {
                answer = line.get(at + 5..at + 9).map(str::to_owned);
                break;
            }
        }
        // SIGKILL as soon as the response is out: no destructor, no flush runs in the child.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success());
        assert_eq!(answer.as_deref(), Some(expected));
    }
    let saved = StateFile::new(&state_path).load().unwrap().unwrap();
    assert_eq!(saved.pins[&PinId::JpkiAuth].tries_left, 0);
}

#[test]
fn a_state_file_of_another_card_is_refused() {
    let yamada = temp_profile("yamada-taro");
    let state_path = yamada.dir.path().join("state.toml");
    let mut card = PersistentCard::open(&yamada.path, Some(&state_path)).unwrap();
    select_auth_pin(&mut card);
    assert_eq!(sw_of(&mut card, &cmd::verify(b"0000")), StatusWord(0x63C2));
    let text = std::fs::read_to_string(&state_path).unwrap();
    assert!(text.contains("card = \"yamada-taro\""), "{text}");
    let ito = temp_profile("ito-makoto");
    match PersistentCard::open(&ito.path, Some(&state_path)) {
        Err(OpenError::State(StateError::WrongCard { expected, found })) => {
            assert_eq!(
                (expected.as_str(), found.as_str()),
                ("ito-makoto", "yamada-taro")
            );
        }
        other => panic!("{other:?}"),
    }
}
