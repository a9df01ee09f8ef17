//! The cucumber world: one simulated counter per scenario, built lazily once the background has
//! said which readers are connected and how the terminal is configured.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use anyhow::{anyhow, Context as _};
use harness_reader::ReaderMode;
use harness_terminal::config::AutoReturnPolicy;

use crate::config::{current, HarnessConfig, Transport};
use crate::facility::{Facility, FacilitySetup};
use crate::report::ScenarioArtifacts;
use crate::slots::{InProcessSlot, PcscSlotPool};

/// State of one scenario.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct FacilityWorld {
    config: HarnessConfig,
    readers: Vec<String>,
    auto_return: AutoReturnPolicy,
    facility: Option<Facility>,
    /// Feature file stem and scenario name, for snapshot names.
    scenario: Option<(String, String)>,
    snapshot_names: HashSet<String>,
    work_dir: Option<tempfile::TempDir>,
}

impl fmt::Debug for FacilityWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FacilityWorld")
            .field("transport", &self.config.transport.to_string())
            .field("readers", &self.readers)
            .field("scenario", &self.scenario)
            .field("facility_built", &self.facility.is_some())
            .finish()
    }
}

impl FacilityWorld {
    fn new() -> Self {
        Self {
            config: current(),
            readers: Vec::new(),
            auto_return: AutoReturnPolicy::Manual,
            facility: None,
            scenario: None,
            snapshot_names: HashSet::new(),
            work_dir: None,
        }
    }

    /// Names the scenario (called from the before-hook).
    pub fn set_scenario(&mut self, feature_path: Option<&std::path::Path>, scenario: &str) {
        let stem = feature_path
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "feature".to_owned());
        self.scenario = Some((stem, scenario.to_owned()));
    }

    /// A reader is connected to the terminal (before the facility is built).
    pub fn connect_reader(&mut self, name: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.facility.is_none(),
            "readers must be connected before anything happens at the counter"
        );
        self.readers.push(name.to_owned());
        Ok(())
    }

    /// Sets the switch-back policy (before the facility is built).
    pub fn set_auto_return(&mut self, policy: AutoReturnPolicy) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.facility.is_none(),
            "the terminal's policy is set before the scenario starts"
        );
        self.auto_return = policy;
        Ok(())
    }

    /// Puts every reader in `mode`: at start they are in 無人運転; other modes are set by the
    /// admin on the terminal, as on a real one.
    pub fn set_all_modes(&mut self, mode: ReaderMode) -> anyhow::Result<()> {
        if mode == ReaderMode::Unattended && self.facility.is_none() {
            return Ok(());
        }
        let readers = self.readers.clone();
        let facility = self.facility()?;
        for reader in readers {
            facility.preset_mode(&reader, mode)?;
        }
        Ok(())
    }

    /// The counter, built on first use.
    pub fn facility(&mut self) -> anyhow::Result<&mut Facility> {
        if self.facility.is_none() {
            let work_dir = tempfile::Builder::new()
                .prefix("scenario-")
                .tempdir_in(ensure_dir(&self.config.work_dir)?)
                .context("scenario work folder")?;
            let slot: Box<dyn crate::facility::CardSlot> = match &self.config.transport {
                Transport::InProcess => Box::new(InProcessSlot::new(work_dir.path())),
                Transport::Pcsc(_) => {
                    Box::new(PcscSlotPool::acquire(&self.config, work_dir.path())?)
                }
            };
            let setup = FacilitySetup {
                readers: self.readers.clone(),
                auto_return: self.auto_return,
                work_dir: work_dir.path().to_path_buf(),
            };
            self.facility = Some(Facility::new(self.config.clone(), setup, slot)?);
            self.work_dir = Some(work_dir);
        }
        self.facility
            .as_mut()
            .ok_or_else(|| anyhow!("facility not built"))
    }

    /// Index of a reader by name.
    pub fn reader_index(&mut self, name: &str) -> anyhow::Result<usize> {
        self.facility()?.station_index(name)
    }

    /// After each step: record the screens, and check them against the step's snapshot.
    pub fn checkpoint(&mut self, step: &cucumber::gherkin::Step) {
        let check = self.config.check_snapshots;
        let Some(facility) = self.facility.as_mut() else {
            return;
        };
        let record = facility.record_screens(&step.value);
        if !check {
            return;
        }
        let body = screens_snapshot(record.operator.as_deref(), record.patient.as_deref());
        let name = self.unique_snapshot_name(&step.value);
        self.assert_snapshot(&name, &body);
    }

    /// A snapshot named by the feature step (`…の画面として記録される`).
    pub fn assert_named_snapshot(&mut self, label: &str, body: &str) {
        if !self.config.check_snapshots {
            return;
        }
        let name = self.unique_snapshot_name(&format!("記録 {label}"));
        self.assert_snapshot(&name, body);
    }

    /// The step's own name: its text, with the long PC/SC reader names cut to their number; a
    /// step that repeats word for word in one scenario gets "（2回目）".
    fn unique_snapshot_name(&mut self, step: &str) -> String {
        let base = sanitize(&clip(&shorten_reader_names(step), 80));
        let mut name = base.clone();
        let mut occurrence = 2;
        while !self.snapshot_names.insert(name.clone()) {
            name = format!("{base}（{occurrence}回目）");
            occurrence += 1;
        }
        name
    }

    /// Snapshots live in snapshots/<feature>/<scenario>/<step>.snap.
    fn assert_snapshot(&self, name: &str, body: &str) {
        let (feature, scenario) = self
            .scenario
            .clone()
            .unwrap_or_else(|| ("feature".to_owned(), "scenario".to_owned()));
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(
            snapshot_root()
                .join(feature)
                .join(sanitize(&clip(&shorten_reader_names(&scenario), 60))),
        );
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name.to_owned(), body));
    }

    /// Hands the scenario's artifacts to the report.
    pub fn take_artifacts(&mut self) -> ScenarioArtifacts {
        self.facility
            .as_mut()
            .map(|f| std::mem::take(&mut f.artifacts))
            .unwrap_or_default()
    }

    /// Ends the scenario: cards out, card processes stopped.
    pub async fn finish(&mut self) {
        if let Some(mut facility) = self.facility.take() {
            facility.shutdown().await;
        }
    }
}

/// Both screens as one snapshot body.
pub fn screens_snapshot(operator: Option<&str>, patient: Option<&str>) -> String {
    format!(
        "[端末画面]\n{}\n\n[患者画面]\n{}\n",
        operator.unwrap_or("(ログインしていない)"),
        patient.unwrap_or("(なし)")
    )
}

fn snapshot_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots")
}

fn ensure_dir(dir: &std::path::Path) -> anyhow::Result<&std::path::Path> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// "Identiv CLOUD 3701 F Contactless Reader 0" → "Reader 0", to keep file names short.
fn shorten_reader_names(text: &str) -> String {
    text.replace("Identiv CLOUD 3701 F Contactless ", "")
}

fn clip(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '「' | '」' => '_',
            c if c.is_whitespace() => '_',
            c => c,
        })
        .collect()
}
