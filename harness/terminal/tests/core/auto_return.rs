//! Both auto-return policies (back to unattended after the patient, or after N minutes by the
//! fake clock) and the manual policy, which never returns by itself.

use chrono::TimeDelta;
use harness_reader::ReaderMode;
use harness_terminal::{
    Actor, AuditAction, AutoReturnPolicy, MemoryAudit, ModeChangeCause, Password, TerminalEvent,
};

use crate::common::{at, R0};
use crate::{drain_audit, switch, terminal_with, ticked, ADMIN_PW};

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
