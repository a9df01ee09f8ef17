//! `harness`: run the features against simulated or real readers and write a report.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use harness::config::workspace_root;
use harness::config::HarnessConfig;
use harness::features::runner::{self, RunOptions};
use harness::report::timing::TimingReport;

#[derive(Parser)]
#[command(
    version,
    about = "Hardware-in-the-loop harness for face-recognition card readers (顔認証付きカードリーダー)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run feature files (default: every feature in features/) and write an HTML report.
    Run {
        /// Feature files or folders.
        features: Vec<PathBuf>,
        /// Where to write the HTML report.
        #[arg(long, default_value = "target/harness/report.html")]
        report: PathBuf,
        /// Where to write JUnit XML.
        #[arg(long, default_value = "target/harness/junit.xml")]
        junit: PathBuf,
        /// Also check every screen against the committed insta snapshots.
        #[arg(long)]
        check_snapshots: bool,
        /// Scenarios run at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Run only every N-th scenario from the K-th (e.g. 2/4), for CI matrices.
        #[arg(long)]
        shard: Option<harness::features::shard::Shard>,
        /// Folder for each scenario's files: <dir>/<feature>/<scenario>/ holds the receipt
        /// system's folders (oqs/face, oqs/req, oqs/res) and the card state, kept after the run.
        #[arg(long, default_value = "target/harness")]
        results: PathBuf,
        /// Run on a bench (bench file, TOML; see fixtures/bench/example.toml): the bench's PC/SC
        /// readers, its cards laid on them by its serial fixture; one scenario at a time;
        /// scenarios the bench cannot perform (tags) are not run and listed with the reason.
        /// Needs the `pcsc` feature.
        #[arg(long)]
        bench: Option<PathBuf>,
        /// Run the features N times; the timing report (timing.json, timing.html beside the
        /// report) gives p50/p95/max over all runs. The report and JUnit are the last run's.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        repeat: u32,
    },
    /// Serve the verification terminal's web UI (顔認証付きカードリーダー操作) on loopback.
    /// Accounts: `admin` (管理アカウント) and `staff` (一般アカウント), passwords from
    /// TERMINAL_ADMIN_PASSWORD and TERMINAL_STAFF_PASSWORD.
    Terminal {
        /// Address to listen on (loopback only unless you mean otherwise).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Append-only audit log (JSON lines).
        #[arg(long, default_value = "target/harness/terminal-audit.jsonl")]
        audit: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Run {
            features,
            report,
            junit,
            check_snapshots,
            concurrency,
            shard,
            results,
            bench,
            repeat,
        } => {
            let root = workspace_root();
            let features = if features.is_empty() {
                vec![root.join("features")]
            } else {
                features
            };
            let mut config = HarnessConfig::for_workspace().from_env()?;
            config.check_snapshots = check_snapshots;
            config.work_dir = absolute(&results);
            // A scenario borrows one PC/SC reader per facility reader (at most two).
            let concurrency = match &config.transport {
                harness::config::Transport::InProcess => concurrency,
                harness::config::Transport::Pcsc(readers) => {
                    concurrency.min(readers.len() / 2).max(1)
                }
            };
            let rig = match &bench {
                None => None,
                Some(file) => {
                    let serial_log = harness::bench::serial_log_path(&absolute(&report));
                    let rig = harness::bench::BenchRig::open(file, &serial_log)?;
                    println!("bench: {}", rig.describe());
                    println!("serial log: {}", serial_log.display());
                    Some(std::sync::Arc::new(rig))
                }
            };
            let options = RunOptions {
                features,
                config,
                html_report: Some(report.clone()),
                junit: Some(junit.clone()),
                concurrency,
                shard,
            };
            let mut runs = Vec::new();
            for round in 1..=repeat {
                if repeat > 1 {
                    println!("harness: run {round}/{repeat}");
                }
                let summary = match &rig {
                    Some(rig) => runner::run_on_bench(options.clone(), rig.clone()).await?,
                    None => runner::run(options.clone()).await?,
                };
                println!("harness: {}", summary.line());
                runs.push(summary);
            }
            let setup = match &rig {
                Some(rig) => rig.describe(),
                None => options.config.transport.to_string(),
            };
            let scenarios: Vec<&[harness::report::ScenarioRecord]> =
                runs.iter().map(|r| r.scenarios.as_slice()).collect();
            let not_run = runs.first().map(|r| r.not_run.clone()).unwrap_or_default();
            let timing = TimingReport::build(&setup, &scenarios, &not_run);
            let report_dir = absolute(&report)
                .parent()
                .map(PathBuf::from)
                .unwrap_or_default();
            let (timing_json, timing_html) = timing.write(&report_dir)?;
            // The table (with the scenarios not run on a bench and why) for bench and repeated runs.
            if rig.is_some() || repeat > 1 {
                print!("{}", timing.table());
            }
            println!("report: {}", absolute(&report).display());
            println!("junit:  {}", absolute(&junit).display());
            println!(
                "timing: {} {}",
                timing_json.display(),
                timing_html.display()
            );
            Ok(if runs.iter().all(|r| r.success()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Terminal { listen, audit } => serve_terminal(listen, audit).await,
    }
}

async fn serve_terminal(listen: std::net::SocketAddr, audit: PathBuf) -> anyhow::Result<ExitCode> {
    let password = |var: &str| {
        std::env::var(var).map_err(|_| {
            anyhow::anyhow!("set {var} (the account's password; never stored in clear)")
        })
    };
    let admin = password("TERMINAL_ADMIN_PASSWORD")?;
    let staff = password("TERMINAL_STAFF_PASSWORD")?;
    if let Some(parent) = audit.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let config = harness_terminal::web::WebConfig {
        terminal: harness_terminal::TerminalConfig::demo(&admin, &staff),
        audit_path: audit.clone(),
        addr: listen,
    };
    println!(
        "terminal: http://{listen}/login (accounts admin, staff; audit {})",
        audit.display()
    );
    harness_terminal::web::serve_config(&config).await?;
    Ok(ExitCode::SUCCESS)
}

fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
