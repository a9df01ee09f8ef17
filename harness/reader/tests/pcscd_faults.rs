//! Faults through a real pcscd + vpcd, with whole reader visits (PIN route):
//! - pcscd stopped (SIGTERM) in the middle of a visit and started again with the same reader
//!   configs in the same network namespace: the visit in flight fails with a transport error,
//!   the card process reconnects by itself, visits complete again;
//! - the card process stopped (SIGTERM) in the middle of a visit: the visit fails (card removed /
//!   transport error), and a new card process in the same reader works.
//!
//! Every wait is bounded: a visit, a stop or a recovery past its bound fails the test as a hang.
//!
//! These tests stop pcscd and card processes, so they run only when `HARNESS_FAULTS=1` (set by
//! `ci/fault-pcscd-restart.sh`, which starts pcscd with yamada-taro and watanabe-sora and stops
//! everything afterwards), never inside `ci/test.sh`'s shared pcscd. Without it they say SKIPPED.
#![cfg(feature = "pcsc")]

mod pcsc_visits;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use harness_reader::{CheckOutcome, FailureReason};
use harness_transport::{list_readers, CardChannel, PcscChannel, TransportError};
use pcsc_visits::{auth_pin_tries, lanes_from_env, Counter, Lane, Route, Visit};

/// Both tests stop shared processes: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Bound of one visit (a clean one takes tens of milliseconds).
const VISIT_BOUND: Duration = Duration::from_secs(20);
/// Bound for a process to exit after SIGTERM.
const STOP_BOUND: Duration = Duration::from_secs(10);
/// Bound for visits to complete again after pcscd or the card came back.
const RECOVERY_BOUND: Duration = Duration::from_secs(30);

struct FaultEnv {
    lanes: Vec<Lane>,
    run_dir: PathBuf,
    ns_exec: Vec<String>,
    card_bin: String,
}

fn fault_env() -> Option<FaultEnv> {
    if std::env::var("HARNESS_FAULTS").as_deref() != Ok("1") {
        eprintln!("SKIPPED: HARNESS_FAULTS is not 1 (run ci/fault-pcscd-restart.sh)");
        return None;
    }
    let lanes = lanes_from_env()
        .expect("HARNESS_FAULTS=1 needs HARNESS_PCSC=1 (ci/pcscd-start.sh's env)")
        .expect("cards table");
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"));
    Some(FaultEnv {
        lanes,
        run_dir: PathBuf::from(var("HARNESS_PCSC_RUN_DIR")),
        ns_exec: var("HARNESS_PCSC_NETNS_EXEC")
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        card_bin: var("HARNESS_VIRTUAL_CARD_BIN"),
    })
}

fn lane<'a>(env: &'a FaultEnv, person: &str) -> &'a Lane {
    env.lanes
        .iter()
        .find(|lane| lane.profile.ends_with(format!("{person}.toml")))
        .unwrap_or_else(|| panic!("no {person} card in this run"))
}

/// Prints timeline events relative to the test's start.
struct Timeline {
    start: Instant,
}

impl Timeline {
    fn new(title: &str) -> Self {
        println!("\n== {title}");
        Self {
            start: Instant::now(),
        }
    }

    fn at(&self) -> Duration {
        self.start.elapsed()
    }

    fn event(&self, what: impl AsRef<str>) -> Duration {
        let at = self.at();
        println!("  t={:>8.3} s  {}", at.as_secs_f64(), what.as_ref());
        at
    }
}

/// Runs `work` on its own thread; panics as a hang if it takes longer than `bound`.
fn bounded<T: Send + 'static>(
    what: &str,
    bound: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(bound) {
        Ok(value) => value,
        Err(_) => panic!("HANG: {what} did not finish within {} s", bound.as_secs()),
    }
}

/// One visit on its own thread, bounded; gives the counter and channel back.
fn bounded_visit<C: CardChannel + 'static>(
    what: &str,
    mut counter: Counter,
    mut channel: C,
) -> (Counter, C, Visit) {
    bounded(what, VISIT_BOUND, move || {
        let visit = counter.visit(&mut channel, Route::Pin);
        (counter, channel, visit)
    })
}

/// A channel that runs `fault` once, just before the `at`-th command (0-based) is sent.
struct FaultBefore<C, F> {
    inner: C,
    at: usize,
    sent: usize,
    fault: Option<F>,
}

impl<C: CardChannel, F: FnOnce() + Send> CardChannel for FaultBefore<C, F> {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.inner.atr()
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.sent == self.at {
            if let Some(fault) = self.fault.take() {
                fault();
            }
        }
        self.sent += 1;
        self.inner.transmit(command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.inner.reset()
    }
}

fn alive(pid: u32) -> bool {
    // A zombie still has /proc/<pid>; its state letter is Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

fn command_line(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .unwrap_or_default()
}

fn read_pid(path: &Path) -> u32 {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .trim()
        .parse()
        .expect("pid")
}

/// SIGTERM to `pid`, then waits (bounded) until it is gone.
fn terminate(pid: u32) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(status.success(), "kill -TERM {pid}");
    let deadline = Instant::now() + STOP_BOUND;
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "HANG: {pid} still runs {} s after SIGTERM",
            STOP_BOUND.as_secs()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The running pcscd that ci/pcscd-start.sh (or an earlier restart) recorded in RUN_DIR/pids.
fn recorded_pcscd(env: &FaultEnv) -> u32 {
    let pids = std::fs::read_to_string(env.run_dir.join("pids")).expect("RUN_DIR/pids");
    pids.lines()
        .filter_map(
            |line| match line.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["pcscd", pid, ..] => pid.parse::<u32>().ok(),
                _ => None,
            },
        )
        .rfind(|pid| alive(*pid) && command_line(*pid).contains("pcscd"))
        .expect("a running pcscd recorded in RUN_DIR/pids")
}

/// Starts `words` detached (it outlives this test; ci/pcscd-stop.sh stops it), output appended to
/// `log`; returns its pid.
fn spawn_detached(words: &[String], log: &Path) -> u32 {
    let output = Command::new("sh")
        .arg("-c")
        .arg(r#"log=$1; shift; "$@" </dev/null >>"$log" 2>&1 & echo $!"#)
        .arg("sh")
        .arg(log)
        .args(words)
        .stdin(Stdio::null())
        .output()
        .expect("sh");
    assert!(output.status.success(), "start {words:?}");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("pid from sh")
}

/// pcscd again, as ci/pcscd-start.sh started it: same reader configs, same namespace.
fn start_pcscd(env: &FaultEnv) -> u32 {
    let mut words = env.ns_exec.clone();
    words.extend(
        [
            "pcscd",
            "--foreground",
            "-c",
            &env.run_dir.join("reader.conf.d").to_string_lossy(),
        ]
        .map(str::to_owned),
    );
    let pid = spawn_detached(&words, &env.run_dir.join("logs/pcscd-restarted.log"));
    let mut pids = std::fs::OpenOptions::new()
        .append(true)
        .open(env.run_dir.join("pids"))
        .expect("RUN_DIR/pids");
    std::io::Write::write_all(&mut pids, format!("pcscd {pid} pcscd\n").as_bytes())
        .expect("record pcscd");
    pid
}

/// A new card process for `lane`, as ci/pcscd-start.sh started it (same profile, state file,
/// port, pid file: ci/pcscd-stop.sh finds it through the pid file).
fn start_card(env: &FaultEnv, lane: &Lane) {
    let mut words = env.ns_exec.clone();
    words.push(env.card_bin.clone());
    words.extend([
        "serve".to_owned(),
        "--profile".to_owned(),
        lane.profile.to_string_lossy().into_owned(),
        "--state".to_owned(),
        lane.state.to_string_lossy().into_owned(),
        "--vpcd".to_owned(),
        format!("127.0.0.1:{}", lane.port),
        "--pid-file".to_owned(),
        lane.pid_file.to_string_lossy().into_owned(),
    ]);
    spawn_detached(&words, &env.run_dir.join("logs/card-restarted.log"));
}

/// A counter and a channel that just completed a clean visit.
fn clean_visits(lane: &Lane, timeline: &Timeline, visits: usize) -> (Counter, PcscChannel, u64) {
    let mut counter = Counter::new(&lane.reader, &lane.profile, Route::Pin).expect("counter");
    let reader = lane.reader.clone();
    let mut channel = bounded("connect", VISIT_BOUND, move || {
        PcscChannel::connect(&reader)
    })
    .unwrap_or_else(|error| panic!("connect {}: {error}", lane.reader));
    let mut apdus = 0;
    for n in 1..=visits {
        let (c, ch, visit) = bounded_visit("a visit before the fault", counter, channel);
        (counter, channel) = (c, ch);
        assert!(
            visit.is_clean_completion(),
            "visit {n} before the fault: {} {:?}",
            visit.kind(),
            visit.channel_errors
        );
        apdus = visit.apdus;
    }
    timeline.event(format!(
        "{visits} visits completed on {} ({apdus} APDUs each)",
        lane.reader
    ));
    (counter, channel, apdus)
}

/// The failed visit's single result must be a card removal or a transport failure.
fn assert_failed_clearly(visit: &Visit, timeline: &Timeline) {
    assert_eq!(
        visit.results.len(),
        1,
        "exactly one result for the visit in flight: {:?}",
        visit.results
    );
    let outcome = &visit.results.first().expect("one result").outcome;
    assert!(
        matches!(
            outcome,
            CheckOutcome::Failed(FailureReason::CardTransport(_) | FailureReason::CardRemoved)
        ),
        "the visit in flight must fail on the card channel, not {outcome:?}"
    );
    timeline.event(format!(
        "visit in flight ended after {:.0} ms: {outcome:?}; channel said {:?}",
        visit.elapsed.as_secs_f64() * 1e3,
        visit.channel_errors
    ));
}

/// Retries (connect, visit) until a visit completes cleanly; bounded. Prints what it went through.
fn recover(lane: &Lane, mut counter: Counter, timeline: &Timeline) -> (Counter, PcscChannel) {
    let deadline = Instant::now() + RECOVERY_BOUND;
    let mut seen: Vec<String> = Vec::new();
    let mut note = |what: String, timeline: &Timeline| {
        if seen.last() != Some(&what) {
            timeline.event(format!("  {what}"));
            seen.push(what);
        }
    };
    loop {
        assert!(
            Instant::now() < deadline,
            "HANG: no clean visit within {} s of the restart (went through {seen:?})",
            RECOVERY_BOUND.as_secs()
        );
        let listed = bounded("list readers", VISIT_BOUND, list_readers);
        match listed {
            Ok(readers) if readers.contains(&lane.reader) => {}
            Ok(_) => {
                note("pcscd up, reader not listed yet".into(), timeline);
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(error) => {
                note(format!("list readers: {error}"), timeline);
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        }
        let reader = lane.reader.clone();
        match bounded("connect", VISIT_BOUND, move || {
            PcscChannel::connect(&reader)
        }) {
            Ok(channel) => {
                note("card connected".into(), timeline);
                let (c, channel, visit) =
                    bounded_visit("a visit after the fault", counter, channel);
                counter = c;
                if visit.is_clean_completion() {
                    return (counter, channel);
                }
                note(
                    format!("visit ended {} {:?}", visit.kind(), visit.channel_errors),
                    timeline,
                );
            }
            Err(error) => note(format!("connect: {error}"), timeline),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn pcscd_restarted_mid_visit_fails_it_clearly_and_visits_recover() {
    let Some(env) = fault_env() else {
        return;
    };
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let lane = lane(&env, "yamada-taro").clone();
    let timeline = Timeline::new("pcscd restarted in the middle of a visit");
    let (counter, channel, apdus) = clean_visits(&lane, &timeline, 3);
    let card_pid = read_pid(&lane.pid_file);
    let pcscd = recorded_pcscd(&env);

    // The fault comes just before the visit's last command (COMPUTE DIGITAL SIGNATURE after the
    // PIN was verified): the visit is in flight.
    let stopped_at = std::sync::Arc::new(Mutex::new(None));
    let stopped = std::sync::Arc::clone(&stopped_at);
    let start = timeline.start;
    let faulty = FaultBefore {
        inner: channel,
        at: apdus.saturating_sub(1) as usize,
        sent: 0,
        fault: Some(move || {
            terminate(pcscd);
            *stopped.lock().unwrap_or_else(|p| p.into_inner()) = Some(start.elapsed());
        }),
    };
    timeline.event(format!(
        "visit started; pcscd {pcscd} gets SIGTERM before command {apdus} of {apdus}"
    ));
    let (counter, faulty, visit) = bounded_visit("the visit in flight", counter, faulty);
    let stopped_at = (*stopped_at.lock().unwrap_or_else(|p| p.into_inner()))
        .expect("the fault ran during the visit");
    println!(
        "  t={:>8.3} s  pcscd {pcscd} exited after SIGTERM",
        stopped_at.as_secs_f64()
    );
    assert_failed_clearly(&visit, &timeline);
    drop(faulty);

    let new_pcscd = start_pcscd(&env);
    let restarted = timeline.event(format!(
        "pcscd restarted as {new_pcscd} (same config, netns)"
    ));
    let (mut counter, mut channel) = recover(&lane, counter, &timeline);
    let recovered = timeline.event("a visit completed again");
    assert!(
        alive(card_pid) && read_pid(&lane.pid_file) == card_pid,
        "the same card process {card_pid} must have reconnected by itself"
    );
    println!(
        "  card process {card_pid} reconnected by itself; pcscd stop → visits back: {:.3} s, restart → visits back: {:.3} s",
        (recovered - stopped_at).as_secs_f64(),
        (recovered - restarted).as_secs_f64()
    );
    for _ in 0..3 {
        let (c, ch, visit) = bounded_visit("a visit after recovery", counter, channel);
        (counter, channel) = (c, ch);
        assert!(visit.is_clean_completion(), "{}", visit.kind());
    }
    let tries = bounded("PIN query", VISIT_BOUND, move || {
        let tries = channel.reset().map_err(|e| e.to_string());
        tries.and_then(|()| auth_pin_tries(&mut channel))
    });
    assert_eq!(tries, Ok(3), "user-auth PIN tries after the fault");
    timeline.event("3 more visits completed; user-auth PIN at 3 tries");
}

/// Waits (bounded) until pcscd has seen the stopped card leave its reader: a new card process
/// started before that is not noticed by pcscd 1.9.9.
fn wait_for_removal(lane: &Lane) {
    let deadline = Instant::now() + STOP_BOUND;
    loop {
        let reader = lane.reader.clone();
        match bounded("connect", VISIT_BOUND, move || {
            PcscChannel::connect(&reader)
        }) {
            Err(TransportError::NoCard | TransportError::CardRemoved) => return,
            Err(TransportError::ReaderUnavailable(message)) => panic!("{message}"),
            Ok(_) | Err(TransportError::CardReset | TransportError::Other(_)) => {}
        }
        assert!(
            Instant::now() < deadline,
            "HANG: pcscd still sees a card in {} {} s after its process stopped",
            lane.reader,
            STOP_BOUND.as_secs()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn card_process_stopped_mid_visit_fails_it_and_a_new_card_works() {
    let Some(env) = fault_env() else {
        return;
    };
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let lane = lane(&env, "watanabe-sora").clone();
    let timeline = Timeline::new("card process stopped (SIGTERM) in the middle of a visit");
    let (counter, channel, apdus) = clean_visits(&lane, &timeline, 3);
    let card_pid = read_pid(&lane.pid_file);

    let faulty = FaultBefore {
        inner: channel,
        at: apdus.saturating_sub(1) as usize,
        sent: 0,
        fault: Some(move || terminate(card_pid)),
    };
    timeline.event(format!(
        "visit started; card process {card_pid} gets SIGTERM before command {apdus} of {apdus}"
    ));
    let (counter, faulty, visit) = bounded_visit("the visit in flight", counter, faulty);
    assert_failed_clearly(&visit, &timeline);
    drop(faulty);

    wait_for_removal(&lane);
    timeline.event(format!("pcscd shows {} empty", lane.reader));
    start_card(&env, &lane);
    let started = timeline.event("new card process started (same profile, state file, port)");
    let (counter, channel) = recover(&lane, counter, &timeline);
    let recovered = timeline.event("a visit completed with the new card process");
    let new_pid = read_pid(&lane.pid_file);
    assert_ne!(new_pid, card_pid, "a new card process");
    println!(
        "  new card process {new_pid}: start → visits back {:.3} s",
        (recovered - started).as_secs_f64()
    );
    let (_, mut channel, visit) = bounded_visit("a visit with the new card", counter, channel);
    assert!(visit.is_clean_completion(), "{}", visit.kind());
    let tries = bounded("PIN query", VISIT_BOUND, move || {
        let tries = channel.reset().map_err(|e| e.to_string());
        tries.and_then(|()| auth_pin_tries(&mut channel))
    });
    assert_eq!(tries, Ok(3), "user-auth PIN tries after the fault");
    timeline.event("user-auth PIN at 3 tries (state file kept across the card processes)");
}
