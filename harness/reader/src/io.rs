//! What goes into the reader ([`Input`]) and what comes out ([`Output`]).

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::protocol::EligibilityCheck;
use harness_face::MatchReport;
use image::RgbImage;
use zeroize::Zeroizing;

use crate::apdu::CommandApdu;
use crate::card_data::PrintedCardFace;
use crate::mode::ReaderMode;
use crate::result::CheckResult;
use crate::screen::PatientScreen;

/// The user-auth PIN (利用者証明用暗証番号) the patient typed. Debug is redacted; the digits are
/// wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// A PIN as typed (validated by the reader: 4 ASCII digits).
    pub fn new(digits: &str) -> Self {
        Self(Zeroizing::new(digits.to_owned()))
    }

    pub(crate) fn is_well_formed(&self) -> bool {
        self.0.len() == 4 && self.0.bytes().all(|b| b.is_ascii_digit())
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// A consent item on the consent screen (同意の選択).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ConsentItem {
    /// 薬剤情報
    Medication,
    /// 特定健診情報
    HealthCheckups,
    /// 診療情報
    Diagnosis,
    /// 手術情報
    Operation,
}

impl ConsentItem {
    /// The items in screen order.
    pub const ALL: [ConsentItem; 4] = [
        Self::Medication,
        Self::HealthCheckups,
        Self::Diagnosis,
        Self::Operation,
    ];

    /// The label on the screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::Medication => "薬剤情報",
            Self::HealthCheckups => "特定健診情報",
            Self::Diagnosis => "診療情報",
            Self::Operation => "手術情報",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Self::Medication => 0,
            Self::HealthCheckups => 1,
            Self::Diagnosis => 2,
            Self::Operation => 3,
        }
    }
}

/// A button the patient touches on the reader's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touch {
    /// ［顔認証］ on the method choice.
    ChooseFace,
    /// ［暗証番号］ on the method choice, or on a face failure screen that offers the PIN.
    ChoosePin,
    /// ［もう一度］ after a failed card-face scan or face match.
    Retry,
    /// A digit key (0–9) on the PIN pad.
    Digit(u8),
    /// ［訂正］ on the PIN pad: clears what was typed.
    Clear,
    /// ［OK］ on the PIN pad.
    PinOk,
    /// ［同意する］ / ［同意しない］ for one consent item.
    Consent {
        /// Which item.
        item: ConsentItem,
        /// True for 同意する.
        given: bool,
    },
    /// ［中止］: the patient gives up.
    Cancel,
}

/// Why the camera gave nothing usable (as a device, not because of what is in the frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CameraFault {
    /// No camera is connected.
    Missing,
    /// The camera went away during capture (unplugged).
    Disconnected,
    /// The camera gave no frame in time (the reader's camera timeout).
    NoFrames,
}

/// Why the reader's optical scan of the printed card face failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CardFaceScanError {
    /// The card is still in its sleeve (カードケース).
    Sleeve,
    /// Glare on the card surface.
    Glare,
    /// The card lies crooked or the print cannot be read.
    Unreadable,
}

/// The staff confirmation from the terminal (目視で本人確認完了 ticked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisualConfirmation {
    /// The terminal account that ticked the box.
    pub account: String,
    /// 資格確認日 entered on the terminal.
    pub confirmation_date: NaiveDate,
    /// When the box was ticked.
    pub confirmed_at: NaiveDateTime,
}

/// What the eligibility service answered to a submitted check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAnswer {
    /// The check went through (the result file is the terminal's business).
    Accepted,
    /// The service refused the check (bad proof, revoked or expired certificate, unknown person …).
    Rejected {
        /// The service's reason, for the result.
        reason: String,
    },
}

impl From<&harness_eligibility::service::CheckOutcome> for ServiceAnswer {
    /// The service accepted the identity (whatever the qualification: 有効, 無効, 該当資格なし
    /// are the terminal's business), or refused the certificate or the proof.
    fn from(outcome: &harness_eligibility::service::CheckOutcome) -> Self {
        match outcome.error() {
            None => Self::Accepted,
            Some(error) => Self::Rejected {
                reason: error.label().to_owned(),
            },
        }
    }
}

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
    /// Staff ticked 目視で本人確認完了 on the terminal.
    VisualConfirmation(VisualConfirmation),
    /// The eligibility service's challenge, asked for by [`Output::NeedChallenge`].
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
                write!(f, "CardResponse({})", crate::apdu::hex(bytes))
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
            Self::VisualConfirmation(confirmation) => {
                write!(f, "VisualConfirmation({confirmation:?})")
            }
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

/// Something the reader wants done, or tells.
#[derive(Debug, Clone)]
pub enum Output {
    /// Send this command to the card and feed the answer back as [`Input::CardResponse`].
    Transmit(CommandApdu),
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
    /// Send this check to the eligibility service and feed [`Input::ServiceAnswer`].
    SubmitCheck(Box<EligibilityCheck>),
    /// The visit ended: method, outcome, reason, consents.
    Result(Box<CheckResult>),
}
