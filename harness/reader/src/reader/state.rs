//! The reader's state: where it is ([`Phase`]), what it waits for ([`Deadline`]) and what it
//! knows about the current visit ([`Visit`]).

use harness_eligibility::protocol::{Consents, IdentityMethod, IdentityProof};
use harness_face::MatchReport;
use image::RgbImage;
use zeroize::Zeroizing;

use crate::card_dialogue::{CardDialogue, Challenge, PinState};
use crate::consent::ConsentFlow;
use crate::mode::ReaderMode;
use crate::vocab::{CardKey, FaceFailure, VisualConfirmation};

/// Where the reader is.
#[derive(Debug)]
pub(super) enum Phase {
    /// No visit: the idle screen for the mode.
    Idle,
    /// 目視確認: the card is on the reader; the terminal was asked for its tick.
    AskingStaff,
    /// 目視確認: the card is on the reader; the terminal has no valid tick for this reader.
    WaitingForStaff,
    /// Waiting for the card's answer.
    Card(CardDialogue),
    /// Waiting for the card's face-failure count from the store.
    AskingFaceFailures,
    /// 顔認証 / 暗証番号 の選択.
    ChoosingMethod,
    /// Waiting for the optical scan of the card face.
    ScanningCardFace,
    /// The card face could not be read; waiting for a touch.
    CardFaceUnreadable,
    /// Waiting for camera frames.
    Capturing,
    /// A face failure screen; waiting for a touch.
    FaceFailed,
    /// The PIN pad.
    EnteringPin,
    /// Waiting for the service's challenge.
    WaitingForChallenge,
    /// 同意の選択.
    Consent(ConsentFlow),
    /// Waiting for the service's answer to the check.
    WaitingForService,
    /// An end screen is shown.
    Ended,
}

/// Why a deadline is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Deadline {
    Patient,
    Staff,
    StaffAnswer,
    Store,
    Card,
    Scan,
    Camera,
    Service,
    EndHold,
}

/// Everything about the current visit.
#[derive(Default)]
pub(super) struct Visit {
    pub(super) mode: ReaderMode,
    pub(super) confirmation: Option<VisualConfirmation>,
    pub(super) auth_certificate: Option<Vec<u8>>,
    pub(super) card: Option<CardKey>,
    pub(super) pin: Option<PinState>,
    pub(super) method: Option<IdentityMethod>,
    /// The card's consecutive face failures (from the store, then counted here).
    pub(super) face_failures: Option<u32>,
    pub(super) face_tries_used: u32,
    pub(super) face_blocked: Option<FaceFailure>,
    pub(super) photo: Option<RgbImage>,
    pub(super) face_reports: Vec<MatchReport>,
    pub(super) typed_pin: Zeroizing<String>,
    pub(super) challenge: Option<Challenge>,
    pub(super) proof: Option<IdentityProof>,
    pub(super) consents: Option<Consents>,
}

impl Visit {
    pub(super) fn pin_state(&self) -> PinState {
        self.pin.unwrap_or(PinState::NotSet)
    }

    pub(super) fn pin_offered(&self) -> bool {
        matches!(self.pin, Some(PinState::Available(_)))
    }
}
