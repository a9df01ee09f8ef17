//! The cards ci/pcscd-start.sh started behind pcscd (one reader each, from
//! `HARNESS_PCSC_CARDS`), the skip when the test command did not ask for pcscd, and connections,
//! transactions and the lock that runs these tests one at a time.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use harness_transport::{list_readers, PcscChannel, PcscTransaction};
use virtual_card::CardData;

/// One card behind one reader, as ci/pcscd-start.sh recorded it.
#[derive(Debug, Clone)]
pub struct Slot {
    pub reader: String,
    pub profile: PathBuf,
    pub state: PathBuf,
    pub pid_file: PathBuf,
    pub port: u16,
}

/// Tests in this binary share pcscd and some share a card; one at a time keeps their card restarts
/// and the deliberately unprotected sequence of
/// `another_application_between_select_and_read_changes_the_file_unless_in_a_transaction` apart
/// from the rest. (Transactions, not this lock, keep sequences apart from other applications.)
pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The slot whose profile file is `<stem>.toml`; `None` (test skipped, said on stderr) when the
/// test command did not ask for pcscd. Panics when it did and the card is not there.
pub fn slot(stem: &str) -> Option<Slot> {
    if std::env::var("HARNESS_PCSC").as_deref() != Ok("1") {
        eprintln!("SKIPPED: HARNESS_PCSC is not 1 (run ci/test.sh to test through pcscd)");
        return None;
    }
    let table = std::env::var("HARNESS_PCSC_CARDS")
        .expect("HARNESS_PCSC=1 but HARNESS_PCSC_CARDS is not set");
    let text = std::fs::read_to_string(&table)
        .unwrap_or_else(|error| panic!("cannot read {table}: {error}"));
    let slots: Vec<Slot> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "bad line in {table}: {line:?}");
            Slot {
                reader: fields[0].to_owned(),
                profile: PathBuf::from(fields[1]),
                state: PathBuf::from(fields[2]),
                pid_file: PathBuf::from(fields[3]),
                port: fields[4].parse().expect("port"),
            }
        })
        .collect();
    let found = slots
        .into_iter()
        .find(|slot| slot.profile.file_stem().and_then(|s| s.to_str()) == Some(stem))
        .unwrap_or_else(|| panic!("no card with profile {stem}.toml in {table}"));
    let readers = list_readers().expect("pcscd must be up when HARNESS_PCSC=1");
    assert!(
        readers.contains(&found.reader),
        "reader {:?} not among {readers:?}",
        found.reader
    );
    Some(found)
}

pub fn card_data(slot: &Slot) -> CardData {
    virtual_card::profile::load(&slot.profile)
        .unwrap_or_else(|error| panic!("{}: {error}", slot.profile.display()))
        .data
}

pub fn connect(slot: &Slot) -> PcscChannel {
    PcscChannel::connect(&slot.reader)
        .unwrap_or_else(|error| panic!("connect {}: {error}", slot.reader))
}

/// Begins a PC/SC transaction on `channel`: no other application's command comes in between.
pub fn begin(channel: &mut PcscChannel) -> PcscTransaction<'_> {
    let reader = channel.reader().to_owned();
    channel
        .transaction()
        .unwrap_or_else(|error| panic!("begin a transaction on {reader}: {error}"))
}
