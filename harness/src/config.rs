//! Harness configuration shared by every scenario of a run: which transport carries APDUs, where
//! the fixtures are, whether screens are checked against snapshots.

use std::fmt;
use std::path::PathBuf;

/// How the mock reader reaches the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// The virtual card runs inside the harness process: no pcscd needed.
    InProcess,
    /// Through real pcscd: each scenario borrows a PC/SC reader from this pool and the harness puts
    /// the scenario's card in it (a `virtual-card serve` process linked to that reader's vpcd slot).
    Pcsc(Vec<PcscReader>),
}

/// One PC/SC reader the harness may use, and how a virtual card is put into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcscReader {
    /// Reader name as pcscd lists it ("Virtual PCD 00 00").
    pub reader_name: String,
    /// vpcd endpoint the card process serves for this reader (`127.0.0.1:35963`).
    pub vpcd_endpoint: String,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InProcess => f.write_str("in-process"),
            Self::Pcsc(slots) => write!(f, "pcscd ({} readers)", slots.len()),
        }
    }
}

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct HarnessConfig {
    /// How APDUs travel.
    pub transport: Transport,
    /// The fixtures folder (people, cards, pki, faces, insurance).
    pub fixtures: PathBuf,
    /// Check operator and patient screens against insta snapshots at every step.
    pub check_snapshots: bool,
    /// Folder for per-scenario outputs (result files, audit logs, card state).
    pub work_dir: PathBuf,
    /// The `virtual-card` binary (pcscd transport only).
    pub virtual_card_bin: Option<PathBuf>,
    /// Command prefix that runs a card process where vpcd can reach it (ci/pcscd-start.sh keeps
    /// vpcd in a private network namespace and exports HARNESS_PCSC_NETNS_EXEC).
    pub card_exec_prefix: Vec<String>,
    /// Where the steps of in-process scenarios do their work (through pcscd they always stay on
    /// the runner's thread).
    pub step_threads: StepThreads,
}

/// Where a scenario's steps do their work on the facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepThreads {
    /// On tokio's blocking pool: concurrent scenarios use every core (the default).
    #[default]
    Pool,
    /// On the runner's one thread, as cucumber polls them: the alternative the suite benchmark
    /// measures against, and the way every PC/SC run goes.
    Runner,
}

impl HarnessConfig {
    /// Defaults for this workspace: in-process, fixtures beside the crate, snapshots checked.
    pub fn for_workspace() -> Self {
        let root = workspace_root();
        Self {
            transport: Transport::InProcess,
            fixtures: root.join("fixtures"),
            check_snapshots: true,
            work_dir: root.join("target").join("harness"),
            virtual_card_bin: None,
            card_exec_prefix: Vec::new(),
            step_threads: StepThreads::Pool,
        }
    }

    /// Reads `HARNESS_SNAPSHOTS=off` (record screens without checking them), `HARNESS_TRANSPORT` (`in-process` or `pcsc`) and, for pcsc, `HARNESS_PCSC_SLOTS`
    /// (`reader name=127.0.0.1:35963;other reader=127.0.0.1:35964`).
    pub fn from_env(mut self) -> anyhow::Result<Self> {
        if std::env::var("HARNESS_SNAPSHOTS").as_deref() == Ok("off") {
            self.check_snapshots = false;
        }
        match std::env::var("HARNESS_TRANSPORT").as_deref() {
            Err(_) | Ok("") | Ok("in-process") => {}
            Ok("pcsc") => {
                let slots = std::env::var("HARNESS_PCSC_SLOTS").map_err(|_| {
                    anyhow::anyhow!("HARNESS_TRANSPORT=pcsc needs HARNESS_PCSC_SLOTS")
                })?;
                self.transport = Transport::Pcsc(parse_slots(&slots)?);
                if let Ok(bin) = std::env::var("HARNESS_VIRTUAL_CARD_BIN") {
                    self.virtual_card_bin = Some(bin.into());
                }
                if let Ok(prefix) = std::env::var("HARNESS_PCSC_NETNS_EXEC") {
                    self.card_exec_prefix = prefix.split_whitespace().map(str::to_owned).collect();
                }
            }
            Ok(other) => anyhow::bail!("unknown HARNESS_TRANSPORT {other:?} (in-process or pcsc)"),
        }
        Ok(self)
    }
}

/// The workspace root (the folder holding features/ and fixtures/).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or(manifest)
}

/// Parses `name=endpoint;name=endpoint`.
pub fn parse_slots(text: &str) -> anyhow::Result<Vec<PcscReader>> {
    let slots: Vec<PcscReader> = text
        .split(';')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let (name, endpoint) = s
                .rsplit_once('=')
                .ok_or_else(|| anyhow::anyhow!("slot {s:?} is not name=host:port"))?;
            Ok(PcscReader {
                reader_name: name.trim().to_owned(),
                vpcd_endpoint: endpoint.trim().to_owned(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(!slots.is_empty(), "no PC/SC slots given");
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_parse_names_with_spaces_and_equals_in_endpoints_last() {
        let slots =
            parse_slots("Virtual PCD 0 00 01=127.0.0.1:35964;Virtual PCD 1 00 00=127.0.0.1:35965;")
                .expect("slots");
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0].reader_name, "Virtual PCD 0 00 01");
        assert_eq!(slots[1].vpcd_endpoint, "127.0.0.1:35965");
    }

    #[test]
    fn bad_slot_lists_are_errors() {
        assert!(parse_slots("").is_err());
        assert!(parse_slots("no endpoint here").is_err());
    }
}
