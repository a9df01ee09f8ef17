//! Requests the web UI refuses: every POST without (or with a wrong) CSRF token gets 403 and
//! changes nothing, and each error has its own status and message.

use axum::http::StatusCode;
use harness_reader::ReaderMode;

use crate::common::R0;
use crate::{mode, setup, Browser, ADMIN_PW, STAFF_PW};

#[tokio::test]
async fn every_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let s = setup();
    let mut events = s.state.subscribe();
    let mut admin = Browser::new(&s.state);
    let csrf = admin.login("admin", ADMIN_PW).await;
    // A dialogue is open, so a forged OK would switch the reader if it were accepted.
    let pressed = admin
        .post(
            "/readers/mode",
            &[("csrf", &csrf), ("reader", R0), ("mode", "visual_check")],
        )
        .await;
    assert_eq!(pressed.status, StatusCode::SEE_OTHER);
    let forms: [(&str, &[(&str, &str)]); 6] = [
        ("/readers/mode", &[("reader", R0), ("mode", "pin_only")]),
        ("/readers/mode/confirm", &[]),
        ("/readers/mode/cancel", &[]),
        ("/readers/mode/ok", &[]),
        (
            "/readers/visual",
            &[
                ("reader", R0),
                ("identity_confirmed", "on"),
                ("confirmation_date", "2026/11/25"),
            ],
        ),
        ("/logout", &[]),
    ];
    let wrong = "0".repeat(64);
    for (path, fields) in forms {
        let without = admin.post(path, fields).await;
        assert_eq!(
            without.status,
            StatusCode::FORBIDDEN,
            "{path} without a token"
        );
        assert!(
            without.body.contains("不正な要求のため処理できません"),
            "{path}"
        );
        let mut forged = fields.to_vec();
        forged.push(("csrf", &wrong));
        assert_eq!(
            admin.post(path, &forged).await.status,
            StatusCode::FORBIDDEN,
            "{path} with a wrong token"
        );
    }
    assert_eq!(mode(&s.state), ReaderMode::Unattended);
    assert!(events.try_recv().is_err());
    // Still logged in, the dialogue still waiting.
    let page = admin.get("/readers").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("切替の確認"));
    // Without a session cookie at all: to the login page.
    let mut stranger = Browser::new(&s.state);
    let reply = stranger
        .post("/readers/mode/confirm", &[("csrf", &csrf)])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location.as_deref(), Some("/login"));
    assert_eq!(mode(&s.state), ReaderMode::Unattended);
}

#[tokio::test]
async fn each_error_has_its_status() {
    let s = setup();
    let mut admin = Browser::new(&s.state);
    let csrf = admin.login("admin", ADMIN_PW).await;
    let unknown = admin
        .post(
            "/readers/mode",
            &[
                ("csrf", &csrf),
                ("reader", "No Such Reader"),
                ("mode", "pin_only"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("は登録されていません"));
    let no_mode = admin
        .post(
            "/readers/mode",
            &[("csrf", &csrf), ("reader", R0), ("mode", "x")],
        )
        .await;
    assert_eq!(no_mode.status, StatusCode::BAD_REQUEST);
    let nothing_pending = admin
        .post("/readers/mode/confirm", &[("csrf", &csrf)])
        .await;
    assert_eq!(nothing_pending.status, StatusCode::CONFLICT);
    let not_visual = admin
        .post(
            "/readers/visual",
            &[
                ("csrf", &csrf),
                ("reader", R0),
                ("identity_confirmed", "on"),
                ("confirmation_date", "2026/11/25"),
            ],
        )
        .await;
    assert_eq!(not_visual.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_visual.body.contains("目視確認モードではありません"));
    // The general account's refusal comes with the reason.
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
        .contains("管理アカウントでログインしてください"));
    assert!(!refused.body.contains("切替の確認"));
}
