//! What a run report is made of (実行記録): each scenario's key, steps with their outcomes, and
//! what the world collected while it ran — screens, face comparisons, APDUs, result files,
//! devices — plus the scenarios left out and the run's totals. Plain data, filled by the
//! collector and drawn by the HTML and timing reports.

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
