//! What happened in the facility, for its drivers to record or show: the features' report, the
//! live clinic's pages, the bench's timing report. The facility appends; a driver drains.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDateTime;
use harness_face::MatchReport;
use harness_reader::{CheckResult, Exchange};
use image::RgbImage;

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct FacilityEvent {
    /// Facility local time.
    pub at: NaiveDateTime,
    /// The facility's monotonic time (bench timings).
    pub mono: Duration,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of [`FacilityEvent`].
#[derive(Debug, Clone)]
pub enum EventKind {
    /// A command went to a card and its answer came back (secrets are masked when shown).
    CardExchange {
        /// Reader name.
        reader: String,
        /// Command and answer.
        exchange: Exchange,
        /// How long the card took to answer (real time through the card's channel).
        took: Duration,
    },
    /// A card came onto a reader.
    CardPlaced {
        /// Reader name (as the terminal shows it).
        reader: String,
        /// The device's own PC/SC name, when the card is behind pcscd or on a bench.
        device: Option<String>,
        /// The card's answer to reset.
        atr: Option<Vec<u8>>,
    },
    /// The reader compared the camera's face with the card photo.
    FaceCompared {
        /// Reader name.
        reader: String,
        /// The matcher's report.
        report: MatchReport,
        /// The card photo as the card holds it.
        photo: Option<RgbImage>,
        /// The first frame of the burst.
        frame: Option<RgbImage>,
    },
    /// Staff compared the card's photo with the person at the counter (step ④).
    StaffPhotoCheck {
        /// What staff decided, in Japanese.
        verdict: String,
        /// A comparison image for a reviewer (PNG).
        png: Option<Vec<u8>>,
    },
    /// The eligibility service answered a check and the terminal wrote the result file.
    ResultWritten {
        /// Reader name.
        reader: String,
        /// The service's outcome label (有効, 該当資格なし, エラー…).
        outcome: String,
        /// The file in the receipt system's face folder.
        path: PathBuf,
    },
    /// A visit at a reader ended.
    VisitEnded {
        /// Reader name.
        reader: String,
        /// The reader's result.
        result: Box<CheckResult>,
    },
    /// The terminal refused what staff did (shown on the operator screen).
    TerminalRefused {
        /// The message on the screen.
        message: String,
    },
}
