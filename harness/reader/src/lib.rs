//! The mock face-recognition card reader (顔認証付きカードリーダー): a sans-IO state machine.
//! Inputs (card, camera frames, patient touches, mode changes, the terminal's answers, the clock)
//! in; outputs (APDUs, patient screens, questions to the terminal and the store, eligibility
//! requests, results) out. No sleeps, threads, sockets or files inside.
//!
//! # Pieces
//! - [`Reader::new`] with a [`ReaderConfig`] (name, tries, timeouts, wall-clock origin, the
//!   reader's [`ReaderCredentials`], the dated [`ConsentScreens`]) and a [`FaceEngine`] (a
//!   `harness_face::FaceMatcher` and the JPEG 2000 photo decoder). [`Reader::handle`] takes one
//!   [`Input`] and `now` — a monotonic [`std::time::Duration`] since start that the caller owns —
//!   and returns [`Output`]s.
//! - [`card_dialogue`]: the APDU sequences (probe, card face, PIN, signature) as a sub-machine
//!   that ends in typed [`CardFinding`]s; the visit's policy ([`reader`]) only sees findings.
//! - [`run_until_idle`] (the synchronous edge) answers every [`Output::Transmit`] through a
//!   `harness_transport::CardChannel` (in-process card or PC/SC) and returns the other outputs
//!   plus an APDU trace ([`Exchange`], secrets hidden).
//! - [`PatientScreen::render`] gives the Japanese screen text and [`PatientScreen::buttons`] the
//!   buttons it shows, by label; a touch of a button not shown is refused
//!   ([`Output::Refused`]). Every visit ends with one [`Output::Result`] ([`CheckResult`]).
//! - [`vocab`]: the leaf types (PIN, touch, consent item, camera fault, the staff's confirmation,
//!   card key …) that every other module uses.
//!
//! # Driving it (what the harness does)
//! ```text
//! CardPlaced                      → Screen(ReadingCard), probe (JPKI AP, EF 000A cert,
//!                                   EF 0001 present?, EF 0018 tries) → NeedFaceFailures(card)
//! FaceFailures{card, count}       → Screen(ChooseMethod)   (from the facility's store)
//! Touch(ChooseFace)               → NeedCardFaceScan
//! CardFaceScanned(Ok(printed))    → SELECT 券面AP, VERIFY 照合番号B, READ EF 0002, DF27 decoded
//!                                   → NeedChallenge
//! Challenge(nonce)                → NeedCameraFrames, Screen(LookAtCamera)
//! CameraFrames(burst)             → FaceCompared(report), FaceFailuresChanged (when it changed);
//!                                   match → attestation signed → Screen(ConsentChoice)
//!                                   (no match → FaceNotRecognised: Retry/PIN)
//! Touch(ConsentAll)               → SubmitCheck(EligibilityCheck), Screen(PleaseWait)
//!   or Touch(ConsentIndividually), Touch(Consent{item, given}) per item screen
//! ServiceAnswer(Accepted)         → Result(Completed), Screen(Completed)
//! CardRemoved                     → Screen(PlaceCard)
//! ```
//! PIN route: `Touch(ChoosePin)` → digits + `PinOk` (or `PinEntered`) → VERIFY EF 0018 →
//! `NeedChallenge` → SELECT EF 0017 + COMPUTE DIGITAL SIGNATURE over the SHA-256 DigestInfo →
//! consents. 目視確認: `ModeChanged(VisualCheck)`; the terminal's `StaffConfirmationAvailable`
//! only changes the waiting screen; `CardPlaced` → `NeedVisualConfirmation` →
//! `VisualConfirmation(Some(tick))` → certificate read → consents (no face, no PIN, no
//! challenge); `VisualConfirmation(None)` → the waiting screen, nothing submitted.
//! Whenever [`Reader::next_deadline`] is due, feed [`Input::Tick`] (or any input) at that `now`.
//!
//! The same reader runs against the in-process card (`harness_transport::InProcessCard`) and a
//! card behind pcscd (`PcscChannel`, feature `pcsc`): `tests/pcscd.rs`, run by `ci/test.sh` or
//! alone by `harness/reader/scripts/test-through-pcscd.sh` (its own pcscd in a private namespace).
//!
//! # Decisions
//! - Wall time = `config.clock_origin + now` (consent times, check time, attestation time).
//! - Face-failure counts are kept per card, keyed by [`CardKey`] (SHA-256 of the user-auth
//!   certificate), by the harness's store (shared by the clinic's readers, persisted); the reader
//!   asks and reports changes. Only a face match resets one; a camera fault does not count. The
//!   PIN counter lives on the card.
//! - What the card supports comes from its answers: PIN query 63Cx → tries left, 63C0/6984 →
//!   locked, 6A88 or a missing PIN EF → no PIN (face-only card); DF27 empty or no 券面AP → no
//!   photo (infant card).
//! - A mode change applies at once when the reader is idle or a card waits for staff; a running
//!   visit finishes in the mode it started in.
//! - The face route asks for the service's challenge before the camera, so the attestation's
//!   match time lies inside the challenge's lifetime; a later PIN fallback reuses that challenge.
//! - Missing data (challenge, certificate, photo, count, proof) ends the visit with
//!   [`FailureReason::MissingData`]; nothing is replaced by an empty default.

pub mod attestation;
pub mod card_data;
pub mod card_dialogue;
pub mod config;
pub mod consent;
pub mod driver;
pub mod io;
pub mod mode;
pub mod reader;
pub mod result;
pub mod screen;
pub mod vocab;

pub use attestation::{attestation_statement, CredentialError, ReaderCredentials};
pub use card_data::{PrintedCardFace, SecurityCode};
pub use card_dialogue::{CardFinding, CardTask, PinState};
pub use config::{CardPhotoDecoder, FaceEngine, Jpeg2000PhotoDecoder, ReaderConfig};
pub use consent::{consent_touches, ConsentWishes};
pub use driver::{run_until_idle, Exchange, Pumped};
pub use io::{FaceAttempt, Input, Output, Refused};
pub use mode::ReaderMode;
pub use reader::Reader;
pub use result::{CheckOutcome, CheckResult, FailureReason};
pub use screen::PatientScreen;
pub use vocab::{
    Availability, CameraFault, CardFaceScanError, CardKey, ConsentItem, ConsentScreens,
    FaceFailure, MissingData, Pin, PinFailure, ServiceAnswer, Touch, VisualConfirmation,
};
