//! The whole bench path through real pcscd: harness → serial (pseudo-terminal) → fixture-sim →
//! `virtual-card serve` → vpcd → pcscd → harness, with the same code a physical bench uses.
//! Needs pcscd started by `ci/pcscd-start.sh RUN_DIR --empty N …` and `source RUN_DIR/env`;
//! skipped with the reason printed otherwise.
#![cfg(feature = "pcsc")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use card_protocol::{aid, fid};
use harness_bench::client::{FixtureClient, SystemClock};
use harness_bench::config::BenchConfig;
use harness_bench::guard::PinLockGuard;
use harness_bench::presence::{PcscWatch, ReaderPresence, ReaderWatch};
use harness_bench::slot::{BenchCardSlot, BenchSlot, CardRef};
use harness_transport::CardChannel;
use virtual_card::PinId;

/// Real-time bound for a card to arrive or leave (pcscd polls vpcd readers about every 0.45 s,
/// DESIGN.md §3).
const BOUND: Duration = Duration::from_secs(10);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

struct Environment {
    reader: String,
    endpoint: String,
    bin: String,
    exec_prefix: String,
}

fn environment() -> Option<Environment> {
    if std::env::var("HARNESS_PCSC_READERS").is_err() {
        eprintln!(
            "skipped: HARNESS_PCSC_READERS is unset (start pcscd with ci/pcscd-start.sh RUN_DIR --empty N and source RUN_DIR/env)"
        );
        return None;
    }
    // The last empty reader: the one other PC/SC tests are least likely to use.
    let slots = std::env::var("HARNESS_PCSC_SLOTS").unwrap_or_default();
    let Some((reader, endpoint)) = slots
        .split(';')
        .filter_map(|s| s.split_once('='))
        .next_back()
    else {
        eprintln!(
            "skipped: HARNESS_PCSC_SLOTS lists no empty reader (ci/pcscd-start.sh --empty N)"
        );
        return None;
    };
    let Ok(bin) = std::env::var("HARNESS_VIRTUAL_CARD_BIN") else {
        eprintln!("skipped: HARNESS_VIRTUAL_CARD_BIN is unset");
        return None;
    };
    Some(Environment {
        reader: reader.to_owned(),
        endpoint: endpoint.to_owned(),
        bin,
        exec_prefix: std::env::var("HARNESS_PCSC_NETNS_EXEC").unwrap_or_default(),
    })
}

/// fixture-sim for real (card processes), stopped by its pid when dropped.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.0.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let _ = self.0.wait();
    }
}

fn poll_until<T>(what: &str, mut poll: impl FnMut() -> Option<T>) -> (T, Duration) {
    let started = Instant::now();
    loop {
        if let Some(value) = poll() {
            return (value, started.elapsed());
        }
        assert!(started.elapsed() < BOUND, "{what}: not within {BOUND:?}");
    }
}

fn sw(response: &[u8]) -> (u8, u8) {
    match response {
        [.., a, b] => (*a, *b),
        _ => (0, 0),
    }
}

#[test]
fn cards_placed_by_the_simulated_fixture_arrive_and_leave_through_pcscd() {
    let Some(env) = environment() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let serial_log = dir.path().join("serial.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fixture-sim"))
        .arg("--card")
        .arg(format!(
            "1={}",
            fixtures().join("cards/yamada-taro.toml").display()
        ))
        .arg("--card")
        .arg(format!(
            "2={}",
            fixtures().join("cards/nakamura-aoi.toml").display()
        ))
        .arg("--station")
        .arg(format!("1={}", env.endpoint))
        .arg("--state-dir")
        .arg(dir.path().join("cards"))
        .arg("--virtual-card-bin")
        .arg(&env.bin)
        .arg(format!("--exec-prefix={}", env.exec_prefix))
        .arg("--log")
        .arg(dir.path().join("fixture.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start fixture-sim");
    let mut path = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut path)
        .expect("pty path");
    let _sim = Sim(child);

    let bench_file = dir.path().join("bench.toml");
    std::fs::write(
        &bench_file,
        format!(
            r#"
[fixture]
port = "{port}"
[[reader]]
role = 0
name = "{reader}"
station = 1
[[card]]
slot = 1
person = "yamada-taro"
profile = "{cards}/yamada-taro.toml"
physical = false
[[card]]
slot = 2
person = "nakamura-aoi"
profile = "{cards}/nakamura-aoi.toml"
physical = false
[card.pin_env]
jpki-auth = "BENCH_TEST_NAKAMURA_AUTH_PIN"
[capabilities]
place_cards = true
camera_power = true
"#,
            port = path.trim(),
            reader = env.reader,
            cards = fixtures().join("cards").display(),
        ),
    )
    .expect("bench file");
    let config = BenchConfig::load(&bench_file).expect("bench file");
    let readers = harness_transport::list_readers().expect("pcscd readers");
    let resolved = config.resolve_readers(&readers).expect("resolve");
    let reader = resolved.first().cloned().expect("one reader");

    let client = FixtureClient::open(&config.serial, config.timeouts)
        .expect("open the fixture")
        .with_log(Box::new(std::fs::File::create(&serial_log).expect("log")));
    let fixture = Arc::new(Mutex::new(client));
    let identity = fixture.lock().expect("fixture").start().expect("ID, RESET");
    assert_eq!(identity.model, "fixture-sim");
    let mut slot = BenchSlot::new(
        Arc::clone(&fixture),
        reader.clone(),
        config.cards.clone(),
        Box::new(PcscWatch::new(&reader.name).expect("watch")),
        Box::new(SystemClock),
    );

    let card_ref = |person: &str| CardRef {
        person_id: person.into(),
        card_profile: fixtures().join(format!("cards/{person}.toml")),
    };

    // yamada-taro arrives: pcscd shows the card, a SELECT works.
    slot.insert(&card_ref("yamada-taro")).expect("insert");
    let (mut channel, arrival) = poll_until("card arrival", || {
        slot.poll_inserted().expect("poll_inserted")
    });
    assert_eq!(
        channel.atr().expect("atr"),
        virtual_card::Atr::Contactless.bytes().to_vec()
    );
    assert_eq!(
        sw(&channel
            .transmit(
                &card_protocol::Select::df_name(&aid::JPKI)
                    .expect("AID")
                    .encode()
            )
            .expect("select")),
        (0x90, 0x00)
    );
    drop(channel);
    slot.remove();
    let ((), departure) = poll_until("card departure", || slot.poll_removed().then_some(()));
    eprintln!(
        "bench through pcscd: card seen {} ms after PLACE answered, gone {} ms after REMOVE answered",
        arrival.as_millis(),
        departure.as_millis()
    );

    // nakamura-aoi: the guard lets one wrong PIN through, the card keeps its counter across
    // placements, and the restore brings it back to 3.
    let nakamura = config
        .card_for_person("nakamura-aoi")
        .cloned()
        .expect("card");
    let mut guard = PinLockGuard::new(config.safety);
    slot.insert(&card_ref("nakamura-aoi")).expect("insert");
    let (mut channel, _) = poll_until("card arrival", || slot.poll_inserted().expect("poll"));
    let permit = guard
        .before_wrong_pins(&nakamura, PinId::JpkiAuth, 1, channel.as_mut())
        .expect("permit");
    assert_eq!(permit.tries_left, 3);
    channel
        .transmit(&card_protocol::Select::ef(fid::JPKI_AUTH_PIN).encode())
        .expect("select");
    assert_eq!(
        sw(&channel
            .transmit(
                &card_protocol::Verify::new(
                    card_protocol::PinTarget::CurrentEf,
                    card_protocol::PinBytes::new(b"0000".to_vec())
                )
                .expect("VERIFY")
                .encode()
            )
            .expect("verify")),
        (0x63, 0xC2)
    );
    drop(channel);
    slot.remove();
    poll_until("card departure", || slot.poll_removed().then_some(()));
    slot.insert(&card_ref("nakamura-aoi"))
        .expect("insert again");
    let (mut channel, _) = poll_until("card arrival", || slot.poll_inserted().expect("poll"));
    assert_eq!(
        PinLockGuard::tries_left(&nakamura, PinId::JpkiAuth, channel.as_mut()).expect("query"),
        2,
        "the card kept its counter while off the reader"
    );
    let right_pin = |var: &str| (var == "BENCH_TEST_NAKAMURA_AUTH_PIN").then(|| "2580".to_owned());
    let restored = guard
        .restore(&nakamura, channel.as_mut(), &right_pin)
        .expect("restore");
    assert_eq!(
        restored.first().map(|r| (r.tries_before, r.tries_after)),
        Some((2, 3))
    );
    drop(channel);
    slot.remove();
    poll_until("card departure", || slot.poll_removed().then_some(()));

    let log = std::fs::read_to_string(&serial_log).unwrap_or_default();
    for expected in [
        "> 1 ID",
        "< 1 OK maker=kao-harness",
        "> 3 PLACE 1 1",
        "< 3 OK slot=1 station=1",
        "REMOVE 1",
    ] {
        assert!(
            log.contains(expected),
            "serial log lacks {expected:?}:\n{log}"
        );
    }
    eprintln!("serial log:\n{log}");
}

#[test]
fn a_reader_pcscd_does_not_know_is_a_vanished_reader() {
    if environment().is_none() {
        return;
    }
    let mut watch = PcscWatch::new("Bench Reader That Was Unplugged 00").expect("context");
    assert_eq!(
        watch
            .wait_change(Duration::from_millis(100))
            .expect("status"),
        ReaderPresence::Gone
    );
    let started = Instant::now();
    assert!(matches!(
        watch.connect().map(|_| ()),
        Err(harness_transport::TransportError::ReaderUnavailable(_))
    ));
    assert!(started.elapsed() < BOUND);
}
