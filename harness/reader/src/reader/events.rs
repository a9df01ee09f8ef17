//! What happens to a visit from outside the patient's touches: the card placed and taken off,
//! mode changes and the staff's confirmation from the terminal, the face-failure count from the
//! store, and what the card showed ([`CardFinding`]).

use harness_eligibility::protocol::{IdentityMethod, IdentityProof};

use super::state::{Deadline, Phase, Visit};
use super::Reader;
use crate::card_dialogue::{CardFinding, CardTask, PinState};
use crate::io::Output;
use crate::mode::ReaderMode;
use crate::result::FailureReason;
use crate::screen::PatientScreen;
use crate::vocab::{CardKey, FaceFailure, MissingData, PinFailure, VisualConfirmation};

impl Reader {
    // ---- card on / off, mode, staff --------------------------------------------------------

    pub(super) fn on_card_placed(&mut self) {
        if self.card_present {
            return;
        }
        self.card_present = true;
        if matches!(self.phase, Phase::Idle | Phase::Ended) {
            self.start_visit();
        }
    }

    fn start_visit(&mut self) {
        self.visit = Visit {
            mode: self.mode,
            ..Visit::default()
        };
        self.show(PatientScreen::ReadingCard);
        if self.mode == ReaderMode::VisualCheck {
            self.ask_staff();
        } else {
            self.run(CardTask::Probe);
        }
    }

    /// 目視確認: ask the terminal whether it holds a valid tick for this reader.
    fn ask_staff(&mut self) {
        self.phase = Phase::AskingStaff;
        self.out.push(Output::NeedVisualConfirmation);
        self.set_deadline(Deadline::StaffAnswer);
    }

    pub(super) fn on_card_removed(&mut self) {
        if !self.card_present {
            return;
        }
        self.card_present = false;
        match self.phase {
            Phase::Idle => {}
            Phase::Ended => self.go_idle(),
            _ => self.fail(FailureReason::CardRemoved),
        }
    }

    pub(super) fn on_mode_changed(&mut self, mode: ReaderMode) {
        self.mode = mode;
        if mode != ReaderMode::VisualCheck {
            self.staff_confirmation_available = false;
        }
        match self.phase {
            Phase::Idle => {
                let screen = self.idle_screen();
                self.show(screen);
            }
            // The card already waits on the reader for staff: start over in the new mode.
            Phase::WaitingForStaff | Phase::AskingStaff if mode != ReaderMode::VisualCheck => {
                self.start_visit()
            }
            // A running visit finishes in the mode it started in.
            _ => {}
        }
    }

    pub(super) fn on_staff_confirmation_available(&mut self) {
        if self.mode != ReaderMode::VisualCheck {
            return;
        }
        self.staff_confirmation_available = true;
        match self.phase {
            Phase::Idle => {
                let screen = self.idle_screen();
                self.show(screen);
            }
            Phase::WaitingForStaff => {
                self.show(PatientScreen::ReadingCard);
                self.ask_staff();
            }
            _ => {}
        }
    }

    pub(super) fn on_visual_confirmation(&mut self, answer: Option<VisualConfirmation>) {
        if !matches!(self.phase, Phase::AskingStaff) {
            return; // nothing was asked
        }
        self.deadline = None;
        // A tick given for another reader is not a tick for this one.
        let answer = answer.filter(|tick| tick.reader == self.config.reader_name);
        match answer {
            Some(confirmation) => {
                // The tick is used by this visit.
                self.staff_confirmation_available = false;
                self.visit.confirmation = Some(confirmation);
                self.visit.method = Some(IdentityMethod::Visual);
                self.run(CardTask::Probe);
            }
            None => {
                self.staff_confirmation_available = false;
                self.phase = Phase::WaitingForStaff;
                self.show(PatientScreen::VisualWaitingForStaff);
                self.set_deadline(Deadline::Staff);
            }
        }
    }

    pub(super) fn on_face_failures(&mut self, card: CardKey, count: u32) {
        if !matches!(self.phase, Phase::AskingFaceFailures) || self.visit.card != Some(card) {
            return; // not asked, or about another card
        }
        self.deadline = None;
        self.visit.face_failures = Some(count);
        let pin = self.visit.pin_state();
        match (self.face_locked(), self.pin_failure(pin)) {
            (true, Some(pin)) => self.fail(FailureReason::NoMethodAvailable {
                face: FaceFailure::Locked,
                pin,
            }),
            _ => self.show_method_choice(),
        }
    }

    // ---- what the card showed -------------------------------------------------------------

    pub(super) fn on_finding(&mut self, finding: CardFinding) {
        match finding {
            CardFinding::Probed {
                auth_certificate,
                signature_certificate_present: _,
                pin,
            } => {
                self.visit.card = Some(CardKey::from_auth_certificate(&auth_certificate));
                self.visit.auth_certificate = Some(auth_certificate);
                self.visit.pin = Some(pin);
                self.after_probe();
            }
            CardFinding::NotAMyNumberCard => self.fail(FailureReason::NotAMyNumberCard),
            CardFinding::CardFacePhoto(photo) => match self.face.photo_decoder.decode(&photo) {
                Ok(image) => self.on_card_photo(image),
                Err(_) => self.face_unavailable(FaceFailure::PhotoUnreadable),
            },
            CardFinding::NoCardFacePhoto => self.face_unavailable(FaceFailure::NoPhoto),
            // The number read off the card face is wrong: a misread.
            CardFinding::CardFaceNumberRefused { .. } => self.card_face_unreadable(None),
            CardFinding::CardFaceLocked => self.face_unavailable(FaceFailure::CardFaceLocked),
            CardFinding::PinVerified => self.with_challenge(),
            CardFinding::PinWrong { tries_left } => {
                self.visit.pin = Some(PinState::Available(tries_left));
                self.wait_for_patient(
                    Phase::EnteringPin,
                    PatientScreen::EnterPin {
                        tries_left,
                        typed: 0,
                        last_wrong: true,
                        malformed: false,
                    },
                );
            }
            CardFinding::PinLocked => {
                self.visit.pin = Some(PinState::Locked);
                self.fail(FailureReason::Pin(PinFailure::Locked));
            }
            CardFinding::PinNotSet => {
                self.visit.pin = Some(PinState::NotSet);
                self.fail(FailureReason::Pin(PinFailure::NotSet));
            }
            CardFinding::Signed { signature } => match self.visit.challenge.clone() {
                Some(challenge) => {
                    self.visit.proof = Some(IdentityProof::CardSignature {
                        challenge: challenge.as_bytes().to_vec(),
                        signature,
                    });
                    self.ask_consents();
                }
                None => self.fail(FailureReason::MissingData(MissingData::Challenge)),
            },
            CardFinding::Failed { step, status } => {
                self.fail(FailureReason::CardError { step, status })
            }
        }
    }

    /// The card is read: decide what the patient can do.
    fn after_probe(&mut self) {
        let pin = self.visit.pin_state();
        match self.visit.mode {
            ReaderMode::VisualCheck => match self.visit.confirmation.clone() {
                Some(confirmation) => {
                    self.visit.proof = Some(IdentityProof::StaffConfirmation {
                        account: confirmation.account,
                        reader: confirmation.reader,
                        confirmation_date: confirmation.confirmation_date,
                        confirmed_at: confirmation.confirmed_at,
                    });
                    self.ask_consents();
                }
                None => self.fail(FailureReason::StaffConfirmationMissing),
            },
            ReaderMode::PinOnly => {
                self.visit.method = Some(IdentityMethod::Pin);
                match pin {
                    PinState::Available(tries) => self.enter_pin(tries),
                    PinState::Locked => self.fail(FailureReason::Pin(PinFailure::Locked)),
                    PinState::NotSet => self.fail(FailureReason::Pin(PinFailure::NotSet)),
                }
            }
            ReaderMode::Unattended => match self.visit.card {
                Some(card) => {
                    self.phase = Phase::AskingFaceFailures;
                    self.out.push(Output::NeedFaceFailures(card));
                    self.set_deadline(Deadline::Store);
                }
                None => self.fail(FailureReason::MissingData(MissingData::AuthCertificate)),
            },
        }
    }

    fn pin_failure(&self, pin: PinState) -> Option<PinFailure> {
        match pin {
            PinState::Available(_) => None,
            PinState::Locked => Some(PinFailure::Locked),
            PinState::NotSet => Some(PinFailure::NotSet),
        }
    }

    pub(super) fn face_locked(&self) -> bool {
        self.visit
            .face_failures
            .is_some_and(|count| count >= self.config.face_lock_threshold)
    }
}
