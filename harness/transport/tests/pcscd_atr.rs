//! Each ATR variant of the card profile (`atr = …`, virtual-card/src/atr.rs) is what a PC/SC
//! application sees through a real pcscd + vpcd (issue 12: real cards present more than one ATR,
//! and clients that accept only `3B 88 80 01 …` break on the others).
//!
//! Run by `ci/test.sh` (via `ci/pcscd-start.sh`), which sets `HARNESS_PCSC=1`,
//! `HARNESS_PCSC_CARDS` (the fixture cards it started) and `HARNESS_PCSC_SLOTS` (empty readers).
//! Without `HARNESS_PCSC=1` each test says SKIPPED on stderr and does nothing; with it, every
//! variable it needs must be there.
#![cfg(feature = "pcsc")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use card_protocol::{Application, ResponseApdu, Select, StatusWord};
use harness_transport::{list_readers, CardChannel, PcscChannel, TransportError};
use virtual_card::profile::CardProfile;
use virtual_card::Atr;

/// `None` (and SKIPPED on stderr) unless the test command started pcscd.
fn pcsc_run() -> Option<()> {
    if std::env::var("HARNESS_PCSC").as_deref() != Ok("1") {
        eprintln!("SKIPPED: HARNESS_PCSC is not 1 (run ci/test.sh to test through pcscd)");
        return None;
    }
    Some(())
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("HARNESS_PCSC=1 but {name} is not set"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Connects and reads the ATR pcscd reports for the card in `reader`; also checks the card
/// answers (SELECT JPKI AP → 9000), i.e. pcscd took the ATR and talks to the card.
fn atr_through_pcscd(reader: &str) -> Vec<u8> {
    let mut channel =
        PcscChannel::connect(reader).unwrap_or_else(|error| panic!("connect {reader}: {error}"));
    let atr = channel
        .atr()
        .unwrap_or_else(|e| panic!("ATR of {reader}: {e}"));
    let select = Select::application(Application::Jpki).encode();
    let response = channel
        .transmit(&select)
        .unwrap_or_else(|e| panic!("SELECT through {reader}: {e}"));
    assert_eq!(
        ResponseApdu::parse(&response).map(|r| r.sw),
        Ok(StatusWord::OK),
        "{reader}"
    );
    atr
}

#[test]
fn fixture_cards_present_the_atr_their_profile_names() {
    let Some(()) = pcsc_run() else {
        return;
    };
    let table = var("HARNESS_PCSC_CARDS");
    let text = std::fs::read_to_string(&table).unwrap_or_else(|e| panic!("{table}: {e}"));
    let mut seen = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(reader), Some(profile)) = (fields.first(), fields.get(1)) else {
            panic!("bad line in {table}: {line:?}");
        };
        let expected = CardProfile::load(Path::new(profile))
            .unwrap_or_else(|e| panic!("{profile}: {e}"))
            .atr;
        let atr = atr_through_pcscd(reader);
        assert_eq!(atr, expected.bytes(), "{reader} ({profile})");
        println!("{reader}: {} ({profile})", expected);
        seen.push(expected);
    }
    // ci/test.sh starts yamada-taro (default) and sato-hanako (`atr = "contact"`).
    assert!(
        seen.contains(&Atr::Contactless),
        "no default-ATR card in {table}"
    );
    assert!(
        seen.contains(&Atr::Contact),
        "no card with the contact ATR in {table}"
    );
}

/// One empty reader of `HARNESS_PCSC_SLOTS` (`name=host:port;…`): the last, which the harness's
/// scenarios borrow last.
fn empty_slot() -> (String, String) {
    let slots = var("HARNESS_PCSC_SLOTS");
    let last = slots
        .split(';')
        .rfind(|s| !s.is_empty())
        .unwrap_or_else(|| panic!("HARNESS_PCSC_SLOTS lists no reader: {slots:?}"));
    let (reader, endpoint) = last
        .split_once('=')
        .unwrap_or_else(|| panic!("bad slot {last:?}"));
    (reader.to_owned(), endpoint.to_owned())
}

/// yamada-taro's fixture profile with `atr = <value>` and paths made absolute, in `dir`.
fn profile_with_atr(dir: &Path, value: &str) -> PathBuf {
    let cards = fixtures().join("cards");
    let text = std::fs::read_to_string(cards.join("yamada-taro.toml")).expect("fixture profile");
    // Top-level keys first: the fixture ends with its [pins] table.
    let mut out = format!(
        "atr = {value:?}\npki = {:?}\npeople = {:?}\n",
        fixtures().join("pki").display().to_string(),
        fixtures().join("people.toml").display().to_string()
    );
    for line in text.lines() {
        if line.starts_with("atr =") {
            continue;
        }
        if let Some(photo) = line.strip_prefix("photo = ") {
            let photo = photo.trim().trim_matches('"');
            out.push_str(&format!(
                "photo = {:?}\n",
                cards.join(photo).display().to_string()
            ));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    let path = dir.join(format!("atr-{}.toml", value.replace(' ', "")));
    std::fs::write(&path, out).expect("write profile");
    path
}

/// A `virtual-card serve` linked to the empty reader; killed on drop.
struct CardProcess(Child);

impl CardProcess {
    fn start(profile: &Path, endpoint: &str) -> CardProcess {
        let prefix = std::env::var("HARNESS_PCSC_NETNS_EXEC").unwrap_or_default();
        let mut words: Vec<String> = prefix.split_whitespace().map(str::to_owned).collect();
        words.push(var("HARNESS_VIRTUAL_CARD_BIN"));
        let (program, args) = words.split_first().expect("a program");
        let child = Command::new(program)
            .args(args)
            .arg("serve")
            .arg("--profile")
            .arg(profile)
            .arg("--vpcd")
            .arg(endpoint)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        CardProcess(child)
    }
}

impl Drop for CardProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether pcscd shows a card in `reader` (`None`: not decided, e.g. the card is resetting).
fn card_present(reader: &str) -> Option<bool> {
    match PcscChannel::connect(reader) {
        Ok(_) => Some(true),
        Err(TransportError::NoCard | TransportError::CardRemoved) => Some(false),
        Err(TransportError::ReaderUnavailable(message)) => panic!("{message}"),
        Err(TransportError::Other(_) | TransportError::CardReset) => None,
    }
}

/// Polls (bounded) until pcscd shows the card of `card` in `reader`.
fn wait_until_present(reader: &str, card: &mut CardProcess) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while card_present(reader) != Some(true) {
        if let Ok(Some(status)) = card.0.try_wait() {
            panic!("the card process for {reader} exited: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "pcscd did not see the card arrive in {reader} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Polls (bounded) until pcscd shows no card in `reader`. Starting the next card before that
/// makes vpcd hand pcscd the new card within the same poll, and pcscd never notices a change.
fn wait_until_absent(reader: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while card_present(reader) != Some(false) {
        assert!(
            Instant::now() < deadline,
            "pcscd still sees a card in {reader} after 20 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_atr_variant_reaches_a_pcsc_application() {
    let Some(()) = pcsc_run() else {
        return;
    };
    let (reader, endpoint) = empty_slot();
    let readers = list_readers().expect("pcscd must be up when HARNESS_PCSC=1");
    assert!(
        readers.contains(&reader),
        "{reader:?} not among {readers:?}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cases: Vec<(String, Atr)> = Atr::NAMED
        .iter()
        .map(|atr| (atr.name().expect("named").to_owned(), atr.clone()))
        .collect();
    // A raw ATR from the profile's hex form too (ISO 14443 type B without historical bytes).
    let raw = "3B 80 80 01 01";
    cases.push((raw.to_owned(), raw.parse().expect("well-formed ATR")));
    for (value, expected) in cases {
        let profile = profile_with_atr(dir.path(), &value);
        let mut card = CardProcess::start(&profile, &endpoint);
        wait_until_present(&reader, &mut card);
        let atr = atr_through_pcscd(&reader);
        assert_eq!(atr, expected.bytes(), "atr = {value:?}");
        println!("{reader}: atr = {value:?} → {expected}");
        drop(card);
        wait_until_absent(&reader);
    }
}
