//! The extractors every page uses: [`StaffSession`] for a GET (the live session behind the
//! cookie) and [`StaffForm`] for every POST (form → session → CSRF, in that order). A host's own
//! pages use them too, so they live in the same session and CSRF scheme. A refused request gets
//! its response from the one error mapping ([`super::error::respond`]).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::cookies::session_token;
use super::error::{respond, ErrorContext, WebError};
use super::host::TerminalHost;
use crate::error::TerminalError;
use crate::sessions::SessionInfo;

/// The logged-in staff session behind the request's cookie (its idle timer restarts). Without
/// one the browser is sent to the login page.
#[derive(Debug, Clone)]
pub struct StaffSession(pub SessionInfo);

impl<H: TerminalHost> FromRequestParts<H> for StaffSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, host: &H) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(id) = session_token(&jar) else {
            return Err(refuse(host, None, TerminalError::UnknownSession.into()).await);
        };
        match host
            .with_terminal(move |terminal, now| terminal.session(&id, now))
            .await
        {
            Ok(Ok(session)) => Ok(Self(session)),
            Ok(Err(error)) => Err(refuse(host, None, error.into()).await),
            Err(error) => Err(refuse(host, None, error.into()).await),
        }
    }
}

/// A POSTed form of type `T` from a logged-in staff member whose CSRF token (field `csrf`)
/// matched the session's. `T` reads the other fields (unknown ones are ignored).
#[derive(Debug, Clone)]
pub struct StaffForm<T> {
    /// The checked session.
    pub session: SessionInfo,
    /// The form's fields.
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    csrf: Option<String>,
}

impl<H: TerminalHost, T: DeserializeOwned + Send> FromRequest<H> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, host: &H) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(request.headers());
        let Some((csrf, form)) = read_form::<T>(request, host).await else {
            return Err(refuse(host, None, WebError::UnreadableForm).await);
        };
        let Some(id) = session_token(&jar) else {
            return Err(refuse(host, None, TerminalError::UnknownSession.into()).await);
        };
        let checked = host
            .with_terminal(move |terminal, now| {
                match terminal.check_csrf(&id, csrf.as_deref(), now) {
                    Ok(session) => Ok(session),
                    // Alive but the token is wrong: the screen is shown again with the refusal.
                    Err(TerminalError::CsrfMismatch) => {
                        Err((TerminalError::CsrfMismatch, terminal.session(&id, now).ok()))
                    }
                    Err(error) => Err((error, None)),
                }
            })
            .await;
        match checked {
            Ok(Ok(session)) => Ok(Self { session, form }),
            Ok(Err((error, session))) => Err(refuse(host, session, error.into()).await),
            Err(error) => Err(refuse(host, None, error.into()).await),
        }
    }
}

/// The `csrf` field and `T`, or `None` when the body is not an urlencoded form.
async fn read_form<T: DeserializeOwned>(
    request: Request,
    host: &impl TerminalHost,
) -> Option<(Option<String>, T)> {
    if !is_form(request.headers()) {
        return None;
    }
    let body = Bytes::from_request(request, host).await.ok()?;
    let CsrfField { csrf } = serde_urlencoded::from_bytes(&body).ok()?;
    let form = serde_urlencoded::from_bytes(&body).ok()?;
    Some((csrf, form))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

async fn refuse<H: TerminalHost>(
    host: &H,
    session: Option<SessionInfo>,
    error: WebError,
) -> Response {
    respond(
        host,
        ErrorContext {
            session,
            ..ErrorContext::default()
        },
        error,
    )
    .await
}
