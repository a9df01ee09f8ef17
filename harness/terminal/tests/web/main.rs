//! Drives the web UI over HTTP (the router through `tower::ServiceExt::oneshot`, and once the real
//! server on a loopback listener): the general account cannot switch, admin can (through
//! 切替の確認 → 切替の完了), a POST without (or with a wrong) CSRF token gets 403 on every route,
//! the tick is valid for its reader and lifetime only, sessions expire, logins lock, the audit file
//! holds no password, and another host (as the live clinic's engine) serves the same pages plus
//! its own in the same session/CSRF scheme. One module per subject; the browser and the setup
//! they share are below, the readers in ../common.

#[path = "../common/mod.rs"]
mod common;

mod another_host;
mod readers;
mod refusals;
mod sessions;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{NaiveDate, NaiveDateTime};
use harness_reader::ReaderMode;
use harness_terminal::web::{router, ManualClock, StandaloneHost, WebOptions};
use harness_terminal::{FileAudit, Terminal, TerminalConfig, TerminalPolicy};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::SeedableRng;
use tower::ServiceExt;

use common::R0;

const ADMIN_PW: &str = "Adm1n-パスワード-secret";
const STAFF_PW: &str = "St4ff-パスワード-secret";

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
