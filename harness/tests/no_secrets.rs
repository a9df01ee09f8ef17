//! No PIN, password or security code of the fixtures appears in the logs (TRACE level), the HTML
//! report or the APDU traces of a whole in-process run of the features.

use std::io::Write;
use std::sync::{Arc, Mutex};

use harness::config::workspace_root;
use harness::config::HarnessConfig;
use harness::features::runner::{self, RunOptions};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every secret of the fixtures: card PINs and passwords, security codes, terminal passwords.
fn fixture_secrets(root: &std::path::Path) -> Vec<String> {
    let mut secrets = vec!["Admin-Test-2026".to_owned(), "Staff-Test-2026".to_owned()];
    for entry in std::fs::read_dir(root.join("fixtures/cards")).expect("fixtures/cards") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let profile: toml::Table = std::fs::read_to_string(&path)
            .expect("profile")
            .parse()
            .expect("profile is TOML");
        if let Some(toml::Value::String(code)) = profile.get("security_code") {
            secrets.push(code.clone());
        }
        if let Some(toml::Value::Table(pins)) = profile.get("pins") {
            secrets.extend(pins.values().filter_map(|v| v.as_str().map(str::to_owned)));
        }
    }
    secrets.sort();
    secrets.dedup();
    secrets
}

/// `1234` → `31 32 33 34`, as the APDU trace would print it.
fn spaced_hex(text: &str) -> String {
    text.bytes()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_stay_out_of_logs_reports_and_traces() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let root = workspace_root();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = HarnessConfig::for_workspace();
    config.check_snapshots = false;
    config.work_dir = dir.path().join("work");
    let report = dir.path().join("report.html");
    let summary = runner::run(RunOptions {
        features: vec![root.join("features")],
        config,
        html_report: Some(report.clone()),
        junit: None,
        concurrency: 1,
        shard: None,
    })
    .await
    .expect("run");
    assert!(
        summary.success(),
        "the features must pass: {}",
        summary.line()
    );

    let logs = String::from_utf8_lossy(&logs.0.lock().expect("logs")).into_owned();
    let html = std::fs::read_to_string(&report).expect("report");
    let traces: String = summary
        .scenarios
        .iter()
        .flat_map(|s| s.artifacts.apdu_trace.iter())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    let secrets = fixture_secrets(&root);
    assert!(
        secrets.len() > 10,
        "fixtures give {} secrets",
        secrets.len()
    );
    for secret in &secrets {
        let hex = spaced_hex(secret);
        for (what, text) in [("logs", &logs), ("report", &html), ("APDU trace", &traces)] {
            // PINs are short digit strings: look for them where a value would stand, not as a
            // substring of hex dumps or dates.
            let as_value = [
                format!("\"{secret}\""),
                format!("={secret}"),
                format!(": {secret}\n"),
                format!("({secret})"),
            ];
            for needle in as_value.iter().chain(std::iter::once(&hex)) {
                assert!(
                    !text.contains(needle.as_str()),
                    "{what} contain the secret {needle:?}"
                );
            }
        }
    }
    // The scan above looked at real content: exchanges and (masked) PIN entries were logged.
    assert!(
        logs.contains("card exchange"),
        "the run logged no APDU exchange at TRACE"
    );
    assert!(
        logs.contains("Pin(****)"),
        "PIN entries should be logged, masked"
    );
}
