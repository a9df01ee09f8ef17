//! Building and serving the live clinic: the facility engine on wall-clock time, its readers'
//! card slots (in-process, or pcscd/vpcd), the router (the terminal's pages over the engine, the
//! patient pages, the drills, the control API), the ticker (every 250 ms) and the `req/` poller.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Router;
use harness_eligibility::files::ProcessedRequest;
use harness_eligibility::result_xml::ResultFileOptions;
use harness_eligibility::{process_pending_requests, InsuranceBook, RequestResponder};
use harness_terminal::audit::FileAudit;
use harness_terminal::config::TerminalPolicy;
use harness_terminal::screen::MenuLink;
use harness_terminal::web::WebOptions;
use tokio::task::JoinHandle;

use super::audit_feed::{AuditFeed, TeeAudit};
use super::host::ClinicHost;
use super::token::ApiToken;
use crate::facility::{
    Accounts, CardSlot, FaceFailureStore, Facility, FacilityClock, FacilitySetup, ReaderSetup,
    WallClock,
};
use crate::slots::{InProcessSlot, PcscReaderPool};

/// The readers of the seed's screenshots.
pub const DEFAULT_READERS: [&str; 2] = [
    "Identiv CLOUD 3701 F Contactless Reader 0",
    "Identiv CLOUD 3701 F Contactless Reader 1",
];

/// How often the wall-clock ticker lets the engine act on the time.
pub const TICK_EVERY: Duration = Duration::from_millis(250);
/// How often `req/` is polled for the receipt system's requests.
pub const POLL_REQUESTS_EVERY: Duration = Duration::from_secs(1);

/// Everything a clinic is built from.
pub struct ClinicSetup {
    /// The fixtures folder (people, cards, pki, insurance).
    pub fixtures: PathBuf,
    /// Reader names in terminal order.
    pub readers: Vec<String>,
    /// The terminal's accounts.
    pub accounts: Accounts,
    /// The terminal's policy.
    pub policy: TerminalPolicy,
    /// Root of the receipt system's folders (`face/`, `req/`, `res/`).
    pub results: PathBuf,
    /// The audit log file (JSON lines), if any.
    pub audit: Option<PathBuf>,
    /// Where the readers' cards come from.
    pub cards: CardSource,
    /// The control API's token.
    pub token: ApiToken,
}

/// Where the readers' cards come from.
pub enum CardSource {
    /// Cards inside the clinic process.
    InProcess,
    /// Cards served through pcscd/vpcd, one PC/SC reader of the pool per clinic reader, so an
    /// external PC/SC application sees the card placed on a reader.
    Pcsc(PcscReaderPool),
    /// The driver's own slots, one per reader (a bench fixture, a test's slot).
    Slots(Vec<Box<dyn CardSlot>>),
}

/// A built clinic: the host and the folder of its cards' state (fresh PIN and face-failure
/// counters per run).
pub struct Clinic {
    /// The shared state.
    pub host: ClinicHost,
    responder: RequestResponder,
    _card_state: tempfile::TempDir,
}

impl Clinic {
    /// Builds the facility on wall-clock time and wraps it.
    pub fn build(setup: ClinicSetup) -> anyhow::Result<Self> {
        let card_state = tempfile::Builder::new()
            .prefix("clinic-cards-")
            .tempdir()
            .context("カードの状態を置くフォルダを作れません")?;
        let slots: Vec<Box<dyn CardSlot>> = match setup.cards {
            CardSource::InProcess => setup
                .readers
                .iter()
                .map(|_| Box::new(InProcessSlot::new(card_state.path())) as Box<dyn CardSlot>)
                .collect(),
            CardSource::Pcsc(pool) => pool
                .acquire(setup.readers.len(), card_state.path())?
                .into_iter()
                .map(|slot| Box::new(slot) as Box<dyn CardSlot>)
                .collect(),
            CardSource::Slots(slots) => {
                anyhow::ensure!(
                    slots.len() == setup.readers.len(),
                    "{} readers but {} card slots",
                    setup.readers.len(),
                    slots.len()
                );
                slots
            }
        };
        let readers = setup
            .readers
            .iter()
            .cloned()
            .zip(slots)
            .map(|(name, slot)| ReaderSetup {
                name,
                slot,
                consent_screens: None,
            })
            .collect();
        let feed = AuditFeed::default();
        let file = setup
            .audit
            .as_ref()
            .map(|path| {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                FileAudit::open(path).map_err(anyhow::Error::from)
            })
            .transpose()
            .context("監査ログを開けません")?;
        let result_options = ResultFileOptions::default();
        let records = std::fs::read_to_string(setup.fixtures.join("insurance/records.toml"))
            .context("保険資格のフィクスチャを読めません")?;
        let responder = RequestResponder::new(
            InsuranceBook::from_toml(&records).map_err(|e| anyhow::anyhow!("保険資格: {e}"))?,
            result_options.clone(),
        );
        let facility = Facility::new(FacilitySetup {
            fixtures: setup.fixtures,
            readers,
            accounts: setup.accounts,
            policy: setup.policy,
            clock: FacilityClock::Wall(WallClock::start()),
            results_dir: setup.results,
            result_options,
            audit: Box::new(TeeAudit::new(file, feed.clone())),
            face_failures: FaceFailureStore::open(&card_state.path().join("face-failures.toml"))?,
            enrolment: Default::default(),
        })?;
        Ok(Self {
            host: ClinicHost::new(facility, feed, setup.token)?,
            responder,
            _card_state: card_state,
        })
    }

    /// Starts the ticker and the `req/` poller; they stop when the handles are aborted or
    /// dropped with the runtime.
    pub fn spawn_background(&self) -> Vec<JoinHandle<()>> {
        let ticker_host = self.host.clone();
        let ticker = tokio::spawn(async move {
            let mut interval = tokio::time::interval(TICK_EVERY);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if let Err(error) = ticker_host.tick().await {
                    tracing::error!(%error, "clinic tick failed");
                }
            }
        });
        let poll_host = self.host.clone();
        let responder = self.responder.clone();
        let poller = tokio::spawn(async move {
            let mut interval = tokio::time::interval(POLL_REQUESTS_EVERY);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                match answer_requests(&poll_host, &responder).await {
                    Ok(done) => {
                        for request in done {
                            tracing::info!(id = %request.id, response = %request.response.display(), "answered a request");
                        }
                    }
                    Err(error) => tracing::error!(%error, "answering req/ failed"),
                }
            }
        });
        vec![ticker, poller]
    }

    /// One pass of the `req/` poller: answers every pending request in `res/`.
    pub async fn answer_requests(&self) -> anyhow::Result<Vec<ProcessedRequest>> {
        answer_requests(&self.host, &self.responder).await
    }

    /// Takes every card off its reader (card processes stop).
    pub async fn shutdown(&self) {
        if let Err(error) = self.host.engine().await.shutdown().await {
            tracing::warn!(%error, "taking the cards off at shutdown");
        }
    }
}

async fn answer_requests(
    host: &ClinicHost,
    responder: &RequestResponder,
) -> anyhow::Result<Vec<ProcessedRequest>> {
    let now = host.engine().await.now();
    let root = host.results_root().to_path_buf();
    let responder = responder.clone();
    tokio::task::spawn_blocking(move || process_pending_requests(&root, &responder, now))
        .await?
        .map_err(|e| anyhow::anyhow!("req/ の要求に答えられません: {e}"))
}

/// The whole site: the clinic's pages and API (their own security headers), then the terminal's
/// web UI running on the same engine, with links to the clinic's pages on its メニュー.
pub fn router(host: ClinicHost) -> Router {
    let mut links: Vec<MenuLink> = host
        .reader_names()
        .iter()
        .enumerate()
        .map(|(i, _)| MenuLink {
            label: format!("患者側の画面（カードリーダー {i}）"),
            href: format!("/patient/{i}"),
        })
        .collect();
    links.push(MenuLink {
        label: "練習（目視確認モード）".into(),
        href: "/drills".into(),
    });
    let clinic = super::api::routes()
        .merge(super::pages::routes())
        .with_state(host.clone())
        .layer(axum::middleware::map_response(clinic_headers));
    clinic.merge(harness_terminal::web::router(
        host,
        WebOptions { menu_links: links },
    ))
}

async fn clinic_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; img-src 'self'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
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

/// Serves `clinic` on `listener` until `shutdown` completes; then the background tasks stop and
/// the cards are taken off.
pub async fn serve(
    listener: tokio::net::TcpListener,
    clinic: &Clinic,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(%addr, "clinic listening");
    let background = clinic.spawn_background();
    let served = axum::serve(listener, router(clinic.host.clone()))
        .with_graceful_shutdown(shutdown)
        .await;
    for task in background {
        task.abort();
    }
    clinic.shutdown().await;
    served.with_context(|| format!("serving on {addr}"))
}
