//! How the simulated fixture moves cards: for real, a `virtual-card serve` process per placed
//! card, linked to the station's vpcd reader so pcscd sees a card arrive (README "Running
//! through real pcscd"; DESIGN.md §3); dry, a record of what it would run.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::protocol::{Slot, Station};
use crate::sim::CardMover;

/// How long a stopped card process gets to close its vpcd connection before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// What the card processes need.
#[derive(Debug, Clone, Default)]
pub struct CardProcesses {
    /// The `virtual-card` binary.
    pub bin: PathBuf,
    /// A command the card process runs under (the private network namespace of
    /// ci/pcscd-start.sh: `HARNESS_PCSC_NETNS_EXEC`).
    pub exec_prefix: Vec<String>,
    /// Where card state files (PIN counters) and card logs go; a card keeps its state across
    /// placements, as a real card does.
    pub state_dir: PathBuf,
    /// Card profile per slot.
    pub profiles: BTreeMap<Slot, PathBuf>,
    /// vpcd endpoint (`127.0.0.1:35963`) per station.
    pub endpoints: BTreeMap<Station, String>,
}

impl CardProcesses {
    /// The command line that puts `slot`'s card on `station`'s reader.
    pub fn command_line(&self, slot: Slot, station: Station) -> Result<Vec<String>, String> {
        let profile = self
            .profiles
            .get(&slot)
            .ok_or_else(|| format!("no card profile for slot {slot}"))?;
        let endpoint = self
            .endpoints
            .get(&station)
            .ok_or_else(|| format!("no vpcd endpoint for station {station}"))?;
        let mut line = self.exec_prefix.clone();
        line.push(self.bin.display().to_string());
        line.extend([
            "serve".to_owned(),
            "--profile".to_owned(),
            profile.display().to_string(),
            "--state".to_owned(),
            self.state_dir
                .join(format!("slot-{slot}.state"))
                .display()
                .to_string(),
            "--vpcd".to_owned(),
            endpoint.clone(),
        ]);
        Ok(line)
    }
}

/// Starts and stops real card processes.
pub struct ProcessMover {
    config: CardProcesses,
    children: BTreeMap<Station, Child>,
}

impl ProcessMover {
    /// A mover; creates the state folder.
    pub fn new(config: CardProcesses) -> std::io::Result<Self> {
        std::fs::create_dir_all(&config.state_dir)?;
        Ok(Self {
            config,
            children: BTreeMap::new(),
        })
    }

    fn stop(child: &mut Child) -> Result<(), String> {
        let pid = i32::try_from(child.id()).map_err(|_| "process id out of range".to_owned())?;
        // SIGTERM lets the card close its vpcd socket: pcscd then sees the card go.
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        );
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => return Ok(()),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => {
                    let _ = child.kill();
                    return child
                        .wait()
                        .map(drop)
                        .map_err(|e| format!("card process {pid} did not stop: {e}"));
                }
            }
        }
    }
}

impl CardMover for ProcessMover {
    fn place(&mut self, slot: Slot, station: Station) -> Result<(), String> {
        let line = self.config.command_line(slot, station)?;
        let (program, args) = line
            .split_first()
            .ok_or_else(|| "empty command line".to_owned())?;
        let log_path = self.config.state_dir.join(format!("slot-{slot}.log"));
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("{}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        // A process that fails at once (bad profile, no such binary under the prefix) is a
        // failed placement, not a card that "fell off" later.
        std::thread::sleep(Duration::from_millis(50));
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "card process exited at once ({status}); see {}",
                log_path.display()
            ));
        }
        self.children.insert(station, child);
        Ok(())
    }

    fn remove(&mut self, _slot: Slot, station: Station) -> Result<(), String> {
        match self.children.remove(&station) {
            Some(mut child) => Self::stop(&mut child),
            None => Ok(()),
        }
    }

    fn still_present(&mut self, station: Station) -> bool {
        self.children
            .get_mut(&station)
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }
}

impl Drop for ProcessMover {
    fn drop(&mut self) {
        for child in self.children.values_mut() {
            let _ = Self::stop(child);
        }
    }
}

/// Records what it would do (`fixture-sim --dry`): no process, no pcscd.
pub struct DryMover {
    config: CardProcesses,
    placed: BTreeSet<Station>,
    record: Box<dyn Write + Send>,
}

impl DryMover {
    /// Writes one line per action to `record`.
    pub fn new(config: CardProcesses, record: Box<dyn Write + Send>) -> Self {
        Self {
            config,
            placed: BTreeSet::new(),
            record,
        }
    }
}

impl CardMover for DryMover {
    fn place(&mut self, slot: Slot, station: Station) -> Result<(), String> {
        let line = self
            .config
            .command_line(slot, station)
            .unwrap_or_else(|why| vec![format!("<{why}>")]);
        let _ = writeln!(
            self.record,
            "dry: place slot {slot} on station {station}: would run {}",
            line.join(" ")
        );
        let _ = self.record.flush();
        self.placed.insert(station);
        Ok(())
    }

    fn remove(&mut self, slot: Slot, station: Station) -> Result<(), String> {
        let _ = writeln!(
            self.record,
            "dry: remove slot {slot} from station {station}: would stop its card process"
        );
        let _ = self.record.flush();
        self.placed.remove(&station);
        Ok(())
    }

    fn still_present(&mut self, station: Station) -> bool {
        self.placed.contains(&station)
    }
}
