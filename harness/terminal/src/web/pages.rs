//! Building the responses of the web UI: HTML pages of the screens, the login page with its
//! double-submit token, redirects and plain-text system errors.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

use super::cookies::{secure_cookie, LOGIN_CSRF_COOKIE};
use super::host::{HostError, TerminalHost};
use crate::html::{paths, render_html};
use crate::screen::{LoginMessage, LoginScreen, Notice, Screen};
use crate::secret::Token;
use crate::sessions::SessionInfo;

/// A screen as a whole page.
pub(crate) fn html_page(status: StatusCode, screen: &Screen, csrf: &Token) -> Response {
    (status, Html(render_html(screen, csrf.expose()))).into_response()
}

/// Plain text (system errors, forms that cannot be read).
pub(crate) fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// To the login page (303), saying why when the session expired.
pub(crate) fn to_login(expired: bool) -> Response {
    Redirect::to(if expired {
        "/login?expired=1"
    } else {
        paths::LOGIN
    })
    .into_response()
}

/// 500 for a host that failed; the cause goes to the log, not to the page.
pub(crate) fn host_failed(error: &HostError) -> Response {
    tracing::error!(%error, "terminal host failed");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        match error {
            HostError::Audit(_) => "監査ログに書き込めません。",
            HostError::Engine(_) => "システムエラーが発生しました。",
        },
    )
}

/// The login page with a fresh double-submit token (in the form and in a cookie).
pub(crate) async fn login_page<H: TerminalHost>(
    host: &H,
    jar: CookieJar,
    status: StatusCode,
    user_id: String,
    message: Option<LoginMessage>,
) -> Response {
    let fresh = host
        .with_terminal(|terminal, _| {
            (
                terminal.issue_login_csrf(),
                terminal.facility_name().to_owned(),
            )
        })
        .await;
    let (token, facility_name) = match fresh {
        Ok(fresh) => fresh,
        Err(error) => return host_failed(&error),
    };
    let jar = jar.add(secure_cookie(LOGIN_CSRF_COOKIE, token.expose().to_owned()));
    let screen = Screen::Login(LoginScreen {
        facility_name,
        user_id,
        message,
    });
    (jar, html_page(status, &screen, &token)).into_response()
}

/// 顔認証付きカードリーダー操作 for a checked session, with a notice.
pub(crate) async fn reader_page<H: TerminalHost>(
    host: &H,
    session: SessionInfo,
    status: StatusCode,
    notice: Option<Notice>,
) -> Response {
    let csrf = session.csrf_token.clone();
    let screen = host
        .with_terminal(move |terminal, now| terminal.reader_screen_for(&session, now))
        .await;
    match screen {
        Ok(mut screen) => {
            screen.notice = notice;
            html_page(status, &Screen::Readers(screen), &csrf)
        }
        Err(error) => host_failed(&error),
    }
}
