//! The bench's clock (ベンチの時計): one time source for the fixture client and the card slots,
//! the real clock on a bench and a jumping one in tests.

use std::sync::Arc;
use std::time::Instant;

use harness_bench::client::Clock;

/// The bench's time source, shared by the fixture client and the slots (tests give one that
/// jumps, so that timeouts need no real waiting).
#[derive(Clone)]
pub struct BenchClock(Arc<dyn Clock + Sync>);

impl BenchClock {
    /// The real clock.
    pub fn system() -> Self {
        Self(Arc::new(harness_bench::client::SystemClock))
    }

    /// Any clock.
    pub fn new(clock: impl Clock + Sync + 'static) -> Self {
        Self(Arc::new(clock))
    }
}

impl Clock for BenchClock {
    fn now(&self) -> Instant {
        self.0.now()
    }
}
