//! The simulated fixture over a pseudo-terminal pair answers raw bytes as
//! docs/bench-fixture-protocol.md says: line ends and lone CRs, the length limit counted on every
//! byte before the CR LF, spaces, ids, slot and station numbers out of range, and `busy` for a
//! request that comes while a motion runs.

use std::time::{Duration, Instant};

use harness_bench::client::{open_serial, FixturePort};
use harness_bench::config::SerialSettings;
use harness_bench::line::LineDecoder;
use harness_bench::sim::SimFixture;
use harness_bench::sim_serve::ServeEnd;

mod common;
use common::SimOnPty;

/// The in-process sim serving one end of a pseudo-terminal pair; the test talks raw bytes on
/// the other end.
struct Pty {
    port: Box<dyn FixturePort>,
    decoder: LineDecoder,
    sim: SimOnPty,
}

impl Pty {
    fn start(sim: SimFixture) -> Pty {
        let sim = SimOnPty::start(sim);
        let port = open_serial(&SerialSettings::new(sim.path.clone())).expect("open pty");
        let mut pty = Pty {
            port,
            decoder: LineDecoder::new(),
            sim,
        };
        assert_eq!(pty.lines(1), vec!["EVT BOOT proto=1"]);
        pty
    }

    fn send(&mut self, bytes: &[u8]) {
        self.port.write_all_bytes(bytes).expect("write");
    }

    /// The next `n` lines, within 5 s.
    fn lines(&mut self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut out = Vec::new();
        let mut buf = [0u8; 256];
        while out.len() < n {
            while let Some(line) = self.decoder.next_line() {
                out.push(line.expect("the fixture sends valid lines"));
            }
            if out.len() >= n {
                break;
            }
            assert!(Instant::now() < deadline, "only {out:?} of {n} lines");
            if let Some(read) = self
                .port
                .read_some(&mut buf, Duration::from_millis(50))
                .expect("read")
            {
                self.decoder.feed(buf.get(..read).unwrap_or_default());
            }
        }
        out
    }

    /// Sends `bytes`, expects exactly `answer` and then silence until a PING is answered.
    fn exchange(&mut self, bytes: &[u8], answer: &[&str]) {
        self.send(bytes);
        self.send(b"999 PING\r\n");
        let mut expected: Vec<String> = answer.iter().map(|a| (*a).to_owned()).collect();
        expected.push("999 OK".into());
        assert_eq!(
            self.lines(expected.len()),
            expected,
            "{}",
            harness_bench::line::escape(bytes)
        );
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Some(end) = self.sim.stop() {
            if !std::thread::panicking() {
                assert!(matches!(end, Ok(ServeEnd::Stopped)), "{end:?}");
            }
        }
    }
}

#[test]
fn raw_lines_get_the_answers_of_the_document() {
    let mut pty = Pty::start(SimFixture::new([1, 2, 4], 2, None));
    let line = |head: &str, len: usize| {
        let mut line = head.to_owned();
        line.push_str(&"x".repeat(len - head.len()));
        line
    };
    let longest = line("7 PING ", 126);
    let too_long = line("8 PING ", 127);
    let cases: Vec<(Vec<u8>, &[&str])> = vec![
        // §2: empty lines (CR LF or LF alone) get no answer; a bare LF ends a line.
        (b"\r\n\n1 PING\r\n".to_vec(), &["1 OK"]),
        (b"2 PING\n".to_vec(), &["2 OK"]),
        // §2: a CR does not end a line; one not right before the LF spoils the line.
        (
            b"3 PING\r4 PING\r\n".to_vec(),
            &["0 ERR 1 bad-request invalid byte"],
        ),
        (b"\r\r\n".to_vec(), &["0 ERR 1 bad-request invalid byte"]),
        // §2: several spaces between words and trailing spaces are fine; a leading one is not.
        (b"5  PING  \r\n".to_vec(), &["5 OK"]),
        (b" 6 PING\r\n".to_vec(), &["0 ERR 1 bad-request no id"]),
        // §2: 126 characters are a line, 127 are too long, whatever ends the line.
        (
            format!("{longest}\r\n").into_bytes(),
            &["7 ERR 2 bad-argument"],
        ),
        (
            format!("{too_long}\r\n").into_bytes(),
            &["0 ERR 3 line-too-long"],
        ),
        (
            format!("{too_long}\n").into_bytes(),
            &["0 ERR 3 line-too-long"],
        ),
        // Every byte before the final CR LF counts, a stray CR too.
        (
            format!("{}\r\r\n", &longest[..125]).into_bytes(),
            &["0 ERR 1 bad-request invalid byte"],
        ),
        (
            format!("{longest}\r\r\n").into_bytes(),
            &["0 ERR 3 line-too-long"],
        ),
        (
            [b"9 PING ".as_slice(), &[b'y'; 5000], b"\r\n"].concat(),
            &["0 ERR 3 line-too-long"],
        ),
        (
            b"10 PI\xC3\xA9NG\r\n".to_vec(),
            &["0 ERR 1 bad-request invalid byte"],
        ),
        // §3: ids are 1–65535 without leading zeros.
        (b"65535 PING\r\n".to_vec(), &["65535 OK"]),
        (b"65536 PING\r\n".to_vec(), &["0 ERR 1 bad-request no id"]),
        (b"0 PING\r\n".to_vec(), &["0 ERR 1 bad-request no id"]),
        (b"011 PING\r\n".to_vec(), &["0 ERR 1 bad-request no id"]),
        (b"12\r\n".to_vec(), &["12 ERR 1 bad-request no verb"]),
        (
            b"13 ping\r\n".to_vec(),
            &["13 ERR 1 bad-request unknown verb"],
        ),
        // §4/§6: numbers naming no slot or station; slots up to the highest are numbered.
        (
            b"14 PLACE 0 1\r\n".to_vec(),
            &["14 ERR 6 no-such-slot fixture has 4 slots"],
        ),
        (
            b"15 PLACE 5 1\r\n".to_vec(),
            &["15 ERR 6 no-such-slot fixture has 4 slots"],
        ),
        (
            b"16 PLACE 3 1\r\n".to_vec(),
            &["16 ERR 8 slot-empty slot 3 was never loaded"],
        ),
        (
            b"17 SENSORS 256\r\n".to_vec(),
            &["17 ERR 7 no-such-station fixture has 2 stations"],
        ),
        (b"18 SENSORS 01\r\n".to_vec(), &["18 ERR 2 bad-argument"]),
        (
            b"19 SHOW SCENE no-such 1\r\n".to_vec(),
            &["19 ERR 14 no-such-scene"],
        ),
    ];
    for (bytes, answer) in cases {
        pty.exchange(&bytes, answer);
    }
}

#[test]
fn a_request_during_a_motion_is_answered_busy_at_once() {
    let motion = Duration::from_millis(400);
    let mut pty = Pty::start(SimFixture::new([1], 1, None).with_motion_time(motion));
    let started = Instant::now();
    pty.send(b"1 PLACE 1 1\r\n");
    std::thread::sleep(Duration::from_millis(50));
    pty.send(b"2 PING\r\n");
    assert_eq!(pty.lines(1), vec!["2 ERR 4 busy a motion is running"]);
    assert!(
        started.elapsed() < motion,
        "busy comes before the motion ends"
    );
    assert_eq!(
        pty.lines(2),
        vec!["EVT CARD PRESENT station=1", "1 OK slot=1 station=1"]
    );
    assert!(started.elapsed() >= motion, "{:?}", started.elapsed());
    // A refused PLACE moves nothing: answered at once, and the next request is not busy.
    let started = Instant::now();
    pty.exchange(
        b"3 PLACE 1 1\r\n",
        &["3 ERR 8 slot-empty its card is on station 1"],
    );
    assert!(started.elapsed() < motion);
    // Lines in the same write as a motion arrive during it: busy, then the motion's answer.
    pty.send(b"4 REMOVE 1\r\n5 SENSORS 1\r\n");
    assert_eq!(
        pty.lines(3),
        vec![
            "5 ERR 4 busy a motion is running",
            "EVT CARD ABSENT station=1",
            "4 OK slot=1 station=1"
        ]
    );
    pty.send(b"6 RESET\r\n");
    assert_eq!(pty.lines(1), vec!["6 OK"]);
}

#[test]
fn without_a_motion_time_lines_sent_together_with_a_motion_are_still_busy() {
    let mut pty = Pty::start(SimFixture::new([1], 1, None));
    pty.send(b"1 PLACE 1\r\n2 PING\r\n");
    assert_eq!(
        pty.lines(3),
        vec![
            "2 ERR 4 busy a motion is running",
            "EVT CARD PRESENT station=1",
            "1 OK slot=1 station=1"
        ]
    );
    pty.exchange(b"3 PING\r\n", &["3 OK"]);
}
