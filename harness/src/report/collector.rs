//! Collecting a run (記録の収集): [`ReportWriter`] takes step outcomes from cucumber's event
//! stream, the world's after-hook attaches what a scenario collected
//! ([`ReportCollector::attach`]), and both land in one shared [`ReportCollector`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use cucumber::{event, parser, Event, World, Writer};

use super::records::{
    NotRun, ScenarioArtifacts, ScenarioKey, ScenarioRecord, StepRecord, StepStatus,
};

/// When each running step started, by (scenario, step line, background): the time cucumber
/// stamped on the event, not when the writer saw it — scenarios run concurrently and the writer
/// chain normalises (buffers and reorders) their events, so a step's start and end can reach the
/// writer together.
type StepStarts = BTreeMap<(ScenarioKey, usize, bool), SystemTime>;

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

    fn step_started(&self, key: ScenarioKey, line: usize, background: bool, at: SystemTime) {
        self.started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((key, line, background), at);
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
        at: SystemTime,
    ) {
        let key = ScenarioKey::new(feature, scenario);
        let duration = self
            .started
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(key.clone(), step.position.line, background))
            .and_then(|started| at.duration_since(started).ok());
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
        let (ev, at) = match event {
            Ok(ev) => (ev.value, ev.at),
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
                    .step_started(key, step.position.line, background, at);
                return;
            }
            event::Step::Passed(..) => StepStatus::Passed,
            event::Step::Skipped => StepStatus::Skipped,
            event::Step::Failed(_, _, _, err) => StepStatus::Failed(err.to_string()),
        };
        self.collector
            .record_step(&feature, &scenario, &step, status, background, at);
    }
}

impl cucumber::writer::NonTransforming for ReportWriter {}
