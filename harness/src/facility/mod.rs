//! The facility engine: one simulated clinic — the verification terminal (資格確認端末), its
//! face-recognition readers, the eligibility service and the receipt system's result folder —
//! wired once and driven by three drivers: the Gherkin features (scenario clock), the live clinic
//! in the browser (wall clock) and the bench (physical readers, serial fixture).
//!
//! Drivers act through roles — [`PatientRole`] at a reader, [`StaffRole`] at the terminal desk,
//! [`Facility::with_terminal`] for the terminal's web UI — and observe through read-only views
//! ([`Facility::reader`]) and [`FacilityEvent`]s. Each fact travels one route: the terminal's
//! events reach the readers only through [`Facility::with_terminal`]; the readers' requests (card
//! face scan, camera, challenge, staff confirmation, submitted checks) are answered only in
//! [`pump`].

mod clock;
mod desk;
mod directory;
mod engine;
mod events;
mod face_failures;
mod patient;
mod pump;
mod slot;
mod staff;
mod station;

pub use clock::{ClockError, FacilityClock, ScenarioClock, WallClock, PATIENT_ACTION};
pub use desk::StaffJudgement;
pub use directory::{Card, Directory};
pub use engine::{
    eligibility_service, Accounts, Facility, FacilitySetup, ReaderSetup, ReaderView, ADMIN_USER,
    FACILITY_NAME, GENERAL_USER,
};
pub use events::{EventKind, FacilityEvent};
pub use face_failures::FaceFailureStore;
pub use patient::PatientRole;
pub use slot::{await_some, put_on, take_off, CardRef, CardSlot, SLOT_TIMEOUT};
pub use staff::StaffRole;
pub use station::{CameraCondition, StationHistory, Visitor};
