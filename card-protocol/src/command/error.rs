//! Why bytes are not a command the card answers, or a command cannot be built.

use crate::apdu::ApduError;
use crate::status::StatusWord;

/// A command that cannot be parsed or built. Each error names the status word the card answers
/// for it ([`CommandError::status_word`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The length fields are malformed (→ 6700).
    #[error(transparent)]
    Malformed(#[from] ApduError),
    /// The class byte is not the one of this command (→ 6E00).
    #[error("class byte {cla:02X} not supported for instruction {ins:02X}")]
    ClassNotSupported {
        /// CLA.
        cla: u8,
        /// INS.
        ins: u8,
    },
    /// The card has no such instruction (→ 6D00).
    #[error("instruction {0:02X} not supported")]
    InstructionNotSupported(u8),
    /// The bytes are another command than the one asked for (→ 6D00).
    #[error("not a {expected} command (INS {found:02X})")]
    OtherInstruction {
        /// The command asked for.
        expected: &'static str,
        /// The INS found.
        found: u8,
    },
    /// P1-P2 not supported (→ 6A86).
    #[error("{command}: parameters P1-P2 {p1:02X} {p2:02X} not supported")]
    WrongParameters {
        /// The command.
        command: &'static str,
        /// P1.
        p1: u8,
        /// P2.
        p2: u8,
    },
    /// Lc, the data or Le do not fit the command (→ 6700).
    #[error("{command}: {what}")]
    WrongLength {
        /// The command.
        command: &'static str,
        /// What is wrong.
        what: &'static str,
    },
    /// An offset READ BINARY cannot address (→ 6B00).
    #[error("{command}: offset {offset} out of range")]
    OffsetOutOfRange {
        /// The command.
        command: &'static str,
        /// The offset asked for.
        offset: usize,
    },
    /// A short EF identifier outside 1..=31 (→ 6A86).
    #[error("short EF identifier {0} out of range (1..=31)")]
    ShortEfOutOfRange(u8),
}

impl CommandError {
    /// The status word a card answers for this error.
    pub fn status_word(&self) -> StatusWord {
        match self {
            CommandError::Malformed(e) => e.status_word(),
            CommandError::ClassNotSupported { .. } => StatusWord::CLA_NOT_SUPPORTED,
            CommandError::InstructionNotSupported(_) | CommandError::OtherInstruction { .. } => {
                StatusWord::INS_NOT_SUPPORTED
            }
            CommandError::WrongParameters { .. } | CommandError::ShortEfOutOfRange(_) => {
                StatusWord::WRONG_P1P2
            }
            CommandError::WrongLength { .. } => StatusWord::WRONG_LENGTH,
            CommandError::OffsetOutOfRange { .. } => StatusWord::OFFSET_OUTSIDE_EF,
        }
    }
}
