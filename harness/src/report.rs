//! The run report: what each scenario did, step by step, with the screens, the camera frame beside
//! the card photo, and the APDU trace; written as one self-contained HTML file.
//!
//! Step outcomes come from cucumber's event stream ([`ReportWriter`]); what happened inside a
//! scenario (screens, frames, trace) comes from the world through [`ReportCollector::attach`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
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
}

/// Screens shown after a step.
#[derive(Debug, Clone, Default)]
pub struct ScreenRecord {
    /// Step text the screens follow.
    pub after_step: String,
    /// Operator screen of the terminal (text rendering), if any is open.
    pub operator: Option<String>,
    /// Patient screen of the reader (text rendering).
    pub patient: Option<String>,
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
    /// APDU exchanges as hex lines (`>> command` / `<< response`).
    pub apdu_trace: Vec<String>,
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

/// Shared collector filled by the writer and the after-hook.
#[derive(Debug, Clone, Default)]
pub struct ReportCollector {
    scenarios: Arc<Mutex<BTreeMap<ScenarioKey, ScenarioRecord>>>,
    parse_errors: Arc<Mutex<Vec<String>>>,
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
        self.with(|m| {
            let rec = m.entry(key).or_default();
            rec.feature = feature.name.clone();
            rec.scenario = scenario.name.clone();
            rec.steps.push(StepRecord {
                keyword: step.keyword.trim().to_owned(),
                text: step.value.clone(),
                status,
                background,
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
            event::Step::Started => return,
            event::Step::Passed(..) => StepStatus::Passed,
            event::Step::Skipped => StepStatus::Skipped,
            event::Step::Failed(_, _, _, err) => StepStatus::Failed(err.to_string()),
        };
        self.collector
            .record_step(&feature, &scenario, &step, status, background);
    }
}

impl cucumber::writer::NonTransforming for ReportWriter {}

/// Escapes text for HTML.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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

/// Renders the whole report as one HTML page (images inline as data URLs).
pub fn render_html(title: &str, transport: &str, scenarios: &[ScenarioRecord]) -> String {
    use base64::Engine as _;
    let t = totals(scenarios);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{}</title><style>\
body{{font-family:sans-serif;margin:1.5em;max-width:70em}}\
.pass{{color:#11772d}}.fail{{color:#b00020}}.skip{{color:#8a6d00}}\
details{{border:1px solid #ccc;border-radius:4px;margin:.5em 0;padding:.3em .6em}}\
pre{{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em}}\
.screens{{display:flex;gap:1em;flex-wrap:wrap}}.screens pre{{min-width:20em}}\
</style></head><body><h1>{}</h1><p>transport: <b>{}</b> — <span class=\"pass\">{} passed</span>, \
<span class=\"fail\">{} failed</span></p>",
        html_escape(title),
        html_escape(title),
        html_escape(transport),
        t.passed,
        t.failed
    );
    let mut current_feature = None;
    for s in scenarios {
        if current_feature != Some(&s.feature) {
            let _ = write!(h, "<h2>機能: {}</h2>", html_escape(&s.feature));
            current_feature = Some(&s.feature);
        }
        let (class, mark) = if s.passed() {
            ("pass", "✔")
        } else {
            ("fail", "✘")
        };
        let _ = write!(
            h,
            "<details{}><summary class=\"{class}\">{mark} シナリオ: {}</summary><ol>",
            if s.passed() { "" } else { " open" },
            html_escape(&s.scenario)
        );
        for step in &s.steps {
            let (class, extra) = match &step.status {
                StepStatus::Passed => ("pass", String::new()),
                StepStatus::Skipped => ("skip", " (skipped)".to_owned()),
                StepStatus::Failed(msg) => ("fail", format!("<pre>{}</pre>", html_escape(msg))),
            };
            let _ = write!(
                h,
                "<li class=\"{class}\">{}{} {}{extra}</li>",
                if step.background { "[背景] " } else { "" },
                html_escape(&step.keyword),
                html_escape(&step.text)
            );
        }
        h.push_str("</ol>");
        let a = &s.artifacts;
        for face in &a.faces {
            let _ = write!(
                h,
                "<figure><img alt=\"camera frame and card photo\" src=\"data:image/png;base64,{}\">\
<figcaption>{}</figcaption></figure>",
                base64::engine::general_purpose::STANDARD.encode(&face.png),
                html_escape(&face.summary)
            );
        }
        for screen in &a.screens {
            let _ = write!(
                h,
                "<p>after: {}</p><div class=\"screens\">",
                html_escape(&screen.after_step)
            );
            for (label, text) in [
                ("端末画面", &screen.operator),
                ("患者画面", &screen.patient),
            ] {
                if let Some(text) = text {
                    let _ = write!(
                        h,
                        "<div><b>{label}</b><pre>{}</pre></div>",
                        html_escape(text)
                    );
                }
            }
            h.push_str("</div>");
        }
        if !a.notes.is_empty() {
            h.push_str("<ul>");
            for n in &a.notes {
                let _ = write!(h, "<li>{}</li>", html_escape(n));
            }
            h.push_str("</ul>");
        }
        if !a.apdu_trace.is_empty() {
            let _ = write!(
                h,
                "<details><summary>APDU trace ({} lines)</summary><pre>{}</pre></details>",
                a.apdu_trace.len(),
                html_escape(&a.apdu_trace.join("\n"))
            );
        }
        h.push_str("</details>");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str, status: StepStatus) -> ScenarioRecord {
        ScenarioRecord {
            feature: "機能<script>".into(),
            scenario: name.into(),
            steps: vec![StepRecord {
                keyword: "もし".into(),
                text: "患者が<b>カード</b>を置く & 待つ".into(),
                status,
                background: false,
            }],
            artifacts: ScenarioArtifacts {
                notes: vec!["\"quoted\" 'single'".into()],
                ..ScenarioArtifacts::default()
            },
        }
    }

    #[test]
    fn totals_count_failed_and_skipped_scenarios_as_failed() {
        let s = [
            scenario("a", StepStatus::Passed),
            scenario("b", StepStatus::Failed("boom".into())),
            scenario("c", StepStatus::Skipped),
        ];
        assert_eq!(
            totals(&s),
            Totals {
                passed: 1,
                failed: 2
            }
        );
    }

    #[test]
    fn html_escapes_every_text_from_features_and_worlds() {
        let html = render_html(
            "t",
            "in-process",
            &[scenario("x<y", StepStatus::Failed("<err>".into()))],
        );
        for raw in ["<script>", "<b>カード</b>", "x<y", "<err>", "\"quoted\""] {
            assert!(!html.contains(raw), "unescaped {raw:?}");
        }
        assert!(html.contains("患者が&lt;b&gt;カード&lt;/b&gt;を置く &amp; 待つ"));
        assert!(html.contains("0 passed"));
        assert!(html.contains("1 failed"));
    }
}
