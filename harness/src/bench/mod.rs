//! The bench driver: the same features against physical PC/SC readers, with cards laid on them
//! and lifted off by a serial fixture (docs/bench-fixture-protocol.md) and their presence seen
//! through PC/SC. The engine is the same; only the card slots differ ([`BenchRig::slots`]).
//! A simulated bench (ci/bench-sim.sh: fixture-sim + vpcd readers) takes the same path; only the
//! serial port and the reader names in the bench file differ.

mod slot;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{anyhow, Context as _};
use harness_bench::config::{BenchConfig, ResolvedReader};
use harness_bench::guard::PinLockGuard;
use harness_bench::slot::SharedFixture;

use crate::facility::CardSlot;

/// An opened bench: its file, the fixture on its serial line, the readers found in pcscd and
/// the PIN lock guard of the run.
pub struct BenchRig {
    config: BenchConfig,
    fixture: SharedFixture,
    readers: Vec<ResolvedReader>,
    guard: Arc<Mutex<PinLockGuard>>,
    identity: String,
}

impl std::fmt::Debug for BenchRig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BenchRig")
            .field("bench", &self.config.name)
            .field("fixture", &self.identity)
            .field("readers", &self.readers)
            .finish_non_exhaustive()
    }
}

impl BenchRig {
    /// Reads the bench file, opens the fixture (identify, reset) with its serial log at
    /// `serial_log`, and finds the bench's readers among pcscd's.
    #[cfg(feature = "pcsc")]
    pub fn open(bench_file: &Path, serial_log: &Path) -> anyhow::Result<Self> {
        use harness_bench::client::FixtureClient;

        let config = BenchConfig::load(bench_file)
            .with_context(|| format!("ベンチファイル {} を読めません", bench_file.display()))?;
        if let Some(parent) = serial_log.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let log = std::fs::File::create(serial_log)
            .with_context(|| format!("シリアルログ {} を作れません", serial_log.display()))?;
        let mut client = FixtureClient::open(&config.serial, config.timeouts)
            .with_context(|| format!("治具のシリアルポート {} を開けません", config.serial.port))?
            .with_log(Box::new(log));
        let identity = client
            .start()
            .with_context(|| format!("治具 {} が応答しません", config.serial.port))?;
        let available = pcsc_readers()?;
        let readers = config
            .resolve_readers(&available)
            .context("ベンチファイルのカードリーダーが pcscd に見つかりません")?;
        let guard = Arc::new(Mutex::new(PinLockGuard::new(config.safety)));
        Ok(Self {
            config,
            fixture: Arc::new(Mutex::new(client)),
            readers,
            guard,
            identity: format!("{identity:?}"),
        })
    }

    /// Bench mode needs the `pcsc` feature (PC/SC presence and channels).
    #[cfg(not(feature = "pcsc"))]
    pub fn open(_bench_file: &Path, _serial_log: &Path) -> anyhow::Result<Self> {
        anyhow::bail!("ベンチモードには pcsc 機能が必要です（cargo run --features pcsc -p harness -- run --bench …）")
    }

    /// The bench file.
    pub fn config(&self) -> &BenchConfig {
        &self.config
    }

    /// What the fixture said of itself.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Why a scenario with these tags cannot run on this bench, if it cannot.
    pub fn skip_reason(&self, tags: &[&str]) -> Option<String> {
        self.config.skip_reason(tags)
    }

    /// One slot per facility reader, by role (0, 1, …).
    pub fn slots(&self, count: usize) -> anyhow::Result<Vec<Box<dyn CardSlot>>> {
        anyhow::ensure!(
            count <= self.readers.len(),
            "このシナリオにはカードリーダーが{count}台必要ですが、ベンチには{}台しかありません",
            self.readers.len()
        );
        let mut readers = self.readers.clone();
        readers.sort_by_key(|r| r.role);
        readers
            .into_iter()
            .take(count)
            .map(|reader| slot::open(self, reader))
            .collect()
    }

    fn lock_guard(&self) -> std::sync::MutexGuard<'_, PinLockGuard> {
        self.guard.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// pcscd's readers now.
#[cfg(feature = "pcsc")]
fn pcsc_readers() -> anyhow::Result<Vec<String>> {
    let context = pcsc::Context::establish(pcsc::Scope::User)
        .map_err(|e| anyhow!("pcscd に接続できません: {e}"))?;
    let names = context
        .list_readers_owned()
        .map_err(|e| anyhow!("pcscd のカードリーダー一覧を取れません: {e}"))?;
    Ok(names
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect())
}

/// Where a run's serial log goes: beside the report.
pub fn serial_log_path(report: &Path) -> PathBuf {
    report.with_file_name("fixture-serial.log")
}
