//! Who runs the terminal behind the web UI. The router is generic over a [`TerminalHost`]: the
//! standalone `harness terminal` ([`StandaloneHost`]: a terminal, its audit file and a clock) and
//! the facility engine of the live clinic (terminal and readers together) serve the same pages.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDateTime;
use tokio::sync::broadcast;

use crate::audit::{AuditError, AuditSink};
use crate::outbox::TerminalEvent;
use crate::terminal::Terminal;

/// Runs the terminal for the web UI.
pub trait TerminalHost: Clone + Send + Sync + 'static {
    /// Runs `f` on the terminal at the host's current time; afterwards the host forwards the
    /// terminal's outputs ([`Terminal::take_outputs`]: events to the readers, records to the audit
    /// log). A host that cannot store an audit record or forward an event says so with a
    /// [`HostError`] (the page then shows a system error, 500).
    fn with_terminal<R, F>(&self, f: F) -> impl Future<Output = Result<R, HostError>> + Send
    where
        R: Send + 'static,
        F: FnOnce(&mut Terminal, NaiveDateTime) -> R + Send + 'static;
}

/// A host failed around a terminal call.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The audit log refused a record.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The host's engine failed (forwarding an event to a reader, a task that panicked, ...).
    #[error("{0}")]
    Engine(String),
}

/// Where a host gets the time from.
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

struct Shared {
    terminal: Terminal,
    audit: Box<dyn AuditSink>,
}

struct Inner {
    shared: Mutex<Shared>,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<TerminalEvent>,
}

/// The terminal alone (`harness terminal`): the terminal and its audit log behind a mutex, a
/// clock, and a broadcast channel of its events for whoever wants to forward them.
#[derive(Clone)]
pub struct StandaloneHost {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for StandaloneHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StandaloneHost { .. }")
    }
}

impl StandaloneHost {
    /// Wraps a terminal with its audit log and clock.
    pub fn new(terminal: Terminal, audit: Box<dyn AuditSink>, clock: Arc<dyn Clock>) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                shared: Mutex::new(Shared { terminal, audit }),
                clock,
                events,
            }),
        }
    }

    /// The terminal's events (mode changes, ticks), to forward to readers.
    pub fn subscribe(&self) -> broadcast::Receiver<TerminalEvent> {
        self.inner.events.subscribe()
    }

    /// The current time of this host's clock.
    pub fn now(&self) -> NaiveDateTime {
        self.inner.clock.now()
    }

    /// Runs `f` on the terminal with the clock's `now`, then appends the audit records it
    /// produced (each fsync'd when the sink is a file) and broadcasts its events. Blocking: from
    /// async code use [`TerminalHost::with_terminal`].
    pub fn with_terminal_blocking<R>(
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
}

impl TerminalHost for StandaloneHost {
    fn with_terminal<R, F>(&self, f: F) -> impl Future<Output = Result<R, HostError>> + Send
    where
        R: Send + 'static,
        F: FnOnce(&mut Terminal, NaiveDateTime) -> R + Send + 'static,
    {
        let host = self.clone();
        async move {
            // Password hashing and fsync block: off the async workers.
            match tokio::task::spawn_blocking(move || host.with_terminal_blocking(f)).await {
                Ok(result) => result.map_err(HostError::from),
                Err(join_error) => Err(HostError::Engine(format!(
                    "terminal task failed: {join_error}"
                ))),
            }
        }
    }
}
