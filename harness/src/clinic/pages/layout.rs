//! What every clinic page shares (画面の枠): the terminal's frame with the clinic's style and the
//! polling hook, the script that reloads a page when its state changes, the error line, the
//! links between pages, and the empty CSRF-only form.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use harness_terminal::html::{render_frame, Frame};
use harness_terminal::sessions::SessionInfo;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::clinic::error::ClinicError;
use crate::clinic::host::ClinicHost;

/// Path of the polling script.
pub const SCRIPT_PATH: &str = "/clinic.js";

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

pub(super) async fn script() -> Response {
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
pub(super) fn frame(
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
pub(super) fn page_response(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// The error line on a page.
pub(super) fn error_notice(error: Option<&ClinicError>) -> Markup {
    html! {
        @if let Some(error) = error {
            p.notice role="alert" { (error.to_string()) }
        }
    }
}

/// Links between the clinic's pages and the terminal.
pub(super) fn nav(host: &ClinicHost) -> Markup {
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

/// A form with no field but the CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct NoFields {}
