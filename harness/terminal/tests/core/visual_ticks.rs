//! 目視で本人確認完了 (the staff's tick) in 目視確認 mode: a valid date, used once, for its reader
//! and lifetime only, dropped when the mode changes; the general account may tick; the
//! switch-back warning (a harness extension, off by default).

use chrono::{NaiveDate, TimeDelta};
use harness_eligibility::protocol::IdentityProof;
use harness_reader::ReaderMode;
use harness_terminal::{
    AccountKind, AuditAction, AutoReturnPolicy, Password, Terminal, TerminalConfig, TerminalError,
    TerminalEvent, VisualConfirmationForm,
};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::common::{at, R0, R1};
use crate::{switch, terminal_with, ticked, ADMIN_PW, STAFF_PW};

#[test]
fn visual_card_is_accepted_only_after_the_box_is_ticked_with_a_valid_date_and_only_once() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    let staff = t
        .login("staff", &Password::new(STAFF_PW), at(9, 0))
        .unwrap();
    // Not in 目視確認 yet.
    assert!(matches!(
        t.confirm_visual(&admin.session_id, R0, &ticked("2026/11/25"), at(9, 1)),
        Err(TerminalError::NotInVisualMode { .. })
    ));
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 1),
    );
    // Card placed before the tick: refused.
    assert_eq!(t.valid_confirmation_for(R0, at(9, 2)), None);
    let unticked = VisualConfirmationForm {
        identity_confirmed: false,
        confirmation_date: "2026/11/25".into(),
    };
    assert_eq!(
        t.confirm_visual(&staff.session_id, R0, &unticked, at(9, 2)),
        Err(TerminalError::NotTicked)
    );
    assert_eq!(
        t.confirm_visual(&staff.session_id, R0, &ticked(""), at(9, 2)),
        Err(TerminalError::ConfirmationDateMissing)
    );
    assert_eq!(
        t.confirm_visual(&staff.session_id, R0, &ticked("2026/13/40"), at(9, 2)),
        Err(TerminalError::ConfirmationDateInvalid("2026/13/40".into()))
    );
    assert_eq!(
        t.confirm_visual(&staff.session_id, R0, &ticked("2026/11/26"), at(9, 2)),
        Err(TerminalError::ConfirmationDateInFuture(
            NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
        ))
    );
    assert_eq!(t.valid_confirmation_for(R0, at(9, 2)), None);
    t.take_outputs();
    // The general account may tick the box (the seed's screen of step ⑤ is a general account).
    t.confirm_visual(&staff.session_id, R0, &ticked("2026-11-25"), at(9, 3))
        .unwrap();
    // The reader is told that staff ticked; the confirmation itself stays in the terminal.
    assert_eq!(
        t.take_outputs().events,
        vec![TerminalEvent::VisualConfirmed { reader: R0.into() }]
    );
    // The other reader is not affected.
    assert_eq!(t.valid_confirmation_for(R1, at(9, 4)), None);
    let confirmation = t.valid_confirmation_for(R0, at(9, 4)).unwrap();
    assert_eq!(confirmation.account, "staff");
    assert_eq!(confirmation.reader, R0);
    assert_eq!(confirmation.confirmed_at, at(9, 3));
    let proof = IdentityProof::from(confirmation);
    assert_eq!(
        proof,
        IdentityProof::StaffConfirmation {
            account: "staff".into(),
            reader: R0.into(),
            confirmation_date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            confirmed_at: at(9, 3),
        }
    );
    // Consumed: the next patient needs a new tick.
    assert_eq!(t.valid_confirmation_for(R0, at(9, 5)), None);
    // As on the real terminal: the reader stays in 目視確認 and nothing on the screen says so
    // beyond the selected button (the harness extensions are off by default).
    let screen = t.reader_screen(&admin.session_id, at(9, 30)).unwrap();
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
    assert!(screen
        .readers
        .iter()
        .all(|r| r.switch_back_warning.is_none() && r.auto_return.is_none()));
}

#[test]
fn the_switch_back_warning_is_a_harness_extension_shown_only_when_on() {
    let mut config = TerminalConfig::demo(ADMIN_PW, STAFF_PW);
    config.policy.switch_back_warning = true;
    let mut t = Terminal::new(&config, StdRng::seed_from_u64(42)).unwrap();
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 0),
    );
    t.confirm_visual(&admin.session_id, R0, &ticked("2026/11/25"), at(9, 1))
        .unwrap();
    // Not before the confirmation is used.
    let screen = t.reader_screen(&admin.session_id, at(9, 1)).unwrap();
    assert!(screen.readers[0].switch_back_warning.is_none());
    assert!(t.valid_confirmation_for(R0, at(9, 2)).is_some());
    let screen = t.reader_screen(&admin.session_id, at(9, 30)).unwrap();
    let warning = screen.readers[0].switch_back_warning.unwrap();
    assert_eq!(warning.used_at, at(9, 2));
    assert!(warning
        .lines()
        .iter()
        .all(|l| l.starts_with("【ハーネス拡張】")));
    assert!(screen.readers[1].switch_back_warning.is_none());
    // Gone once staff switch back.
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::Unattended,
        at(9, 31),
    );
    let screen = t.reader_screen(&admin.session_id, at(9, 31)).unwrap();
    assert!(screen.readers[0].switch_back_warning.is_none());
}

#[test]
fn the_general_account_sees_the_screen_and_ticks_but_cannot_switch() {
    // Seed lines 42–48 and 81–87: the screens of steps ② and ⑤ show 一般アカウント; line 32: the
    // switch to 目視確認 needs the admin account.
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    let staff = t
        .login("staff", &Password::new(STAFF_PW), at(9, 0))
        .unwrap();
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 1),
    );
    let screen = t.reader_screen(&staff.session_id, at(9, 2)).unwrap();
    assert_eq!(screen.account_kind, AccountKind::General);
    assert_eq!(screen.readers[0].mode, ReaderMode::VisualCheck);
    assert_eq!(screen.visual.targets.len(), 1);
    let tick = t
        .confirm_visual(&staff.session_id, R0, &ticked("2026/11/25"), at(9, 2))
        .unwrap();
    assert_eq!(tick.account, "staff");
    assert_eq!(
        t.reader_screen(&staff.session_id, at(9, 2))
            .unwrap()
            .visual
            .targets[0]
            .ticked,
        NaiveDate::from_ymd_opt(2026, 11, 25)
    );
    // ⑦ switching back is still the admin's.
    assert!(matches!(
        t.request_mode_change(&staff.session_id, R0, ReaderMode::Unattended, at(9, 3)),
        Err(TerminalError::NotAdmin { .. })
    ));
    assert_eq!(t.valid_confirmation_for(R0, at(9, 4)), Some(tick));
}

#[test]
fn a_tick_is_valid_for_its_lifetime_and_for_its_reader_only() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 0),
    );
    switch(
        &mut t,
        &admin.session_id,
        R1,
        ReaderMode::VisualCheck,
        at(9, 0),
    );
    assert_eq!(t.policy().confirmation_valid_minutes, 10);
    // Ticked for reader 1; the card comes to reader 0: refused, and reader 1's tick stays.
    t.confirm_visual(&admin.session_id, R1, &ticked("2026/11/25"), at(9, 1))
        .unwrap();
    assert_eq!(t.valid_confirmation_for(R0, at(9, 2)), None);
    // Just inside the lifetime it is valid (and taken).
    let valid = t
        .valid_confirmation_for(R1, at(9, 11) - TimeDelta::seconds(1))
        .unwrap();
    assert_eq!(valid.reader, R1);
    // Ticked again, used at exactly the end of its lifetime: lapsed.
    t.confirm_visual(&admin.session_id, R1, &ticked("2026/11/25"), at(9, 20))
        .unwrap();
    t.take_outputs();
    assert_eq!(t.valid_confirmation_for(R1, at(9, 30)), None);
    let out = t.take_outputs();
    assert_eq!(
        out.events,
        vec![TerminalEvent::VisualConfirmationWithdrawn { reader: R1.into() }]
    );
    assert!(out
        .audit
        .iter()
        .any(|r| r.action == AuditAction::VisualConfirmationLapsed));
}

#[test]
fn an_unused_tick_lapses() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 0),
    );
    t.confirm_visual(&admin.session_id, R0, &ticked("2026/11/25"), at(9, 1))
        .unwrap();
    assert_eq!(t.valid_confirmation_for(R0, at(9, 11)), None);
    assert!(t
        .take_outputs()
        .audit
        .iter()
        .any(|r| r.action == AuditAction::VisualConfirmationLapsed));
}

#[test]
fn switching_away_from_visual_drops_a_pending_tick() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 0),
    );
    t.confirm_visual(&admin.session_id, R0, &ticked("2026/11/25"), at(9, 1))
        .unwrap();
    t.take_outputs();
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::Unattended,
        at(9, 2),
    );
    // The reader stops asking for the card.
    assert_eq!(
        t.take_outputs().events[0],
        TerminalEvent::VisualConfirmationWithdrawn { reader: R0.into() }
    );
    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 3),
    );
    assert_eq!(t.valid_confirmation_for(R0, at(9, 4)), None);
}
