//! The terminal's web UI (`harness_terminal::web::router` over the standalone host) in-process,
//! hit by fuzzed HTTP requests: any route (or a fuzzed path), GET or POST, a form body of
//! arbitrary bytes (with the real CSRF token appended or not), any content type, and a cookie
//! that is missing, the live admin session, a fuzzed value, or a raw fuzzed Cookie header. Form
//! parsing in the web layer is the `StaffForm` extractor (and axum's `Form` on the login form) on
//! private structs, so this is how its handling is reached.
//!
//! Checked: no panic; no 5xx; every response carries the security headers; a reader's mode never
//! changes unless the request body carried the session's CSRF token; no password shows in a
//! response.
#![no_main]

use std::sync::{Arc, OnceLock};

use arbitrary::{Arbitrary, Unstructured};
use axum::body::Body;
use axum::http::{header, Request};
use chrono::NaiveDate;
use harness_terminal::web::{router, ManualClock, StandaloneHost, WebOptions, SESSION_COOKIE};
use harness_terminal::{HashCost, MemoryAudit, Password, Terminal, TerminalConfig};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use tower::ServiceExt;

const ADMIN_PASSWORD: &str = "Adm1n-Web-pw-4Rz";
const STAFF_PASSWORD: &str = "St4ff-Web-pw-8Lm";
const ROUTES: [&str; 10] = [
    "/",
    "/login",
    "/menu",
    "/readers",
    "/readers/mode",
    "/readers/mode/confirm",
    "/readers/mode/cancel",
    "/readers/mode/ok",
    "/readers/visual",
    "/logout",
];

#[derive(Debug, Arbitrary)]
enum CookieChoice {
    None,
    AdminSession,
    /// `oqs_session=<fuzzed>`.
    Session(String),
    /// A whole fuzzed Cookie header.
    Raw(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct FuzzRequest {
    post: bool,
    route: u8,
    fuzzed_path: Option<String>,
    cookie: CookieChoice,
    form_content_type: bool,
    /// Start the body with a well-formed `reader=…&mode=…` (or the visual form's fields).
    valid_fields: Option<(u8, u8, bool)>,
    body: Vec<u8>,
    append_csrf: bool,
    advance_minutes: u8,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

async fn run(requests: Vec<FuzzRequest>) {
    let start = NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid time");
    let mut config = TerminalConfig::demo(ADMIN_PASSWORD, STAFF_PASSWORD);
    config.policy.password_hash_cost = HashCost::Minimal;
    let terminal = Terminal::new(&config, rand::rngs::StdRng::seed_from_u64(7)).expect("terminal");
    let clock = Arc::new(ManualClock::new(start));
    let state = StandaloneHost::new(terminal, Box::new(MemoryAudit::default()), clock.clone());
    let admin = state
        .with_terminal_blocking(|terminal, now| {
            terminal.login("admin", &Password::new(ADMIN_PASSWORD), now)
        })
        .expect("audit")
        .expect("admin login");
    let csrf = admin.csrf_token.expose().to_owned();
    let app = router(state.clone(), WebOptions::default());
    for request in requests.into_iter().take(16) {
        clock.advance(chrono::TimeDelta::minutes(i64::from(
            request.advance_minutes % 40,
        )));
        let path = match &request.fuzzed_path {
            Some(path) => path.clone(),
            None => ROUTES[usize::from(request.route) % ROUTES.len()].to_owned(),
        };
        let mut body = Vec::new();
        if let Some((reader, mode, visual)) = request.valid_fields {
            let reader = format!("Identiv+CLOUD+3701+F+Contactless+Reader+{}", reader % 2);
            let fields = if visual {
                format!(
                    "reader={reader}&identity_confirmed=on&confirmation_date=2026%2F11%2F2{}&",
                    mode % 10
                )
            } else {
                let mode = ["unattended", "pin_only", "visual_check"][usize::from(mode % 3)];
                format!("reader={reader}&mode={mode}&")
            };
            body.extend(fields.into_bytes());
        }
        body.extend(&request.body);
        if request.append_csrf {
            body.extend(format!("&csrf={csrf}").into_bytes());
        }
        let carried_csrf = body.windows(csrf.len()).any(|w| w == csrf.as_bytes());
        let mut builder = Request::builder()
            .method(if request.post { "POST" } else { "GET" })
            .uri(path);
        if request.form_content_type {
            builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        builder = match &request.cookie {
            CookieChoice::None => builder,
            CookieChoice::AdminSession => builder.header(
                header::COOKIE,
                format!("{SESSION_COOKIE}={}", admin.session_id.expose()),
            ),
            CookieChoice::Session(value) => {
                builder.header(header::COOKIE, format!("{SESSION_COOKIE}={value}"))
            }
            CookieChoice::Raw(bytes) => builder.header(header::COOKIE, bytes.as_slice()),
        };
        // A URI or header the http crate refuses never reaches the server.
        let Ok(http_request) = builder.body(Body::from(body)) else {
            continue;
        };
        let modes_before = state
            .with_terminal_blocking(|terminal, _| terminal.readers())
            .expect("audit");
        let response = app.clone().oneshot(http_request).await.expect("infallible");
        let status = response.status();
        assert!(!status.is_server_error(), "{status} for {request:?}");
        assert!(
            response
                .headers()
                .contains_key(header::CONTENT_SECURITY_POLICY)
                && response.headers().contains_key(header::X_FRAME_OPTIONS),
            "no security headers for {request:?}"
        );
        let headers = format!("{:?}", response.headers());
        let bytes = response
            .into_body()
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for password in [ADMIN_PASSWORD, STAFF_PASSWORD] {
            assert!(
                !text.contains(password) && !headers.contains(password),
                "a password in a response"
            );
        }
        let modes_after = state
            .with_terminal_blocking(|terminal, _| terminal.readers())
            .expect("audit");
        if modes_after != modes_before {
            // Only a mode form with the token — or the terminal's own auto-return, which the
            // demo policy (manual) never does.
            assert!(
                carried_csrf,
                "mode changed without the CSRF token: {request:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut unstructured = Unstructured::new(data);
    if let Ok(requests) = Vec::<FuzzRequest>::arbitrary(&mut unstructured) {
        runtime().block_on(run(requests));
    }
});
