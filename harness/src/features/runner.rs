//! Runs the features: used by `cargo test` (tests/features.rs) and by `harness run`, so both go
//! through the same world, steps and writers.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use cucumber::{writer, World as _, WriterExt as _};

use std::sync::Arc;

use super::shard::{self as sharding, Shard};
use super::world::{FacilityWorld, RunContext};
use crate::bench::BenchRig;
use crate::config::HarnessConfig;
use crate::report::{self, ReportCollector, ReportWriter, ScenarioKey, ScenarioRecord, Totals};

/// What to run and where to write the results.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Feature files or folders.
    pub features: Vec<PathBuf>,
    /// Transport, fixtures and snapshot settings shared by every scenario.
    pub config: HarnessConfig,
    /// Where to write the HTML report (none: no report).
    pub html_report: Option<PathBuf>,
    /// Where to write JUnit XML (none: no JUnit).
    pub junit: Option<PathBuf>,
    /// Scenarios run at once (in-process: many; through pcscd: one per free reader).
    pub concurrency: usize,
    /// Only this shard of the scenarios (`--shard K/N`).
    pub shard: Option<Shard>,
}

/// What a run gave.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Scenario counts.
    pub totals: Totals,
    /// Every scenario with its steps and artifacts.
    pub scenarios: Vec<ScenarioRecord>,
    /// Feature files that failed to parse.
    pub parse_errors: Vec<String>,
    /// Failed steps as cucumber counted them.
    pub failed_steps: usize,
    /// Skipped steps (an undefined step counts here, and fails the run).
    pub skipped_steps: usize,
    /// Errors after scenarios (fail the run).
    pub teardown_errors: Vec<String>,
    /// Scenarios left out because the bench cannot perform them: (feature, scenario, reason).
    pub not_run: Vec<(String, String, String)>,
}

impl RunSummary {
    /// True when every scenario passed and every file parsed.
    pub fn success(&self) -> bool {
        self.totals.failed == 0
            && self.parse_errors.is_empty()
            && self.failed_steps == 0
            && self.teardown_errors.is_empty()
            && self.skipped_steps == 0
            && self.totals.passed > 0
    }

    /// One line for humans and CI: `N passed, N failed` (and `, N not run on the bench`).
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed",
            self.totals.passed,
            self.totals.failed + self.parse_errors.len()
        );
        if !self.not_run.is_empty() {
            line.push_str(&format!(", {} not run on the bench", self.not_run.len()));
        }
        line
    }
}

/// Runs the features and writes the report files asked for.
pub async fn run(options: RunOptions) -> anyhow::Result<RunSummary> {
    run_with(options, None).await
}

/// Runs the features on a bench (`harness run --bench`): the facility's readers are the bench's
/// readers, one scenario at a time; scenarios whose tags ask for what the bench cannot do are
/// not run, and listed with the reason in [`RunSummary::not_run`] (never counted as passed).
pub async fn run_on_bench(options: RunOptions, bench: Arc<BenchRig>) -> anyhow::Result<RunSummary> {
    run_with(options, Some(bench)).await
}

/// Every tag of a scenario, without `@`: the feature's, the rule's and its own (an outline's
/// example rows carry their examples' tags).
fn scenario_tags<'a>(
    feature: &'a cucumber::gherkin::Feature,
    rule: Option<&'a cucumber::gherkin::Rule>,
    scenario: &'a cucumber::gherkin::Scenario,
) -> Vec<&'a str> {
    feature
        .tags
        .iter()
        .chain(rule.into_iter().flat_map(|r| r.tags.iter()))
        .chain(scenario.tags.iter())
        .map(|t| t.trim_start_matches('@'))
        .collect()
}

async fn run_with(options: RunOptions, bench: Option<Arc<BenchRig>>) -> anyhow::Result<RunSummary> {
    let context = Arc::new(match &bench {
        None => RunContext::new(options.config.clone())?,
        Some(rig) => RunContext::on_bench(options.config.clone(), rig.clone()),
    });
    // A bench has one card per person and one fixture: one scenario at a time.
    let concurrency = if bench.is_some() {
        1
    } else {
        options.concurrency.max(1)
    };
    let collector = ReportCollector::default();
    let after_collector = collector.clone();
    let skip_collector = collector.clone();
    let skip_bench = bench.clone();
    let junit: Box<dyn std::io::Write> = match &options.junit {
        Some(path) => {
            create_parent(path)?;
            Box::new(
                fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
            )
        }
        None => Box::new(std::io::sink()),
    };
    // One cucumber run over one input keeps the JUnit file one document: several inputs are
    // gathered (as links) into one folder first.
    let staging = tempfile::tempdir().context("staging folder for the features")?;
    let input = match options.features.as_slice() {
        [single] => single.clone(),
        many => {
            for (i, path) in many.iter().enumerate() {
                let path = std::path::absolute(path)?;
                let name = path
                    .file_name()
                    .ok_or_else(|| anyhow::anyhow!("{} has no file name", path.display()))?;
                let sub = staging.path().join(i.to_string());
                fs::create_dir_all(&sub)?;
                std::os::unix::fs::symlink(&path, sub.join(name))
                    .with_context(|| format!("linking {}", path.display()))?;
            }
            staging.path().to_path_buf()
        }
    };

    let picked = match options.shard {
        None => None,
        Some(shard) => Some(shard.pick(sharding::scenario_places(&input).await?)),
    };
    let writer = writer::Basic::raw(std::io::stdout(), writer::Coloring::Auto, 0)
        .summarized()
        .tee::<FacilityWorld, _>(writer::JUnit::for_tee(junit, 0))
        .tee::<FacilityWorld, _>(
            ReportWriter::new(collector.clone())
                .discard_stats_writes()
                .discard_arbitrary_writes(),
        )
        .normalized();
    let finished = FacilityWorld::cucumber()
        .max_concurrent_scenarios(concurrency)
        .before(move |feature, _rule, scenario, world| {
            world.begin(
                context.clone(),
                feature.path.as_deref(),
                &scenario.name,
                scenario.position.line,
            );
            Box::pin(async {})
        })
        .after(move |feature, _rule, scenario, _finished, world| {
            let collector = after_collector.clone();
            let key = ScenarioKey::new(feature, scenario);
            Box::pin(async move {
                if let Some(world) = world {
                    collector.attach(key, world.take_artifacts());
                    if let Err(e) = world.finish().await {
                        eprintln!(
                            "harness: シナリオ「{}」の後始末に失敗: {e:#}",
                            scenario.name
                        );
                        collector.teardown_error(format!("{}: {e:#}", scenario.name));
                    }
                }
            })
        })
        .with_writer(writer)
        .fail_on_skipped()
        // Our own command line is not cucumber's: never parse the process arguments.
        .with_cli::<cucumber::cli::Empty>(cucumber::cli::Opts::default())
        .filter_run(input, move |feature, rule, scenario| {
            let path = feature.path.clone().unwrap_or_default();
            let in_shard = picked
                .as_ref()
                .is_none_or(|p| p.contains(&sharding::place(&path, scenario)));
            if !in_shard {
                return false;
            }
            // Without a bench, tags change nothing.
            let Some(rig) = &skip_bench else {
                return true;
            };
            match rig.skip_reason(&scenario_tags(feature, rule, scenario)) {
                None => true,
                Some(reason) => {
                    skip_collector.not_run(&feature.name, &scenario.name, &reason);
                    false
                }
            }
        })
        .await;
    let (failed_steps, skipped_steps) = stats(&finished);

    let scenarios = collector.scenarios();
    let summary = RunSummary {
        totals: report::totals(&scenarios),
        parse_errors: collector.parse_errors(),
        teardown_errors: collector.teardown_errors(),
        not_run: collector.scenarios_not_run(),
        failed_steps,
        skipped_steps,
        scenarios,
    };
    if let Some(path) = &options.html_report {
        create_parent(path)?;
        let report_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let transport = match &bench {
            Some(rig) => rig.describe(),
            None => options.config.transport.to_string(),
        };
        let html = report::render_html(
            "顔認証付きカードリーダー 目視確認モード — 試験報告",
            &transport,
            &summary.scenarios,
            &summary.not_run,
            &report_dir,
        );
        fs::write(path, html).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(summary)
}

fn stats<W: cucumber::writer::Stats<FacilityWorld>>(w: &W) -> (usize, usize) {
    (
        w.failed_steps() + w.hook_errors() + w.parsing_errors(),
        w.skipped_steps(),
    )
}

fn create_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    Ok(())
}
