//! The identity routes of a visit: the method choice, the face route (card-face scan, photo,
//! challenge, camera, comparison, attestation) and the PIN route (keypad, verification,
//! signature over the challenge).

use harness_eligibility::protocol::{IdentityMethod, IdentityProof};
use harness_face::MatchDecision;
use image::RgbImage;
use zeroize::Zeroizing;

use super::state::{Deadline, Phase};
use super::Reader;
use crate::attestation::attestation_statement;
use crate::card_data::PrintedCardFace;
use crate::card_dialogue::{CardTask, Challenge, PinState};
use crate::io::{FaceAttempt, Output};
use crate::result::FailureReason;
use crate::screen::PatientScreen;
use crate::vocab::{
    Availability, CameraFault, CardFaceScanError, FaceFailure, MissingData, Pin, Touch,
};

impl Reader {
    pub(super) fn show_method_choice(&mut self) {
        let face = if self.face_locked() {
            Availability::Locked
        } else {
            Availability::Offered
        };
        let pin = match self.visit.pin_state() {
            PinState::Available(_) => Availability::Offered,
            PinState::Locked => Availability::Locked,
            PinState::NotSet => Availability::NotOnCard,
        };
        self.wait_for_patient(
            Phase::ChoosingMethod,
            PatientScreen::ChooseMethod { face, pin },
        );
    }

    /// A touch the screen shows, outside the consent screens.
    pub(super) fn on_route_touch(&mut self, touch: Touch) {
        match (&self.phase, touch) {
            (Phase::ChoosingMethod, Touch::ChooseFace) => self.start_face(),
            (
                Phase::ChoosingMethod | Phase::CardFaceUnreadable | Phase::FaceFailed,
                Touch::ChoosePin,
            ) => {
                if let PinState::Available(tries) = self.visit.pin_state() {
                    self.visit.method = Some(IdentityMethod::Pin);
                    self.enter_pin(tries);
                }
            }
            (Phase::CardFaceUnreadable, Touch::Retry) => self.scan_card_face(),
            (Phase::FaceFailed, Touch::Retry) => self.capture(),
            (Phase::EnteringPin, Touch::Digit(digit))
                if digit <= 9 && self.visit.typed_pin.len() < 4 =>
            {
                self.visit.typed_pin.push(char::from(b'0' + digit));
                self.show_pin_pad(false, false);
            }
            (Phase::EnteringPin, Touch::Clear) => {
                self.visit.typed_pin = Zeroizing::new(String::new());
                self.show_pin_pad(false, false);
            }
            (Phase::EnteringPin, Touch::PinOk) => {
                let pin = Pin::new(&self.visit.typed_pin);
                self.visit.typed_pin = Zeroizing::new(String::new());
                self.submit_pin(pin);
            }
            _ => {}
        }
    }

    // ---- face route ---------------------------------------------------------------------------

    fn start_face(&mut self) {
        self.visit.method = Some(IdentityMethod::Face);
        if self.visit.photo.is_some() {
            self.capture();
        } else {
            self.scan_card_face();
        }
    }

    fn scan_card_face(&mut self) {
        self.phase = Phase::ScanningCardFace;
        self.show(PatientScreen::ScanningCardFace);
        self.out.push(Output::NeedCardFaceScan);
        self.set_deadline(Deadline::Scan);
    }

    pub(super) fn card_face_unreadable(&mut self, cause: Option<CardFaceScanError>) {
        let pin_offered = self.visit.pin_offered();
        self.wait_for_patient(
            Phase::CardFaceUnreadable,
            PatientScreen::CardFaceUnreadable { cause, pin_offered },
        );
    }

    pub(super) fn on_card_face_scanned(
        &mut self,
        scan: Result<PrintedCardFace, CardFaceScanError>,
    ) {
        if !matches!(self.phase, Phase::ScanningCardFace) {
            return;
        }
        self.deadline = None;
        let number = match scan {
            Ok(face) => face.collation_number_b(),
            Err(cause) => return self.card_face_unreadable(Some(cause)),
        };
        match number {
            Some(collation_number) => self.run(CardTask::ReadCardFace { collation_number }),
            None => self.card_face_unreadable(Some(CardFaceScanError::Unreadable)),
        }
    }

    /// The card-face photo is decoded: the face route goes on once the challenge is there.
    pub(super) fn on_card_photo(&mut self, photo: RgbImage) {
        self.visit.photo = Some(photo);
        self.with_challenge();
    }

    fn capture(&mut self) {
        self.visit.face_tries_used += 1;
        self.phase = Phase::Capturing;
        self.show(PatientScreen::LookAtCamera {
            try_number: self.visit.face_tries_used,
            tries: self.config.face_tries_per_visit,
        });
        self.out.push(Output::NeedCameraFrames);
        self.set_deadline(Deadline::Camera);
    }

    pub(super) fn on_camera_frames(&mut self, frames: &[RgbImage]) {
        if !matches!(self.phase, Phase::Capturing) {
            return;
        }
        self.deadline = None;
        if frames.is_empty() {
            return self.face_unavailable(FaceFailure::Camera(CameraFault::NoFrames));
        }
        let Some(photo) = self.visit.photo.as_ref() else {
            return self.fail(FailureReason::MissingData(MissingData::CardPhoto));
        };
        let (Some(card), Some(before)) = (self.visit.card, self.visit.face_failures) else {
            return self.fail(FailureReason::MissingData(MissingData::FaceFailureCount));
        };
        let report = self.face.matcher.compare(photo, frames);
        let matched = report.decision == MatchDecision::Match;
        let count = if matched { 0 } else { before.saturating_add(1) };
        self.visit.face_failures = Some(count);
        if count != before {
            self.out.push(Output::FaceFailuresChanged { card, count });
        }
        self.visit.face_reports.push(report.clone());
        self.out.push(Output::FaceCompared(FaceAttempt {
            try_number: self.visit.face_tries_used,
            consecutive_failures: count,
            report: report.clone(),
        }));
        if matched {
            return self.attest_face_match(report.score);
        }
        if self.face_locked() {
            return self.face_unavailable(FaceFailure::Locked);
        }
        let tries_left = self
            .config
            .face_tries_per_visit
            .saturating_sub(self.visit.face_tries_used);
        let pin_offered = self.visit.pin_offered();
        if tries_left == 0 && !pin_offered {
            return self.fail(FailureReason::Face(FaceFailure::NotRecognised(
                report.decision,
            )));
        }
        self.wait_for_patient(
            Phase::FaceFailed,
            PatientScreen::FaceNotRecognised {
                decision: report.decision,
                tries_left,
                pin_offered,
            },
        );
    }

    /// Face auth cannot go on in this visit: offer the PIN, or end.
    pub(super) fn face_unavailable(&mut self, failure: FaceFailure) {
        self.visit.face_blocked = Some(failure);
        if self.visit.pin_offered() {
            self.wait_for_patient(
                Phase::FaceFailed,
                PatientScreen::FaceUnavailable { failure },
            );
        } else {
            self.fail(FailureReason::Face(failure));
        }
    }

    /// The face matched: sign the reader's attestation over the challenge and the card.
    fn attest_face_match(&mut self, score: f32) {
        let Some(challenge) = self.visit.challenge.clone() else {
            return self.fail(FailureReason::MissingData(MissingData::Challenge));
        };
        let Some(certificate) = self.visit.auth_certificate.as_deref() else {
            return self.fail(FailureReason::MissingData(MissingData::AuthCertificate));
        };
        let statement = attestation_statement(
            challenge.as_bytes(),
            certificate,
            &self.config.reader_name,
            score,
            self.wall_time(self.now),
        );
        match self.config.credentials.sign(&statement) {
            Ok(signature) => {
                self.visit.proof = Some(IdentityProof::ReaderAttestation {
                    statement,
                    signature,
                    reader_certificate: self.config.credentials.certificate_der().to_vec(),
                });
                self.ask_consents();
            }
            Err(error) => self.fail(FailureReason::AttestationFailed(error.to_string())),
        }
    }

    // ---- PIN route ----------------------------------------------------------------------------

    pub(super) fn enter_pin(&mut self, tries_left: u8) {
        self.visit.typed_pin = Zeroizing::new(String::new());
        self.wait_for_patient(
            Phase::EnteringPin,
            PatientScreen::EnterPin {
                tries_left,
                typed: 0,
                last_wrong: false,
                malformed: false,
            },
        );
    }

    fn show_pin_pad(&mut self, last_wrong: bool, malformed: bool) {
        let tries_left = match self.visit.pin_state() {
            PinState::Available(tries) => tries,
            _ => 0,
        };
        self.show(PatientScreen::EnterPin {
            tries_left,
            typed: self.visit.typed_pin.len(),
            last_wrong,
            malformed,
        });
    }

    pub(super) fn submit_pin(&mut self, pin: Pin) {
        if !pin.is_well_formed() {
            return self.show_pin_pad(false, true);
        }
        self.show(PatientScreen::PleaseWait);
        self.run(CardTask::VerifyPin(pin));
    }

    // ---- the service's challenge --------------------------------------------------------------

    fn request_challenge(&mut self) {
        self.phase = Phase::WaitingForChallenge;
        self.show(PatientScreen::PleaseWait);
        self.out.push(Output::NeedChallenge);
        self.set_deadline(Deadline::Service);
    }

    pub(super) fn on_challenge(&mut self, challenge: Vec<u8>) {
        if !matches!(self.phase, Phase::WaitingForChallenge) {
            return;
        }
        self.deadline = None;
        match Challenge::new(challenge) {
            Some(challenge) => {
                self.visit.challenge = Some(challenge);
                self.after_challenge();
            }
            None => self.fail(FailureReason::MissingData(MissingData::Challenge)),
        }
    }

    /// The challenge is there: the PIN route has the card sign it; the face route captures (the
    /// attestation is signed at the match, so its time lies inside the challenge's lifetime).
    fn after_challenge(&mut self) {
        match (self.visit.method, self.visit.challenge.clone()) {
            (_, None) => self.fail(FailureReason::MissingData(MissingData::Challenge)),
            (Some(IdentityMethod::Pin), Some(challenge)) => self.run(CardTask::Sign(challenge)),
            (Some(IdentityMethod::Face), Some(_)) => self.capture(),
            (Some(IdentityMethod::Visual) | None, Some(_)) => self.fail(
                FailureReason::ServiceRejected("unexpected challenge".into()),
            ),
        }
    }

    /// Identity confirmed on the PIN route (after VERIFY) or before capture on the face route:
    /// use the visit's challenge, or ask the service for one.
    pub(super) fn with_challenge(&mut self) {
        if self.visit.challenge.is_some() {
            self.after_challenge();
        } else {
            self.request_challenge();
        }
    }
}
