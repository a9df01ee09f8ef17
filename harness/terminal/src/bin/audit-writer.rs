//! Test helper: appends audit records to a file as fast as it can and prints each acknowledged
//! sequence number on its own line (after `append` returned, i.e. after fsync). Used by the
//! SIGKILL durability test. `audit-writer <FILE> [COUNT]` (COUNT unlimited by default).

use std::io::Write;
use std::process::ExitCode;

use chrono::NaiveDate;
use harness_reader::ReaderMode;
use harness_terminal::{Actor, AuditAction, AuditRecord, AuditSink, FileAudit};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: audit-writer <FILE> [COUNT]");
        return ExitCode::from(2);
    };
    let count: u64 = match args.next().map(|c| c.parse()) {
        None => u64::MAX,
        Some(Ok(count)) => count,
        Some(Err(e)) => {
            eprintln!("audit-writer: bad count: {e}");
            return ExitCode::from(2);
        }
    };
    let mut audit = match FileAudit::open(&path) {
        Ok(audit) => audit,
        Err(e) => {
            eprintln!("audit-writer: {e}");
            return ExitCode::FAILURE;
        }
    };
    let base = NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for i in 0..count {
        let record = AuditRecord {
            at: base + chrono::TimeDelta::milliseconds(i64::try_from(i).unwrap_or(i64::MAX)),
            actor: Actor::Account {
                user_id: "admin".into(),
            },
            reader: Some(format!("Identiv CLOUD 3701 F Contactless Reader {}", i % 2)),
            action: AuditAction::ModeChanged {
                from: ReaderMode::Unattended,
                to: ReaderMode::VisualCheck,
            },
        };
        match audit.append(&record) {
            Ok(seq) => {
                if writeln!(out, "{seq}").and_then(|()| out.flush()).is_err() {
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => {
                eprintln!("audit-writer: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
