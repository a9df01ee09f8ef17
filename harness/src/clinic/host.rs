//! The clinic's host: the one facility engine behind an async mutex, shared by the terminal's web
//! UI ([`TerminalHost`]: every terminal call goes through [`Facility::with_terminal`], which
//! forwards mode changes and ticks to the readers), the patient pages, the control API, the
//! wall-clock ticker and the drills. After each call the host takes the engine's events and the
//! terminal's audit records into the running drill's journal.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use harness_terminal::audit::{AuditAction, AuditRecord};
use harness_terminal::web::{HostError, TerminalHost};
use harness_terminal::Terminal;
use tokio::sync::OwnedMutexGuard;

use super::audit_feed::AuditFeed;
use super::catalog::WalletCard;
use super::drills::{DrillEvent, DrillEventKind};
use super::error::ClinicError;
use super::journal::Journal;
use super::token::ApiToken;
use crate::facility::{EventKind, Facility};

/// The engine, locked for one request.
pub type Engine = OwnedMutexGuard<Facility>;

/// The live clinic's shared state. Cheap to clone.
#[derive(Clone)]
pub struct ClinicHost {
    inner: Arc<Inner>,
}

struct Inner {
    facility: Arc<tokio::sync::Mutex<Facility>>,
    token: ApiToken,
    busy: Vec<AtomicBool>,
    audit: AuditFeed,
    journal: Mutex<Journal>,
    wallet: Vec<WalletCard>,
    people: Vec<(String, String)>,
    reader_names: Vec<String>,
    facility_name: String,
    results_root: PathBuf,
}

impl std::fmt::Debug for ClinicHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClinicHost")
            .field("readers", &self.inner.reader_names)
            .finish_non_exhaustive()
    }
}

impl ClinicHost {
    /// Wraps a built facility. `audit` must be the feed of the facility's [`super::TeeAudit`].
    pub fn new(facility: Facility, audit: AuditFeed, token: ApiToken) -> anyhow::Result<Self> {
        let today = facility.now().date();
        let wallet = super::catalog::wallet(facility.directory(), today)?;
        let people = facility
            .directory()
            .people()
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect();
        let reader_names: Vec<String> = facility.readers().map(|r| r.name().to_owned()).collect();
        let results_root = facility.result_folders().root().to_path_buf();
        Ok(Self {
            inner: Arc::new(Inner {
                busy: reader_names
                    .iter()
                    .map(|_| AtomicBool::new(false))
                    .collect(),
                facility: Arc::new(tokio::sync::Mutex::new(facility)),
                token,
                audit,
                journal: Mutex::new(Journal::default()),
                wallet,
                people,
                reader_names,
                facility_name: crate::facility::FACILITY_NAME.to_owned(),
                results_root,
            }),
        })
    }

    /// The control API's token.
    pub fn api_token(&self) -> &ApiToken {
        &self.inner.token
    }

    /// Every fixture card.
    pub fn wallet(&self) -> &[WalletCard] {
        &self.inner.wallet
    }

    /// Every person (id, name).
    pub fn people(&self) -> &[(String, String)] {
        &self.inner.people
    }

    /// The readers' PC/SC names in terminal order.
    pub fn reader_names(&self) -> &[String] {
        &self.inner.reader_names
    }

    /// 医療機関名.
    pub fn facility_name(&self) -> &str {
        &self.inner.facility_name
    }

    /// Root of the receipt system's folders.
    pub fn results_root(&self) -> &Path {
        &self.inner.results_root
    }

    /// The name of reader `index`, or 404.
    pub fn reader_name(&self, index: usize) -> Result<&str, ClinicError> {
        self.inner
            .reader_names
            .get(index)
            .map(String::as_str)
            .ok_or_else(|| ClinicError::UnknownReader(index.to_string()))
    }

    /// Parses a reader number from a path, or 404.
    pub fn reader_index(&self, text: &str) -> Result<usize, ClinicError> {
        text.parse::<usize>()
            .ok()
            .filter(|i| *i < self.inner.reader_names.len())
            .ok_or_else(|| ClinicError::UnknownReader(text.to_owned()))
    }

    /// Locks the engine for one request.
    pub async fn engine(&self) -> Engine {
        self.inner.facility.clone().lock_owned().await
    }

    /// Claims reader `index` for one action; another request on the same reader meanwhile gets
    /// [`ClinicError::ReaderBusy`] at once instead of queueing behind a card being read.
    pub fn claim(&self, index: usize) -> Result<ReaderClaim, ClinicError> {
        let name = self.reader_name(index)?.to_owned();
        let flag = self
            .inner
            .busy
            .get(index)
            .ok_or_else(|| ClinicError::UnknownReader(index.to_string()))?;
        flag.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .map_err(|_| ClinicError::ReaderBusy(name))?;
        Ok(ReaderClaim {
            host: self.clone(),
            index,
        })
    }

    /// True while an action runs on reader `index`.
    pub fn is_busy(&self, index: usize) -> bool {
        self.inner
            .busy
            .get(index)
            .is_some_and(|b| b.load(Ordering::Acquire))
    }

    /// The running drill's journal and the last drill's report.
    pub(super) fn journal(&self) -> MutexGuard<'_, Journal> {
        self.inner
            .journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the engine's events and the terminal's audit records since the last call, keeps
    /// what a running drill needs (with `marker`, the patient action that caused them, first),
    /// and returns the result files written.
    pub fn absorb(&self, facility: &mut Facility, marker: Option<DrillEventKind>) -> Vec<PathBuf> {
        let events = facility.drain_events();
        let audit = self.inner.audit.take();
        let at = facility.now();
        let mut results = Vec::new();
        let mut kinds: Vec<DrillEventKind> = marker.into_iter().collect();
        for event in events {
            match event.kind {
                EventKind::ResultWritten {
                    reader,
                    outcome,
                    path,
                } => {
                    results.push(path);
                    kinds.push(DrillEventKind::ResultWritten { reader, outcome });
                }
                EventKind::VisitEnded { reader, result } => {
                    kinds.push(DrillEventKind::VisitEnded {
                        reader,
                        method: result.method,
                        completed: result.is_completed(),
                    })
                }
                EventKind::CardPlaced { .. }
                | EventKind::CardExchange { .. }
                | EventKind::FaceCompared { .. }
                | EventKind::StaffPhotoCheck { .. }
                | EventKind::TerminalRefused { .. } => {}
            }
        }
        kinds.extend(audit.iter().filter_map(drill_event_of_audit));
        self.journal()
            .record(kinds.into_iter().map(|kind| DrillEvent { at, kind }));
        results
    }

    /// Lets the engine act on the current time (timeouts, lapsed ticks, auto-return).
    pub async fn tick(&self) -> Result<(), ClinicError> {
        let mut facility = self.engine().await;
        let ticked = facility.tick();
        self.absorb(&mut facility, None);
        ticked.map_err(ClinicError::engine)
    }
}

/// What a drill needs from an audit record: mode changes (by staff or by the terminal itself),
/// refused switches and ticks.
fn drill_event_of_audit(record: &AuditRecord) -> Option<DrillEventKind> {
    let reader = record.reader.clone()?;
    match &record.action {
        AuditAction::ModeChanged { to, .. } | AuditAction::AutoReturned { to } => {
            Some(DrillEventKind::ModeChanged { reader, to: *to })
        }
        AuditAction::ModeChangeRefused { .. } => Some(DrillEventKind::ModeChangeRefused { reader }),
        AuditAction::VisualConfirmed { confirmation_date } => Some(DrillEventKind::VisualTicked {
            reader,
            date: *confirmation_date,
        }),
        _ => None,
    }
}

/// Reader `index` is being acted on until this is dropped.
#[derive(Debug)]
pub struct ReaderClaim {
    host: ClinicHost,
    index: usize,
}

impl Drop for ReaderClaim {
    fn drop(&mut self) {
        if let Some(flag) = self.host.inner.busy.get(self.index) {
            flag.store(false, Ordering::Release);
        }
    }
}

impl TerminalHost for ClinicHost {
    fn with_terminal<R, F>(
        &self,
        f: F,
    ) -> impl std::future::Future<Output = Result<R, HostError>> + Send
    where
        R: Send + 'static,
        F: FnOnce(&mut Terminal, chrono::NaiveDateTime) -> R + Send + 'static,
    {
        let host = self.clone();
        async move {
            let facility = host.engine().await;
            // Password hashing and the readers' work block: off the async workers.
            let joined = tokio::task::spawn_blocking(move || {
                let mut facility = facility;
                let result = facility.with_terminal(f);
                host.absorb(&mut facility, None);
                result
            })
            .await;
            match joined {
                Ok(Ok(result)) => Ok(result),
                Ok(Err(error)) => Err(HostError::Engine(format!("{error:#}"))),
                Err(join_error) => Err(HostError::Engine(format!(
                    "terminal task failed: {join_error}"
                ))),
            }
        }
    }
}
