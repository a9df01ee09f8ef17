//! The terminal core with a fake `now`: lockout, session expiry, refusal of the general account,
//! the mode switch's confirmation dialogue, the tick's validity, the harness extensions (off by
//! default) and both auto-return policies.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use harness_eligibility::protocol::IdentityProof;
use harness_reader::ReaderMode;
use harness_terminal::secret::Token;
use harness_terminal::{
    AccountKind, Actor, AuditAction, AuditSink, AutoReturnPolicy, LoginFailure, MemoryAudit,
    ModeChange, ModeChangeCause, ModeDialog, Password, Terminal, TerminalConfig, TerminalError,
    TerminalEvent, VisualConfirmationForm,
};
use rand::rngs::StdRng;
use rand::SeedableRng;

const ADMIN_PW: &str = "admin-pass-Σ1";
const STAFF_PW: &str = "staff-pass-Σ2";
const R0: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
const R1: &str = "Identiv CLOUD 3701 F Contactless Reader 1";

fn at(hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(hour, minute, 0)
        .unwrap()
}

fn terminal_with(auto_return: AutoReturnPolicy) -> Terminal {
    let mut config = TerminalConfig::demo(ADMIN_PW, STAFF_PW);
    config.policy.auto_return = auto_return;
    Terminal::new(&config, StdRng::seed_from_u64(42)).unwrap()
}

/// A mode button, OK on 切替の確認, OK on 切替の完了.
fn switch(t: &mut Terminal, session: &Token, reader: &str, mode: ReaderMode, now: NaiveDateTime) {
    t.request_mode_change(session, reader, mode, now).unwrap();
    t.confirm_mode_change(session, now).unwrap();
    t.acknowledge_mode_change(session, now).unwrap();
}

fn ticked(date: &str) -> VisualConfirmationForm {
    VisualConfirmationForm {
        identity_confirmed: true,
        confirmation_date: date.to_owned(),
    }
}

fn drain_audit(terminal: &mut Terminal, audit: &mut MemoryAudit) {
    for record in terminal.take_outputs().audit {
        audit.append(&record).unwrap();
    }
}

#[test]
fn lockout_after_five_failures_then_unlocks_after_the_period() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let wrong = Password::new("wrong");
    for i in 0..4 {
        assert_eq!(
            t.login("admin", &wrong, at(9, i)),
            Err(TerminalError::InvalidCredentials)
        );
    }
    let until = at(9, 4) + TimeDelta::minutes(15);
    assert_eq!(
        t.login("admin", &wrong, at(9, 4)),
        Err(TerminalError::Locked { until })
    );
    // Locked: even the right password is refused.
    assert_eq!(
        t.login("admin", &Password::new(ADMIN_PW), at(9, 10)),
        Err(TerminalError::Locked { until })
    );
    assert_eq!(t.locked_until("admin", at(9, 10)), Some(until));
    // The general account is not affected.
    assert!(t
        .login("staff", &Password::new(STAFF_PW), at(9, 10))
        .is_ok());
    // After the period the right password works again.
    assert!(t.login("admin", &Password::new(ADMIN_PW), until).is_ok());
    let audit = t.take_outputs().audit;
    let locks = audit
        .iter()
        .filter(|r| matches!(r.action, AuditAction::AccountLocked { .. }))
        .count();
    assert_eq!(locks, 1);
    assert!(audit.iter().any(|r| r.action
        == AuditAction::LoginFailed {
            reason: LoginFailure::Locked
        }));
}

#[test]
fn a_success_resets_the_failure_count() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let wrong = Password::new("wrong");
    for i in 0..4 {
        assert!(t.login("admin", &wrong, at(9, i)).is_err());
    }
    assert!(t.login("admin", &Password::new(ADMIN_PW), at(9, 5)).is_ok());
    for i in 0..4 {
        assert_eq!(
            t.login("admin", &wrong, at(9, 6 + i)),
            Err(TerminalError::InvalidCredentials)
        );
    }
}

#[test]
fn unknown_user_is_refused_like_a_wrong_password_and_its_name_is_not_logged() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    assert_eq!(
        t.login("typed-my-password-here", &Password::new("x"), at(9, 0)),
        Err(TerminalError::InvalidCredentials)
    );
    let audit = t.take_outputs().audit;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, Actor::UnknownAccount);
    assert!(!format!("{audit:?}").contains("typed-my-password-here"));
}

#[test]
fn session_expires_after_idle_timeout_and_activity_extends_it() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let s = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    // Used at 9:29 → alive until 9:59.
    assert!(t.session(&s.session_id, at(9, 29)).is_ok());
    assert!(t.session(&s.session_id, at(9, 58)).is_ok());
    assert_eq!(
        t.session(&s.session_id, at(10, 28)),
        Err(TerminalError::SessionExpired)
    );
    // Gone for good.
    assert_eq!(
        t.session(&s.session_id, at(10, 29)),
        Err(TerminalError::UnknownSession)
    );
    assert!(t
        .take_outputs()
        .audit
        .iter()
        .any(|r| r.action == AuditAction::SessionExpired));
}

#[test]
fn logout_ends_the_session() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let s = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    t.logout(&s.session_id, at(9, 1)).unwrap();
    assert_eq!(
        t.request_mode_change(&s.session_id, R0, ReaderMode::VisualCheck, at(9, 2)),
        Err(TerminalError::UnknownSession)
    );
}

#[test]
fn csrf_token_is_checked() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let s = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    assert!(t
        .check_csrf(&s.session_id, Some(s.csrf_token.expose()), at(9, 1))
        .is_ok());
    assert_eq!(
        t.check_csrf(&s.session_id, None, at(9, 1)),
        Err(TerminalError::CsrfMismatch)
    );
    assert_eq!(
        t.check_csrf(&s.session_id, Some(s.session_id.expose()), at(9, 1)),
        Err(TerminalError::CsrfMismatch)
    );
}

#[test]
fn general_account_is_refused_admin_changes_the_mode_and_the_event_goes_out() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let staff = t
        .login("staff", &Password::new(STAFF_PW), at(9, 0))
        .unwrap();
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    t.take_outputs();

    let refused = t.request_mode_change(&staff.session_id, R0, ReaderMode::VisualCheck, at(9, 1));
    assert_eq!(
        refused,
        Err(TerminalError::NotAdmin {
            user_id: "staff".into(),
            kind: AccountKind::General
        })
    );
    assert!(refused
        .unwrap_err()
        .screen_message()
        .contains("管理アカウントでログインしてください"));
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::Unattended));
    let out = t.take_outputs();
    assert!(out.events.is_empty());
    assert_eq!(
        out.audit[0].action,
        AuditAction::ModeChangeRefused {
            requested: ReaderMode::VisualCheck
        }
    );
    // No dialogue opened for the general account, so there is nothing to confirm.
    let screen = t.reader_screen(&staff.session_id, at(9, 1)).unwrap();
    assert_eq!(screen.dialog, None);
    assert_eq!(
        t.confirm_mode_change(&staff.session_id, at(9, 1)),
        Err(TerminalError::NoModeChangePending)
    );

    switch(
        &mut t,
        &admin.session_id,
        R0,
        ReaderMode::VisualCheck,
        at(9, 2),
    );
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
    assert_eq!(t.reader_mode(R1), Some(ReaderMode::Unattended));
    let out = t.take_outputs();
    assert_eq!(
        out.events,
        vec![TerminalEvent::ModeChanged {
            reader: R0.into(),
            mode: ReaderMode::VisualCheck,
            cause: ModeChangeCause::Operator {
                user_id: "admin".into()
            },
        }]
    );
    // Pressing the selected mode again opens no dialogue and changes nothing.
    assert_eq!(
        t.request_mode_change(&admin.session_id, R0, ReaderMode::VisualCheck, at(9, 3)),
        Ok(None)
    );
    assert_eq!(
        t.reader_screen(&admin.session_id, at(9, 3)).unwrap().dialog,
        None
    );
    assert!(t.take_outputs().events.is_empty());
    assert_eq!(
        t.request_mode_change(
            &admin.session_id,
            "No Such Reader",
            ReaderMode::PinOnly,
            at(9, 3)
        ),
        Err(TerminalError::UnknownReader("No Such Reader".into()))
    );
}

#[test]
fn a_mode_switch_waits_for_the_confirmation_dialogue() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    let other_admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    t.take_outputs();
    let asked = ModeChange {
        reader: R0.into(),
        from: ReaderMode::Unattended,
        to: ReaderMode::VisualCheck,
    };

    // The button opens 切替の確認; nothing changes yet.
    assert_eq!(
        t.request_mode_change(&admin.session_id, R0, ReaderMode::VisualCheck, at(9, 1)),
        Ok(Some(asked.clone()))
    );
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::Unattended));
    assert_eq!(t.take_outputs(), Default::default());
    let screen = t.reader_screen(&admin.session_id, at(9, 1)).unwrap();
    assert_eq!(screen.dialog, Some(ModeDialog::Confirm(asked.clone())));
    // The dialogue belongs to the session that pressed the button.
    let elsewhere = t.reader_screen(&other_admin.session_id, at(9, 1)).unwrap();
    assert_eq!(elsewhere.dialog, None);
    assert_eq!(
        t.acknowledge_mode_change(&admin.session_id, at(9, 1)),
        Err(TerminalError::NoModeChangePending)
    );

    // キャンセル: still nothing changes, and there is nothing left to confirm.
    t.cancel_mode_change(&admin.session_id, at(9, 2)).unwrap();
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::Unattended));
    assert_eq!(t.take_outputs(), Default::default());
    assert_eq!(
        t.confirm_mode_change(&admin.session_id, at(9, 2)),
        Err(TerminalError::NoModeChangePending)
    );

    // Pressed again and confirmed with OK: switched, 切替の完了 shows until its OK.
    t.request_mode_change(&admin.session_id, R0, ReaderMode::VisualCheck, at(9, 3))
        .unwrap();
    assert_eq!(
        t.confirm_mode_change(&admin.session_id, at(9, 3)),
        Ok(asked.clone())
    );
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
    let out = t.take_outputs();
    assert_eq!(out.events.len(), 1);
    assert_eq!(
        out.audit[0].action,
        AuditAction::ModeChanged {
            from: ReaderMode::Unattended,
            to: ReaderMode::VisualCheck
        }
    );
    let screen = t.reader_screen(&admin.session_id, at(9, 3)).unwrap();
    assert_eq!(screen.dialog, Some(ModeDialog::Done(asked)));
    assert_eq!(
        t.cancel_mode_change(&admin.session_id, at(9, 3)),
        Err(TerminalError::NoModeChangePending)
    );
    t.acknowledge_mode_change(&admin.session_id, at(9, 4))
        .unwrap();
    assert_eq!(
        t.reader_screen(&admin.session_id, at(9, 4)).unwrap().dialog,
        None
    );
}

#[test]
fn a_confirmation_reports_the_mode_the_reader_really_had() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let first = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    let second = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    t.request_mode_change(&first.session_id, R0, ReaderMode::VisualCheck, at(9, 1))
        .unwrap();
    // Meanwhile another terminal session switched the same reader to 暗証番号認証固定.
    switch(
        &mut t,
        &second.session_id,
        R0,
        ReaderMode::PinOnly,
        at(9, 2),
    );
    let done = t.confirm_mode_change(&first.session_id, at(9, 3)).unwrap();
    assert_eq!(done.from, ReaderMode::PinOnly);
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
}

#[test]
fn a_dialogue_ends_with_its_session() {
    let mut t = terminal_with(AutoReturnPolicy::Manual);
    let admin = t
        .login("admin", &Password::new(ADMIN_PW), at(9, 0))
        .unwrap();
    t.request_mode_change(&admin.session_id, R0, ReaderMode::VisualCheck, at(9, 1))
        .unwrap();
    t.logout(&admin.session_id, at(9, 2)).unwrap();
    assert_eq!(
        t.confirm_mode_change(&admin.session_id, at(9, 2)),
        Err(TerminalError::UnknownSession)
    );
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::Unattended));
}

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

#[test]
fn auto_return_after_the_patient() {
    let mut t = terminal_with(AutoReturnPolicy::AfterPatient);
    let mut audit = MemoryAudit::default();
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
    // Nothing happens while no confirmation was used.
    t.patient_finished(R0, at(9, 1));
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
    t.confirm_visual(&admin.session_id, R0, &ticked("2026/11/25"), at(9, 2))
        .unwrap();
    assert!(t.valid_confirmation_for(R0, at(9, 3)).is_some());
    // While the patient chooses consents the reader stays in 目視確認.
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
    drain_audit(&mut t, &mut audit);
    t.patient_finished(R0, at(9, 4));
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::Unattended));
    let out = t.take_outputs();
    assert_eq!(
        out.events,
        vec![TerminalEvent::ModeChanged {
            reader: R0.into(),
            mode: ReaderMode::Unattended,
            cause: ModeChangeCause::AutoReturn,
        }]
    );
    let returned = out
        .audit
        .iter()
        .find(|r| matches!(r.action, AuditAction::AutoReturned { .. }))
        .unwrap();
    assert_eq!(returned.actor, Actor::System);
    assert_eq!(returned.reader.as_deref(), Some(R0));
    assert_eq!(returned.at, at(9, 4));
}

#[test]
fn auto_return_after_n_minutes_measured_with_now() {
    let mut t = terminal_with(AutoReturnPolicy::AfterMinutes(5));
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
    // Entering 目視確認 alone does not start the timer.
    t.tick(at(9, 20));
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
    t.confirm_visual(&admin.session_id, R0, &ticked("2026/11/25"), at(9, 20))
        .unwrap();
    assert!(t.valid_confirmation_for(R0, at(9, 21)).is_some());
    t.take_outputs();
    t.tick(at(9, 26) - TimeDelta::seconds(1));
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
    assert!(t.take_outputs().events.is_empty());
    t.tick(at(9, 26));
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::Unattended));
    let out = t.take_outputs();
    assert_eq!(out.events.len(), 1);
    assert!(out.audit.iter().any(|r| matches!(
        r.action,
        AuditAction::AutoReturned {
            to: ReaderMode::Unattended
        }
    )));
    // Only once.
    t.tick(at(9, 50));
    assert!(t.take_outputs().events.is_empty());
}

#[test]
fn manual_policy_never_returns_by_itself() {
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
    assert!(t.valid_confirmation_for(R0, at(9, 2)).is_some());
    t.patient_finished(R0, at(9, 3));
    t.tick(at(17, 0));
    assert_eq!(t.reader_mode(R0), Some(ReaderMode::VisualCheck));
}

#[test]
fn no_password_in_debug_output_or_audit_records() {
    let config = TerminalConfig::demo(ADMIN_PW, STAFF_PW);
    let mut t = Terminal::new(&config, StdRng::seed_from_u64(1)).unwrap();
    let mut audit = MemoryAudit::default();
    let _ = t.login("admin", &Password::new(ADMIN_PW), at(9, 0));
    let _ = t.login("admin", &Password::new("wrong-Ω"), at(9, 1));
    let _ = t.login("staff", &Password::new(STAFF_PW), at(9, 1));
    drain_audit(&mut t, &mut audit);
    let everything = format!("{config:?} {t:?} {audit:?}");
    for secret in [ADMIN_PW, STAFF_PW, "wrong-Ω"] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    assert!(everything.contains("redacted"));
}
