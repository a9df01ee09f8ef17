//! The terminal's pages. Each handler takes its session from [`StaffSession`] / [`StaffForm`],
//! calls the terminal once through the host, and hands any error to the one error mapping.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::cookie::CookieJar;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::cookies::{login_token, removal_cookie, secure_cookie, session_token};
use super::cookies::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use super::error::{respond, ErrorContext, WebError};
use super::extract::{StaffForm, StaffSession};
use super::host::TerminalHost;
use super::options::WebOptions;
use super::pages::{html_page, login_page, reader_page};
use crate::error::TerminalError;
use crate::html::{parse_mode_form_value, paths};
use crate::reader_control::VisualConfirmationForm;
use crate::screen::{LoginMessage, Screen};
use crate::secret::Password;
use crate::sessions::SessionInfo;
use crate::terminal::Terminal;

/// Query of `GET /login`.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct LoginQuery {
    expired: Option<String>,
    logged_out: Option<String>,
}

pub(crate) async fn login_get<H: TerminalHost>(
    State(host): State<H>,
    jar: CookieJar,
    Query(query): Query<LoginQuery>,
) -> Response {
    if let Some(id) = session_token(&jar) {
        let alive = host
            .with_terminal(move |terminal, now| terminal.session(&id, now).is_ok())
            .await;
        if matches!(alive, Ok(true)) {
            return Redirect::to(paths::MENU).into_response();
        }
    }
    let message = if query.expired.is_some() {
        Some(LoginMessage::SessionExpired)
    } else if query.logged_out.is_some() {
        Some(LoginMessage::LoggedOut)
    } else {
        None
    };
    login_page(&host, jar, StatusCode::OK, String::new(), message).await
}

/// Fields of the login form.
#[derive(Deserialize)]
pub(crate) struct LoginForm {
    csrf: Option<String>,
    user_id: Option<String>,
    password: Option<Password>,
}

/// The login form has no session yet: its CSRF check is the double-submit cookie's.
pub(crate) async fn login_post<H: TerminalHost>(
    State(host): State<H>,
    jar: CookieJar,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return respond(&host, ErrorContext::default(), WebError::UnreadableForm).await;
    };
    let user_id = form.user_id.unwrap_or_default();
    let csrf_ok = match (login_token(&jar), form.csrf.as_deref()) {
        (Some(expected), Some(sent)) => expected.matches(sent),
        _ => false,
    };
    let context = |jar| ErrorContext {
        session: None,
        typed_user_id: user_id.clone(),
        jar,
    };
    if !csrf_ok {
        return respond(&host, context(jar), WebError::LoginForbidden).await;
    }
    let password = form.password.unwrap_or_else(|| Password::new(""));
    let typed = user_id.clone();
    let result = host
        .with_terminal(move |terminal, now| terminal.login(&typed, &password, now))
        .await;
    match result {
        Ok(Ok(session)) => {
            let jar = jar
                .remove(removal_cookie(LOGIN_CSRF_COOKIE))
                .add(secure_cookie(
                    SESSION_COOKIE,
                    session.session_id.expose().to_owned(),
                ));
            (jar, Redirect::to(paths::MENU)).into_response()
        }
        Ok(Err(error)) => respond(&host, context(jar), error.into()).await,
        Err(error) => respond(&host, context(jar), error.into()).await,
    }
}

pub(crate) async fn menu<H: TerminalHost>(
    State(host): State<H>,
    Extension(options): Extension<Arc<WebOptions>>,
    StaffSession(session): StaffSession,
) -> Response {
    let csrf = session.csrf_token.clone();
    let id = session.session_id.clone();
    let screen = host
        .with_terminal(move |terminal, now| terminal.menu_screen(&id, now))
        .await;
    match flatten(screen) {
        Ok(mut screen) => {
            screen.extra_links = options.menu_links.clone();
            html_page(StatusCode::OK, &Screen::Menu(screen), &csrf)
        }
        Err(error) => respond(&host, ErrorContext::default(), error).await,
    }
}

pub(crate) async fn readers<H: TerminalHost>(
    State(host): State<H>,
    StaffSession(session): StaffSession,
) -> Response {
    reader_page(&host, session, StatusCode::OK, None).await
}

/// Fields of a mode button's form.
#[derive(Deserialize)]
pub(crate) struct ModeForm {
    reader: Option<String>,
    mode: Option<String>,
}

/// A mode button: opens 切替の確認 (nothing changes yet).
pub(crate) async fn mode<H: TerminalHost>(
    State(host): State<H>,
    StaffForm { session, form }: StaffForm<ModeForm>,
) -> Response {
    let Some(mode) = form.mode.as_deref().and_then(parse_mode_form_value) else {
        return fail(&host, session, WebError::NoModeSelected).await;
    };
    let reader = form.reader.unwrap_or_default();
    let id = session.session_id.clone();
    act(&host, session, move |terminal, now| {
        terminal
            .request_mode_change(&id, &reader, mode, now)
            .map(drop)
    })
    .await
}

/// No fields besides `csrf`.
#[derive(Deserialize)]
pub(crate) struct NoFields {}

/// OK on 切替の確認: the reader switches; 切替の完了 shows.
pub(crate) async fn mode_confirm<H: TerminalHost>(
    State(host): State<H>,
    StaffForm { session, .. }: StaffForm<NoFields>,
) -> Response {
    let id = session.session_id.clone();
    act(&host, session, move |terminal, now| {
        terminal.confirm_mode_change(&id, now).map(drop)
    })
    .await
}

/// キャンセル on 切替の確認.
pub(crate) async fn mode_cancel<H: TerminalHost>(
    State(host): State<H>,
    StaffForm { session, .. }: StaffForm<NoFields>,
) -> Response {
    let id = session.session_id.clone();
    act(&host, session, move |terminal, now| {
        terminal.cancel_mode_change(&id, now)
    })
    .await
}

/// OK on 切替の完了.
pub(crate) async fn mode_ok<H: TerminalHost>(
    State(host): State<H>,
    StaffForm { session, .. }: StaffForm<NoFields>,
) -> Response {
    let id = session.session_id.clone();
    act(&host, session, move |terminal, now| {
        terminal.acknowledge_mode_change(&id, now)
    })
    .await
}

/// Fields of the 目視確認時利用項目 form.
#[derive(Deserialize)]
pub(crate) struct VisualForm {
    reader: Option<String>,
    identity_confirmed: Option<String>,
    confirmation_date: Option<String>,
}

/// 目視で本人確認完了 ticked: the screen shows the box ticked.
pub(crate) async fn visual<H: TerminalHost>(
    State(host): State<H>,
    StaffForm { session, form }: StaffForm<VisualForm>,
) -> Response {
    let id = session.session_id.clone();
    let reader = form.reader.unwrap_or_default();
    let input = VisualConfirmationForm {
        identity_confirmed: form.identity_confirmed.as_deref() == Some("on"),
        confirmation_date: form.confirmation_date.unwrap_or_default(),
    };
    let result = host
        .with_terminal(move |terminal, now| terminal.confirm_visual(&id, &reader, &input, now))
        .await;
    match flatten(result) {
        Ok(_) => reader_page(&host, session, StatusCode::OK, None).await,
        Err(error) => fail(&host, session, error).await,
    }
}

pub(crate) async fn logout<H: TerminalHost>(
    State(host): State<H>,
    jar: CookieJar,
    StaffForm { session, .. }: StaffForm<NoFields>,
) -> Response {
    let id = session.session_id.clone();
    let result = host
        .with_terminal(move |terminal, now| terminal.logout(&id, now))
        .await;
    match flatten(result) {
        Ok(()) => (
            jar.remove(removal_cookie(SESSION_COOKIE)),
            Redirect::to("/login?logged_out=1"),
        )
            .into_response(),
        Err(error) => fail(&host, session, error).await,
    }
}

/// Runs one terminal action for a checked session; back to the reader screen (303) when done.
async fn act<H: TerminalHost>(
    host: &H,
    session: SessionInfo,
    action: impl FnOnce(&mut Terminal, NaiveDateTime) -> Result<(), TerminalError> + Send + 'static,
) -> Response {
    match flatten(host.with_terminal(action).await) {
        Ok(()) => Redirect::to(paths::READERS).into_response(),
        Err(error) => fail(host, session, error).await,
    }
}

async fn fail<H: TerminalHost>(host: &H, session: SessionInfo, error: WebError) -> Response {
    respond(
        host,
        ErrorContext {
            session: Some(session),
            ..ErrorContext::default()
        },
        error,
    )
    .await
}

fn flatten<T>(
    result: Result<Result<T, TerminalError>, super::host::HostError>,
) -> Result<T, WebError> {
    Ok(result??)
}
