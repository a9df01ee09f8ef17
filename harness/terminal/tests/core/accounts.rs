//! Accounts and sessions in the core: lockout after five failures and its period, unknown
//! users, idle expiry, logout, the CSRF token, and no password in Debug output or audit records.

use chrono::TimeDelta;
use harness_reader::ReaderMode;
use harness_terminal::{
    Actor, AuditAction, AutoReturnPolicy, LoginFailure, MemoryAudit, Password, Terminal,
    TerminalConfig, TerminalError,
};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::common::{at, R0};
use crate::{drain_audit, terminal_with, ADMIN_PW, STAFF_PW};

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
