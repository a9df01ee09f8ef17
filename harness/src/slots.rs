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
    card: Option<Patient>,
}

impl InProcessSlot {
    /// Cards whose state files live in `work_dir`.
    pub fn new(work_dir: &Path) -> Self {
        Self {
            work_dir: work_dir.to_path_buf(),
            card: None,
        }
    }

    fn open(&self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        let Some(patient) = &self.card else {
            bail!("no card in the reader");
        };
        let card = InProcessCard::open(
            &patient.card_profile,
            Some(&state_file(&self.work_dir, patient)),
        )?;
        Ok(Some(Box::new(card)))
    }
}

impl CardSlot for InProcessSlot {
    fn insert(&mut self, patient: &Patient) -> anyhow::Result<()> {
        self.card = Some(patient.clone());
        Ok(())
    }

    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        self.open()
    }

    fn remove(&mut self) {
        self.card = None;
    }

    fn poll_removed(&mut self) -> bool {
        self.card.is_none()
    }

    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        // A second card object on the same state file: it sees every stored PIN counter.
        self.open()
    }

    fn has_card(&self) -> bool {
        self.card.is_some()
    }
}

static PCSC_SLOTS_IN_USE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// One PC/SC reader borrowed for a scenario; the card is a `virtual-card serve` process linked to
/// the reader's vpcd port.
pub struct PcscSlotPool {
    slot: PcscSlot,
    bin: PathBuf,
    exec_prefix: Vec<String>,
    work_dir: PathBuf,
    card_process: Option<Child>,
    /// A card process told to stop, and when.
    stopping: Option<(Child, Instant)>,
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
            stopping: None,
        })
    }

    /// SIGTERM lets the card close its socket; pcscd then sees the card go.
    fn signal_stop(&mut self) {
        if let Some(child) = self.card_process.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            self.stopping = Some((child, Instant::now()));
        }
    }

    /// True once the stopped card process is gone and pcscd no longer shows a card.
    fn stop_finished(&mut self) -> bool {
        if let Some((child, since)) = &mut self.stopping {
            match child.try_wait() {
                Ok(Some(_)) => {}
                _ if since.elapsed() > Duration::from_secs(3) => {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                _ => return false,
            }
            self.stopping = None;
        }
        !card_present(&self.slot.reader_name)
    }
}

#[cfg(feature = "pcsc")]
fn connect(reader: &str) -> Option<Box<dyn CardChannel>> {
    harness_transport::PcscChannel::connect(reader)
        .ok()
        .map(|c| Box::new(c) as Box<dyn CardChannel>)
}

#[cfg(not(feature = "pcsc"))]
fn connect(_reader: &str) -> Option<Box<dyn CardChannel>> {
    None
}

fn card_present(reader: &str) -> bool {
    connect(reader).is_some()
}

impl CardSlot for PcscSlotPool {
    fn insert(&mut self, patient: &Patient) -> anyhow::Result<()> {
        if !cfg!(feature = "pcsc") {
            bail!("this harness was built without the `pcsc` feature (cargo … --features pcsc)");
        }
        anyhow::ensure!(
            self.card_process.is_none(),
            "a card is already in {}",
            self.slot.reader_name
        );
        anyhow::ensure!(
            self.stop_finished(),
            "the previous card is still leaving {}",
            self.slot.reader_name
        );
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
        Ok(())
    }

    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        if let Some(child) = &mut self.card_process {
            if let Ok(Some(status)) = child.try_wait() {
                self.card_process = None;
                bail!(
                    "the card process for {} exited: {status}",
                    self.slot.reader_name
                );
            }
        }
        Ok(connect(&self.slot.reader_name))
    }

    fn remove(&mut self) {
        self.signal_stop();
    }

    fn poll_removed(&mut self) -> bool {
        self.stop_finished()
    }

    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        Ok(connect(&self.slot.reader_name))
    }

    fn has_card(&self) -> bool {
        self.card_process.is_some()
    }
}

impl Drop for PcscSlotPool {
    fn drop(&mut self) {
        self.signal_stop();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.stop_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut in_use = PCSC_SLOTS_IN_USE
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        in_use.retain(|name| name != &self.slot.reader_name);
    }
}
