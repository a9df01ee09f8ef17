//! Bench mode at the engine level, without pcscd: the runner and the facility drive a
//! [`BenchRig`] whose fixture is the simulated fixture (harness_bench's `SimFixture`, the core of
//! `fixture-sim`) on a pseudo-terminal, and whose readers are fake PC/SC watches that see what
//! the fixture's card mover did, with in-process cards keeping their state in files.
//!
//! What the issue asks of bad input: a fixture that answers garbage, stays silent, disappears
//! (pseudo-terminal closed), or a reader that vanishes ends the scenario with a clear error
//! within a bounded time and leaves the card's state unchanged; the PIN lock guard refuses a
//! wrong-PIN step when the counter is at 1. Also: skip tags are compared before running, the
//! serial log shows the fixture's commands and answers, and the bench enrols its cards through
//! the fixture before the first scenario.
//!
//! Time: the bench's clock jumps 100 ms per reading, so the fixture timeouts (motion 3 s here)
//! pass in a few hundred real milliseconds; nothing here sleeps to wait for a timeout.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use harness::bench::{BenchClock, BenchRig, WatchOpener};
use harness::config::{workspace_root, HarnessConfig};
use harness::features::runner::{self, RunOptions, RunSummary};
use harness::report::StepStatus;
use harness_bench::client::{open_serial, Clock, FixtureClient, FixturePort};
use harness_bench::config::{BenchConfig, ResolvedReader, SerialSettings};
use harness_bench::presence::{ReaderPresence, ReaderWatch};
use harness_bench::protocol::{Slot, Station};
use harness_bench::sim::{CardMover, FaultKind, FaultPlan, SimFixture};
use harness_bench::sim_serve::serve;
use harness_transport::{CardChannel, InProcessCard, TransportError};
use serialport::{SerialPort, TTYPort};

/// Generous bound for "ends within a bounded time": every fixture wait here is 3 s of the
/// jumping clock; the facility's own slot timeout is 15 s of real time and must not be reached.
const BOUND: Duration = Duration::from_secs(12);

const READER: &str = "Identiv CLOUD 3701 F Contactless Reader 0";

fn fixtures() -> PathBuf {
    workspace_root().join("fixtures")
}

/// The bench's clock: 100 ms later at every reading.
#[derive(Clone)]
struct Jumping(Arc<Mutex<Instant>>);

impl Clock for Jumping {
    fn now(&self) -> Instant {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += Duration::from_millis(100);
        *now
    }
}

/// What lies on the fake readers, shared by the fixture's card mover and the PC/SC watches.
#[derive(Default)]
struct Field {
    on_reader: BTreeMap<Station, Slot>,
    /// Every PLACE the mover carried out.
    placed: Vec<Slot>,
    /// The reader disappears from PC/SC as soon as a card is laid on it.
    vanish_on_place: bool,
}

type SharedField = Arc<Mutex<Field>>;

fn field_of(field: &SharedField) -> std::sync::MutexGuard<'_, Field> {
    field.lock().unwrap_or_else(PoisonError::into_inner)
}

struct Mover(SharedField);

impl CardMover for Mover {
    fn place(&mut self, slot: Slot, station: Station) -> Result<(), String> {
        let mut field = field_of(&self.0);
        field.on_reader.insert(station, slot);
        field.placed.push(slot);
        Ok(())
    }
    fn remove(&mut self, _slot: Slot, station: Station) -> Result<(), String> {
        field_of(&self.0).on_reader.remove(&station);
        Ok(())
    }
    fn still_present(&mut self, station: Station) -> bool {
        field_of(&self.0).on_reader.contains_key(&station)
    }
}

/// A reader as PC/SC would show it; its card is an in-process card with a state file per slot.
struct Watch {
    field: SharedField,
    name: String,
    station: Station,
    profiles: BTreeMap<Slot, PathBuf>,
    state_dir: PathBuf,
}

impl ReaderWatch for Watch {
    fn reader(&self) -> &str {
        &self.name
    }
    fn wait_change(&mut self, _wait: Duration) -> Result<ReaderPresence, TransportError> {
        let field = field_of(&self.field);
        Ok(match field.on_reader.get(&self.station) {
            Some(_) if field.vanish_on_place => ReaderPresence::Gone,
            Some(_) => ReaderPresence::Present,
            None => ReaderPresence::Empty,
        })
    }
    fn connect(&mut self) -> Result<Box<dyn CardChannel>, TransportError> {
        let slot = field_of(&self.field)
            .on_reader
            .get(&self.station)
            .copied()
            .ok_or(TransportError::NoCard)?;
        let profile = self.profiles.get(&slot).ok_or(TransportError::NoCard)?;
        Ok(Box::new(InProcessCard::open(
            profile,
            Some(&state_file(&self.state_dir, slot)),
        )?))
    }
}

fn state_file(dir: &Path, slot: Slot) -> PathBuf {
    dir.join(format!("slot-{slot}.toml"))
}

/// A serial log the test can read.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into()
    }
}

/// The bench file of these tests: one reader, yamada-taro's card in slot 1 (PIN from
/// `pin_var`), short fixture timeouts.
fn bench_file(dir: &Path, pin_var: &str) -> BenchConfig {
    let cards = fixtures().join("cards");
    let text = format!(
        r#"
[bench]
name = "bench-faults"
[fixture]
port = "/dev/null"
motion_timeout_ms = 3000
reset_timeout_ms = 3000
[[reader]]
role = 0
name = "{READER}"
station = 1
presence_timeout_ms = 2000
[[card]]
slot = 1
person = "yamada-taro"
profile = "{}"
physical = true
[card.pin_env]
jpki-auth = "{pin_var}"
[capabilities]
place_cards = true
camera_power = true
face_display = false
"#,
        cards.join("yamada-taro.toml").display()
    );
    let path = dir.join("bench.toml");
    std::fs::write(&path, text).expect("bench file");
    BenchConfig::load(&path).expect("valid bench file")
}

/// A bench over the simulated fixture on a pseudo-terminal.
struct Bench {
    rig: Arc<BenchRig>,
    field: SharedField,
    log: Log,
    state_dir: PathBuf,
    stop: Arc<AtomicBool>,
    server: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

fn bench(fault: Option<FaultPlan>, pin_var: &str) -> Bench {
    let dir = tempfile::tempdir().expect("temp dir");
    let state_dir = dir.path().join("cards");
    std::fs::create_dir_all(&state_dir).expect("state dir");
    let config = bench_file(dir.path(), pin_var);
    let field: SharedField = Arc::default();
    let (master, slave) = TTYPort::pair().expect("pseudo-terminal pair");
    let path = slave.name().expect("pseudo-terminal path");
    let stop = Arc::new(AtomicBool::new(false));
    let (server_stop, mut mover) = (Arc::clone(&stop), Mover(Arc::clone(&field)));
    let server = std::thread::spawn(move || {
        // A `vanish` fault ends `serve`: the master side closes with this thread.
        let _slave = slave;
        let mut port: Box<dyn FixturePort> = Box::new(Box::new(master));
        let mut sim = SimFixture::new([1], 1, fault);
        let _ = serve(
            port.as_mut(),
            &mut sim,
            &mut mover,
            &server_stop,
            &mut std::io::sink(),
        );
    });
    let clock = BenchClock::new(Jumping(Arc::new(Mutex::new(Instant::now()))));
    let port = open_serial(&SerialSettings::new(path.clone())).expect("open the pseudo-terminal");
    let log = Log::default();
    let client = FixtureClient::new(port, &path, config.timeouts, clock.clone())
        .with_log(Box::new(log.clone()));
    let profiles: BTreeMap<Slot, PathBuf> = config
        .cards
        .iter()
        .filter_map(|c| Some((c.slot, c.profile.clone()?)))
        .collect();
    let (watch_field, watch_states) = (Arc::clone(&field), state_dir.clone());
    let watches: WatchOpener = Box::new(move |reader: &ResolvedReader| {
        Ok(Box::new(Watch {
            field: Arc::clone(&watch_field),
            name: reader.name.clone(),
            station: reader.station,
            profiles: profiles.clone(),
            state_dir: watch_states.clone(),
        }) as Box<dyn ReaderWatch>)
    });
    let rig = BenchRig::assemble(config, client, &[READER.to_owned()], watches, clock)
        .expect("the bench starts");
    Bench {
        rig: Arc::new(rig),
        field,
        log,
        state_dir,
        stop,
        server: Some(server),
        _dir: dir,
    }
}

const BACKGROUND: &str = "
  背景:
    前提 資格確認端末にカードリーダー「Identiv CLOUD 3701 F Contactless Reader 0」がつながっている
    かつ カードリーダーは「無人運転」モードである
";

const PIN_VISIT: &str = "
    前提 患者「山田太郎」がマイナンバーカードを持っている
    もし 患者がカードをカードリーダーに置く
    かつ 患者が「暗証番号」を選ぶ
    かつ 患者が暗証番号「1234」を入力する
    かつ 患者がすべての同意項目で「同意しない」を選ぶ
    ならば 資格確認の結果は「有効」で本人確認方法は「暗証番号」である
";

/// Writes a feature file of `scenarios` (after the common background) into a fresh folder.
fn feature(scenarios: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench_faults.feature");
    std::fs::write(
        &path,
        format!("# language: ja\n機能: ベンチの故障\n{BACKGROUND}\n{scenarios}"),
    )
    .expect("feature file");
    (dir, path)
}

fn options(feature: &Path, work: &Path) -> RunOptions {
    let mut config = HarnessConfig::for_workspace();
    config.check_snapshots = false;
    config.work_dir = work.to_path_buf();
    RunOptions {
        features: vec![feature.to_path_buf()],
        config,
        html_report: None,
        junit: None,
        concurrency: 4,
        shard: None,
    }
}

fn run(options: RunOptions, rig: Option<Arc<BenchRig>>) -> (RunSummary, Duration) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let summary = runtime
        .block_on(async move {
            match rig {
                Some(rig) => runner::run_on_bench(options, rig).await,
                None => runner::run(options).await,
            }
        })
        .expect("the run itself works");
    (summary, started.elapsed())
}

/// The first failed step: (its text, the message).
fn failure(summary: &RunSummary) -> (String, String) {
    summary
        .scenarios
        .iter()
        .flat_map(|s| &s.steps)
        .find_map(|step| match &step.status {
            StepStatus::Failed(message) => Some((step.text.clone(), message.clone())),
            _ => None,
        })
        .expect("a failed step")
}

/// Runs the PIN visit on a bench whose fixture fails at PLACE (ID, RESET and SENSORS answered
/// first) and checks the common promises; returns the failed step's message.
fn placing_fails_cleanly(kind: FaultKind, pin_var: &str) -> String {
    let b = bench(Some(FaultPlan { kind, after: 3 }), pin_var);
    let (_feature_dir, file) = feature(&format!("  シナリオ: 暗証番号で資格確認する\n{PIN_VISIT}"));
    let work = tempfile::tempdir().expect("work dir");
    let (summary, took) = run(options(&file, work.path()), Some(b.rig.clone()));
    assert!(took < BOUND, "{kind:?}: the scenario took {took:?}");
    assert!(!summary.success());
    assert_eq!((summary.totals.passed, summary.totals.failed), (0, 1));
    let (step, message) = failure(&summary);
    assert_eq!(step, "患者がカードをカードリーダーに置く", "{message}");
    // The fault is reported again after the scenario: the bench stopped.
    assert!(
        summary
            .teardown_errors
            .iter()
            .any(|e| e.contains("ベンチが止まりました")),
        "{:?}",
        summary.teardown_errors
    );
    // Nothing moved and no card was touched: no PLACE carried out, no card state written.
    assert!(field_of(&b.field).placed.is_empty());
    assert!(!state_file(&b.state_dir, 1).exists());
    message
}

#[test]
fn a_fixture_answering_garbage_ends_the_scenario_with_the_line_it_sent() {
    let message = placing_fails_cleanly(FaultKind::Garbage, "BENCH_FAULTS_PIN_GARBAGE");
    assert!(message.contains("garbage from the fixture"), "{message}");
}

#[test]
fn a_silent_fixture_ends_the_scenario_at_the_motion_timeout() {
    let message = placing_fails_cleanly(FaultKind::Silent, "BENCH_FAULTS_PIN_SILENT");
    assert!(
        message.contains("did not answer `PLACE 1 1` within 3000 ms"),
        "{message}"
    );
}

#[test]
fn a_fixture_that_disappears_mid_run_ends_the_scenario() {
    let message = placing_fails_cleanly(FaultKind::Vanish, "BENCH_FAULTS_PIN_VANISH");
    assert!(message.contains("is gone"), "{message}");
}

#[test]
fn a_reader_that_vanishes_ends_the_scenario_without_touching_the_card() {
    let b = bench(None, "BENCH_FAULTS_PIN_READER");
    field_of(&b.field).vanish_on_place = true;
    let (_feature_dir, file) = feature(&format!("  シナリオ: 暗証番号で資格確認する\n{PIN_VISIT}"));
    let work = tempfile::tempdir().expect("work dir");
    let (summary, took) = run(options(&file, work.path()), Some(b.rig.clone()));
    assert!(took < BOUND, "took {took:?}");
    let (step, message) = failure(&summary);
    assert_eq!(step, "患者がカードをカードリーダーに置く");
    assert!(
        message.contains(&format!("reader {READER} vanished")),
        "{message}"
    );
    assert!(
        !state_file(&b.state_dir, 1).exists(),
        "the card was never opened"
    );
}

/// VERIFY with no data on the user-auth PIN: tries left (SELECT JPKI AP, SELECT EF 0018).
fn auth_tries_left(state: &Path) -> u8 {
    let mut card =
        InProcessCard::open(&fixtures().join("cards/yamada-taro.toml"), Some(state)).expect("card");
    harness::card_queries::auth_pin_tries_left(&mut card).expect("counter")
}

#[test]
fn the_guard_refuses_a_wrong_pin_when_the_counter_is_at_one_and_the_counter_stays() {
    let var = "BENCH_FAULTS_PIN_GUARD";
    std::env::set_var(var, "1234");
    let b = bench(None, var);
    // Two wrong PINs earlier (another run, another client): one try left on the card.
    let state = state_file(&b.state_dir, 1);
    {
        let mut card =
            InProcessCard::open(&fixtures().join("cards/yamada-taro.toml"), Some(&state))
                .expect("card");
        let select = |card: &mut InProcessCard, apdu: Vec<u8>| {
            let answer = card.transmit(&apdu).expect("answer");
            assert_eq!(answer.get(answer.len() - 2..), Some(&[0x90, 0x00][..]));
        };
        select(
            &mut card,
            card_protocol::Select::application(card_protocol::Application::Jpki).encode(),
        );
        select(
            &mut card,
            card_protocol::Select::ef(card_protocol::fid::JPKI_AUTH_PIN).encode(),
        );
        for wrong in ["0000", "0001"] {
            let verify = card_protocol::Verify::new(
                card_protocol::PinTarget::CurrentEf,
                card_protocol::PinBytes::new(wrong.as_bytes()),
            )
            .expect("verify")
            .encode();
            card.transmit(&verify).expect("answer");
        }
    }
    assert_eq!(auth_tries_left(&state), 1);

    let (_feature_dir, file) = feature(
        "  シナリオ: 暗証番号を間違える
    前提 患者「山田太郎」がマイナンバーカードを持っている
    かつ カードリーダーは「暗証番号認証固定」モードである
    もし 患者がカードをカードリーダーに置く
    かつ 患者が暗証番号「9999」を入力する
",
    );
    let work = tempfile::tempdir().expect("work dir");
    let (summary, took) = run(options(&file, work.path()), Some(b.rig.clone()));
    assert!(took < BOUND, "took {took:?}");
    let (step, message) = failure(&summary);
    assert_eq!(step, "患者が暗証番号「9999」を入力する");
    assert!(
        message.contains("カードをロックするおそれがあるため中止しました")
            && message.contains("has 1 tries left"),
        "{message}"
    );
    assert!(
        !message.contains("9999") && !message.contains("1234"),
        "{message}"
    );
    assert_eq!(
        auth_tries_left(&state),
        1,
        "the refused step entered nothing"
    );
}

#[test]
fn skip_tags_are_compared_before_running_and_the_serial_log_shows_the_dialogue() {
    let b = bench(None, "BENCH_FAULTS_PIN_SKIP");
    std::env::set_var("BENCH_FAULTS_PIN_SKIP", "1234");
    let (_feature_dir, file) = feature(&format!(
        "  シナリオ: 暗証番号で資格確認する\n{PIN_VISIT}
  @needs-face-camera
  シナリオ: 顔が要る
{PIN_VISIT}
  @simulated-only
  シナリオ: シミュレーションだけ
{PIN_VISIT}
  @needs-camera-power
  シナリオ: カメラの電源
{PIN_VISIT}"
    ));
    let work = tempfile::tempdir().expect("work dir");
    let (summary, _) = run(options(&file, work.path()), Some(b.rig.clone()));
    assert!(summary.success(), "{:?}", summary.scenarios);
    // The bench can switch camera power: that one runs; the other two are not run.
    assert_eq!(summary.totals.passed, 2);
    let not_run: Vec<(&str, &str)> = summary
        .not_run
        .iter()
        .map(|(_, scenario, reason)| (scenario.as_str(), reason.as_str()))
        .collect();
    assert_eq!(not_run.len(), 2, "{not_run:?}");
    assert!(not_run
        .iter()
        .any(|(s, r)| *s == "顔が要る" && r.contains("表示器")));
    assert!(not_run
        .iter()
        .any(|(s, r)| *s == "シミュレーションだけ" && r.contains("シミュレーション")));
    assert!(summary.line().contains("2 not run on the bench"));
    assert!(summary
        .scenarios
        .iter()
        .all(|s| s.scenario != "顔が要る" && s.scenario != "シミュレーションだけ"));

    // The host's side of the serial line: requests and the fixture's answers.
    let log = b.log.text();
    for line in [
        "> 1 ID",
        "< 1 OK maker=kao-harness",
        "> 2 RESET",
        "PLACE 1 1",
        "REMOVE 1",
    ] {
        assert!(log.contains(line), "{line:?} not in\n{log}");
    }
    // The card came and went through the fixture, twice.
    assert_eq!(field_of(&b.field).placed, vec![1, 1]);

    // Without a bench, tags change nothing: all four run in-process.
    let work = tempfile::tempdir().expect("work dir");
    let (summary, _) = run(options(&file, work.path()), None);
    assert!(summary.success());
    assert_eq!(summary.totals.passed, 4);
    assert!(summary.not_run.is_empty());
}

#[test]
fn the_bench_enrols_its_cards_through_the_fixture_before_the_first_scenario() {
    let var = "BENCH_FAULTS_PIN_ENROL";
    std::env::set_var(var, "1234");
    let mut b = bench(None, var);
    let rig = Arc::get_mut(&mut b.rig).expect("the only handle on the rig");
    let start = harness::features::world::scenario_origin().expect("origin");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let enrolled = runtime
        .block_on(rig.enrol_cards(&fixtures(), &[start]))
        .expect("enrolled");
    drop(runtime);
    // yamada-taro's physical card (enrol by default): laid on reader 0, read, lifted off; the
    // PIN counter untouched.
    let people: Vec<&str> = enrolled.iter().map(|c| c.person.as_str()).collect();
    assert_eq!(people, ["yamada-taro"]);
    assert_eq!(field_of(&b.field).placed, vec![1]);
    assert!(field_of(&b.field).on_reader.is_empty());
    assert_eq!(b.rig.enrolment().cards.len(), 1);
    assert_eq!(auth_tries_left(&state_file(&b.state_dir, 1)), 3);
    // The scenarios' facilities register it: the PIN visit is 有効.
    let (_feature_dir, file) = feature(&format!("  シナリオ: 暗証番号で資格確認する\n{PIN_VISIT}"));
    let work = tempfile::tempdir().expect("work dir");
    let (summary, _) = run(options(&file, work.path()), Some(b.rig.clone()));
    assert!(summary.success(), "{:?}", summary.scenarios);
    assert_eq!(field_of(&b.field).placed, vec![1, 1]);
}
