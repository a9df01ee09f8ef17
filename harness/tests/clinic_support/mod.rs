//! Shared by the clinic's tests: a clinic on in-process cards, an HTTP client over the router
//! (`tower::ServiceExt::oneshot`) that keeps cookies, and the staff's steps through the
//! terminal's own routes (login, mode button + 切替の確認 + 切替の完了, the tick).

#![allow(dead_code)]

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use harness::clinic::{ApiToken, CardSource, Clinic, ClinicSetup, DEFAULT_READERS};
use harness::config::workspace_root;
use harness::facility::{Accounts, CardSlot};
use harness_terminal::account::HashCost;
use harness_terminal::config::TerminalPolicy;
use harness_terminal::secret::Password;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const ADMIN_PW: &str = "Clinic-Admin-2026";
pub const STAFF_PW: &str = "Clinic-Staff-2026";
pub const TOKEN: &str = "clinic-test-token-0123456789";
pub const R0: &str = DEFAULT_READERS[0];
pub const R1: &str = DEFAULT_READERS[1];

/// A clinic with `readers` readers on in-process cards (or the given slots), results in a
/// temporary folder.
pub struct TestClinic {
    pub clinic: Clinic,
    pub app: Router,
    pub dir: tempfile::TempDir,
}

pub fn reader_names(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| match DEFAULT_READERS.get(i) {
            Some(name) => (*name).to_owned(),
            None => format!("Identiv CLOUD 3701 F Contactless Reader {i}"),
        })
        .collect()
}

pub fn clinic(readers: usize) -> TestClinic {
    clinic_with(readers, CardSource::InProcess)
}

pub fn clinic_with_slots(slots: Vec<Box<dyn CardSlot>>) -> TestClinic {
    let count = slots.len();
    clinic_with(count, CardSource::Slots(slots))
}

fn clinic_with(readers: usize, cards: CardSource) -> TestClinic {
    let (clinic, dir) = build(readers, cards);
    let app = harness::clinic::router(clinic.host.clone());
    TestClinic { clinic, app, dir }
}

/// A clinic and the folder of its results and audit log.
pub fn build(readers: usize, cards: CardSource) -> (Clinic, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clinic = Clinic::build(ClinicSetup {
        fixtures: workspace_root().join("fixtures"),
        readers: reader_names(readers),
        accounts: Accounts {
            admin: Password::new(ADMIN_PW),
            general: Password::new(STAFF_PW),
        },
        policy: TerminalPolicy {
            password_hash_cost: HashCost::Minimal,
            ..TerminalPolicy::default()
        },
        results: dir.path().join("oqs"),
        audit: Some(dir.path().join("audit.jsonl")),
        cards,
        token: ApiToken::new(TOKEN).unwrap(),
    })
    .unwrap();
    (clinic, dir)
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The first form's CSRF token on the page.
    pub fn csrf(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start = self.body.find(marker).expect("form with csrf") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }
}

/// A client that keeps cookies (a browser tab) and may carry the bearer token.
pub struct Client {
    app: Router,
    cookies: BTreeMap<String, String>,
    token: Option<String>,
}

impl Client {
    pub fn api(app: &Router) -> Self {
        Self {
            app: app.clone(),
            cookies: BTreeMap::new(),
            token: Some(TOKEN.to_owned()),
        }
    }

    pub fn anonymous(app: &Router) -> Self {
        Self {
            app: app.clone(),
            cookies: BTreeMap::new(),
            token: None,
        }
    }

    pub fn with_token(app: &Router, token: &str) -> Self {
        Self {
            app: app.clone(),
            cookies: BTreeMap::new(),
            token: Some(token.to_owned()),
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: &str,
        body: String,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(token) = &self.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if !content_type.is_empty() {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        for set in response.headers().get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
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
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, "", String::new()).await
    }

    pub async fn post_json(&mut self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, "application/json", body.to_string())
            .await
    }

    pub async fn delete(&mut self, path: &str) -> Reply {
        self.send(Method::DELETE, path, "", String::new()).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Method::POST,
            path,
            "application/x-www-form-urlencoded",
            body,
        )
        .await
    }

    // ---- the staff at the terminal, through the terminal's routes ------------------------

    pub async fn login(&mut self, user: &str, password: &str) -> Reply {
        let page = self.get("/login").await;
        let csrf = page.csrf();
        self.post_form(
            "/login",
            &[("csrf", &csrf), ("user_id", user), ("password", password)],
        )
        .await
    }

    /// A mode button, then OK on 切替の確認 and OK on 切替の完了.
    pub async fn switch_mode(&mut self, reader: &str, mode: &str) -> Reply {
        let csrf = self.get("/readers").await.csrf();
        let pressed = self
            .post_form(
                "/readers/mode",
                &[("csrf", &csrf), ("reader", reader), ("mode", mode)],
            )
            .await;
        if pressed.status != StatusCode::OK && pressed.status != StatusCode::SEE_OTHER {
            return pressed;
        }
        let confirmed = self
            .post_form("/readers/mode/confirm", &[("csrf", &csrf)])
            .await;
        if confirmed.status.is_client_error() {
            return confirmed;
        }
        self.post_form("/readers/mode/ok", &[("csrf", &csrf)]).await
    }

    /// ⑤ 目視で本人確認完了 with 資格確認日.
    pub async fn tick(&mut self, reader: &str, date: &str) -> Reply {
        let csrf = self.get("/readers").await.csrf();
        self.post_form(
            "/readers/visual",
            &[
                ("csrf", &csrf),
                ("reader", reader),
                ("identity_confirmed", "on"),
                ("confirmation_date", date),
            ],
        )
        .await
    }

    // ---- the patient, through the API --------------------------------------------------

    pub async fn reader(&mut self, n: usize) -> Value {
        let reply = self.get(&format!("/api/readers/{n}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    pub async fn buttons(&mut self, n: usize) -> Vec<String> {
        self.reader(n).await["screen"]["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn touch(&mut self, n: usize, label: &str) -> Reply {
        self.post_json(
            &format!("/api/readers/{n}/touch"),
            serde_json::json!({ "label": label }),
        )
        .await
    }

    pub async fn place(&mut self, n: usize, person: &str) -> Reply {
        self.post_json(
            &format!("/api/readers/{n}/card"),
            serde_json::json!({ "person": person }),
        )
        .await
    }

    /// Agrees to everything: 全て同意する where the screen offers it, otherwise 同意する on each
    /// item's screen. The result files written.
    pub async fn agree_to_all(&mut self, n: usize) -> Vec<String> {
        let mut results = Vec::new();
        let mut touched = 0;
        loop {
            let buttons = self.buttons(n).await;
            let Some(agree) = consent_button(&buttons) else {
                break;
            };
            let reply = self.touch(n, &agree).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            results.extend(
                reply.json()["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned()),
            );
            touched += 1;
            assert!(touched <= 10, "consent screens do not end");
        }
        assert!(touched > 0, "no consent screen: {}", self.reader(n).await);
        results
    }
}

/// The button that agrees on a consent screen: 全て同意する, or an item's 同意する.
pub fn consent_button(buttons: &[String]) -> Option<String> {
    buttons
        .iter()
        .find(|b| b.as_str() == "全て同意する")
        .or_else(|| {
            buttons
                .iter()
                .find(|b| b.ends_with("同意する") && !b.ends_with("同意しない"))
        })
        .cloned()
}

/// Today in the clinic's time zone (JST), as the terminal's form writes it.
pub fn today_jst() -> String {
    (chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(9))
        .format("%Y/%m/%d")
        .to_string()
}

/// Says why a test did not run, past the test harness's output capture (a skipped test must not
/// pass silently).
pub fn say_skipped(reason: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{reason}");
}
