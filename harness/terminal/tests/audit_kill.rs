//! SIGKILL durability of the audit file: writer processes append as fast as they can and print
//! each acknowledged sequence number; the test kills them with SIGKILL in mid-stream (several
//! rounds on the same file, two writers on two files at once for load) and then finds every
//! acknowledged entry, in order, with numbering continuing across restarts.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use harness_terminal::{read_audit_file, AuditEntry};

const ACKS_BEFORE_KILL: usize = 150;
const ROUNDS: usize = 3;

fn spawn_writer(path: &Path) -> (Child, BufReader<ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_audit-writer"))
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn audit-writer");
    let stdout = child.stdout.take().expect("stdout piped");
    (child, BufReader::new(stdout))
}

fn read_ack(reader: &mut BufReader<ChildStdout>) -> Option<u64> {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        // A line cut by the kill has no newline: it was not fully printed, do not count it.
        Ok(_) if !line.ends_with('\n') => None,
        Ok(_) => Some(line.trim_end().parse().expect("sequence number")),
    }
}

fn check(path: &Path, acked: &[u64]) -> Vec<AuditEntry> {
    let entries = read_audit_file(path).expect("audit file readable after SIGKILL");
    for (index, entry) in entries.iter().enumerate() {
        assert_eq!(entry.seq, index as u64, "entries numbered in order");
    }
    for &seq in acked {
        assert!(
            (seq as usize) < entries.len(),
            "acknowledged entry {seq} lost ({} entries on disk)",
            entries.len()
        );
    }
    entries
}

#[test]
fn every_acknowledged_entry_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let paths = [dir.path().join("a.jsonl"), dir.path().join("b.jsonl")];
    let mut acked: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        let mut writers: Vec<_> = paths.iter().map(|p| spawn_writer(p)).collect();
        // Wait until each writer acknowledged enough entries, then SIGKILL both at once while
        // they are still writing.
        for (index, (_, stdout)) in writers.iter_mut().enumerate() {
            for _ in 0..ACKS_BEFORE_KILL {
                let seq = read_ack(stdout).expect("writer alive");
                acked[index].push(seq);
            }
        }
        for (child, _) in &mut writers {
            child.kill().expect("SIGKILL");
        }
        for (index, (mut child, mut stdout)) in writers.into_iter().enumerate() {
            // Whatever was printed before the kill was acknowledged too.
            while let Some(seq) = read_ack(&mut stdout) {
                acked[index].push(seq);
            }
            let status = child.wait().unwrap();
            assert!(!status.success(), "writer was killed, round {round}");
        }
        for (path, acked) in paths.iter().zip(&acked) {
            let entries = check(path, acked);
            // Numbering continues across restarts: acks are strictly increasing.
            assert!(acked.windows(2).all(|w| w[0] < w[1]), "round {round}");
            assert!(entries.len() >= acked.len());
            eprintln!(
                "round {round}: {} acknowledged, {} on disk in {}",
                acked.len(),
                entries.len(),
                path.display()
            );
        }
    }
    for acked in &acked {
        assert!(acked.len() >= ROUNDS * ACKS_BEFORE_KILL);
    }
}
