//! The terminal's web UI (edge): axum router, cookie sessions, CSRF checks, the periodic tick,
//! audit appends and event forwarding.
//!
//! Routes: `GET /` → `/menu`; `GET|POST /login`; `GET /menu`; `GET /readers` (再読み込み);
//! `POST /readers/mode`; `POST /readers/visual`; `POST /logout`.
//! Cookies are HttpOnly and SameSite=Strict; the session id is 32 random bytes. Every form
//! carries a CSRF token (`csrf`): the session's token after login, a double-submit cookie token
//! on the login form. A POST without a valid token gets 403.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::NaiveDateTime;
use rand::rngs::StdRng;
use rand::Rng;
use serde::Deserialize;
use tokio::sync::broadcast;

use crate::audit::{AuditError, AuditSink, FileAudit};
use crate::config::TerminalConfig;
use crate::html::{parse_mode_form_value, render_html};
use crate::screen::{LoginMessage, LoginScreen, Notice, Screen};
use crate::secret::{Password, Token};
use crate::terminal::{
    SessionInfo, Terminal, TerminalError, TerminalEvent, VisualConfirmationForm,
};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "oqs_session";
/// Name of the login form's double-submit CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "oqs_login_csrf";

/// Where the web UI gets the time from.
pub trait Clock: Send + Sync {
    /// Facility local time (JST).
    fn now(&self) -> NaiveDateTime;
}

/// The system clock in Japan Standard Time (UTC+9).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(9)
    }
}

/// A clock that tests set by hand.
#[derive(Debug)]
pub struct ManualClock(Mutex<NaiveDateTime>);

impl ManualClock {
    /// Starts at `now`.
    pub fn new(now: NaiveDateTime) -> Self {
        Self(Mutex::new(now))
    }

    /// Sets the time.
    pub fn set(&self, now: NaiveDateTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Moves the time forward.
    pub fn advance(&self, by: chrono::TimeDelta) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

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

/// Errors of the web edge.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
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

struct Shared {
    terminal: Terminal,
    audit: Box<dyn AuditSink>,
    rng: StdRng,
}

struct Inner {
    shared: Mutex<Shared>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<TerminalEvent>,
}

/// The terminal, its audit log, clock and event channel, shared by the web handlers and the
/// harness (which calls [`WebState::with_terminal`] for `visual_confirmation_for` and
/// `patient_finished`, and [`WebState::subscribe`] to forward mode changes to the reader).
#[derive(Clone)]
pub struct WebState {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WebState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebState { .. }")
    }
}

impl WebState {
    /// Wraps a terminal. `rng` makes login-form CSRF tokens.
    pub fn new(
        terminal: Terminal,
        audit: Box<dyn AuditSink>,
        clock: Arc<dyn Clock>,
        rng: StdRng,
    ) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                shared: Mutex::new(Shared {
                    terminal,
                    audit,
                    rng,
                }),
                clock,
                events,
            }),
        }
    }

    /// Builds the terminal from a config with the system clock, OS randomness and the file
    /// audit log.
    pub fn from_config(config: &WebConfig) -> Result<Self, WebError> {
        let terminal = Terminal::new(&config.terminal, rand::make_rng())?;
        let audit = FileAudit::open(&config.audit_path)?;
        Ok(Self::new(
            terminal,
            Box::new(audit),
            Arc::new(SystemClock),
            rand::make_rng(),
        ))
    }

    /// Mode changes (and any later events), to forward to the mock reader.
    pub fn subscribe(&self) -> broadcast::Receiver<TerminalEvent> {
        self.inner.events.subscribe()
    }

    /// The current time of this state's clock.
    pub fn now(&self) -> NaiveDateTime {
        self.inner.clock.now()
    }

    /// Runs `f` on the terminal with the clock's `now`, then appends the audit records it
    /// produced (each fsync'd when the sink is a file) and broadcasts its events. Blocking.
    pub fn with_terminal<R>(
        &self,
        f: impl FnOnce(&mut Terminal, NaiveDateTime) -> R,
    ) -> Result<R, AuditError> {
        let mut shared = self
            .inner
            .shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let now = self.inner.clock.now();
        let result = f(&mut shared.terminal, now);
        let outputs = shared.terminal.take_outputs();
        for record in &outputs.audit {
            shared.audit.append(record)?;
        }
        for event in outputs.events {
            // No subscriber is not an error: nobody needs the event then.
            let _ = self.inner.events.send(event);
        }
        Ok(result)
    }

    /// Applies the passage of time (auto-return, session expiry).
    pub fn tick(&self) -> Result<(), AuditError> {
        self.with_terminal(|terminal, now| terminal.tick(now))
    }

    fn new_login_token(&self) -> Token {
        let mut shared = self
            .inner
            .shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut bytes = [0u8; 32];
        shared.rng.fill_bytes(&mut bytes);
        Token::from_random_bytes(bytes)
    }

    async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Terminal, NaiveDateTime) -> R + Send + 'static,
    ) -> Result<R, Response> {
        let state = self.clone();
        match tokio::task::spawn_blocking(move || state.with_terminal(f)).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(audit_error)) => {
                tracing::error!(%audit_error, "audit log append failed");
                Err(plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "監査ログに書き込めません。",
                ))
            }
            Err(join_error) => {
                tracing::error!(%join_error, "terminal task failed");
                Err(plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "システムエラーが発生しました。",
                ))
            }
        }
    }
}

/// The router of the web UI.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/menu") }))
        .route("/login", get(login_page).post(login_submit))
        .route("/menu", get(menu_page))
        .route("/readers", get(readers_page))
        .route("/readers/mode", post(mode_submit))
        .route("/readers/visual", post(visual_submit))
        .route("/logout", post(logout_submit))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Serves the router on `addr` until `shutdown` completes, ticking the terminal every second
/// (auto-return, session expiry). Use [`default_addr`] (127.0.0.1:8080) unless told otherwise.
pub async fn serve_until(
    addr: SocketAddr,
    state: WebState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), WebError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| WebError::Io { addr, source })?;
    serve_listener(listener, state, shutdown).await
}

/// Serves on an already bound listener (e.g. 127.0.0.1:0 in tests) until `shutdown` completes.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    state: WebState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), WebError> {
    let addr = listener.local_addr().map_err(|source| WebError::Io {
        addr: default_addr(),
        source,
    })?;
    tracing::info!(%addr, "terminal web UI listening");
    let ticker_state = state.clone();
    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        loop {
            interval.tick().await;
            let state = ticker_state.clone();
            match tokio::task::spawn_blocking(move || state.tick()).await {
                Ok(Ok(())) => {}
                Ok(Err(audit_error)) => tracing::error!(%audit_error, "tick: audit append failed"),
                Err(join_error) => tracing::error!(%join_error, "tick task failed"),
            }
        }
    });
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| WebError::Io { addr, source });
    ticker.abort();
    result
}

/// Serves until the process is stopped.
pub async fn serve(addr: SocketAddr, state: WebState) -> Result<(), WebError> {
    serve_until(addr, state, std::future::pending()).await
}

/// Builds the state from `config` and serves on `config.addr`.
pub async fn serve_config(config: &WebConfig) -> Result<(), WebError> {
    let state = WebState::from_config(config)?;
    serve(config.addr, state).await
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

/// A POST whose body is not a readable form cannot carry a valid CSRF token: 403.
fn unreadable_form(rejection: FormRejection) -> Response {
    tracing::debug!(%rejection, "unreadable form");
    plain(
        StatusCode::FORBIDDEN,
        "不正な要求のため処理できません。画面を再読み込みしてください。",
    )
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

fn page(status: StatusCode, screen: &Screen, csrf: &Token) -> Response {
    (status, Html(render_html(screen, csrf.expose()))).into_response()
}

fn secure_cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build()
}

fn removal_cookie(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, "")).path("/").build()
}

fn session_token(jar: &CookieJar) -> Option<Token> {
    jar.get(SESSION_COOKIE)
        .and_then(|c| Token::parse(c.value()))
}

fn to_login(expired: bool) -> Response {
    Redirect::to(if expired {
        "/login?expired=1"
    } else {
        "/login"
    })
    .into_response()
}

/// Query of `GET /login`.
#[derive(Debug, Deserialize, Default)]
struct LoginQuery {
    expired: Option<String>,
    logged_out: Option<String>,
}

fn login_response(
    state: &WebState,
    jar: CookieJar,
    status: StatusCode,
    user_id: String,
    message: Option<LoginMessage>,
) -> Response {
    let token = state.new_login_token();
    let facility_name = {
        let shared = state
            .inner
            .shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        shared.terminal.facility_name().to_owned()
    };
    let jar = jar.add(secure_cookie(LOGIN_CSRF_COOKIE, token.expose().to_owned()));
    let screen = Screen::Login(LoginScreen {
        facility_name,
        user_id,
        message,
    });
    (jar, page(status, &screen, &token)).into_response()
}

async fn login_page(
    State(state): State<WebState>,
    jar: CookieJar,
    Query(query): Query<LoginQuery>,
) -> Response {
    if let Some(id) = session_token(&jar) {
        let alive = state
            .run(move |terminal, now| terminal.session(&id, now).is_ok())
            .await;
        if matches!(alive, Ok(true)) {
            return Redirect::to("/menu").into_response();
        }
    }
    let message = if query.expired.is_some() {
        Some(LoginMessage::SessionExpired)
    } else if query.logged_out.is_some() {
        Some(LoginMessage::LoggedOut)
    } else {
        None
    };
    login_response(&state, jar, StatusCode::OK, String::new(), message)
}

/// Fields of the login form.
#[derive(Deserialize)]
struct LoginForm {
    csrf: Option<String>,
    user_id: Option<String>,
    password: Option<Password>,
}

async fn login_submit(
    State(state): State<WebState>,
    jar: CookieJar,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(rejection),
    };
    let cookie_token = jar
        .get(LOGIN_CSRF_COOKIE)
        .and_then(|c| Token::parse(c.value()));
    let csrf_ok = match (&cookie_token, form.csrf.as_deref()) {
        (Some(expected), Some(sent)) => expected.matches(sent),
        _ => false,
    };
    let user_id = form.user_id.unwrap_or_default();
    if !csrf_ok {
        return login_response(
            &state,
            jar,
            StatusCode::FORBIDDEN,
            user_id,
            Some(LoginMessage::Forbidden),
        );
    }
    let password = form.password.unwrap_or_else(|| Password::new(""));
    let typed_user_id = user_id.clone();
    let result = state
        .run(move |terminal, now| terminal.login(&typed_user_id, &password, now))
        .await;
    match result {
        Err(response) => response,
        Ok(Ok(session)) => {
            let jar = jar
                .remove(removal_cookie(LOGIN_CSRF_COOKIE))
                .add(secure_cookie(
                    SESSION_COOKIE,
                    session.session_id.expose().to_owned(),
                ));
            (jar, Redirect::to("/menu")).into_response()
        }
        Ok(Err(TerminalError::Locked { until })) => login_response(
            &state,
            jar,
            StatusCode::TOO_MANY_REQUESTS,
            user_id,
            Some(LoginMessage::Locked { until }),
        ),
        Ok(Err(_)) => login_response(
            &state,
            jar,
            StatusCode::UNAUTHORIZED,
            user_id,
            Some(LoginMessage::InvalidCredentials),
        ),
    }
}

async fn menu_page(State(state): State<WebState>, jar: CookieJar) -> Response {
    let Some(id) = session_token(&jar) else {
        return to_login(false);
    };
    let result = state
        .run(move |terminal, now| {
            let session = terminal.session(&id, now)?;
            terminal
                .menu_screen(&id, now)
                .map(|screen| (screen, session.csrf_token))
        })
        .await;
    match result {
        Err(response) => response,
        Ok(Ok((screen, csrf))) => page(StatusCode::OK, &Screen::Menu(screen), &csrf),
        Ok(Err(e)) => to_login(e == TerminalError::SessionExpired),
    }
}

async fn readers_page(State(state): State<WebState>, jar: CookieJar) -> Response {
    let Some(id) = session_token(&jar) else {
        return to_login(false);
    };
    let result = state
        .run(move |terminal, now| {
            let session = terminal.session(&id, now)?;
            Ok::<_, TerminalError>((
                terminal.reader_screen_for(&session, now),
                session.csrf_token,
            ))
        })
        .await;
    match result {
        Err(response) => response,
        Ok(Ok((screen, csrf))) => page(StatusCode::OK, &Screen::Readers(screen), &csrf),
        Ok(Err(e)) => to_login(e == TerminalError::SessionExpired),
    }
}

/// What a POST handler decided, computed under the terminal's lock.
enum PostOutcome {
    /// Not logged in or expired.
    Login { expired: bool },
    /// Done: redirect.
    Redirect(&'static str),
    /// Render the reader screen with a status and notice.
    Screen {
        status: StatusCode,
        screen: Box<Screen>,
        csrf: Token,
    },
}

impl PostOutcome {
    fn into_response(self) -> Response {
        match self {
            Self::Login { expired } => to_login(expired),
            Self::Redirect(to) => Redirect::to(to).into_response(),
            Self::Screen {
                status,
                screen,
                csrf,
            } => page(status, &screen, &csrf),
        }
    }
}

/// Checks session and CSRF; on failure returns the outcome to send.
fn authorise_post(
    terminal: &mut Terminal,
    id: Option<&Token>,
    csrf: Option<&str>,
    now: NaiveDateTime,
) -> Result<SessionInfo, PostOutcome> {
    let Some(id) = id else {
        return Err(PostOutcome::Login { expired: false });
    };
    match terminal.check_csrf(id, csrf, now) {
        Ok(session) => Ok(session),
        Err(TerminalError::CsrfMismatch) => {
            let session = terminal
                .session(id, now)
                .map_err(|_| PostOutcome::Login { expired: false })?;
            Err(screen_with(
                terminal,
                &session,
                now,
                StatusCode::FORBIDDEN,
                Notice::Refused(TerminalError::CsrfMismatch.screen_message()),
            ))
        }
        Err(e) => Err(PostOutcome::Login {
            expired: e == TerminalError::SessionExpired,
        }),
    }
}

fn screen_with(
    terminal: &Terminal,
    session: &SessionInfo,
    now: NaiveDateTime,
    status: StatusCode,
    notice: Notice,
) -> PostOutcome {
    let mut screen = terminal.reader_screen_for(session, now);
    screen.notice = Some(notice);
    PostOutcome::Screen {
        status,
        screen: Box::new(Screen::Readers(screen)),
        csrf: session.csrf_token.clone(),
    }
}

/// Fields of a mode button's form.
#[derive(Deserialize)]
struct ModeForm {
    csrf: Option<String>,
    reader: Option<String>,
    mode: Option<String>,
}

async fn mode_submit(
    State(state): State<WebState>,
    jar: CookieJar,
    form: Result<Form<ModeForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(rejection),
    };
    let id = session_token(&jar);
    let result = state
        .run(move |terminal, now| {
            let session = match authorise_post(terminal, id.as_ref(), form.csrf.as_deref(), now) {
                Ok(session) => session,
                Err(outcome) => return outcome,
            };
            let reader = form.reader.unwrap_or_default();
            let Some(mode) = form.mode.as_deref().and_then(parse_mode_form_value) else {
                return screen_with(
                    terminal,
                    &session,
                    now,
                    StatusCode::BAD_REQUEST,
                    Notice::Error("モードを選択してください。".to_owned()),
                );
            };
            match terminal.set_mode(&session.session_id, &reader, mode, now) {
                Ok(()) => PostOutcome::Redirect("/readers"),
                Err(e @ TerminalError::NotAdmin { .. }) => screen_with(
                    terminal,
                    &session,
                    now,
                    StatusCode::FORBIDDEN,
                    Notice::Refused(e.screen_message()),
                ),
                Err(e @ TerminalError::UnknownReader(_)) => screen_with(
                    terminal,
                    &session,
                    now,
                    StatusCode::NOT_FOUND,
                    Notice::Error(e.screen_message()),
                ),
                Err(e) => PostOutcome::Login {
                    expired: e == TerminalError::SessionExpired,
                },
            }
        })
        .await;
    match result {
        Ok(outcome) => outcome.into_response(),
        Err(response) => response,
    }
}

/// Fields of the 目視確認時利用項目 form.
#[derive(Deserialize)]
struct VisualForm {
    csrf: Option<String>,
    reader: Option<String>,
    identity_confirmed: Option<String>,
    confirmation_date: Option<String>,
}

async fn visual_submit(
    State(state): State<WebState>,
    jar: CookieJar,
    form: Result<Form<VisualForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(rejection),
    };
    let id = session_token(&jar);
    let result = state
        .run(move |terminal, now| {
            let session =
                match authorise_post(terminal, id.as_ref(), form.csrf.as_deref(), now) {
                    Ok(session) => session,
                    Err(outcome) => return outcome,
                };
            let reader = form.reader.unwrap_or_default();
            let input = VisualConfirmationForm {
                identity_confirmed: form.identity_confirmed.as_deref() == Some("on"),
                confirmation_date: form.confirmation_date.unwrap_or_default(),
            };
            match terminal.confirm_visual(&session.session_id, &reader, &input, now) {
                Ok(_) => screen_with(
                    terminal,
                    &session,
                    now,
                    StatusCode::OK,
                    Notice::Done(
                        "目視で本人確認完了を登録しました。患者にマイナンバーカードを顔認証付きカードリーダーに置いてもらってください。"
                            .to_owned(),
                    ),
                ),
                Err(e @ (TerminalError::UnknownSession | TerminalError::SessionExpired)) => {
                    PostOutcome::Login {
                        expired: e == TerminalError::SessionExpired,
                    }
                }
                Err(e) => screen_with(
                    terminal,
                    &session,
                    now,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Notice::Error(e.screen_message()),
                ),
            }
        })
        .await;
    match result {
        Ok(outcome) => outcome.into_response(),
        Err(response) => response,
    }
}

/// Fields of the logout form.
#[derive(Deserialize)]
struct LogoutForm {
    csrf: Option<String>,
}

async fn logout_submit(
    State(state): State<WebState>,
    jar: CookieJar,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(rejection),
    };
    let id = session_token(&jar);
    let result = state
        .run(move |terminal, now| {
            let session = match authorise_post(terminal, id.as_ref(), form.csrf.as_deref(), now) {
                Ok(session) => session,
                Err(outcome) => return outcome,
            };
            match terminal.logout(&session.session_id, now) {
                Ok(()) => PostOutcome::Redirect("/login?logged_out=1"),
                Err(e) => PostOutcome::Login {
                    expired: e == TerminalError::SessionExpired,
                },
            }
        })
        .await;
    match result {
        Ok(outcome @ PostOutcome::Redirect(_)) => (
            jar.remove(removal_cookie(SESSION_COOKIE)),
            outcome.into_response(),
        )
            .into_response(),
        Ok(outcome) => outcome.into_response(),
        Err(response) => response,
    }
}
