//! The vocabulary of a check: what a file is checked against ([`CheckOptions`]), what can be
//! wrong at one place ([`Problem`], [`Violation`]) and what a conforming file holds
//! ([`FileReport`]). Depends only on the tables; the crate root re-exports it and the rules build
//! on it.

use std::fmt;

use crate::tables;

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
