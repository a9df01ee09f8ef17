//! The mock face-recognition card reader (顔認証付きカードリーダー): a sans-IO state machine.
//! Inputs (card, camera frames, patient touches, mode changes, the clock) in; outputs (APDUs,
//! patient screens, eligibility requests, results) out. No sleeps, threads or sockets inside.
//!
//! - [`Reader::new`] with a [`ReaderConfig`] and a [`FaceEngine`]; [`Reader::handle`] takes an
//!   [`Input`] and `now` (monotonic time since start) and returns [`Output`]s.
//! - [`driver::run_until_idle`] pumps card commands through a `harness_transport::CardChannel`.
//! - [`PatientScreen::render`] gives the Japanese screen text; [`CheckResult`] ends every visit.

pub mod apdu;
pub mod attestation;
pub mod card_data;
pub mod config;
pub mod driver;
pub mod io;
pub mod mode;
pub mod reader;
pub mod result;
pub mod screen;

pub use attestation::{attestation_statement, CredentialError, ReaderCredentials};
pub use card_data::{PrintedCardFace, SecurityCode};
pub use config::{CardPhotoDecoder, FaceEngine, Jpeg2000PhotoDecoder, ReaderConfig};
pub use driver::{run_until_idle, Exchange, Pumped};
pub use io::{
    CameraFault, CardFaceScanError, ConsentItem, FaceAttempt, Input, Output, Pin, ServiceAnswer,
    Touch, VisualConfirmation,
};
pub use mode::ReaderMode;
pub use reader::{consent_touches, Reader};
pub use result::{CardKey, CheckOutcome, CheckResult, FaceFailure, FailureReason, PinFailure};
pub use screen::{Availability, PatientScreen};
