//! The terminal's audit log in the live clinic: every record goes to the fsync'd JSON-lines
//! file (when one is given) and to an in-memory feed the clinic reads for its drills.

use std::sync::{Arc, Mutex, PoisonError};

use harness_terminal::audit::{AuditError, AuditRecord, AuditSink, FileAudit};

/// Records appended since the clinic last took them.
#[derive(Debug, Clone, Default)]
pub struct AuditFeed(Arc<Mutex<Vec<AuditRecord>>>);

impl AuditFeed {
    /// Takes every record appended since the last call.
    pub fn take(&self) -> Vec<AuditRecord> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn push(&self, record: &AuditRecord) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record.clone());
    }
}

/// The facility's audit sink: the file first (its failure fails the terminal's call), then the
/// feed.
pub struct TeeAudit {
    file: Option<FileAudit>,
    feed: AuditFeed,
    seq: u64,
}

impl TeeAudit {
    /// Writes to `file` (if any) and to `feed`.
    pub fn new(file: Option<FileAudit>, feed: AuditFeed) -> Self {
        Self { file, feed, seq: 0 }
    }
}

impl AuditSink for TeeAudit {
    fn append(&mut self, record: &AuditRecord) -> Result<u64, AuditError> {
        let seq = match &mut self.file {
            Some(file) => file.append(record)?,
            None => self.seq,
        };
        self.seq = seq + 1;
        self.feed.push(record);
        Ok(seq)
    }
}
