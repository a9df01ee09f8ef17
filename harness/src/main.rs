//! `harness`: run the features against simulated or real readers and write a report.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use harness::config::HarnessConfig;
use harness::runner::{self, RunOptions};

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
        } => {
            let root = runner::workspace_root();
            let features = if features.is_empty() {
                vec![root.join("features")]
            } else {
                features
            };
            let mut config = HarnessConfig::for_workspace().from_env()?;
            config.check_snapshots = check_snapshots;
            let summary = runner::run(RunOptions {
                features,
                config,
                html_report: Some(report.clone()),
                junit: Some(junit.clone()),
                concurrency,
            })
            .await?;
            println!("harness: {}", summary.line());
            println!("report: {}", absolute(&report).display());
            println!("junit:  {}", absolute(&junit).display());
            Ok(if summary.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
