//! Cards behind real pcscd: each facility reader borrows one PC/SC reader of the run's pool and
//! the card is a `virtual-card serve` process linked to that reader's vpcd port.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use harness_transport::CardChannel;

use super::card_state::state_file;
use crate::config::PcscReader;
use crate::facility::{CardRef, CardSlot};

/// The PC/SC readers of one run and which are lent out. Cloned handles share the same pool.
#[derive(Debug, Clone)]
pub struct PcscReaderPool {
    readers: Arc<Vec<PcscReader>>,
    in_use: Arc<Mutex<Vec<String>>>,
    bin: PathBuf,
    exec_prefix: Vec<String>,
}

impl PcscReaderPool {
    /// A pool of `readers`, whose cards are `bin serve` processes started through `exec_prefix`.
    pub fn new(readers: Vec<PcscReader>, bin: PathBuf, exec_prefix: Vec<String>) -> Self {
        Self {
            readers: Arc::new(readers),
            in_use: Arc::new(Mutex::new(Vec::new())),
            bin,
            exec_prefix,
        }
    }

    /// How many readers the pool has.
    pub fn len(&self) -> usize {
        self.readers.len()
    }

    /// True for an empty pool.
    pub fn is_empty(&self) -> bool {
        self.readers.is_empty()
    }

    /// Borrows `count` free readers at once, or none (a scenario needs all of its readers).
    pub fn acquire(&self, count: usize, work_dir: &Path) -> anyhow::Result<Vec<PcscSlot>> {
        let mut in_use = self.in_use.lock().unwrap_or_else(PoisonError::into_inner);
        let free: Vec<PcscReader> = self
            .readers
            .iter()
            .filter(|r| !in_use.contains(&r.reader_name))
            .take(count)
            .cloned()
            .collect();
        anyhow::ensure!(
            free.len() == count,
            "PC/SC readers busy: {count} needed, {} free of {}",
            free.len(),
            self.readers.len()
        );
        in_use.extend(free.iter().map(|r| r.reader_name.clone()));
        Ok(free
            .into_iter()
            .map(|reader| PcscSlot {
                reader,
                pool: self.clone(),
                work_dir: work_dir.to_path_buf(),
                card_process: None,
                stopping: None,
            })
            .collect())
    }

    fn give_back(&self, reader: &str) {
        let mut in_use = self.in_use.lock().unwrap_or_else(PoisonError::into_inner);
        in_use.retain(|name| name != reader);
    }
}

/// One PC/SC reader borrowed from the pool.
pub struct PcscSlot {
    reader: PcscReader,
    pool: PcscReaderPool,
    work_dir: PathBuf,
    card_process: Option<Child>,
    /// A card process told to stop, and when.
    stopping: Option<(Child, Instant)>,
}

impl PcscSlot {
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
        !card_present(&self.reader.reader_name)
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

impl CardSlot for PcscSlot {
    fn insert(&mut self, card: &CardRef) -> anyhow::Result<()> {
        if !cfg!(feature = "pcsc") {
            bail!("this harness was built without the `pcsc` feature (cargo … --features pcsc)");
        }
        anyhow::ensure!(
            self.card_process.is_none(),
            "a card is already in {}",
            self.reader.reader_name
        );
        anyhow::ensure!(
            self.stop_finished(),
            "the previous card is still leaving {}",
            self.reader.reader_name
        );
        let mut command = match self.pool.exec_prefix.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(&self.pool.bin);
                c
            }
            None => Command::new(&self.pool.bin),
        };
        let child = command
            .arg("serve")
            .arg("--profile")
            .arg(&card.profile)
            .arg("--state")
            .arg(state_file(&self.work_dir, card))
            .arg("--vpcd")
            .arg(&self.reader.vpcd_endpoint)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", self.pool.bin.display()))?;
        self.card_process = Some(child);
        Ok(())
    }

    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        if let Some(child) = &mut self.card_process {
            if let Ok(Some(status)) = child.try_wait() {
                self.card_process = None;
                bail!(
                    "the card process for {} exited: {status}",
                    self.reader.reader_name
                );
            }
        }
        Ok(connect(&self.reader.reader_name))
    }

    fn remove(&mut self) {
        self.signal_stop();
    }

    fn poll_removed(&mut self) -> bool {
        self.stop_finished()
    }

    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        Ok(connect(&self.reader.reader_name))
    }

    fn has_card(&self) -> bool {
        self.card_process.is_some()
    }
}

impl Drop for PcscSlot {
    fn drop(&mut self) {
        self.signal_stop();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.stop_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.pool.give_back(&self.reader.reader_name);
    }
}
