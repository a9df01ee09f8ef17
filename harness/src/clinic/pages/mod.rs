//! The clinic's own pages beside the terminal's: the patient side of each reader
//! ([`patient`]) and the drills ([`practice`]). Same login and CSRF as the terminal (the
//! terminal's [`StaffSession`] / [`StaffForm`] extractors), the terminal's page frame, Japanese
//! text. Pages reload themselves when what they show changes: a small script polls a JSON
//! `…/state` endpoint (no framework).

mod patient;
mod practice;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use harness_terminal::html::{render_frame, Frame};
use harness_terminal::sessions::SessionInfo;
use maud::{html, Markup, PreEscaped};

use super::error::ClinicError;
use super::host::ClinicHost;

pub use harness_terminal::web::{StaffForm, StaffSession};

/// Path of the polling script.
pub const SCRIPT_PATH: &str = "/clinic.js";

/// The pages' routes.
pub fn routes() -> Router<ClinicHost> {
    Router::new()
        .route("/patient/{n}", get(patient::page))
        .route("/patient/{n}/state", get(patient::state))
        .route("/patient/{n}/camera.png", get(patient::camera_png))
        .route("/patient/{n}/card-photo.png", get(patient::card_photo_png))
        .route("/patient/{n}/touch", post(patient::touch))
        .route("/patient/{n}/card", post(patient::place_card))
        .route("/patient/{n}/card/remove", post(patient::remove_card))
        .route("/patient/{n}/visitor", post(patient::visitor))
        .route("/patient/{n}/camera", post(patient::camera))
        .route("/drills", get(practice::page))
        .route("/drills/state", get(practice::state))
        .route("/drills/start", post(practice::start))
        .route("/drills/finish", post(practice::finish))
        .route("/drills/abort", post(practice::abort))
        .route(SCRIPT_PATH, get(script))
}

/// Reloads the page when the state endpoint named by `#clinic-live` reports another revision.
const SCRIPT: &str = r#"(function () {
  var live = document.getElementById('clinic-live');
  if (!live) { return; }
  var url = live.getAttribute('data-state');
  var revision = live.getAttribute('data-revision');
  function poll() {
    fetch(url, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s && s.revision !== revision) { window.location.reload(); } })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 1000);
})();
"#;

async fn script() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        SCRIPT,
    )
        .into_response()
}

const STYLE: &str = "\
.clinic section{border:1px solid #bbb;padding:.6em;margin:.6em 0}\
.clinic .screen{background:#123;color:#fff;padding:.8em;max-width:34em}\
.clinic .screen pre{white-space:pre-wrap;font-size:1.1em;margin:0 0 .6em}\
.clinic .screen form{display:inline}\
.clinic .screen button{margin:.2em;padding:.5em 1em;font-size:1em}\
.clinic table{border-collapse:collapse}.clinic td,.clinic th{border:1px solid #ccc;padding:.2em .5em}\
.clinic td form{display:inline}\
.clinic .drill{border:2px solid #06c;background:#eef6ff;padding:.5em}\
.clinic .passed{border:2px solid #080;background:#efe;padding:.5em}\
.clinic .failed{border:2px solid #c00;background:#fee;padding:.5em}\
.clinic img{border:1px solid #888;background:#eee}";

/// A clinic page in the terminal's frame, with the polling hook.
fn frame(
    session: &SessionInfo,
    title: &str,
    facility_name: &str,
    live: (&str, &str),
    content: Markup,
) -> String {
    let (state_url, revision) = live;
    render_frame(
        &Frame {
            title,
            facility_name,
            account_kind: session.account_kind,
        },
        session.csrf_token.expose(),
        html! {
            style { (PreEscaped(STYLE)) }
            div.clinic #clinic-live data-state=(state_url) data-revision=(revision) {
                (content)
            }
            script src=(SCRIPT_PATH) defer {}
        },
    )
}

/// A page with a status (an action's error re-renders the page with its status).
fn page_response(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// The error line on a page.
fn error_notice(error: Option<&ClinicError>) -> Markup {
    html! {
        @if let Some(error) = error {
            p.notice role="alert" { (error.to_string()) }
        }
    }
}

/// Links between the clinic's pages and the terminal.
fn nav(host: &ClinicHost) -> Markup {
    html! {
        p.nav {
            "患者側: "
            @for (i, name) in host.reader_names().iter().enumerate() {
                a href=(format!("/patient/{i}")) title=(name) { "カードリーダー " (i) } " "
            }
            "｜ " a href="/readers" { "顔認証付きカードリーダー操作" }
            " ｜ " a href="/drills" { "練習" }
        }
    }
}
