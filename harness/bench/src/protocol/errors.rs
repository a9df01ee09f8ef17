//! What goes wrong in the fixture protocol: lines that are not valid messages
//! ([`MessageError`]), the error codes of `ERR` answers and `EVT FAULT` (§6, [`ErrorCode`]), and
//! one such failure as received ([`FixtureFailure`]).

use std::fmt;

/// Why a line is not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The line starts with neither an id, `EVT` nor `#`.
    #[error("neither a response, an event nor a note: {0:?}")]
    Unrecognised(String),
    /// The id is not a decimal 0–65535 without leading zeros.
    #[error("bad id in {0:?}")]
    BadId(String),
    /// After the id: neither `OK` nor `ERR code name`.
    #[error("bad status in {0:?}")]
    BadStatus(String),
    /// A field is not `name=value`, or a value is out of range.
    #[error("bad field {field:?} in {line:?}")]
    BadField {
        /// The field.
        field: String,
        /// The whole line.
        line: String,
    },
    /// A request line (fixture side) the grammar does not allow.
    #[error("bad request {0:?}")]
    BadRequest(String),
    /// Wrong arguments to a known verb (fixture side).
    #[error("bad arguments in {0:?}")]
    BadArgument(String),
}

/// Error codes of `ERR` answers (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 1: not a request.
    BadRequest,
    /// 2: wrong arguments.
    BadArgument,
    /// 3: line too long.
    LineTooLong,
    /// 4: another request is running.
    Busy,
    /// 5: capability missing.
    NotSupported,
    /// 6: slot out of range.
    NoSuchSlot,
    /// 7: station out of range.
    NoSuchStation,
    /// 8: the slot's card is not there.
    SlotEmpty,
    /// 9: a card already lies on the reader.
    StationOccupied,
    /// 10: lid open.
    LidOpen,
    /// 11: mechanics failed; card position unknown.
    MotionFailed,
    /// 12: relay, display or sensor failure.
    HardwareFault,
    /// 13: homing.
    NotReady,
    /// 14: unknown scene or frame.
    NoSuchScene,
    /// A code this host does not know (treated like a hardware fault).
    Unknown(u16),
}

impl ErrorCode {
    const TABLE: [(ErrorCode, u16, &'static str); 14] = [
        (ErrorCode::BadRequest, 1, "bad-request"),
        (ErrorCode::BadArgument, 2, "bad-argument"),
        (ErrorCode::LineTooLong, 3, "line-too-long"),
        (ErrorCode::Busy, 4, "busy"),
        (ErrorCode::NotSupported, 5, "not-supported"),
        (ErrorCode::NoSuchSlot, 6, "no-such-slot"),
        (ErrorCode::NoSuchStation, 7, "no-such-station"),
        (ErrorCode::SlotEmpty, 8, "slot-empty"),
        (ErrorCode::StationOccupied, 9, "station-occupied"),
        (ErrorCode::LidOpen, 10, "lid-open"),
        (ErrorCode::MotionFailed, 11, "motion-failed"),
        (ErrorCode::HardwareFault, 12, "hardware-fault"),
        (ErrorCode::NotReady, 13, "not-ready"),
        (ErrorCode::NoSuchScene, 14, "no-such-scene"),
    ];

    /// The number.
    pub fn number(self) -> u16 {
        match self {
            ErrorCode::Unknown(n) => n,
            known => Self::TABLE
                .iter()
                .find(|(c, _, _)| *c == known)
                .map_or(0, |(_, n, _)| *n),
        }
    }

    /// The fixed name.
    pub fn name(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or("unknown", |(_, _, name)| name)
    }

    /// The code for a number.
    pub fn from_number(number: u16) -> ErrorCode {
        Self::TABLE
            .iter()
            .find(|(_, n, _)| *n == number)
            .map_or(ErrorCode::Unknown(number), |(c, _, _)| *c)
    }

    /// True if after this error the fixture's state is unknown (`RESET` needed).
    pub fn leaves_state_unknown(self) -> bool {
        matches!(
            self,
            ErrorCode::MotionFailed | ErrorCode::HardwareFault | ErrorCode::Unknown(_)
        )
    }
}

/// An `ERR` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureFailure {
    /// The code.
    pub code: ErrorCode,
    /// The name the fixture sent (should be the code's fixed name).
    pub name: String,
    /// Free text.
    pub detail: String,
}

impl fmt::Display for FixtureFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ERR {} {}", self.code.number(), self.name)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}
