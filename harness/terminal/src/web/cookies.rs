//! The web UI's cookies: the session id, and the login form's double-submit CSRF token. Both are
//! HttpOnly and SameSite=Strict.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::secret::Token;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "oqs_session";
/// Name of the login form's double-submit CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "oqs_login_csrf";

/// A cookie the page's scripts cannot read and other sites cannot send.
pub(crate) fn secure_cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

/// The cookie to remove `name`.
pub(crate) fn removal_cookie(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, "")).path("/").build()
}

/// The session id the browser sent, if well-formed.
pub(crate) fn session_token(jar: &CookieJar) -> Option<Token> {
    jar.get(SESSION_COOKIE)
        .and_then(|c| Token::parse(c.value()))
}

/// The login form's token the browser sent, if well-formed.
pub(crate) fn login_token(jar: &CookieJar) -> Option<Token> {
    jar.get(LOGIN_CSRF_COOKIE)
        .and_then(|c| Token::parse(c.value()))
}
