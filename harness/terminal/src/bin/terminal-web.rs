//! Serves the terminal's web UI with the seed's demo setup, for trying it by hand:
//! `cargo run -p harness-terminal --bin terminal-web -- [ADDR] [AUDIT_FILE]`
//! (defaults 127.0.0.1:8080 and terminal-audit.jsonl). Accounts: `admin` (管理アカウント) and
//! `staff` (一般アカウント); passwords from TERMINAL_ADMIN_PASSWORD and TERMINAL_STAFF_PASSWORD,
//! else the demo passwords `admin-demo` and `staff-demo`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use harness_terminal::web::{default_addr, serve_config, WebConfig};
use harness_terminal::TerminalConfig;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = match args.next() {
        None => default_addr(),
        Some(text) => match text.parse() {
            Ok(addr) => addr,
            Err(e) => {
                eprintln!("terminal-web: bad address {text:?}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let audit_path = args
        .next()
        .map_or_else(|| PathBuf::from("terminal-audit.jsonl"), PathBuf::from);
    let admin = std::env::var("TERMINAL_ADMIN_PASSWORD").unwrap_or_else(|_| "admin-demo".into());
    let staff = std::env::var("TERMINAL_STAFF_PASSWORD").unwrap_or_else(|_| "staff-demo".into());
    let config = WebConfig {
        terminal: TerminalConfig::demo(&admin, &staff),
        audit_path,
        addr,
    };
    println!(
        "terminal-web: http://{addr}/login (accounts: admin, staff; audit: {})",
        config.audit_path.display()
    );
    match serve_config(&config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terminal-web: {e}");
            ExitCode::FAILURE
        }
    }
}
