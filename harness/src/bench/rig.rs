//! An opened bench (ベンチ): the bench file, the fixture on its serial line, the readers found in
//! pcscd, the PIN lock guard of the run and the cards enrolled in the eligibility service — what
//! [`BenchRig`] holds and how it is opened, described and recovered between scenarios. Its card
//! slots are opened in `slot`, its cards enrolled in `enrol`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use harness_bench::answers::{Identity, Sensed};
use harness_bench::client::FixtureClient;
use harness_bench::config::{BenchConfig, ResolvedReader};
use harness_bench::guard::PinLockGuard;
use harness_bench::presence::ReaderWatch;
use harness_bench::slot::SharedFixture;
use harness_eligibility::enrolment::CardEnrolment;

use super::clock::BenchClock;
use super::skip::skip_reason_ja;

/// Opens the PC/SC watch of a bench reader (through pcscd on a bench; a fake in tests).
pub type WatchOpener =
    Box<dyn Fn(&ResolvedReader) -> anyhow::Result<Box<dyn ReaderWatch>> + Send + Sync>;

/// An opened bench: its file, the fixture on its serial line, the readers found in pcscd and
/// the PIN lock guard of the run.
pub struct BenchRig {
    pub(super) config: BenchConfig,
    pub(super) fixture: SharedFixture<BenchClock>,
    pub(super) readers: Vec<ResolvedReader>,
    pub(super) guard: Arc<Mutex<PinLockGuard>>,
    pub(super) identity: String,
    pub(super) clock: BenchClock,
    pub(super) watches: WatchOpener,
    /// The cards enrolled before the first scenario and their CA (`enrol`).
    pub(super) enrolment: CardEnrolment,
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
    /// Reads the bench file, opens the fixture (identify, reset, sensors) with its serial log at
    /// `serial_log`, and finds the bench's readers among pcscd's.
    #[cfg(feature = "pcsc")]
    pub fn open(bench_file: &Path, serial_log: &Path) -> anyhow::Result<Self> {
        let config = BenchConfig::load(bench_file)
            .with_context(|| format!("ベンチファイル {} を読めません", bench_file.display()))?;
        if let Some(parent) = serial_log.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let log = std::fs::File::create(serial_log)
            .with_context(|| format!("シリアルログ {} を作れません", serial_log.display()))?;
        let port = harness_bench::client::open_serial(&config.serial)
            .with_context(|| format!("治具のシリアルポート {} を開けません", config.serial.port))?;
        let mut port = port;
        if !config.serial.open_settle.is_zero() {
            // Boards that reset when the port opens (protocol §1): wait, then drop what came.
            std::thread::sleep(config.serial.open_settle);
        }
        port.discard_input()
            .with_context(|| format!("治具のシリアルポート {} が使えません", config.serial.port))?;
        let clock = BenchClock::system();
        let client = FixtureClient::new(port, &config.serial.port, config.timeouts, clock.clone())
            .with_log(Box::new(log));
        let available = pcsc_readers()?;
        let watches: WatchOpener = Box::new(|reader: &ResolvedReader| {
            harness_bench::presence::PcscWatch::new(&reader.name)
                .map(|w| Box::new(w) as Box<dyn ReaderWatch>)
                .map_err(|e| anyhow::anyhow!("{}: {e}", reader.name))
        });
        Self::assemble(config, client, &available, watches, clock)
    }

    /// Bench mode needs the `pcsc` feature (PC/SC presence and channels).
    #[cfg(not(feature = "pcsc"))]
    pub fn open(_bench_file: &Path, _serial_log: &Path) -> anyhow::Result<Self> {
        anyhow::bail!("ベンチモードには pcsc 機能が必要です（cargo run --features pcsc -p harness -- run --bench …）")
    }

    /// A bench from its parts: starts the fixture session (docs/bench-fixture-protocol.md §8:
    /// `ID` covering the bench file, `RESET`, `SENSORS` of each station showing no card) and
    /// finds the bench file's readers among `available` (pcscd's reader names). `open` is this
    /// with a serial port and pcscd; tests give a pseudo-terminal and fake watches.
    pub fn assemble(
        config: BenchConfig,
        mut client: FixtureClient<BenchClock>,
        available: &[String],
        watches: WatchOpener,
        clock: BenchClock,
    ) -> anyhow::Result<Self> {
        let port = client.port_name().to_owned();
        let identity = client
            .start()
            .with_context(|| format!("治具 {port} との通信を始められません"))?;
        check_identity(&config, &identity)?;
        for reader in &config.readers {
            let reading = client
                .sensors(reader.station)
                .with_context(|| format!("治具の台{}のセンサーを読めません", reader.station))?;
            anyhow::ensure!(
                reading.card != Sensed::Yes,
                "治具の台{}に RESET のあともカードが載っています（治具の点検が必要です）",
                reader.station
            );
        }
        let readers = config
            .resolve_readers(available)
            .context("ベンチファイルのカードリーダーが pcscd に見つかりません")?;
        let guard = Arc::new(Mutex::new(PinLockGuard::new(config.safety)));
        Ok(Self {
            identity: format!(
                "{} {} fw {} (slots {}, stations {})",
                identity.maker,
                identity.model,
                identity.firmware,
                identity.slots,
                identity.stations
            ),
            config,
            fixture: Arc::new(Mutex::new(client)),
            readers,
            guard,
            clock,
            watches,
            enrolment: CardEnrolment::default(),
        })
    }

    /// The bench file.
    pub fn config(&self) -> &BenchConfig {
        &self.config
    }

    /// What the fixture said of itself.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The readers found in pcscd, by role.
    pub fn readers(&self) -> &[ResolvedReader] {
        &self.readers
    }

    /// One line for reports: the bench's name, its fixture and its readers.
    pub fn describe(&self) -> String {
        let readers: Vec<&str> = self.readers.iter().map(|r| r.name.as_str()).collect();
        format!(
            "ベンチ「{}」（治具 {}、カードリーダー {}）",
            self.config.name,
            self.identity,
            readers.join("、")
        )
    }

    /// Why a scenario with these tags (without `@`) cannot run on this bench, in Japanese, if it
    /// cannot (the decision is [`BenchConfig::skip_reason`]'s).
    pub fn skip_reason(&self, tags: &[&str]) -> Option<String> {
        skip_reason_ja(&self.config, tags)
    }
}

impl BenchRig {
    /// Before a scenario uses the fixture: a heartbeat when one is due; after an earlier scenario
    /// left the fixture unusable (timeout, garbage, `ERR 11`), `RESET` it (every card back in its
    /// slot) and check each station's card sensor (docs/bench-fixture-protocol.md §5). The failed
    /// scenario has already failed with the fault; this only decides whether the run can go on.
    pub(super) fn recover_if_needed(&self) -> anyhow::Result<()> {
        let mut fixture = self
            .fixture
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(cause) = fixture.unusable().map(str::to_owned) else {
            // Heartbeat (protocol §5): a PING if nothing was sent for the interval; no answer
            // means the fixture is gone, and the scenario does not start.
            fixture.heartbeat().context("治具が応答しません（PING）")?;
            return Ok(());
        };
        tracing::warn!(%cause, "fixture unusable after an earlier scenario; RESET");
        fixture.recover().with_context(|| {
            format!("治具を RESET できないため続けられません（前の失敗: {cause}）")
        })?;
        for reader in &self.readers {
            let reading = fixture
                .sensors(reader.station)
                .with_context(|| format!("治具の台{}のセンサーを読めません", reader.station))?;
            anyhow::ensure!(
                reading.card != Sensed::Yes,
                "治具の台{}に RESET のあともカードが載っています",
                reader.station
            );
        }
        Ok(())
    }
}

/// The fixture must be able to do what the bench file says (protocol §8, step 2).
fn check_identity(config: &BenchConfig, identity: &Identity) -> anyhow::Result<()> {
    let caps = &identity.caps;
    let wanted = &config.capabilities;
    let mut missing = Vec::new();
    if wanted.place_cards && !caps.place {
        missing.push("place");
    }
    if wanted.camera_power && !caps.camera {
        missing.push("camera");
    }
    if wanted.face_display && !caps.display {
        missing.push("display");
    }
    anyhow::ensure!(
        missing.is_empty(),
        "治具（{} {}）にはベンチファイルの求める機能 {} がありません",
        identity.maker,
        identity.model,
        missing.join(", ")
    );
    let max_station = config.readers.iter().map(|r| r.station).max().unwrap_or(0);
    let max_slot = config.cards.iter().map(|c| c.slot).max().unwrap_or(0);
    anyhow::ensure!(
        max_station <= identity.stations && max_slot <= identity.slots,
        "治具（{} {}）は台{}・スロット{}までですが、ベンチファイルは台{max_station}・スロット{max_slot}を使います",
        identity.maker,
        identity.model,
        identity.stations,
        identity.slots
    );
    Ok(())
}

/// pcscd's readers now.
#[cfg(feature = "pcsc")]
fn pcsc_readers() -> anyhow::Result<Vec<String>> {
    let context = pcsc::Context::establish(pcsc::Scope::User)
        .map_err(|e| anyhow::anyhow!("pcscd に接続できません: {e}"))?;
    let names = context
        .list_readers_owned()
        .map_err(|e| anyhow::anyhow!("pcscd のカードリーダー一覧を取れません: {e}"))?;
    Ok(names
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect())
}

/// Where a run's serial log goes: beside the report.
pub fn serial_log_path(report: &Path) -> PathBuf {
    report.with_file_name("fixture-serial.log")
}
