//! Runs every feature in features/ through the harness: in-process by default, through real pcscd
//! when HARNESS_TRANSPORT=pcsc (see ci/test.sh). Screens are checked against insta snapshots.

use harness::config::workspace_root;
use harness::config::HarnessConfig;
use harness::features::runner::{self, RunOptions};

#[tokio::main]
async fn main() {
    let root = workspace_root();
    let config = match HarnessConfig::for_workspace().from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("harness configuration: {err:#}");
            std::process::exit(2);
        }
    };
    let mut config = config;
    let transport = config.transport.to_string();
    let tag = transport
        .split_whitespace()
        .next()
        .unwrap_or("run")
        .to_owned();
    // Each transport keeps its scenarios' files apart: target/harness/features-<tag>/<feature>/…
    config.work_dir = root.join(format!("target/harness/features-{tag}"));
    let concurrency = match &config.transport {
        harness::config::Transport::InProcess => 8,
        // A scenario borrows one PC/SC reader per facility reader (at most two).
        harness::config::Transport::Pcsc(slots) => (slots.len() / 2).max(1),
    };
    let summary = runner::run(RunOptions {
        features: vec![root.join("features")],
        config,
        html_report: Some(root.join(format!("target/harness/features-{tag}.html"))),
        junit: Some(root.join(format!("target/harness/junit-{tag}.xml"))),
        concurrency,
        shard: None,
    })
    .await;
    match summary {
        Ok(summary) => {
            println!("features ({transport}): {}", summary.line());
            if !summary.success() {
                std::process::exit(1);
            }
        }
        Err(err) => {
            eprintln!("harness: {err:#}");
            std::process::exit(2);
        }
    }
}
