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
mod rules;
mod schema;
pub mod tables;

use std::fmt;
use std::path::{Path, PathBuf};

pub use document::ReadError;

/// What a file is checked against besides the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckOptions {
    /// Shift_JIS (CP932) files end their lines in CR LF. Not in any public part of the
    /// specification: the field convention of Windows receipt systems, as in YUKI-ENT/OQSDrug2
    /// `QualificationFaceExporter.cs` (CP932, `NewLineChars = "\r\n"`). On by default.
    pub shift_jis_crlf: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            shift_jis_crlf: true,
        }
    }
}

/// What is wrong at one place of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required element is absent.
    Missing,
    /// The element is present but holds nothing (`<X/>` or `<X></X>`).
    Empty,
    /// An element that may appear once appears this many times.
    Duplicate(usize),
    /// An element no table knows here.
    Unexpected,
    /// The element is present although the outcome excludes it.
    NotAllowed(&'static str),
    /// The value does not have the element's shape or is not one of its codes.
    BadValue {
        /// The value as written.
        value: String,
        /// What it should be.
        expected: String,
    },
    /// Text and child elements mixed in one element.
    MixedContent,
    /// The number of ResultOfQualificationConfirmation records does not fit the outcome.
    RecordCount {
        /// Records found.
        found: usize,
        /// Records the outcome needs.
        expected: &'static str,
    },
    /// The XML declaration is missing or incomplete.
    Declaration(String),
    /// The declared encoding and CharacterCodeIdentifier disagree.
    EncodingMismatch {
        /// The encoding of the declaration.
        declared: String,
        /// CharacterCodeIdentifier.
        identifier: String,
    },
    /// Line endings are mixed, or not the ones the encoding needs.
    LineEndings {
        /// What the file has.
        found: &'static str,
        /// What it needs.
        expected: &'static str,
    },
    /// The file name does not have the pattern of a result file.
    FileName(String),
    /// Two values contradict each other.
    Inconsistent(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "required element is missing"),
            Self::Empty => write!(
                f,
                "element is empty (absent values must be absent elements)"
            ),
            Self::Duplicate(n) => write!(f, "appears {n} times (at most once)"),
            Self::Unexpected => write!(f, "element is not in the specification's table here"),
            Self::NotAllowed(why) => write!(f, "must not be present: {why}"),
            Self::BadValue { value, expected } => write!(f, "value {value:?} is not {expected}"),
            Self::MixedContent => write!(f, "text mixed with child elements"),
            Self::RecordCount { found, expected } => {
                write!(
                    f,
                    "{found} ResultOfQualificationConfirmation record(s), needs {expected}"
                )
            }
            Self::Declaration(why) => write!(f, "XML declaration: {why}"),
            Self::EncodingMismatch {
                declared,
                identifier,
            } => write!(
                f,
                "declared encoding {declared} does not match CharacterCodeIdentifier {identifier} \
                 (0 = UTF-8, 1 = Shift_JIS)"
            ),
            Self::LineEndings { found, expected } => {
                write!(f, "line endings are {found}, expected {expected}")
            }
            Self::FileName(why) => write!(f, "file name: {why}"),
            Self::Inconsistent(why) => write!(f, "{why}"),
        }
    }
}

/// One violation: where (an element path such as
/// `/XmlMsg/MessageBody/ResultList[1]/ResultOfQualificationConfirmation[1]/Birthdate`, or `(file)`)
/// and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Element path (1-based indices on repeated elements), `(file)` or `(name)`.
    pub path: String,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let element = self.path.rsplit('/').next().unwrap_or_default();
        let element = element.split('[').next().unwrap_or_default();
        match tables::label_of(element) {
            Some(label) => write!(f, "{} ({label}): {}", self.path, self.problem),
            None => write!(f, "{}: {}", self.path, self.problem),
        }
    }
}

/// What a conforming file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// `UTF-8` or `Shift_JIS`.
    pub encoding: &'static str,
    /// ReferenceClassification.
    pub reference: String,
    /// SegmentOfResult.
    pub segment: String,
    /// ProcessingResultStatus.
    pub status: String,
    /// QualificationValidity, when present.
    pub validity: Option<String>,
    /// Number of ResultOfQualificationConfirmation records.
    pub records: usize,
}

impl fmt::Display for FileReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, ReferenceClassification {}, SegmentOfResult {}, ProcessingResultStatus {}",
            self.encoding, self.reference, self.segment, self.status
        )?;
        if let Some(v) = &self.validity {
            write!(f, ", QualificationValidity {v}")?;
        }
        write!(f, ", {} record(s)", self.records)
    }
}

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
