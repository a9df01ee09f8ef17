//! The harness's added latency per APDU over a bare `pcsc` transmit on the same reader, in one
//! run. Prints numbers; asserts nothing about time.
//!
//! Each round lays the card on a facility reader (`PatientRole::place_card`): the facility feeds
//! "card placed" to its reader and answers every command the reader sends through the pump
//! (the reader's state machine, `run_until_idle`, the timing wrapper, the events recorded) over
//! a `PcscChannel`. The same commands, in the same order, then go to the card through a bare
//! `pcsc::Card::transmit` on the same reader. Added latency per APDU of the round =
//! (facility time − bare time) / number of APDUs; the medians over the rounds are printed.
//! The slot hands the facility one connection made before the rounds (a bench slot connects
//! once per card placement as well), so connecting is in neither number.
//!
//! Needs pcscd with our virtual card of `HARNESS_BENCH_PROFILE` (default yamada-taro) in the
//! reader `HARNESS_BENCH_READER` (default: the first of `HARNESS_PCSC_READERS`, as
//! ci/pcscd-start.sh exports them):
//!
//!   flock /tmp/pcscd.lock sh -c 'ci/pcscd-start.sh /tmp/lat fixtures/cards/yamada-taro.toml &&
//!     . /tmp/lat/env && cargo bench -p harness --features pcsc --bench added_latency;
//!     ci/pcscd-stop.sh /tmp/lat'

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use harness::config::workspace_root;
use harness::facility::{
    Accounts, CardRef, CardSlot, EventKind, FaceFailureStore, Facility, FacilityClock,
    FacilitySetup, ReaderSetup, ScenarioClock,
};
use harness_eligibility::result_xml::ResultFileOptions;
use harness_terminal::audit::MemoryAudit;
use harness_terminal::config::TerminalPolicy;
use harness_terminal::secret::Password;
use harness_transport::{CardChannel, PcscChannel, TransportError};

/// The one connection to the card, lent to the facility at each placement.
#[derive(Clone)]
struct Shared(Arc<Mutex<PcscChannel>>);

impl CardChannel for Shared {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).atr()
    }
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .transmit(command)
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reset()
    }
}

/// A slot whose card is always in the pcscd reader: placing hands out the shared connection.
struct PcscReaderSlot {
    channel: Shared,
    placed: bool,
}

impl CardSlot for PcscReaderSlot {
    fn insert(&mut self, _card: &CardRef) -> anyhow::Result<()> {
        self.placed = true;
        Ok(())
    }
    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        Ok(self
            .placed
            .then(|| Box::new(self.channel.clone()) as Box<dyn CardChannel>))
    }
    fn remove(&mut self) {
        self.placed = false;
    }
    fn poll_removed(&mut self) -> bool {
        !self.placed
    }
    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        Ok(None)
    }
    fn has_card(&self) -> bool {
        self.placed
    }
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

fn facility(fixtures: &Path, work: &Path, channel: Shared) -> anyhow::Result<Facility> {
    let origin = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .ok_or_else(|| anyhow::anyhow!("origin"))?;
    Facility::new(FacilitySetup {
        fixtures: fixtures.to_path_buf(),
        readers: vec![ReaderSetup {
            name: "Identiv CLOUD 3701 F Contactless Reader 0".into(),
            slot: Box::new(PcscReaderSlot {
                channel,
                placed: false,
            }),
            consent_screens: None,
        }],
        accounts: Accounts {
            admin: Password::new("Admin-Test-2026"),
            general: Password::new("Staff-Test-2026"),
        },
        policy: TerminalPolicy {
            password_hash_cost: harness_terminal::account::HashCost::Minimal,
            ..TerminalPolicy::default()
        },
        clock: FacilityClock::Scenario(ScenarioClock::new(origin)),
        results_dir: work.join("oqs"),
        result_options: ResultFileOptions::default(),
        audit: Box::new(MemoryAudit::default()),
        face_failures: FaceFailureStore::open(&work.join("face-failures.toml"))?,
        enrolment: Default::default(),
    })
}

/// The person whose card a profile is (`fixtures/cards/<person>.toml`).
fn person_of(profile: &Path) -> anyhow::Result<String> {
    profile
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or_else(|| anyhow::anyhow!("{} names no person", profile.display()))
}

async fn measure(reader: &str, profile: &Path, rounds: usize) -> anyhow::Result<()> {
    let root = workspace_root();
    let work = tempfile::tempdir()?;
    let channel = Shared(Arc::new(Mutex::new(PcscChannel::connect(reader)?)));
    let context = pcsc::Context::establish(pcsc::Scope::User)?;
    let name = std::ffi::CString::new(reader)?;
    let bare = context.connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)?;
    let mut facility = facility(&root.join("fixtures"), work.path(), channel)?;
    let person = person_of(profile)?;
    facility.patient(0)?.arrive(&person)?;

    let mut buffer = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
    let (mut added, mut through_harness, mut through_bare) = (Vec::new(), Vec::new(), Vec::new());
    let mut apdus = 0;
    for round in 0..rounds + 5 {
        facility.drain_events();
        let started = Instant::now();
        facility.patient(0)?.place_card().await?;
        let harness_time = started.elapsed();
        facility.patient(0)?.remove_card().await?;
        // Past the end screen, so the next placement starts a new visit.
        facility.advance(Duration::from_secs(30))?;
        let commands: Vec<Vec<u8>> = facility
            .drain_events()
            .into_iter()
            .filter_map(|event| match event.kind {
                EventKind::CardExchange { exchange, .. } => Some(exchange.command.encode()),
                _ => None,
            })
            .collect();
        anyhow::ensure!(
            !commands.is_empty(),
            "the reader sent no command to the card"
        );
        let started = Instant::now();
        for command in &commands {
            let answer = bare.transmit(command, &mut buffer)?;
            anyhow::ensure!(answer.len() >= 2, "short answer {answer:02X?}");
        }
        let bare_time = started.elapsed();
        if round < 5 {
            continue; // warm-up
        }
        let n = commands.len() as f64;
        apdus = commands.len();
        let per = |d: Duration| d.as_secs_f64() * 1e6 / n;
        through_harness.push(per(harness_time));
        through_bare.push(per(bare_time));
        added.push(per(harness_time) - per(bare_time));
    }
    println!(
        "added latency per APDU on {reader:?} ({rounds} rounds of card placement, {apdus} APDUs each):"
    );
    println!(
        "  bare pcsc::Card::transmit              median {:>8.1} µs per APDU",
        median(through_bare)
    );
    println!(
        "  facility (reader pump, PcscChannel)    median {:>8.1} µs per APDU",
        median(through_harness)
    );
    let added = median(added);
    println!(
        "  added by the harness                   median {added:>8.1} µs per APDU (goal < 50 µs: {})",
        if added < 50.0 { "met" } else { "NOT met" }
    );
    Ok(())
}

#[tokio::main]
async fn main() {
    let reader = std::env::var("HARNESS_BENCH_READER").ok().or_else(|| {
        std::env::var("HARNESS_PCSC_READERS")
            .ok()
            .and_then(|r| r.split(';').next().map(str::to_owned))
    });
    let Some(reader) = reader.filter(|r| !r.is_empty()) else {
        println!("added_latency: set HARNESS_BENCH_READER or HARNESS_PCSC_READERS (a reader with our virtual card); see the file's header");
        return;
    };
    let profile = std::env::var("HARNESS_BENCH_PROFILE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("fixtures/cards/yamada-taro.toml"));
    let rounds = std::env::var("HARNESS_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    if let Err(error) = measure(&reader, &profile, rounds).await {
        eprintln!("added_latency: {error:#}");
        std::process::exit(1);
    }
}
