//! The same pages served by a host like the live clinic's engine (terminal and readers behind
//! a tokio mutex, events forwarded to the readers), plus a page of its own in the same frame
//! and session/CSRF scheme.

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDateTime;
use harness_reader::ReaderMode;
use harness_terminal::html::{csrf_field, render_frame, Frame};
use harness_terminal::screen::MenuLink;
use harness_terminal::web::{
    router_with, HostError, StaffForm, StaffSession, TerminalHost, WebOptions,
};
use harness_terminal::{ModeChangeCause, Terminal, TerminalConfig, TerminalEvent};
use maud::html;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Deserialize;
use tower::ServiceExt;

use crate::common::R1;
use crate::{start, switch, Browser, ADMIN_PW, STAFF_PW};

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
