//! The terminal's web UI (edge): the axum router over any [`TerminalHost`], cookie sessions,
//! CSRF checks, and serving the standalone terminal (periodic tick, audit appends, events).
//!
//! Routes: `GET /` → `/menu`; `GET|POST /login`; `GET /menu`; `GET /readers` (再読み込み);
//! `POST /readers/mode` (a mode button: opens 切替の確認), `POST /readers/mode/confirm` (OK),
//! `POST /readers/mode/cancel` (キャンセル), `POST /readers/mode/ok` (OK on 切替の完了);
//! `POST /readers/visual` (目視で本人確認完了); `POST /logout`.
//! Cookies are HttpOnly and SameSite=Strict; the session id is 32 random bytes. Every form
//! carries a CSRF token (`csrf`): the session's token after login ([`StaffForm`]), a
//! double-submit cookie token on the login form. A POST without a valid token gets 403. Every
//! error reaches the browser through one mapping ([`WebError::status`]).

mod cookies;
mod error;
mod extract;
mod handlers;
mod host;
mod options;
mod pages;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;

pub use cookies::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};
pub use error::WebError;
pub use extract::{StaffForm, StaffSession};
pub use host::{Clock, HostError, ManualClock, StandaloneHost, SystemClock, TerminalHost};
pub use options::WebOptions;

use crate::audit::{AuditError, FileAudit};
use crate::config::TerminalConfig;
use crate::error::TerminalError;
use crate::html::paths;
use crate::terminal::Terminal;

/// What `harness terminal` needs to serve the terminal.
#[derive(Debug, Clone, Deserialize)]
pub struct WebConfig {
    /// Facility, readers, accounts (with passwords, redacted in Debug), policy.
    pub terminal: TerminalConfig,
    /// The append-only JSON-lines audit file.
    pub audit_path: PathBuf,
    /// Listening address; 127.0.0.1:8080 by default.
    #[serde(default = "default_addr")]
    pub addr: SocketAddr,
}

/// 127.0.0.1:8080.
pub fn default_addr() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))
}

/// Errors of starting and serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The terminal could not start.
    #[error(transparent)]
    Terminal(#[from] TerminalError),
    /// The audit log failed.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// Binding or serving failed.
    #[error("serving on {addr}: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// The router of the web UI.
pub fn router<H: TerminalHost>(host: H, options: WebOptions) -> Router {
    router_with(host, options, Router::new())
}

/// The router of the web UI with a host's own routes merged in (they get the same security
/// headers; use [`StaffSession`] / [`StaffForm`] in them, and [`crate::html::render_frame`] for
/// the page frame).
pub fn router_with<H: TerminalHost>(host: H, options: WebOptions, extra: Router<H>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to(paths::MENU) }))
        .route(
            paths::LOGIN,
            get(handlers::login_get::<H>).post(handlers::login_post::<H>),
        )
        .route(paths::MENU, get(handlers::menu::<H>))
        .route(paths::READERS, get(handlers::readers::<H>))
        .route(paths::MODE, post(handlers::mode::<H>))
        .route(paths::MODE_CONFIRM, post(handlers::mode_confirm::<H>))
        .route(paths::MODE_CANCEL, post(handlers::mode_cancel::<H>))
        .route(paths::MODE_OK, post(handlers::mode_ok::<H>))
        .route(paths::VISUAL, post(handlers::visual::<H>))
        .route(paths::LOGOUT, post(handlers::logout::<H>))
        .merge(extra)
        .layer(Extension(Arc::new(options)))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(host)
}

impl StandaloneHost {
    /// Builds the terminal from a config with the system clock, OS randomness and the file
    /// audit log.
    pub fn from_config(config: &WebConfig) -> Result<Self, ServeError> {
        let terminal = Terminal::new(&config.terminal, rand::make_rng())?;
        let audit = FileAudit::open(&config.audit_path)?;
        Ok(Self::new(terminal, Box::new(audit), Arc::new(SystemClock)))
    }
}

/// Serves the router on `addr` until `shutdown` completes, ticking the terminal every second
/// (session expiry, lapsed ticks, the harness's auto-return). Use [`default_addr`]
/// (127.0.0.1:8080) unless told otherwise.
pub async fn serve_until<H: TerminalHost>(
    addr: SocketAddr,
    host: H,
    options: WebOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Io { addr, source })?;
    serve_listener(listener, host, options, shutdown).await
}

/// Serves on an already bound listener (e.g. 127.0.0.1:0 in tests) until `shutdown` completes.
pub async fn serve_listener<H: TerminalHost>(
    listener: tokio::net::TcpListener,
    host: H,
    options: WebOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener.local_addr().map_err(|source| ServeError::Io {
        addr: default_addr(),
        source,
    })?;
    tracing::info!(%addr, "terminal web UI listening");
    let ticker_host = host.clone();
    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        loop {
            interval.tick().await;
            if let Err(error) = ticker_host
                .with_terminal(|terminal, now| terminal.tick(now))
                .await
            {
                tracing::error!(%error, "tick failed");
            }
        }
    });
    let result = axum::serve(listener, router(host, options))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServeError::Io { addr, source });
    ticker.abort();
    result
}

/// Serves until the process is stopped.
pub async fn serve<H: TerminalHost>(
    addr: SocketAddr,
    host: H,
    options: WebOptions,
) -> Result<(), ServeError> {
    serve_until(addr, host, options, std::future::pending()).await
}

/// Builds the standalone host from `config` and serves it on `config.addr`.
pub async fn serve_config(config: &WebConfig) -> Result<(), ServeError> {
    let host = StandaloneHost::from_config(config)?;
    serve(config.addr, host, WebOptions::default()).await
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
