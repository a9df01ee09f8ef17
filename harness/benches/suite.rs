//! Wall time of the whole feature suite: in-process (steps on tokio's blocking pool), against the
//! alternative of every step on the runner's thread (`runner-thread`) in the same run, and through
//! real pcscd when the environment names PC/SC slots (ci/bench-suite.sh sets HARNESS_PCSC_SLOTS).
//! Prints numbers; asserts nothing about time.
//!
//!     cargo bench -p harness --bench suite                 # in-process only
//!     ci/bench-suite.sh                                     # both, pcscd started for the run

use std::time::Instant;

use harness::config::workspace_root;
use harness::config::{HarnessConfig, StepThreads, Transport};
use harness::features::runner::{self, RunOptions};

async fn time_suite(label: &str, config: HarnessConfig, concurrency: usize) -> anyhow::Result<()> {
    let root = workspace_root();
    let start = Instant::now();
    let summary = runner::run(RunOptions {
        features: vec![root.join("features")],
        config,
        html_report: None,
        junit: None,
        concurrency,
        shard: None,
    })
    .await?;
    let elapsed = start.elapsed();
    // Each scenario's own time: the sum of its steps' durations.
    let mut per_scenario: Vec<f64> = summary
        .scenarios
        .iter()
        .map(|s| {
            s.steps
                .iter()
                .filter_map(|step| step.duration)
                .map(|d| d.as_secs_f64())
                .sum::<f64>()
        })
        .collect();
    per_scenario.sort_by(|a, b| a.total_cmp(b));
    let median = per_scenario
        .get(per_scenario.len() / 2)
        .copied()
        .unwrap_or_default();
    let max = per_scenario.last().copied().unwrap_or_default();
    println!(
        "suite {label:<12} {:>7.2} s wall  ({} scenarios, {}, concurrency {concurrency}); \
         per scenario: median {:.3} s, max {:.3} s",
        elapsed.as_secs_f64(),
        summary.scenarios.len(),
        summary.line(),
        median,
        max
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut base = HarnessConfig::for_workspace();
    base.check_snapshots = false;
    // Warm-up run (page cache, lazy statics), not reported.
    let mut in_process = base.clone();
    in_process.transport = Transport::InProcess;
    let _ = runner::run(RunOptions {
        features: vec![workspace_root().join("features")],
        config: in_process.clone(),
        html_report: None,
        junit: None,
        concurrency: 8,
        shard: None,
    })
    .await?;
    time_suite("in-process", in_process.clone(), 8).await?;
    // The alternative in the same run: every step on the runner's one thread (how cucumber
    // polls scenarios; the way the suite ran before steps moved to the blocking pool).
    let mut one_thread = in_process;
    one_thread.step_threads = StepThreads::Runner;
    time_suite("runner-thread", one_thread, 8).await?;
    let pcsc = base.from_env()?;
    if let Transport::Pcsc(slots) = &pcsc.transport {
        // A scenario borrows one PC/SC reader per facility reader (at most two).
        let n = (slots.len() / 2).max(1);
        time_suite("pcscd", pcsc.clone(), n).await?;
    } else {
        println!("suite pcscd        skipped: set HARNESS_TRANSPORT=pcsc and HARNESS_PCSC_SLOTS (ci/bench-suite.sh does)");
    }
    Ok(())
}
