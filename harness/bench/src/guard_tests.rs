use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use harness_transport::InProcessCard;

use super::*;

/// nakamura-aoi: a standard card, user-auth PIN 2580 (fixtures/cards/nakamura-aoi.toml).
const RIGHT_PIN: &str = "2580";

fn profile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cards/nakamura-aoi.toml")
}

fn bench_card(allow_pin_lock: bool) -> BenchCard {
    BenchCard {
        slot: 4,
        person: "nakamura-aoi".into(),
        profile: Some(profile()),
        physical: true,
        allow_pin_lock,
        enrol: false,
        pin_env: BTreeMap::from([(PinId::JpkiAuth, "BENCH_SLOT4_AUTH_PIN".to_owned())]),
    }
}

fn env(var: &str) -> Option<String> {
    (var == "BENCH_SLOT4_AUTH_PIN").then(|| RIGHT_PIN.to_owned())
}

/// The virtual card with its state in `dir`: the same card across "placements".
fn open_card(dir: &Path) -> InProcessCard {
    InProcessCard::open(&profile(), Some(&dir.join("card.state"))).expect("fixture card")
}

/// Enters `n` wrong user-auth PINs the way a wrong-PIN step would.
fn enter_wrong(channel: &mut dyn CardChannel, n: u8) {
    channel
        .transmit(
            &card_protocol::Select::df_name(&aid::JPKI)
                .expect("AID")
                .encode(),
        )
        .expect("select");
    channel
        .transmit(&card_protocol::Select::ef(fid::JPKI_AUTH_PIN).encode())
        .expect("select");
    for _ in 0..n {
        let response = channel
            .transmit(
                &card_protocol::Verify::new(
                    card_protocol::PinTarget::CurrentEf,
                    card_protocol::PinBytes::new(b"0000".to_vec()),
                )
                .expect("VERIFY")
                .encode(),
            )
            .expect("verify");
        assert_eq!(response.first(), Some(&0x63));
    }
}

fn limits() -> SafetyLimits {
    SafetyLimits {
        max_wrong_pins_per_card: 5,
        min_tries_left_before_wrong_pin: 1,
    }
}

#[test]
fn the_guard_refuses_a_wrong_pin_step_at_counter_1_and_names_the_counter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut channel = open_card(dir.path());
    enter_wrong(&mut channel, 2);
    let mut guard = PinLockGuard::new(limits());
    let card = bench_card(false);
    let error = guard
        .before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel)
        .expect_err("refused");
    assert!(
        matches!(
            error,
            GuardError::WouldLock {
                slot: 4,
                tries_left: 1,
                wrong_entries: 1,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("1 tries left") && message.contains("allow_pin_lock"),
        "{message}"
    );
    // The refusal entered no PIN: the counter is still 1, and nothing is due for restoring.
    assert_eq!(
        PinLockGuard::tries_left(&card, PinId::JpkiAuth, &mut channel).expect("query"),
        1
    );
    assert!(!guard.needs_restore(4));
}

#[test]
fn a_step_that_would_lock_is_refused_at_any_counter_and_allowed_only_by_the_bench_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut channel = open_card(dir.path());
    let mut guard = PinLockGuard::new(limits());
    assert!(matches!(
        guard.before_wrong_pins(&bench_card(false), PinId::JpkiAuth, 3, &mut channel),
        Err(GuardError::WouldLock {
            tries_left: 3,
            wrong_entries: 3,
            ..
        })
    ));
    let permit = guard
        .before_wrong_pins(&bench_card(true), PinId::JpkiAuth, 3, &mut channel)
        .expect("allowed by allow_pin_lock");
    assert_eq!(permit.tries_left, 3);
    enter_wrong(&mut channel, 3);
    // Locked now: the guard says so, and restoring is impossible.
    assert!(matches!(
        guard.before_wrong_pins(&bench_card(true), PinId::JpkiAuth, 1, &mut channel),
        Err(GuardError::Blocked { slot: 4, .. })
    ));
    assert!(matches!(
        guard.restore(&bench_card(true), &mut channel, &env),
        Err(GuardError::Blocked { .. })
    ));
}

#[test]
fn the_minimum_and_the_run_budget_are_enforced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut channel = open_card(dir.path());
    let mut guard = PinLockGuard::new(SafetyLimits {
        max_wrong_pins_per_card: 2,
        min_tries_left_before_wrong_pin: 3,
    });
    let card = bench_card(false);
    guard
        .before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel)
        .expect("3 tries left, minimum 3");
    enter_wrong(&mut channel, 1);
    assert!(matches!(
        guard.before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel),
        Err(GuardError::BelowMinimum {
            tries_left: 2,
            minimum: 3,
            ..
        })
    ));
    let mut guard = PinLockGuard::new(SafetyLimits {
        max_wrong_pins_per_card: 1,
        min_tries_left_before_wrong_pin: 1,
    });
    guard
        .before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel)
        .expect("first");
    assert!(matches!(
        guard.before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel),
        Err(GuardError::RunBudget {
            used: 1,
            wanted: 1,
            max: 1,
            tries_left: 2,
            ..
        })
    ));
}

#[test]
fn after_a_wrong_pin_scenario_the_counter_is_restored_with_the_right_pin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let card = bench_card(false);
    let mut guard = PinLockGuard::new(limits());
    {
        let mut channel = open_card(dir.path());
        guard
            .before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel)
            .expect("permit");
        enter_wrong(&mut channel, 1);
    }
    assert!(guard.needs_restore(4));
    // The card was taken off and put back: a new channel on the same card state.
    let mut channel = open_card(dir.path());
    let restored = guard.restore(&card, &mut channel, &env).expect("restore");
    assert_eq!(
        restored,
        vec![Restored {
            pin: PinId::JpkiAuth,
            tries_before: 2,
            tries_after: 3
        }]
    );
    assert!(!guard.needs_restore(4));
    assert_eq!(
        PinLockGuard::tries_left(&card, PinId::JpkiAuth, &mut open_card(dir.path()))
            .expect("query"),
        3
    );
}

#[test]
fn a_wrong_pin_in_the_environment_is_reported_not_retried() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut channel = open_card(dir.path());
    let card = bench_card(false);
    let mut guard = PinLockGuard::new(limits());
    guard
        .before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel)
        .expect("permit");
    enter_wrong(&mut channel, 1);
    let wrong_env = |_: &str| Some("9999".to_owned());
    let error = guard
        .restore(&card, &mut channel, &wrong_env)
        .expect_err("rejected");
    assert!(
        matches!(
            error,
            GuardError::RestoreRejected {
                sw1: 0x63,
                sw2: 0xC1,
                tries_left: Some(1),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.to_string().contains("9999"));
    assert!(guard.needs_restore(4), "still to restore");
    let unset = |_: &str| None;
    assert!(matches!(
        guard.restore(&card, &mut channel, &unset),
        Err(GuardError::PinSource(PinSourceError::Unset { .. }))
    ));
}

#[test]
fn a_card_without_pins_is_a_typed_error() {
    let face_only =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cards/sato-hanako.toml");
    let mut channel = InProcessCard::open(&face_only, None).expect("card");
    let card = BenchCard {
        person: "sato-hanako".into(),
        ..bench_card(false)
    };
    let error = PinLockGuard::new(limits())
        .before_wrong_pins(&card, PinId::JpkiAuth, 1, &mut channel)
        .expect_err("no PIN");
    assert!(
        matches!(error, GuardError::Card { .. } | GuardError::Blocked { .. }),
        "{error:?}"
    );
}
