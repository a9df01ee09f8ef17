//! An independent conformance reader for the result files of the online eligibility system
//! (オンライン資格確認等システム): `face/OQSsiquc01res_face_<id>_<yyyyMMddHHmmss>.xml` (card checks
//! at the reader) and `res/OQSsiquc01res_<id>.xml` (answers to requests).
//!
//! It shares no code with the writer (`harness-eligibility`): it reads the bytes the way the
//! published consumers do and checks them against the element tables in [`tables`]:
//! - the declaration, the encoding it names and CharacterCodeIdentifier agree, the bytes decode;
//! - line endings are consistent, and CRLF in Shift_JIS files ([`CheckOptions`]);
//! - every element is known, appears once (ResultList and list items may repeat), is never
//!   empty (`<X/>` or `<X></X>`), and holds a value of its shape (dates `yyyyMMdd`, times
//!   `yyyyMMddHHmmss`, codes from the code tables);
//! - the elements required for the outcome are there and the ones the outcome excludes are not
//!   (errors carry codes and no records; 有効/無効 carry exactly one record; 複数該当 several;
//!   該当資格なし none);
//! - consent flags and their times agree;
//! - the file name has the pattern of its folder and matches ReferenceClassification.
//!
//! ```no_run
//! let report = oqs_conformance::check_path(
//!     std::path::Path::new("face/OQSsiquc01res_face_00000001_20261125100005.xml"),
//!     &oqs_conformance::CheckOptions::default(),
//! );
//! match report {
//!     Ok(report) => println!("ok: {report}"),
//!     Err(error) => println!("{error}"),
//! }
//! ```

mod codes;
pub mod document;
mod groups;
mod report;
mod rules;
mod schema;
pub mod tables;

use std::path::{Path, PathBuf};

pub use document::ReadError;
pub use report::{CheckOptions, FileReport, Problem, Violation};

/// Why a file does not conform.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The bytes are not a document that can be checked (encoding or XML syntax).
    #[error(transparent)]
    Unreadable(#[from] ReadError),
    /// Every violation found.
    #[error("{} violation(s):{}", .0.len(), list(.0))]
    Violations(Vec<Violation>),
}

impl ConformanceError {
    /// The violations (empty for the other variants).
    pub fn violations(&self) -> &[Violation] {
        match self {
            Self::Violations(v) => v,
            _ => &[],
        }
    }
}

fn list(violations: &[Violation]) -> String {
    violations.iter().map(|v| format!("\n  - {v}")).collect()
}

/// Checks one file's bytes; `file_name` (the last path component), when given, is checked too.
pub fn check_bytes(
    file_name: Option<&str>,
    bytes: &[u8],
    options: &CheckOptions,
) -> Result<FileReport, ConformanceError> {
    let document = document::read(bytes)?;
    let (report, violations) = rules::check(&document, file_name, options);
    if violations.is_empty() {
        Ok(report)
    } else {
        Err(ConformanceError::Violations(violations))
    }
}

/// Reads and checks one file (its name included).
pub fn check_path(path: &Path, options: &CheckOptions) -> Result<FileReport, ConformanceError> {
    let bytes = std::fs::read(path).map_err(|source| ConformanceError::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    check_bytes(name.as_deref(), &bytes, options)
}

/// The result files under `path`: the file itself, or every `*.xml` below a folder whose name
/// does not start with `.` (temporary files of writers), sorted.
pub fn result_files(path: &Path) -> Result<Vec<PathBuf>, std::io::Error> {
    let mut found = Vec::new();
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            let hidden = entry
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            if entry.is_dir() {
                found.extend(result_files(&entry)?);
            } else if entry.extension().is_some_and(|e| e == "xml") {
                found.push(entry);
            }
        }
    } else {
        found.push(path.to_owned());
    }
    Ok(found)
}
