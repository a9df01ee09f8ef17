//! The run report: what each scenario did, step by step, with the screens, the camera frame beside
//! the card photo, the result files and the APDU trace, decoded; written as one self-contained
//! HTML file in Japanese with an English toggle.
//!
//! Step outcomes come from cucumber's event stream ([`ReportWriter`]); what happened inside a
//! scenario (screens, frames, trace) comes from the world through [`ReportCollector::attach`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use cucumber::{event, parser, Event, World, Writer};

/// Identifies one scenario run (an outline's example rows are separate scenarios).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScenarioKey {
    /// Path of the feature file, as cucumber reports it.
    pub feature_path: String,
    /// Line of the scenario (or of the example row for outlines).
    pub line: usize,
    /// Column, to tell apart scenarios on one line (never in practice).
    pub column: usize,
}

impl ScenarioKey {
    /// Key of a scenario within a feature.
    pub fn new(
        feature: &cucumber::gherkin::Feature,
        scenario: &cucumber::gherkin::Scenario,
    ) -> Self {
        Self {
            feature_path: feature
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            line: scenario.position.line,
            column: scenario.position.col,
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    /// The step passed.
    Passed,
    /// The step failed, with the message.
    Failed(String),
    /// The step was skipped (no matching step, or an earlier one failed).
    Skipped,
}

/// One step of a scenario as it ran.
#[derive(Debug, Clone)]
pub struct StepRecord {
    /// Gherkin keyword (前提, もし, ならば, かつ...).
    pub keyword: String,
    /// Step text.
    pub text: String,
    /// Outcome.
    pub status: StepStatus,
    /// True for background steps.
    pub background: bool,
    /// How long the step took (real time).
    pub duration: Option<std::time::Duration>,
}

/// Screens shown after a step.
#[derive(Debug, Clone, Default)]
pub struct ScreenRecord {
    /// Step text the screens follow.
    pub after_step: String,
    /// Operator screen of the terminal (text rendering), if anyone is logged in.
    pub operator: Option<String>,
    /// Patient screen of the reader (text rendering).
    pub patient: Option<String>,
    /// The operator screen as the terminal's web UI draws it (a whole HTML page).
    pub operator_html: Option<String>,
    /// The patient screen as the reader's touchscreen looks (an HTML fragment).
    pub patient_html: Option<String>,
}

/// One command sent to a card and its answer.
#[derive(Debug, Clone)]
pub struct ApduRecord {
    /// Reader name.
    pub reader: String,
    /// Command bytes (secrets are masked when shown).
    pub command: Vec<u8>,
    /// Answer bytes (data + SW), or the channel's error.
    pub response: Result<Vec<u8>, String>,
    /// When it was sent (facility time since the scenario started).
    pub at: std::time::Duration,
    /// How long the card took to answer (real time).
    pub took: std::time::Duration,
    /// The first exchange since a card was placed on this reader: the card starts with nothing
    /// selected, so the decoder forgets what the previous card had selected.
    pub card_placed: bool,
}

/// A card seen on a reader: the device behind it and the card's ATR.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    /// Reader name as the terminal shows it.
    pub reader: String,
    /// The device's PC/SC name, when there is one.
    pub device: Option<String>,
    /// The card's answer to reset.
    pub atr: Option<Vec<u8>>,
}

/// A result file the terminal wrote for the receipt system.
#[derive(Debug, Clone)]
pub struct ResultFileRecord {
    /// Reader name.
    pub reader: String,
    /// The service's outcome label.
    pub outcome: String,
    /// Where the file is (kept after the run).
    pub path: std::path::PathBuf,
}

/// A face comparison made during the scenario.
#[derive(Debug, Clone)]
pub struct FaceRecord {
    /// PNG of the camera frame beside the card photo with the score.
    pub png: Vec<u8>,
    /// Decision and score as text.
    pub summary: String,
}

/// What the world collected while a scenario ran.
#[derive(Debug, Clone, Default)]
pub struct ScenarioArtifacts {
    /// Screens after each step.
    pub screens: Vec<ScreenRecord>,
    /// Face comparisons.
    pub faces: Vec<FaceRecord>,
    /// APDU exchanges as hex lines (`>> command` / `<< response`, secrets masked).
    pub apdu_trace: Vec<String>,
    /// The same exchanges as bytes, decoded when the report is drawn.
    pub apdus: Vec<ApduRecord>,
    /// Result files written.
    pub result_files: Vec<ResultFileRecord>,
    /// Cards seen on readers (device names, ATRs).
    pub devices: Vec<DeviceRecord>,
    /// Notes: results, result file names, audit entries.
    pub notes: Vec<String>,
}

/// One scenario in the report.
#[derive(Debug, Clone, Default)]
pub struct ScenarioRecord {
    /// Feature name.
    pub feature: String,
    /// Scenario name.
    pub scenario: String,
    /// Steps in order.
    pub steps: Vec<StepRecord>,
    /// Artifacts from the world.
    pub artifacts: ScenarioArtifacts,
}

impl ScenarioRecord {
    /// True when every step passed.
    pub fn passed(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.status == StepStatus::Passed)
    }
}

/// A scenario left out of the run (未実行): feature, scenario, and why.
pub type NotRun = (String, String, String);

/// When each running step started, by (scenario, step line, background).
type StepStarts = BTreeMap<(ScenarioKey, usize, bool), std::time::Instant>;

/// Shared collector filled by the writer and the after-hook.
#[derive(Debug, Clone, Default)]
pub struct ReportCollector {
    scenarios: Arc<Mutex<BTreeMap<ScenarioKey, ScenarioRecord>>>,
    parse_errors: Arc<Mutex<Vec<String>>>,
    /// When each running step started.
    started: Arc<Mutex<StepStarts>>,
    /// Scenarios not run, with the reason (a bench cannot perform them).
    not_run: Arc<Mutex<Vec<NotRun>>>,
    /// Errors after a scenario (e.g. a bench card's PIN counter could not be restored).
    teardown_errors: Arc<Mutex<Vec<String>>>,
}

impl ReportCollector {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<ScenarioKey, ScenarioRecord>) -> T) -> T {
        let mut guard = self
            .scenarios
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Attaches what the world collected to its scenario.
    pub fn attach(&self, key: ScenarioKey, artifacts: ScenarioArtifacts) {
        self.with(|m| m.entry(key).or_default().artifacts = artifacts);
    }

    /// All scenarios, in feature path and line order.
    pub fn scenarios(&self) -> Vec<ScenarioRecord> {
        self.with(|m| m.values().cloned().collect())
    }

    /// A scenario left out of the run, with the reason (printed and in the report).
    pub fn not_run(&self, feature: &str, scenario: &str, reason: &str) {
        self.not_run
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((feature.to_owned(), scenario.to_owned(), reason.to_owned()));
    }

    /// Scenarios left out of the run: (feature, scenario, reason).
    pub fn scenarios_not_run(&self) -> Vec<NotRun> {
        self.not_run
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// An error after a scenario (fails the run).
    pub fn teardown_error(&self, message: String) {
        self.teardown_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }

    /// Errors after scenarios.
    pub fn teardown_errors(&self) -> Vec<String> {
        self.teardown_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn step_started(&self, key: ScenarioKey, line: usize, background: bool) {
        self.started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((key, line, background), std::time::Instant::now());
    }

    /// Feature files that failed to parse.
    pub fn parse_errors(&self) -> Vec<String> {
        self.parse_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record_step(
        &self,
        feature: &cucumber::gherkin::Feature,
        scenario: &cucumber::gherkin::Scenario,
        step: &cucumber::gherkin::Step,
        status: StepStatus,
        background: bool,
    ) {
        let key = ScenarioKey::new(feature, scenario);
        let duration = self
            .started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(key.clone(), step.position.line, background))
            .map(|started| started.elapsed());
        self.with(|m| {
            let rec = m.entry(key).or_default();
            rec.feature = feature.name.clone();
            rec.scenario = scenario.name.clone();
            rec.steps.push(StepRecord {
                keyword: step.keyword.trim().to_owned(),
                text: step.value.clone(),
                status,
                background,
                duration,
            });
        });
    }
}

/// A cucumber writer that records step outcomes into a [`ReportCollector`]. Use it in a `tee`.
#[derive(Debug, Clone)]
pub struct ReportWriter {
    collector: ReportCollector,
}

impl ReportWriter {
    /// A writer feeding `collector`.
    pub fn new(collector: ReportCollector) -> Self {
        Self { collector }
    }
}

impl<W: World> Writer<W> for ReportWriter {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<event::Cucumber<W>>>,
        _cli: &Self::Cli,
    ) {
        let ev = match event {
            Ok(ev) => ev.value,
            Err(err) => {
                self.collector
                    .parse_errors
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(err.to_string());
                return;
            }
        };
        let event::Cucumber::Feature(feature, event::Feature::Scenario(scenario, retryable)) = ev
        else {
            // Rules are not used by our features; everything else carries no step outcome.
            return;
        };
        let (step, step_event, background) = match retryable.event {
            event::Scenario::Step(step, e) => (step, e, false),
            event::Scenario::Background(step, e) => (step, e, true),
            _ => return,
        };
        let status = match step_event {
            event::Step::Started => {
                let key = ScenarioKey::new(&feature, &scenario);
                self.collector
                    .step_started(key, step.position.line, background);
                return;
            }
            event::Step::Passed(..) => StepStatus::Passed,
            event::Step::Skipped => StepStatus::Skipped,
            event::Step::Failed(_, _, _, err) => StepStatus::Failed(err.to_string()),
        };
        self.collector
            .record_step(&feature, &scenario, &step, status, background);
    }
}

impl cucumber::writer::NonTransforming for ReportWriter {}

/// Summary counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Scenarios whose every step passed.
    pub passed: usize,
    /// Scenarios with a failed or skipped step.
    pub failed: usize,
}

/// Counts passed and failed scenarios.
pub fn totals(scenarios: &[ScenarioRecord]) -> Totals {
    let passed = scenarios.iter().filter(|s| s.passed()).count();
    Totals {
        passed,
        failed: scenarios.len() - passed,
    }
}

mod apdu_trace;
mod html;
pub mod patient_screen;
mod result_file;
pub mod timing;

pub use html::{html_escape, render_html};
pub use patient_screen::{patient_screen_html, PATIENT_SCREEN_STYLE};
