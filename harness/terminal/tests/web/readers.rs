//! The reader screen over HTTP: the general account cannot switch, admin can (through 切替の確認
//! → 切替の完了), the audit file holds no password, the tick is valid for its reader and lifetime
//! only, and the switch-back warning is marked as a harness aid.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::TimeDelta;
use harness_reader::ReaderMode;
use harness_terminal::{
    read_audit_file, AuditAction, ModeChangeCause, TerminalEvent, TerminalPolicy,
};

use crate::common::{R0, R1};
use crate::{mode, setup, setup_with, switch, Browser, ADMIN_PW, STAFF_PW};

#[tokio::test]
async fn general_cannot_switch_admin_can_and_posts_without_csrf_are_refused() {
    let s = setup();
    let mut events = s.state.subscribe();

    // General account: sees the screen, is refused with 403 and a message.
    let mut staff = Browser::new(&s.state);
    let staff_csrf = staff.login("staff", STAFF_PW).await;
    let refused = staff
        .post(
            "/readers/mode",
            &[
                ("csrf", &staff_csrf),
                ("reader", R0),
                ("mode", "visual_check"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused
        .body
        .contains("一般アカウントではカードリーダーのモードを変更できません。"));
    assert_eq!(mode(&s.state), ReaderMode::Unattended);

    // Admin without the CSRF token, with a wrong one, with the other session's one: 403.
    let mut admin = Browser::new(&s.state);
    let admin_csrf = admin.login("admin", ADMIN_PW).await;
    let no_token = admin
        .post("/readers/mode", &[("reader", R0), ("mode", "visual_check")])
        .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let wrong = admin
        .post(
            "/readers/mode",
            &[("csrf", "0000"), ("reader", R0), ("mode", "visual_check")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let other_sessions = admin
        .post(
            "/readers/mode",
            &[
                ("csrf", &staff_csrf),
                ("reader", R0),
                ("mode", "visual_check"),
            ],
        )
        .await;
    assert_eq!(other_sessions.status, StatusCode::FORBIDDEN);
    // No form at all (no body, or not a form): 403 as well.
    let empty = admin
        .send(Request::post("/readers/mode"), Body::empty())
        .await;
    assert_eq!(empty.status, StatusCode::FORBIDDEN);
    let json = admin
        .send(
            Request::post("/readers/mode").header(header::CONTENT_TYPE, "application/json"),
            Body::from(r#"{"reader":"x","mode":"visual_check"}"#),
        )
        .await;
    assert_eq!(json.status, StatusCode::FORBIDDEN);
    assert_eq!(mode(&s.state), ReaderMode::Unattended);
    assert!(events.try_recv().is_err());

    // Admin with the token: 切替の確認 opens; nothing changes until OK.
    let pressed = admin
        .post(
            "/readers/mode",
            &[
                ("csrf", &admin_csrf),
                ("reader", R0),
                ("mode", "visual_check"),
            ],
        )
        .await;
    assert_eq!(pressed.status, StatusCode::SEE_OTHER);
    assert_eq!(pressed.location.as_deref(), Some("/readers"));
    assert_eq!(mode(&s.state), ReaderMode::Unattended);
    assert!(events.try_recv().is_err());
    let dialog = admin.get("/readers").await;
    assert!(dialog.body.contains("切替の確認"), "{}", dialog.body);
    assert!(dialog.body.contains(r#"action="/readers/mode/confirm""#));
    // OK without the token: refused, still nothing changes.
    assert_eq!(
        admin.post("/readers/mode/confirm", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(mode(&s.state), ReaderMode::Unattended);
    // OK with the token: switched, 切替の完了 shows, and the event goes out for the reader.
    let switched = admin
        .post("/readers/mode/confirm", &[("csrf", &admin_csrf)])
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location.as_deref(), Some("/readers"));
    assert_eq!(mode(&s.state), ReaderMode::VisualCheck);
    let done = admin.get("/readers").await;
    assert!(done.body.contains("切替の完了"), "{}", done.body);
    let closed = admin
        .post("/readers/mode/ok", &[("csrf", &admin_csrf)])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert!(!admin.get("/readers").await.body.contains("切替の完了"));
    assert_eq!(
        events.try_recv().unwrap(),
        TerminalEvent::ModeChanged {
            reader: R0.into(),
            mode: ReaderMode::VisualCheck,
            cause: ModeChangeCause::Operator {
                user_id: "admin".into()
            },
        }
    );
    let page = admin.get("/readers").await;
    assert!(page
        .body
        .contains(r#"class="mode selected" type="submit" name="mode" value="visual_check""#));

    // The visual form: refused without the token, accepted with it (by the general account too).
    let form = |csrf: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("reader".to_owned(), R0.to_owned()),
            ("identity_confirmed".to_owned(), "on".to_owned()),
            ("confirmation_date".to_owned(), "2026/11/25".to_owned()),
        ]
    };
    let fields = form("");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .skip(1)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        staff.post("/readers/visual", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(s
        .state
        .with_terminal_blocking(|t, now| t.valid_confirmation_for(R0, now))
        .unwrap()
        .is_none());
    let fields = form(&staff_csrf);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let ticked = staff.post("/readers/visual", &fields).await;
    assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.body);
    assert!(ticked.body.contains(r#"aria-checked="true""#));
    assert_eq!(
        events.try_recv().unwrap(),
        TerminalEvent::VisualConfirmed { reader: R0.into() }
    );
    let confirmation = s
        .state
        .with_terminal_blocking(|t, now| t.valid_confirmation_for(R0, now))
        .unwrap()
        .unwrap();
    assert_eq!(confirmation.account, "staff");

    // As on the real screen, no switch-back warning (a harness extension, off by default).
    let page = admin.get("/readers").await;
    assert!(!page.body.contains("目視確認モードのままです"));
    assert!(!page.body.contains("ハーネス拡張"));

    // Logout needs the token too.
    assert_eq!(
        admin.post("/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let out = admin.post("/logout", &[("csrf", &admin_csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(admin.get("/readers").await.status, StatusCode::SEE_OTHER);

    // The audit file: who did what, and no password anywhere.
    let entries = read_audit_file(&s.audit_path).unwrap();
    let actions: Vec<&AuditAction> = entries.iter().map(|e| &e.record.action).collect();
    assert!(actions.contains(&&AuditAction::ModeChangeRefused {
        requested: ReaderMode::VisualCheck
    }));
    assert!(actions.contains(&&AuditAction::ModeChanged {
        from: ReaderMode::Unattended,
        to: ReaderMode::VisualCheck
    }));
    assert!(actions.contains(&&AuditAction::LoggedOut));
    assert!(actions
        .iter()
        .any(|a| matches!(a, AuditAction::VisualConfirmationUsed { .. })));
    let raw = std::fs::read_to_string(&s.audit_path).unwrap();
    assert!(!raw.contains(ADMIN_PW) && !raw.contains(STAFF_PW));
    assert!(!raw.contains(&admin_csrf) && !raw.contains(&staff_csrf));
}

#[tokio::test]
async fn a_tick_is_valid_for_its_reader_and_its_lifetime_only() {
    let s = setup();
    let mut events = s.state.subscribe();
    let mut admin = Browser::new(&s.state);
    let csrf = admin.login("admin", ADMIN_PW).await;
    switch(&mut admin, &csrf, R0, "visual_check").await;
    let tick = [
        ("csrf", csrf.as_str()),
        ("reader", R0),
        ("identity_confirmed", "on"),
        ("confirmation_date", "2026/11/25"),
    ];
    assert_eq!(
        admin.post("/readers/visual", &tick).await.status,
        StatusCode::OK
    );
    let valid = |reader: &'static str| {
        s.state
            .with_terminal_blocking(move |t, now| t.valid_confirmation_for(reader, now))
            .unwrap()
    };
    // The card placed on the other reader: no tick there.
    assert_eq!(valid(R1), None);
    // Ten minutes later the tick has lapsed: the reader is told, and the card is refused.
    s.clock.advance(TimeDelta::minutes(10));
    assert_eq!(valid(R0), None);
    let seen: Vec<TerminalEvent> = std::iter::from_fn(|| events.try_recv().ok()).collect();
    assert!(seen.contains(&TerminalEvent::VisualConfirmationWithdrawn { reader: R0.into() }));
    // Ticked again: valid once.
    let csrf = admin.get("/readers").await.csrf();
    let tick = [
        ("csrf", csrf.as_str()),
        ("reader", R0),
        ("identity_confirmed", "on"),
        ("confirmation_date", "2026/11/25"),
    ];
    assert_eq!(
        admin.post("/readers/visual", &tick).await.status,
        StatusCode::OK
    );
    assert!(valid(R0).is_some());
    assert_eq!(valid(R0), None);
}

#[tokio::test]
async fn the_switch_back_warning_when_on_is_marked_as_a_harness_aid() {
    let s = setup_with(TerminalPolicy {
        switch_back_warning: true,
        ..TerminalPolicy::default()
    });
    let mut admin = Browser::new(&s.state);
    let csrf = admin.login("admin", ADMIN_PW).await;
    switch(&mut admin, &csrf, R0, "visual_check").await;
    let tick = [
        ("csrf", csrf.as_str()),
        ("reader", R0),
        ("identity_confirmed", "on"),
        ("confirmation_date", "2026/11/25"),
    ];
    admin.post("/readers/visual", &tick).await;
    assert!(s
        .state
        .with_terminal_blocking(|t, now| t.valid_confirmation_for(R0, now))
        .unwrap()
        .is_some());
    let page = admin.get("/readers").await;
    assert!(page
        .body
        .contains("【ハーネス拡張】⚠ 09:00 に目視確認を利用しました。目視確認モードのままです。"));
    switch(&mut admin, &csrf, R0, "unattended").await;
    assert!(!admin.get("/readers").await.body.contains("ハーネス拡張"));
}
