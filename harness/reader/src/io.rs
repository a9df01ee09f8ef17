//! What goes into the reader ([`Input`]) and what comes out ([`Output`]).

use std::fmt;

use card_protocol::Command;
use harness_eligibility::protocol::EligibilityCheck;
use harness_face::MatchReport;
use image::RgbImage;

use crate::card_data::PrintedCardFace;
use crate::mode::ReaderMode;
use crate::result::CheckResult;
use crate::screen::PatientScreen;
use crate::vocab::{
    CameraFault, CardFaceScanError, CardKey, Pin, ServiceAnswer, Touch, VisualConfirmation,
};

/// An event for the reader.
#[derive(Clone)]
pub enum Input {
    /// A card was put on the reader.
    CardPlaced,
    /// The card was taken off the reader.
    CardRemoved,
    /// The card's answer (data + SW1 SW2) to the last [`Output::Transmit`].
    CardResponse(Vec<u8>),
    /// The card channel failed for another reason than removal.
    CardTransportFailed(String),
    /// The optical scan of the printed card face, asked for by [`Output::NeedCardFaceScan`].
    CardFaceScanned(Result<PrintedCardFace, CardFaceScanError>),
    /// A burst of camera frames (oldest first), asked for by [`Output::NeedCameraFrames`].
    CameraFrames(Vec<RgbImage>),
    /// The camera failed as a device.
    CameraFault(CameraFault),
    /// The patient touched a button.
    Touch(Touch),
    /// The patient entered the whole PIN at once (same as digits then ［OK］).
    PinEntered(Pin),
    /// The terminal switched the reader's mode.
    ModeChanged(ReaderMode),
    /// The terminal tells the reader that staff ticked 目視で本人確認完了 for it: in 目視確認 the
    /// waiting screen turns into "place the card". A notification only: the confirmation itself
    /// reaches the reader as the answer to [`Output::NeedVisualConfirmation`].
    StaffConfirmationAvailable,
    /// The terminal's answer to [`Output::NeedVisualConfirmation`]: its valid, unexpired tick for
    /// this reader, or `None` (no tick, expired, or already used) — then the reader shows the
    /// waiting screen and submits nothing.
    VisualConfirmation(Option<VisualConfirmation>),
    /// The card's face-failure count from the harness's store, asked for by
    /// [`Output::NeedFaceFailures`].
    FaceFailures {
        /// The card asked about.
        card: CardKey,
        /// Consecutive face failures recorded for it (on any reader of the facility).
        count: u32,
    },
    /// The eligibility service's challenge, asked for by [`Output::NeedChallenge`]. Empty bytes
    /// count as no challenge (the visit fails with `MissingData::Challenge`).
    Challenge(Vec<u8>),
    /// The eligibility service's answer to [`Output::SubmitCheck`].
    ServiceAnswer(ServiceAnswer),
    /// Time passed; nothing else happened.
    Tick,
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CardPlaced => f.write_str("CardPlaced"),
            Self::CardRemoved => f.write_str("CardRemoved"),
            Self::CardResponse(bytes) => {
                write!(f, "CardResponse({})", card_protocol::trace::hex(bytes))
            }
            Self::CardTransportFailed(error) => write!(f, "CardTransportFailed({error:?})"),
            Self::CardFaceScanned(scan) => write!(f, "CardFaceScanned({scan:?})"),
            Self::CameraFrames(frames) => {
                write!(f, "CameraFrames({} frames", frames.len())?;
                if let Some(first) = frames.first() {
                    write!(f, ", {}x{}", first.width(), first.height())?;
                }
                f.write_str(")")
            }
            Self::CameraFault(fault) => write!(f, "CameraFault({fault:?})"),
            Self::Touch(touch) => write!(f, "Touch({touch:?})"),
            Self::PinEntered(pin) => write!(f, "PinEntered({pin:?})"),
            Self::ModeChanged(mode) => write!(f, "ModeChanged({mode:?})"),
            Self::StaffConfirmationAvailable => f.write_str("StaffConfirmationAvailable"),
            Self::VisualConfirmation(confirmation) => {
                write!(f, "VisualConfirmation({confirmation:?})")
            }
            Self::FaceFailures { count, .. } => write!(f, "FaceFailures({count})"),
            Self::Challenge(bytes) => write!(f, "Challenge({} bytes)", bytes.len()),
            Self::ServiceAnswer(answer) => write!(f, "ServiceAnswer({answer:?})"),
            Self::Tick => f.write_str("Tick"),
        }
    }
}

/// One face comparison, reported for the audit log and the HTML report.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceAttempt {
    /// 1 for the first try of this visit.
    pub try_number: u32,
    /// Consecutive failures on this card after this attempt (0 after a match).
    pub consecutive_failures: u32,
    /// The matcher's verdict.
    pub report: MatchReport,
}

/// An input the reader refused, for the driver (e.g. a browser) to report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The screen does not show a button for this touch.
    #[error("この画面にそのボタンはありません（{touch:?}）")]
    ButtonNotShown {
        /// The touch.
        touch: Touch,
        /// The labels of the buttons the screen shows.
        shown: Vec<String>,
    },
    /// A whole PIN was entered while the screen is not the PIN pad.
    #[error("暗証番号の入力画面ではありません")]
    NotEnteringPin,
}

/// Something the reader wants done, or tells.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send this command to the card (`Command::encode` gives the bytes; its Debug never shows a
    /// PIN) and feed the answer back as [`Input::CardResponse`].
    Transmit(Command),
    /// The patient screen changed.
    Screen(PatientScreen),
    /// Scan the printed card face and feed [`Input::CardFaceScanned`].
    NeedCardFaceScan,
    /// Capture a burst from the camera and feed [`Input::CameraFrames`] (or a fault).
    NeedCameraFrames,
    /// Ask the eligibility service for a challenge and feed [`Input::Challenge`].
    NeedChallenge,
    /// A face comparison was made.
    FaceCompared(FaceAttempt),
    /// A card was placed in 目視確認: ask the terminal for its valid, unexpired tick for this
    /// reader and feed [`Input::VisualConfirmation`].
    NeedVisualConfirmation,
    /// Look up the card's face-failure count in the facility's store (shared by every reader,
    /// kept across restarts) and feed [`Input::FaceFailures`].
    NeedFaceFailures(CardKey),
    /// The card's face-failure count changed (a failure counted, or a match reset it): store it.
    FaceFailuresChanged {
        /// The card.
        card: CardKey,
        /// Its consecutive face failures now.
        count: u32,
    },
    /// The input was refused: the screen does not show that button, or does not take a PIN. The
    /// state did not change.
    Refused(Refused),
    /// Send this check to the eligibility service and feed [`Input::ServiceAnswer`].
    SubmitCheck(Box<EligibilityCheck>),
    /// The visit ended: method, outcome, reason, consents.
    Result(Box<CheckResult>),
}
