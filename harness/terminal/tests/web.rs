//! Drives the web UI over HTTP (the router through `tower::ServiceExt::oneshot`, and once the real
//! server on a loopback listener): the general account cannot switch, admin can (through
//! 切替の確認 → 切替の完了), a POST without (or with a wrong) CSRF token gets 403 on every route,
//! the tick is valid for its reader and lifetime only, sessions expire, logins lock, the audit file
//! holds no password, and another host (as the live clinic's engine) serves the same pages plus
//! its own in the same session/CSRF scheme.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use harness_reader::ReaderMode;
use harness_terminal::web::{router, serve_listener, ManualClock, StandaloneHost, WebOptions};
use harness_terminal::{
    read_audit_file, AuditAction, FileAudit, ModeChangeCause, Terminal, TerminalConfig,
    TerminalEvent, TerminalPolicy,
};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const ADMIN_PW: &str = "Adm1n-パスワード-secret";
const STAFF_PW: &str = "St4ff-パスワード-secret";
const R0: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
const R1: &str = "Identiv CLOUD 3701 F Contactless Reader 1";

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

struct Setup {
    state: StandaloneHost,
    clock: Arc<ManualClock>,
    audit_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    setup_with(TerminalPolicy::default())
}

fn setup_with(policy: TerminalPolicy) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let mut config = TerminalConfig::demo(ADMIN_PW, STAFF_PW);
    config.policy = policy;
    let terminal = Terminal::new(&config, StdRng::seed_from_u64(11)).unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let state = StandaloneHost::new(
        terminal,
        Box::new(FileAudit::open(&audit_path).unwrap()),
        clock.clone(),
    );
    Setup {
        state,
        clock,
        audit_path,
        _dir: dir,
    }
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    set_cookies: Vec<String>,
    body: String,
}

impl Reply {
    fn csrf(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start = self.body.find(marker).expect("form with csrf") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }
}

/// A browser: keeps cookies between requests.
struct Browser {
    app: Router,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new(state: &StandaloneHost) -> Self {
        Self::on(router(state.clone(), WebOptions::default()))
    }

    fn on(app: Router) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
        }
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Reply {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header(header::COOKIE, cookie)
        };
        let response = self
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for set in &set_cookies {
            let pair = set.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            location,
            set_cookies,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::get(path), Body::empty()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Logs in through the form; returns the CSRF token of the reader screen.
    async fn login(&mut self, user_id: &str, password: &str) -> String {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page.csrf();
        let reply = self
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("user_id", user_id),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.location.as_deref(), Some("/menu"));
        let readers = self.get("/readers").await;
        assert_eq!(readers.status, StatusCode::OK);
        readers.csrf()
    }
}

fn mode(state: &StandaloneHost) -> ReaderMode {
    state
        .with_terminal_blocking(|t, _| t.reader_mode(R0))
        .unwrap()
        .unwrap()
}

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
async fn login_post_without_csrf_is_refused_and_cookies_are_strict() {
    let s = setup();
    let mut browser = Browser::new(&s.state);
    let page = browser.get("/login").await;
    let login_cookie = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("oqs_login_csrf="))
        .unwrap();
    assert!(login_cookie.contains("HttpOnly"), "{login_cookie}");
    assert!(login_cookie.contains("SameSite=Strict"), "{login_cookie}");
    let refused = browser
        .post("/login", &[("user_id", "admin"), ("password", ADMIN_PW)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused
        .set_cookies
        .iter()
        .any(|c| c.starts_with("oqs_session=")));
    // A token that is not the cookie's: refused.
    let refused = browser
        .post(
            "/login",
            &[
                ("csrf", &"a".repeat(64)),
                ("user_id", "admin"),
                ("password", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let csrf = browser.get("/login").await.csrf();
    let ok = browser
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("user_id", "admin"),
                ("password", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let session_cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("oqs_session="))
        .unwrap();
    assert!(session_cookie.contains("HttpOnly"), "{session_cookie}");
    assert!(
        session_cookie.contains("SameSite=Strict"),
        "{session_cookie}"
    );
    assert!(session_cookie.contains("Path=/"), "{session_cookie}");
    let id = session_cookie
        .trim_start_matches("oqs_session=")
        .split(';')
        .next()
        .unwrap();
    assert_eq!(id.len(), 64);
    // Security headers.
    let page = browser.get("/readers").await;
    assert_eq!(page.status, StatusCode::OK);
    let response = router(s.state.clone(), WebOptions::default())
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let csp = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap();
    assert!(csp.to_str().unwrap().contains("form-action 'self'"));
    assert_eq!(
        response.headers().get(header::X_FRAME_OPTIONS).unwrap(),
        "DENY"
    );
}

#[tokio::test]
async fn session_expires_with_the_clock_and_lockout_over_http() {
    let s = setup();
    let mut admin = Browser::new(&s.state);
    admin.login("admin", ADMIN_PW).await;
    s.clock.advance(TimeDelta::minutes(29));
    assert_eq!(admin.get("/readers").await.status, StatusCode::OK);
    s.clock.advance(TimeDelta::minutes(30));
    let expired = admin.get("/readers").await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert_eq!(expired.location.as_deref(), Some("/login?expired=1"));
    let login = admin.get("/login?expired=1").await;
    assert!(login.body.contains("一定時間操作がなかったため"));

    let mut attacker = Browser::new(&s.state);
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        let csrf = attacker.get("/login").await.csrf();
        last = attacker
            .post(
                "/login",
                &[("csrf", &csrf), ("user_id", "admin"), ("password", "guess")],
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let csrf = admin.get("/login").await.csrf();
    let locked = admin
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("user_id", "admin"),
                ("password", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("アカウントをロックしました"));
    s.clock.advance(TimeDelta::minutes(15));
    admin.login("admin", ADMIN_PW).await;
}

#[tokio::test]
async fn real_server_on_loopback_serves_the_login_page() {
    let s = setup();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_listener(
        listener,
        s.state.clone(),
        WebOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("オンライン資格確認等システム"));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

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

/// Presses a mode button and OK, OK, as an admin browser.
async fn switch(browser: &mut Browser, csrf: &str, reader: &str, mode: &str) {
    let steps: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "/readers/mode",
            vec![("csrf", csrf), ("reader", reader), ("mode", mode)],
        ),
        ("/readers/mode/confirm", vec![("csrf", csrf)]),
        ("/readers/mode/ok", vec![("csrf", csrf)]),
    ];
    for (path, fields) in steps {
        let reply = browser.post(path, &fields).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            reply.body
        );
    }
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

mod another_host {
    //! The same pages served by a host like the live clinic's engine (terminal and readers behind
    //! a tokio mutex, events forwarded to the readers), plus a page of its own in the same frame
    //! and session/CSRF scheme.

    use std::future::Future;
    use std::sync::Arc;

    use axum::response::{Html, IntoResponse, Response};
    use axum::routing::get;
    use axum::Router;
    use harness_terminal::html::{csrf_field, render_frame, Frame};
    use harness_terminal::screen::MenuLink;
    use harness_terminal::web::{
        router_with, HostError, StaffForm, StaffSession, TerminalHost, WebOptions,
    };
    use maud::html;
    use serde::Deserialize;

    use super::*;

    struct Engine {
        terminal: Terminal,
        now: NaiveDateTime,
        /// What reached the readers.
        forwarded: Vec<TerminalEvent>,
    }

    #[derive(Clone)]
    struct EngineHost(Arc<tokio::sync::Mutex<Engine>>);

    impl TerminalHost for EngineHost {
        fn with_terminal<R, F>(&self, f: F) -> impl Future<Output = Result<R, HostError>> + Send
        where
            R: Send + 'static,
            F: FnOnce(&mut Terminal, NaiveDateTime) -> R + Send + 'static,
        {
            let engine = self.0.clone();
            async move {
                let mut engine = engine.lock().await;
                let now = engine.now;
                let result = f(&mut engine.terminal, now);
                let outputs = engine.terminal.take_outputs();
                engine.forwarded.extend(outputs.events);
                Ok(result)
            }
        }
    }

    #[derive(Deserialize)]
    struct Answer {
        answer: Option<String>,
    }

    async fn practice_page(StaffSession(session): StaffSession) -> Response {
        let frame = Frame {
            title: "練習",
            facility_name: "練習医療機関",
            account_kind: session.account_kind,
        };
        let content = html! {
            form method="post" action="/practice" {
                (csrf_field(session.csrf_token.expose()))
                input type="text" name="answer";
                button type="submit" { "回答" }
            }
        };
        Html(render_frame(&frame, session.csrf_token.expose(), content)).into_response()
    }

    async fn practice_answer(StaffForm { session, form }: StaffForm<Answer>) -> Response {
        let frame = Frame {
            title: "練習",
            facility_name: "練習医療機関",
            account_kind: session.account_kind,
        };
        let content = html! { p.answer { "回答: " (form.answer.unwrap_or_default()) } };
        Html(render_frame(&frame, session.csrf_token.expose(), content)).into_response()
    }

    #[tokio::test]
    async fn an_engine_host_serves_the_same_pages_and_its_own() {
        let mut config = TerminalConfig::demo(ADMIN_PW, STAFF_PW);
        config.facility_name = "練習医療機関".into();
        let engine = Engine {
            terminal: Terminal::new(&config, StdRng::seed_from_u64(21)).unwrap(),
            now: start(),
            forwarded: Vec::new(),
        };
        let host = EngineHost(Arc::new(tokio::sync::Mutex::new(engine)));
        let extra: Router<EngineHost> =
            Router::new().route("/practice", get(practice_page).post(practice_answer));
        let options = WebOptions {
            menu_links: vec![MenuLink {
                label: "練習".into(),
                href: "/practice".into(),
            }],
        };
        let app = router_with(host.clone(), options, extra);
        let mut admin = Browser::on(app.clone());
        let csrf = admin.login("admin", ADMIN_PW).await;
        assert!(admin
            .get("/menu")
            .await
            .body
            .contains(r#"<a href="/practice">練習</a>"#));

        // The host's page: the terminal's frame, and its forms in the same CSRF scheme.
        let page = admin.get("/practice").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("練習医療機関") && page.body.contains("ログアウト"));
        assert!(page.body.contains(r#"<a href="/menu">戻る</a>"#));
        let refused = admin.post("/practice", &[("answer", "x")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let answered = admin
            .post("/practice", &[("csrf", &csrf), ("answer", "<b>ok</b>")])
            .await;
        assert_eq!(answered.status, StatusCode::OK);
        assert!(answered.body.contains("回答: &lt;b&gt;ok&lt;/b&gt;"));
        // Security headers on the host's page too.
        let response = app
            .oneshot(Request::get("/practice").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY));
        // Without a session the host's page sends the browser to log in.
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        // A switch through this host reaches its readers.
        switch(&mut admin, &csrf, R1, "visual_check").await;
        let engine = host.0.lock().await;
        assert_eq!(
            engine.terminal.reader_mode(R1),
            Some(ReaderMode::VisualCheck)
        );
        assert_eq!(
            engine.forwarded,
            vec![TerminalEvent::ModeChanged {
                reader: R1.into(),
                mode: ReaderMode::VisualCheck,
                cause: ModeChangeCause::Operator {
                    user_id: "admin".into()
                },
            }]
        );
    }
}
