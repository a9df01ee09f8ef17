//! Drives the web UI over HTTP (the router through `tower::ServiceExt::oneshot`, and once the real
//! server on a loopback listener): the general account cannot switch, admin can, a POST without
//! (or with a wrong) CSRF token gets 403, sessions expire, logins lock, and the audit file holds
//! no password.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use harness_reader::ReaderMode;
use harness_terminal::web::{router, serve_listener, ManualClock, WebState};
use harness_terminal::{
    read_audit_file, AuditAction, FileAudit, ModeChangeCause, Terminal, TerminalConfig,
    TerminalEvent,
};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const ADMIN_PW: &str = "Adm1n-パスワード-secret";
const STAFF_PW: &str = "St4ff-パスワード-secret";
const R0: &str = "Identiv CLOUD 3701 F Contactless Reader 0";

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
}

struct Setup {
    state: WebState,
    clock: Arc<ManualClock>,
    audit_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let terminal = Terminal::new(
        &TerminalConfig::demo(ADMIN_PW, STAFF_PW),
        StdRng::seed_from_u64(11),
    )
    .unwrap();
    let clock = Arc::new(ManualClock::new(start()));
    let state = WebState::new(
        terminal,
        Box::new(FileAudit::open(&audit_path).unwrap()),
        clock.clone(),
        StdRng::seed_from_u64(12),
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
    fn new(state: &WebState) -> Self {
        Self {
            app: router(state.clone()),
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

fn mode(state: &WebState) -> ReaderMode {
    state
        .with_terminal(|t, _| t.reader_mode(R0))
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

    // Admin with the token: switched, and the event goes out for the reader.
    let switched = admin
        .post(
            "/readers/mode",
            &[
                ("csrf", &admin_csrf),
                ("reader", R0),
                ("mode", "visual_check"),
            ],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location.as_deref(), Some("/readers"));
    assert_eq!(mode(&s.state), ReaderMode::VisualCheck);
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
        .with_terminal(|t, now| t.visual_confirmation_for(R0, now))
        .unwrap()
        .is_none());
    let fields = form(&staff_csrf);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let ticked = staff.post("/readers/visual", &fields).await;
    assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.body);
    assert!(ticked.body.contains("checked"));
    let confirmation = s
        .state
        .with_terminal(|t, now| t.visual_confirmation_for(R0, now))
        .unwrap()
        .unwrap();
    assert_eq!(confirmation.account, "staff");

    // The warning shows now.
    let page = admin.get("/readers").await;
    assert!(page.body.contains("目視確認モードのままです"));

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
    let response = router(s.state.clone())
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
    let server = tokio::spawn(serve_listener(listener, s.state.clone(), async {
        let _ = stopped.await;
    }));
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
