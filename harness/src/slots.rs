//! Where the patient's card goes when it is "placed on the reader": into an in-process virtual
//! card, or into a `virtual-card serve` process linked to one of pcscd's vpcd readers.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use harness_transport::{CardChannel, InProcessCard};
use virtual_card::apdu::build;
use virtual_card::card::{aid, fid};

use crate::config::{HarnessConfig, PcscSlot, Transport};
use crate::facility::{CardSlot, Patient};

/// The card's state file for a patient in this scenario: PIN counters survive taking the card off
/// and putting it back, and start fresh in every scenario.
fn state_file(work_dir: &Path, patient: &Patient) -> PathBuf {
    work_dir.join(format!("{}.card-state", patient.person_id))
}

/// Asks a card for its user-auth PIN tries left (SELECT JPKI AP, SELECT EF 0018, VERIFY with no
/// data → 63Cx).
pub fn query_auth_tries(channel: &mut dyn CardChannel) -> anyhow::Result<u8> {
    let sw = |response: &[u8]| -> anyhow::Result<(u8, u8)> {
        match response {
            [.., sw1, sw2] => Ok((*sw1, *sw2)),
            _ => bail!("card answered {} bytes", response.len()),
        }
    };
    let r = channel.transmit(&build::select_df(&aid::JPKI))?;
    anyhow::ensure!(
        sw(&r)? == (0x90, 0x00),
        "SELECT JPKI AP answered {:02X?}",
        sw(&r)?
    );
    let r = channel.transmit(&build::select_ef(fid::JPKI_AUTH_PIN))?;
    anyhow::ensure!(
        sw(&r)? == (0x90, 0x00),
        "SELECT EF 0018 answered {:02X?}",
        sw(&r)?
    );
    let r = channel.transmit(&build::verify_query())?;
    match sw(&r)? {
        (0x63, x) if x & 0xF0 == 0xC0 => Ok(x & 0x0F),
        (0x69, 0x84) => Ok(0),
        other => bail!("PIN query answered {other:02X?}"),
    }
}

/// Cards inside the harness process.
pub struct InProcessSlot {
    work_dir: PathBuf,
}

impl InProcessSlot {
    /// Cards whose state files live in `work_dir`.
    pub fn new(work_dir: &Path) -> Self {
        Self {
            work_dir: work_dir.to_path_buf(),
        }
    }
}

impl CardSlot for InProcessSlot {
    fn insert(
        &mut self,
        patient: &Patient,
        _reader_index: usize,
    ) -> anyhow::Result<Box<dyn CardChannel>> {
        let card = InProcessCard::open(
            &patient.card_profile,
            Some(&state_file(&self.work_dir, patient)),
        )?;
        Ok(Box::new(card))
    }

    fn remove(&mut self, _reader_index: usize) {}

    fn auth_pin_tries_left(
        &mut self,
        patient: &Patient,
        _reader_index: usize,
    ) -> anyhow::Result<u8> {
        let mut card = InProcessCard::open(
            &patient.card_profile,
            Some(&state_file(&self.work_dir, patient)),
        )?;
        query_auth_tries(&mut card)
    }

    fn shutdown(&mut self) {}
}

static PCSC_SLOTS_IN_USE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// One PC/SC reader borrowed for a scenario; the card is a `virtual-card serve` process.
pub struct PcscSlotPool {
    slot: PcscSlot,
    bin: PathBuf,
    exec_prefix: Vec<String>,
    work_dir: PathBuf,
    card_process: Option<Child>,
}

impl PcscSlotPool {
    /// Borrows a free reader of the configured pool.
    pub fn acquire(config: &HarnessConfig, work_dir: &Path) -> anyhow::Result<Self> {
        let Transport::Pcsc(slots) = &config.transport else {
            bail!("not configured for pcscd");
        };
        let bin = config
            .virtual_card_bin
            .clone()
            .ok_or_else(|| anyhow!("HARNESS_VIRTUAL_CARD_BIN is not set"))?;
        let mut in_use = PCSC_SLOTS_IN_USE
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let slot = slots
            .iter()
            .find(|s| !in_use.contains(&s.reader_name))
            .cloned()
            .ok_or_else(|| anyhow!("every PC/SC reader is busy ({} in the pool)", slots.len()))?;
        in_use.push(slot.reader_name.clone());
        Ok(Self {
            slot,
            bin,
            exec_prefix: config.card_exec_prefix.clone(),
            work_dir: work_dir.to_path_buf(),
            card_process: None,
        })
    }

    fn stop_card(&mut self) {
        if let Some(mut child) = self.card_process.take() {
            // SIGTERM lets the card close its socket; pcscd then sees the card go.
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
            wait_for_absence(&self.slot.reader_name, Duration::from_secs(5));
        }
    }
}

#[cfg(feature = "pcsc")]
fn connect_when_present(reader: &str, timeout: Duration) -> anyhow::Result<Box<dyn CardChannel>> {
    let deadline = Instant::now() + timeout;
    loop {
        match harness_transport::PcscChannel::connect(reader) {
            Ok(channel) => return Ok(Box::new(channel)),
            Err(e) if Instant::now() >= deadline => {
                return Err(anyhow!(
                    "card did not appear in {reader:?} within {timeout:?}: {e}"
                ))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

#[cfg(not(feature = "pcsc"))]
fn connect_when_present(_reader: &str, _timeout: Duration) -> anyhow::Result<Box<dyn CardChannel>> {
    bail!("this harness was built without the `pcsc` feature (cargo … --features pcsc)")
}

#[cfg(feature = "pcsc")]
fn wait_for_absence(reader: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if harness_transport::PcscChannel::connect(reader).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(not(feature = "pcsc"))]
fn wait_for_absence(_reader: &str, _timeout: Duration) {}

impl CardSlot for PcscSlotPool {
    fn insert(
        &mut self,
        patient: &Patient,
        _reader_index: usize,
    ) -> anyhow::Result<Box<dyn CardChannel>> {
        self.stop_card();
        let mut command = match self.exec_prefix.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(&self.bin);
                c
            }
            None => Command::new(&self.bin),
        };
        let child = command
            .arg("serve")
            .arg("--profile")
            .arg(&patient.card_profile)
            .arg("--state")
            .arg(state_file(&self.work_dir, patient))
            .arg("--vpcd")
            .arg(&self.slot.vpcd_endpoint)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        self.card_process = Some(child);
        connect_when_present(&self.slot.reader_name, Duration::from_secs(10))
    }

    fn remove(&mut self, _reader_index: usize) {
        self.stop_card();
    }

    fn auth_pin_tries_left(
        &mut self,
        patient: &Patient,
        reader_index: usize,
    ) -> anyhow::Result<u8> {
        if self.card_process.is_none() {
            let mut channel = self.insert(patient, reader_index)?;
            let tries = query_auth_tries(channel.as_mut());
            drop(channel);
            self.stop_card();
            return tries;
        }
        let mut channel = connect_when_present(&self.slot.reader_name, Duration::from_secs(5))?;
        query_auth_tries(channel.as_mut())
    }

    fn shutdown(&mut self) {
        self.stop_card();
    }
}

impl Drop for PcscSlotPool {
    fn drop(&mut self) {
        self.stop_card();
        let mut in_use = PCSC_SLOTS_IN_USE
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        in_use.retain(|name| name != &self.slot.reader_name);
    }
}
