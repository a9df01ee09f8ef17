//! `harness`: run the features against simulated or real readers and write a report.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use harness::config::workspace_root;
use harness::config::HarnessConfig;
use harness::facility::{FacilityClock, WallClock};
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
    /// Run the live simulated clinic: the terminal's screens wired to the readers, a patient
    /// page per reader, practice drills and a JSON control API (bearer token), on loopback.
    /// Accounts as for `terminal` (TERMINAL_ADMIN_PASSWORD, TERMINAL_STAFF_PASSWORD); the API
    /// token from CLINIC_API_TOKEN or printed at start.
    Clinic {
        /// Address to listen on (loopback only unless you mean otherwise).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Reader names (PC/SC names shown on the terminal), in order.
        #[arg(long = "reader")]
        readers: Vec<String>,
        /// Root of the receipt system's folders: result files in <dir>/face/, requests in
        /// <dir>/req/ answered in <dir>/res/.
        #[arg(long, default_value = "target/harness/clinic/results")]
        results: PathBuf,
        /// Append-only audit log (JSON lines).
        #[arg(long, default_value = "target/harness/clinic/audit.jsonl")]
        audit: PathBuf,
        /// Serve the cards placed on the readers through pcscd/vpcd (readers from
        /// HARNESS_PCSC_SLOTS, card binary from HARNESS_VIRTUAL_CARD_BIN; feature `pcsc`).
        #[arg(long)]
        pcsc: bool,
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
                    let mut rig = harness::bench::BenchRig::open(file, &serial_log)?;
                    println!("bench: {}", rig.describe());
                    println!("serial log: {}", serial_log.display());
                    // Before the first scenario: the cards' certificates, checked now and at the
                    // scenarios' start (their clock).
                    let now = FacilityClock::Wall(WallClock::start()).wall();
                    let start = harness::features::world::scenario_origin()?;
                    for card in rig.enrol_cards(&config.fixtures, &[now, start]).await? {
                        let slot = rig.config().card_for_person(&card.person).map(|c| c.slot);
                        println!(
                            "enrolled: slot {} {} (subject {}, serial {})",
                            slot.unwrap_or_default(),
                            card.person,
                            card.subject,
                            card.serial
                        );
                    }
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
        Command::Clinic {
            listen,
            readers,
            results,
            audit,
            pcsc,
        } => serve_clinic(listen, readers, results, audit, pcsc).await,
    }
}

fn account_password(var: &str) -> anyhow::Result<String> {
    std::env::var(var)
        .map_err(|_| anyhow::anyhow!("set {var} (the account's password; never stored in clear)"))
}

async fn serve_clinic(
    listen: std::net::SocketAddr,
    readers: Vec<String>,
    results: PathBuf,
    audit: PathBuf,
    pcsc: bool,
) -> anyhow::Result<ExitCode> {
    use harness::clinic::{ApiToken, CardSource, Clinic, ClinicSetup, DEFAULT_READERS};
    use harness_terminal::secret::Password;

    let accounts = harness::facility::Accounts {
        admin: Password::new(&account_password("TERMINAL_ADMIN_PASSWORD")?),
        general: Password::new(&account_password("TERMINAL_STAFF_PASSWORD")?),
    };
    let readers = if readers.is_empty() {
        DEFAULT_READERS.iter().map(|r| (*r).to_owned()).collect()
    } else {
        readers
    };
    let cards = if pcsc {
        let slots = std::env::var("HARNESS_PCSC_SLOTS").map_err(|_| {
            anyhow::anyhow!("--pcsc needs HARNESS_PCSC_SLOTS (see ci/pcscd-start.sh)")
        })?;
        let bin = match std::env::var("HARNESS_VIRTUAL_CARD_BIN") {
            Ok(bin) => PathBuf::from(bin),
            Err(_) => std::env::current_exe()?.with_file_name("virtual-card"),
        };
        let prefix = std::env::var("HARNESS_PCSC_NETNS_EXEC")
            .map(|p| p.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        CardSource::Pcsc(harness::slots::PcscReaderPool::new(
            harness::config::parse_slots(&slots)?,
            bin,
            prefix,
        ))
    } else {
        CardSource::InProcess
    };
    let (token, from_env) = ApiToken::from_env_or_random()?;
    let clinic = Clinic::build(ClinicSetup {
        fixtures: workspace_root().join("fixtures"),
        readers,
        accounts,
        policy: harness_terminal::config::TerminalPolicy::default(),
        results: results.clone(),
        audit: Some(audit.clone()),
        cards,
        token: token.clone(),
    })?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    println!("clinic: http://{addr}/login (accounts admin, staff)");
    println!("  patient pages: http://{addr}/patient/0 …  drills: http://{addr}/drills");
    println!(
        "  results: {}  audit: {}",
        absolute(&results).display(),
        absolute(&audit).display()
    );
    if from_env {
        println!("  API: http://{addr}/api/readers (token from CLINIC_API_TOKEN)");
    } else {
        println!(
            "  API: http://{addr}/api/readers (Authorization: Bearer {})",
            token.expose()
        );
    }
    // Ctrl-C or SIGTERM: stop serving and take the cards off (card processes stop).
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    };
    harness::clinic::serve::serve(listener, &clinic, shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

async fn serve_terminal(listen: std::net::SocketAddr, audit: PathBuf) -> anyhow::Result<ExitCode> {
    let admin = account_password("TERMINAL_ADMIN_PASSWORD")?;
    let staff = account_password("TERMINAL_STAFF_PASSWORD")?;
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
