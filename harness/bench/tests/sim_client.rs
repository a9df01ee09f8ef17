//! The fixture client against the simulated fixture over pseudo-terminals (no pcscd): a whole
//! session, then each bad fixture — garbage, silence, a fixture that disappears — must end in a
//! typed error within a bounded time.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness_bench::answers::Sensed;
use harness_bench::client::{open_serial, Clock, FixtureClient, FixtureError};
use harness_bench::config::SerialSettings;
use harness_bench::line::LineError;
use harness_bench::protocol::{Display, ErrorCode, Power, Timeouts};
use harness_bench::session::ProtocolError;
use harness_bench::sim::SimFixture;
use harness_bench::sim_serve::ServeEnd;

mod common;
use common::SimOnPty;

/// Bound on every bad-fixture test's real time (the client's own timeouts are given by a clock
/// that jumps, so none of them is waited for in real time).
const BOUND: Duration = Duration::from_secs(5);

fn profile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/cards/{name}.toml"))
}

/// A clock that moves `step` forward each time it is read.
struct SteppingClock {
    now: Mutex<Instant>,
    step: Duration,
}

impl Clock for SteppingClock {
    fn now(&self) -> Instant {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += self.step;
        *now
    }
}

fn stepping(step_ms: u64) -> SteppingClock {
    SteppingClock {
        now: Mutex::new(Instant::now()),
        step: Duration::from_millis(step_ms),
    }
}

/// `fixture-sim --dry` as a child process; stopped (SIGTERM, by its pid) when dropped.
struct SimProcess {
    child: Child,
    path: String,
    stdout: BufReader<std::process::ChildStdout>,
}

impl SimProcess {
    fn start(extra: &[&str]) -> SimProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fixture-sim"))
            .arg("--dry")
            .arg("--card")
            .arg(format!("1={}", profile("yamada-taro").display()))
            .arg("--card")
            .arg(format!("2={}", profile("nakamura-aoi").display()))
            .args([
                "--station",
                "1=127.0.0.1:35963",
                "--station",
                "2=127.0.0.1:35964",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fixture-sim");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut path = String::new();
        stdout.read_line(&mut path).expect("pty path");
        SimProcess {
            child,
            path: path.trim().to_owned(),
            stdout,
        }
    }

    fn open<C: Clock>(&self, clock: C, timeouts: Timeouts) -> FixtureClient<C> {
        let port = open_serial(&SerialSettings::new(self.path.clone())).expect("open pty");
        FixtureClient::new(port, &self.path, timeouts, clock)
    }

    fn stop(mut self) -> Vec<String> {
        let pid = i32::try_from(self.child.id()).expect("pid");
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
        let mut lines = Vec::new();
        let mut line = String::new();
        while self.stdout.read_line(&mut line).unwrap_or(0) > 0 {
            lines.push(line.trim().to_owned());
            line.clear();
        }
        lines
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A clock that moves only when the test moves it.
#[derive(Clone)]
struct ManualClock(Arc<Mutex<Instant>>);

impl ManualClock {
    fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.0.lock() {
            *now += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.0
            .lock()
            .map(|now| *now)
            .unwrap_or_else(|_| Instant::now())
    }
}

#[test]
fn a_whole_session_with_the_fixture_sim_binary() {
    let sim = SimProcess::start(&[]);
    let log = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut client = sim
        .open(harness_bench::client::SystemClock, Timeouts::default())
        .with_log(Box::new(SharedLog(Arc::clone(&log))));
    let identity = client.start().expect("ID and RESET");
    assert_eq!(
        (identity.model.as_str(), identity.slots, identity.stations),
        ("fixture-sim", 2, 2)
    );
    assert!(identity.caps.place && identity.caps.camera && identity.caps.display);

    client.place(2, 1).expect("place");
    let reading = client.sensors(1).expect("sensors");
    assert_eq!((reading.card, reading.slot), (Sensed::Yes, Some(2)));
    client.camera(1, Power::Off).expect("camera off");
    client
        .show(1, Display::Scene("bandage".into()))
        .expect("show");
    let reading = client.sensors(1).expect("sensors");
    assert_eq!(
        reading.camera_powered,
        Sensed::No,
        "camera power off is visible"
    );
    assert_eq!(reading.display, Some(Display::Scene("bandage".into())));

    // An ERR that leaves the state known is not fatal.
    match client.place(1, 1) {
        Err(FixtureError::Refused { failure, .. }) => {
            assert_eq!(failure.code, ErrorCode::StationOccupied)
        }
        other => panic!("expected station-occupied, got {other:?}"),
    }
    assert_eq!(client.remove(1).expect("remove"), Some(2));
    assert_eq!(client.remove(1).expect("remove again"), None);
    client.ping().expect("ping");
    let mut events = client.take_events();
    // The boot event may still have been in the pseudo-terminal when the client opened it.
    events.retain(|e| !matches!(e, harness_bench::protocol::Event::Boot(_)));
    assert_eq!(
        events,
        vec![
            harness_bench::protocol::Event::CardPresent(1),
            harness_bench::protocol::Event::CardAbsent(1)
        ]
    );
    let record = sim.stop();
    assert!(
        record.iter().any(
            |l| l.starts_with("dry: place slot 2 on station 1: would run")
                && l.contains("serve --profile")
                && l.contains("nakamura-aoi.toml")
                && l.ends_with("--vpcd 127.0.0.1:35963")
        ),
        "{record:#?}"
    );
    let log =
        String::from_utf8(log.lock().map(|l| l.clone()).unwrap_or_default()).unwrap_or_default();
    for expected in [
        "> 1 ID",
        "> 3 PLACE 2 1",
        "< 3 OK slot=2 station=1",
        "< 4 OK station=1 card=present",
    ] {
        assert!(
            log.contains(expected),
            "serial log lacks {expected:?}:\n{log}"
        );
    }
}

struct SharedLog(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut log) = self.0.lock() {
            log.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_fixture_answering_garbage_ends_the_request_with_a_typed_error() {
    let sim = SimProcess::start(&["--fault", "garbage-after=1"]);
    let mut client = sim.open(stepping(10), Timeouts::default());
    client.identify().expect("the first answer is fine");
    let started = Instant::now();
    let error = client.place(1, 1).expect_err("garbage");
    assert!(started.elapsed() < BOUND);
    assert!(
        matches!(
            error,
            FixtureError::Protocol {
                source: ProtocolError::Line(LineError::BadByte { byte: 0x15, .. }),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("garbage from the fixture"),
        "{error}"
    );
    // The fixture's state is unknown now: nothing but a RESET goes out.
    assert!(matches!(client.ping(), Err(FixtureError::Unusable(_))));
    sim.stop();
}

#[test]
fn a_silent_fixture_times_out_by_the_clock_not_by_waiting() {
    let sim = SimProcess::start(&["--fault", "silent-after=1"]);
    // Each clock reading is 250 ms later: the 15 s motion timeout passes in about 60 readings.
    let mut client = sim.open(stepping(250), Timeouts::default());
    client.identify().expect("first answer");
    let started = Instant::now();
    let error = client.place(1, 1).expect_err("timeout");
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    match error {
        FixtureError::Protocol {
            source: ProtocolError::Timeout { request, after },
            ..
        } => {
            assert_eq!(request, "PLACE 1 1");
            assert!(after >= Duration::from_secs(15), "{after:?}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(matches!(client.place(1, 1), Err(FixtureError::Unusable(_))));
    sim.stop();
}

#[test]
fn a_fixture_that_disappears_mid_run_is_a_disconnect() {
    let sim = SimProcess::start(&["--fault", "vanish-after=2"]);
    let mut client = sim.open(stepping(10), Timeouts::default());
    client.identify().expect("ID");
    client.place(1, 1).expect("PLACE");
    let started = Instant::now();
    let error = client.remove(1).expect_err("gone");
    assert!(started.elapsed() < BOUND);
    assert!(
        matches!(error, FixtureError::Disconnected { .. }),
        "{error:?}"
    );
    assert!(matches!(client.ping(), Err(FixtureError::Unusable(_))));
    sim.stop();
}

/// The in-process sim on a pseudo-terminal pair (no binary): heartbeat, recovery after a fault.
#[test]
fn heartbeat_and_recovery_against_the_in_process_sim() {
    let mut sim = SimOnPty::start(SimFixture::new([1], 1, None));
    let path = sim.path.clone();
    let clock = ManualClock(Arc::new(Mutex::new(Instant::now())));
    let mut client = FixtureClient::new(
        open_serial(&SerialSettings::new(path.clone())).expect("open"),
        &path,
        Timeouts::default(),
        clock.clone(),
    );
    assert!(
        client.heartbeat().expect("heartbeat"),
        "due before anything was sent"
    );
    assert!(!client.heartbeat().expect("heartbeat"), "just sent");
    clock.advance(Duration::from_millis(1999));
    assert!(
        !client.heartbeat().expect("heartbeat"),
        "idle for less than 2 s"
    );
    clock.advance(Duration::from_millis(1));
    assert!(client.heartbeat().expect("heartbeat"), "idle for 2 s: PING");
    // A refused request that leaves the state known does not need recovery.
    assert!(matches!(
        client.place(9, 1),
        Err(FixtureError::Refused { .. })
    ));
    client.ping().expect("still usable");
    client.recover().expect("RESET");
    assert!(client.unusable().is_none());
    let end = sim.stop();
    assert!(matches!(end, Some(Ok(ServeEnd::Stopped))), "{end:?}");
}
