//! One reader at the counter with what is in front of it: its card slot, the card on it, the
//! camera, the person standing there, and what its visits gave.

use harness_eligibility::service::CheckOutcome as ServiceOutcome;
use harness_face::camera::{DeviceFault, Scene};
use harness_face::MatchReport;
use harness_reader::{CheckResult, Reader};
use harness_transport::CardChannel;

use super::directory::Card;
use super::slot::CardSlot;

/// What the camera of a reader shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraCondition {
    /// A scene in front of a working camera.
    Scene(Scene),
    /// A device fault.
    Fault(DeviceFault),
}

/// The person standing at a reader and the card in their hand (possibly not their own).
#[derive(Debug, Clone)]
pub struct Visitor {
    /// Who stands there (person id): the face the camera and the staff see.
    pub person_id: String,
    /// The card they carry.
    pub card: Card,
}

/// One reader and its surroundings.
pub(super) struct Station {
    pub(super) name: String,
    pub(super) reader: Reader,
    pub(super) slot: Box<dyn CardSlot>,
    pub(super) channel: Option<Box<dyn CardChannel>>,
    /// The card lying on the reader, if any.
    pub(super) card_on_reader: Option<Card>,
    pub(super) camera: CameraCondition,
    pub(super) visitor: Option<Visitor>,
    pub(super) last_burst: Vec<image::RgbImage>,
    pub(super) history: StationHistory,
    /// Inputs the reader refused since the patient's last action (a button not on screen).
    pub(super) refusals: Vec<harness_reader::Refused>,
}

/// What the visits at one reader gave, oldest first.
#[derive(Debug, Clone, Default)]
pub struct StationHistory {
    /// Results of finished visits.
    pub results: Vec<CheckResult>,
    /// The eligibility service's outcomes for submitted checks.
    pub outcomes: Vec<ServiceOutcome>,
    /// Result files written for the receipt system.
    pub result_files: Vec<std::path::PathBuf>,
    /// Face comparisons made.
    pub face_reports: Vec<MatchReport>,
}

impl Station {
    pub(super) fn new(name: String, reader: Reader, slot: Box<dyn CardSlot>) -> Self {
        Self {
            name,
            reader,
            slot,
            channel: None,
            card_on_reader: None,
            camera: CameraCondition::Scene(Scene::CardHolder),
            visitor: None,
            last_burst: Vec::new(),
            history: StationHistory::default(),
            refusals: Vec::new(),
        }
    }
}
