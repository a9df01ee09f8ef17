//! The mock face-recognition card reader (顔認証付きカードリーダー): a sans-IO state machine.
//! Inputs (card, camera frames, patient touches, mode changes, the clock) in; outputs (APDUs,
//! patient screens, eligibility requests, results) out. No sleeps, threads, sockets or files inside.
//!
//! # Pieces
//! - [`Reader::new`] with a [`ReaderConfig`] (name, tries, timeouts, wall-clock origin, the
//!   reader's [`ReaderCredentials`]) and a [`FaceEngine`] (a `harness_face::FaceMatcher` and the
//!   JPEG 2000 photo decoder). [`Reader::handle`] takes one [`Input`] and `now` — a monotonic
//!   [`std::time::Duration`] since start that the caller owns — and returns [`Output`]s.
//! - [`run_until_idle`] (the synchronous edge) answers every [`Output::Transmit`] through a
//!   `harness_transport::CardChannel` (in-process card or PC/SC) and returns the other outputs
//!   plus an APDU trace ([`Exchange`], secrets hidden).
//! - [`PatientScreen::render`] gives the Japanese screen text; every visit ends with one
//!   [`Output::Result`] ([`CheckResult`]: method, outcome, reason, consents, face scores).
//!
//! # Driving it (what the harness does)
//! ```text
//! CardPlaced                      → Screen(ReadingCard), card probe (JPKI AP, EF 000A cert,
//!                                   EF 0001 present?, EF 0018 tries) → Screen(ChooseMethod)
//! Touch(ChooseFace)               → NeedCardFaceScan
//! CardFaceScanned(Ok(printed))    → SELECT 券面AP, VERIFY 照合番号B, READ EF 0002, DF27 decoded
//!                                   → NeedChallenge
//! Challenge(nonce)                → NeedCameraFrames, Screen(LookAtCamera)
//! CameraFrames(burst)             → FaceCompared(report); match → attestation signed
//!                                   → Screen(Consent)   (no match → FaceNotRecognised: Retry/PIN)
//! Touch(Consent{item, given}) ×4  → SubmitCheck(EligibilityCheck), Screen(PleaseWait)
//! ServiceAnswer(Accepted)         → Result(Completed), Screen(Completed)
//! CardRemoved                     → Screen(PlaceCard)
//! ```
//! PIN route: `Touch(ChoosePin)` → digits + `PinOk` (or `PinEntered`) → VERIFY EF 0018 →
//! `NeedChallenge` → SELECT EF 0017 + COMPUTE DIGITAL SIGNATURE over the SHA-256 DigestInfo →
//! consents. 目視確認: `ModeChanged(VisualCheck)`, `VisualConfirmation(..)` and `CardPlaced` in
//! either order → certificate read → consents (no face, no PIN, no challenge).
//! Whenever [`Reader::next_deadline`] is due, feed [`Input::Tick`] (or any input) at that `now`.
//!
//! The same reader runs against the in-process card (`harness_transport::InProcessCard`) and a
//! card behind pcscd (`PcscChannel`, feature `pcsc`): `tests/pcscd.rs`, run by `ci/test.sh` or
//! alone by `harness/reader/scripts/test-through-pcscd.sh` (its own pcscd in a private namespace).
//!
//! # Decisions
//! - Wall time = `config.clock_origin + now` (consent times, check time, attestation time).
//! - Face-failure counters are kept per card, keyed by [`CardKey`] (SHA-256 of the user-auth
//!   certificate), across visits and modes; only a face match resets one. The PIN counter lives
//!   on the card. A camera fault does not count as the patient's failure.
//! - What the card supports comes from its answers: PIN query 63Cx → tries left, 63C0/6984 →
//!   locked, 6A88 or a missing PIN EF → no PIN (face-only card); DF27 empty or no 券面AP → no
//!   photo (infant card).
//! - A mode change applies at once when the reader is idle or a card waits for staff; a running
//!   visit finishes in the mode it started in.
//! - The face route asks for the service's challenge before the camera, so the attestation's
//!   match time lies inside the challenge's lifetime; a later PIN fallback reuses that challenge.

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
