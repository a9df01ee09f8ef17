//! The mode switch: only the admin account may switch, through the 切替の確認 and 切替の完了
//! dialogues of the session that pressed the button; the event that goes out to the reader.

use harness_reader::ReaderMode;
use harness_terminal::{
    AccountKind, AuditAction, AutoReturnPolicy, ModeChange, ModeChangeCause, ModeDialog, Password,
    TerminalError, TerminalEvent,
};

use crate::common::{at, R0, R1};
use crate::{switch, terminal_with, ADMIN_PW, STAFF_PW};

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
