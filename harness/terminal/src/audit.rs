//! Audit log (監査ログ): who did what, when, on which reader. The core produces [`AuditRecord`]s;
//! an [`AuditSink`] stores them. [`FileAudit`] appends JSON lines and fsyncs each before
//! acknowledging it; [`read_audit_file`] tolerates a torn last line. Passwords never appear in
//! any record (the core has none to give: failed logins of unknown accounts do not even keep the
//! typed user id, in case a password was typed there).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use harness_reader::ReaderMode;
use serde::{Deserialize, Serialize};

use crate::account::AccountKind;

/// Who caused an audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A configured account.
    Account {
        /// ユーザID.
        user_id: String,
    },
    /// A login attempt with a user id that is not configured (the typed text is not kept).
    UnknownAccount,
    /// The terminal itself (policy: session expiry, auto-return, lapsed confirmation).
    System,
}

/// Why a login failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginFailure {
    /// Wrong password for a known account.
    WrongPassword,
    /// No such account.
    UnknownAccount,
    /// The account is locked after repeated failures.
    Locked,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AuditAction {
    /// ログイン succeeded.
    LoginSucceeded {
        /// 管理 or 一般.
        account_kind: AccountKind,
    },
    /// ログイン failed.
    LoginFailed {
        /// Why.
        reason: LoginFailure,
    },
    /// Too many failures: the account is locked until the given time.
    AccountLocked {
        /// End of the lock.
        until: NaiveDateTime,
    },
    /// ログアウト.
    LoggedOut,
    /// The session expired after being idle.
    SessionExpired,
    /// A reader's mode was set by an operator.
    ModeChanged {
        /// Mode before.
        from: ReaderMode,
        /// Mode after.
        to: ReaderMode,
    },
    /// A general account tried to change a mode and was refused.
    ModeChangeRefused {
        /// The mode it asked for.
        requested: ReaderMode,
    },
    /// 目視で本人確認完了 ticked with a 資格確認日.
    VisualConfirmed {
        /// 資格確認日.
        confirmation_date: NaiveDate,
    },
    /// The reader flow used the confirmation for a patient's card.
    VisualConfirmationUsed {
        /// 資格確認日.
        confirmation_date: NaiveDate,
        /// The account that ticked the box.
        confirmed_by: String,
    },
    /// A ticked confirmation was not used in time and lapsed.
    VisualConfirmationLapsed,
    /// The patient whose confirmation was used finished at the reader.
    PatientFinished,
    /// The policy returned the reader from 目視確認 to 無人運転.
    AutoReturned {
        /// Mode after (無人運転).
        to: ReaderMode,
    },
}

/// One thing that happened, as the core reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When (facility local time).
    pub at: NaiveDateTime,
    /// Who.
    pub actor: Actor,
    /// Which reader, when one is concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<String>,
    /// What.
    #[serde(flatten)]
    pub action: AuditAction,
}

/// A stored record with its sequence number (0, 1, 2, ... in the order stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log.
    pub seq: u64,
    /// The record.
    #[serde(flatten)]
    pub record: AuditRecord,
}

/// Errors of the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Reading or writing the file failed.
    #[error("audit log {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A complete line (not the torn last one) does not parse.
    #[error("audit log {path}: line {line} is not a valid entry: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// An entry could not be serialised.
    #[error("audit entry could not be serialised: {0}")]
    Serialise(String),
}

/// Where audit records go. `append` returns only once the record is stored; its result is the
/// record's sequence number.
pub trait AuditSink: Send {
    /// Stores one record.
    fn append(&mut self, record: &AuditRecord) -> Result<u64, AuditError>;
}

/// An in-memory audit log, for tests of the core.
#[derive(Debug, Default, Clone)]
pub struct MemoryAudit {
    /// Everything appended, in order.
    pub entries: Vec<AuditEntry>,
}

impl AuditSink for MemoryAudit {
    fn append(&mut self, record: &AuditRecord) -> Result<u64, AuditError> {
        let seq = self.entries.len() as u64;
        self.entries.push(AuditEntry {
            seq,
            record: record.clone(),
        });
        Ok(seq)
    }
}

/// An append-only JSON-lines audit file. Each entry is written in one `write` and fsync'd
/// (`sync_data`) before `append` returns, so an acknowledged entry survives SIGKILL and power loss.
#[derive(Debug)]
pub struct FileAudit {
    path: PathBuf,
    file: File,
    next_seq: u64,
    /// Length of the file up to the last acknowledged entry.
    committed_len: u64,
}

impl FileAudit {
    /// Opens (or creates) the file. A torn last line left by a crash (never acknowledged) is cut
    /// off so the next entry starts on a line of its own; numbering continues after the last
    /// complete entry.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, AuditError> {
        let path = path.into();
        let io_err = |source| AuditError::Io {
            path: path.clone(),
            source,
        };
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io_err)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io_err)?;
        let (entries, complete_len) = parse_entries(&path, &bytes)?;
        if complete_len < bytes.len() {
            file.set_len(complete_len as u64).map_err(io_err)?;
            file.sync_all().map_err(io_err)?;
        }
        file.seek(SeekFrom::End(0)).map_err(io_err)?;
        if !existed {
            file.sync_all().map_err(io_err)?;
            sync_parent_dir(&path).map_err(io_err)?;
        }
        let next_seq = entries.last().map_or(0, |e| e.seq + 1);
        Ok(Self {
            path,
            file,
            next_seq,
            committed_len: complete_len as u64,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl AuditSink for FileAudit {
    fn append(&mut self, record: &AuditRecord) -> Result<u64, AuditError> {
        let entry = AuditEntry {
            seq: self.next_seq,
            record: record.clone(),
        };
        let mut line =
            serde_json::to_vec(&entry).map_err(|e| AuditError::Serialise(e.to_string()))?;
        line.push(b'\n');
        let io_err = |source| AuditError::Io {
            path: self.path.clone(),
            source,
        };
        if let Err(source) = self
            .file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
        {
            // Cut a partly written line (e.g. disk full) so the next entry starts on its own
            // line; if even that fails, the reader still ignores a torn last line.
            let _ = self.file.set_len(self.committed_len);
            return Err(io_err(source));
        }
        self.committed_len += line.len() as u64;
        self.next_seq += 1;
        Ok(entry.seq)
    }
}

fn sync_parent_dir(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => File::open(dir)?.sync_all(),
        _ => File::open(".")?.sync_all(),
    }
}

/// Parses complete lines; returns the entries and the byte length of the complete part. An
/// incomplete final line (no newline at the end) is ignored: it was never acknowledged.
fn parse_entries(path: &Path, bytes: &[u8]) -> Result<(Vec<AuditEntry>, usize), AuditError> {
    let complete_len = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |last_newline| last_newline + 1);
    let complete = bytes.get(..complete_len).unwrap_or_default();
    let mut entries = Vec::new();
    for (index, line) in complete.split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let entry: AuditEntry = serde_json::from_slice(line).map_err(|e| AuditError::Corrupt {
            path: path.to_owned(),
            line: index + 1,
            message: e.to_string(),
        })?;
        entries.push(entry);
    }
    Ok((entries, complete_len))
}

/// Reads every complete entry of an audit file, ignoring a torn last line.
pub fn read_audit_file(path: impl AsRef<Path>) -> Result<Vec<AuditEntry>, AuditError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| AuditError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse_entries(path, &bytes).map(|(entries, _)| entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(minute: u32) -> AuditRecord {
        AuditRecord {
            at: NaiveDate::from_ymd_opt(2026, 11, 25)
                .unwrap()
                .and_hms_opt(9, minute, 0)
                .unwrap(),
            actor: Actor::Account {
                user_id: "admin".into(),
            },
            reader: Some("Identiv CLOUD 3701 F Contactless Reader 0".into()),
            action: AuditAction::ModeChanged {
                from: ReaderMode::Unattended,
                to: ReaderMode::VisualCheck,
            },
        }
    }

    #[test]
    fn file_audit_appends_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut audit = FileAudit::open(&path).unwrap();
        assert_eq!(audit.append(&record(1)).unwrap(), 0);
        assert_eq!(audit.append(&record(2)).unwrap(), 1);
        drop(audit);
        let mut audit = FileAudit::open(&path).unwrap();
        assert_eq!(audit.append(&record(3)).unwrap(), 2);
        let entries = read_audit_file(&path).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[2].record, record(3));
    }

    #[test]
    fn torn_last_line_is_ignored_and_cut_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut audit = FileAudit::open(&path).unwrap();
        audit.append(&record(1)).unwrap();
        drop(audit);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"seq":1,"at":"2026-11-25T09:0"#)
            .unwrap();
        drop(file);
        assert_eq!(read_audit_file(&path).unwrap().len(), 1);
        let mut audit = FileAudit::open(&path).unwrap();
        assert_eq!(audit.append(&record(2)).unwrap(), 1);
        let entries = read_audit_file(&path).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].record, record(2));
    }

    #[test]
    fn corrupt_middle_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, b"not json\n").unwrap();
        assert!(matches!(
            read_audit_file(&path),
            Err(AuditError::Corrupt { line: 1, .. })
        ));
    }
}
