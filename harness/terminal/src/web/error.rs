//! The web UI's one error type, [`WebError`], and its one mapping to the wire: the HTTP status
//! ([`WebError::status`]) and what the browser gets ([`respond`]). Handlers and extractors only
//! produce `WebError`s; nothing else decides a status.

use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;

use super::host::{HostError, TerminalHost};
use super::pages::{host_failed, login_page, plain, reader_page, to_login};
use crate::error::TerminalError;
use crate::screen::{LoginMessage, Notice};
use crate::sessions::SessionInfo;

/// Everything that can go wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A POST whose body is not a readable form (wrong content type, bad encoding): it cannot
    /// carry a valid CSRF token.
    #[error("the body is not a readable form")]
    UnreadableForm,
    /// The login form came without the token of its double-submit cookie.
    #[error("login form without a valid CSRF token")]
    LoginForbidden,
    /// A mode button's form without a mode.
    #[error("no mode selected")]
    NoModeSelected,
    /// The terminal refused or failed (session, CSRF, account kind, input, login).
    #[error(transparent)]
    Terminal(#[from] TerminalError),
    /// The host failed around the terminal call.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// What the browser gets for an error.
enum Reply {
    /// Back to the login page.
    ToLogin { expired: bool },
    /// The login page again, with a message.
    LoginPage(LoginMessage),
    /// 顔認証付きカードリーダー操作 again, with a message.
    ReaderScreen(Notice),
    /// Plain text.
    Plain(&'static str),
}

impl WebError {
    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnreadableForm | Self::LoginForbidden => StatusCode::FORBIDDEN,
            Self::NoModeSelected => StatusCode::BAD_REQUEST,
            Self::Host(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Terminal(e) => match e {
                TerminalError::InvalidCredentials => StatusCode::UNAUTHORIZED,
                TerminalError::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
                TerminalError::UnknownSession | TerminalError::SessionExpired => {
                    StatusCode::SEE_OTHER
                }
                TerminalError::CsrfMismatch | TerminalError::NotAdmin { .. } => {
                    StatusCode::FORBIDDEN
                }
                TerminalError::UnknownReader(_) => StatusCode::NOT_FOUND,
                TerminalError::NoModeChangePending => StatusCode::CONFLICT,
                TerminalError::NotInVisualMode { .. }
                | TerminalError::NotTicked
                | TerminalError::ConfirmationDateMissing
                | TerminalError::ConfirmationDateInvalid(_)
                | TerminalError::ConfirmationDateInFuture(_) => StatusCode::UNPROCESSABLE_ENTITY,
                TerminalError::Hash(_) | TerminalError::Config(_) => {
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            },
        }
    }

    fn reply(&self) -> Reply {
        match self {
            Self::UnreadableForm => {
                Reply::Plain("不正な要求のため処理できません。画面を再読み込みしてください。")
            }
            Self::LoginForbidden => Reply::LoginPage(LoginMessage::Forbidden),
            Self::NoModeSelected => {
                Reply::ReaderScreen(Notice::Error("モードを選択してください。".to_owned()))
            }
            Self::Host(_) => Reply::Plain("システムエラーが発生しました。"),
            Self::Terminal(e) => match e {
                TerminalError::InvalidCredentials => {
                    Reply::LoginPage(LoginMessage::InvalidCredentials)
                }
                TerminalError::Locked { until } => {
                    Reply::LoginPage(LoginMessage::Locked { until: *until })
                }
                TerminalError::UnknownSession => Reply::ToLogin { expired: false },
                TerminalError::SessionExpired => Reply::ToLogin { expired: true },
                TerminalError::CsrfMismatch | TerminalError::NotAdmin { .. } => {
                    Reply::ReaderScreen(Notice::Refused(e.screen_message()))
                }
                TerminalError::UnknownReader(_)
                | TerminalError::NoModeChangePending
                | TerminalError::NotInVisualMode { .. }
                | TerminalError::NotTicked
                | TerminalError::ConfirmationDateMissing
                | TerminalError::ConfirmationDateInvalid(_)
                | TerminalError::ConfirmationDateInFuture(_) => {
                    Reply::ReaderScreen(Notice::Error(e.screen_message()))
                }
                TerminalError::Hash(_) | TerminalError::Config(_) => {
                    Reply::Plain("システムエラーが発生しました。")
                }
            },
        }
    }
}

/// What the error page may show besides the error.
#[derive(Debug, Default)]
pub(crate) struct ErrorContext {
    /// The checked session, when there is one (the reader screen is shown again for it).
    pub session: Option<SessionInfo>,
    /// The user id typed on the login form (kept in the form).
    pub typed_user_id: String,
    /// The request's cookies (the login page sets a fresh token).
    pub jar: CookieJar,
}

/// The response for an error: the one place an error meets the wire.
pub(crate) async fn respond<H: TerminalHost>(
    host: &H,
    context: ErrorContext,
    error: WebError,
) -> Response {
    if let WebError::Host(host_error) = &error {
        return host_failed(host_error);
    }
    let status = error.status();
    match error.reply() {
        Reply::ToLogin { expired } => to_login(expired),
        Reply::LoginPage(message) => {
            login_page(
                host,
                context.jar,
                status,
                context.typed_user_id,
                Some(message),
            )
            .await
        }
        Reply::ReaderScreen(notice) => match context.session {
            Some(session) => reader_page(host, session, status, Some(notice)).await,
            None => to_login(false),
        },
        Reply::Plain(text) => {
            if status.is_server_error() {
                tracing::error!(%error, "terminal error");
            } else {
                tracing::debug!(%error, "request refused");
            }
            plain(status, text)
        }
    }
}
