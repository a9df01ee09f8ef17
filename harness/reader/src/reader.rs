//! The reader's state machine: the visit's policy.
//!
//! One visit = card placed → identity (face, PIN or staff) → consents → check submitted → end
//! screen. The card itself is talked to by [`crate::card_dialogue`], which turns APDU sequences
//! into typed [`CardFinding`]s; this module decides what the patient sees and may do next
//! (screens, tries, modes, consents) from those findings.
//!
//! Counters: the card keeps its own PIN counter. The face-failure count of a card is kept
//! outside the reader, in the facility's store (one per clinic, shared by its readers, kept
//! across restarts): the reader asks for it ([`Output::NeedFaceFailures`]) when it has read the
//! card's certificate and reports each change ([`Output::FaceFailuresChanged`]). A face match
//! resets it; a mode change, a visual check or a new visit does not.

mod events;
mod routes;
mod state;

use std::time::Duration;

use chrono::NaiveDateTime;
use harness_eligibility::protocol::{Consents, EligibilityCheck};
use zeroize::Zeroizing;

use self::state::{Deadline, Phase, Visit};
use crate::card_dialogue::{CardDialogue, CardTask, Progress};
use crate::config::{FaceEngine, ReaderConfig};
use crate::consent::{ConsentFlow, ConsentStep};
use crate::io::{Input, Output, Refused};
use crate::mode::ReaderMode;
use crate::result::{CheckOutcome, CheckResult, FailureReason};
use crate::screen::PatientScreen;
use crate::vocab::{
    CameraFault, CardFaceScanError, FaceFailure, MissingData, ServiceAnswer, Touch,
};

/// The mock face-recognition card reader (顔認証付きカードリーダー).
pub struct Reader {
    config: ReaderConfig,
    face: FaceEngine,
    mode: ReaderMode,
    /// The terminal said a tick waits for this reader (目視確認 only).
    staff_confirmation_available: bool,
    card_present: bool,
    phase: Phase,
    visit: Visit,
    screen: PatientScreen,
    deadline: Option<(Duration, Deadline)>,
    now: Duration,
    out: Vec<Output>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("reader_name", &self.config.reader_name)
            .field("mode", &self.mode)
            .field("phase", &self.phase)
            .field("card_present", &self.card_present)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// A reader showing its idle screen, no card on it.
    pub fn new(config: ReaderConfig, face: FaceEngine) -> Self {
        let mode = config.initial_mode;
        let mut reader = Self {
            config,
            face,
            mode,
            staff_confirmation_available: false,
            card_present: false,
            phase: Phase::Idle,
            visit: Visit::default(),
            screen: PatientScreen::PlaceCard,
            deadline: None,
            now: Duration::ZERO,
            out: Vec::new(),
        };
        reader.screen = reader.idle_screen();
        reader
    }

    /// The screen the patient sees now.
    pub fn screen(&self) -> &PatientScreen {
        &self.screen
    }

    /// The consent screens this reader shows (a dated setting, [`ConsentScreens::in_force_on`]).
    pub fn consent_screens(&self) -> crate::vocab::ConsentScreens {
        self.config.consent_screens
    }

    /// The current mode.
    pub fn mode(&self) -> ReaderMode {
        self.mode
    }

    /// The reader's PC/SC name.
    pub fn name(&self) -> &str {
        &self.config.reader_name
    }

    /// True when no visit is running (idle screen or an end screen).
    pub fn is_idle(&self) -> bool {
        matches!(self.phase, Phase::Idle | Phase::Ended)
    }

    /// True while the reader waits for the card's answer to a [`Output::Transmit`].
    pub fn awaiting_card(&self) -> bool {
        matches!(self.phase, Phase::Card(_))
    }

    /// True when a card lies on the reader.
    pub fn card_present(&self) -> bool {
        self.card_present
    }

    /// The next time at which the reader acts by itself (a timeout); feed [`Input::Tick`] then.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.deadline.map(|(at, _)| at)
    }

    /// Wall-clock time for a monotonic `now`.
    pub fn wall_time(&self, now: Duration) -> NaiveDateTime {
        let offset = chrono::Duration::from_std(now).unwrap_or(chrono::Duration::MAX);
        self.config
            .clock_origin
            .checked_add_signed(offset)
            .unwrap_or(self.config.clock_origin)
    }

    /// Feeds one input at monotonic time `now` (time since start; a `now` earlier than a previous
    /// one counts as the previous one). Timeouts due by `now` fire first, each at its own time
    /// (a timeout can lead to a state whose own timeout is also due).
    pub fn handle(&mut self, input: Input, now: Duration) -> Vec<Output> {
        let target = self.now.max(now);
        // Every timeout moves towards an end state, so chains are short; the bound only guards
        // against a configuration of zero timeouts.
        for _ in 0..8 {
            match self.deadline {
                Some((at, kind)) if at <= target => {
                    self.now = self.now.max(at);
                    self.deadline = None;
                    self.on_timeout(kind);
                }
                _ => break,
            }
        }
        self.now = target;
        match input {
            Input::Tick => {}
            Input::CardPlaced => self.on_card_placed(),
            Input::CardRemoved => self.on_card_removed(),
            Input::CardResponse(response) => self.on_card_response(&response),
            Input::CardTransportFailed(error) => {
                if matches!(self.phase, Phase::Card(_)) {
                    self.fail(FailureReason::CardTransport(error));
                }
            }
            Input::CardFaceScanned(scan) => self.on_card_face_scanned(scan),
            Input::CameraFrames(frames) => self.on_camera_frames(&frames),
            Input::CameraFault(fault) => {
                if matches!(self.phase, Phase::Capturing) {
                    self.face_unavailable(FaceFailure::Camera(fault));
                }
            }
            Input::Touch(touch) => self.on_touch(touch),
            Input::PinEntered(pin) => {
                if matches!(self.phase, Phase::EnteringPin) {
                    self.visit.typed_pin = Zeroizing::new(String::new());
                    self.submit_pin(pin);
                } else {
                    self.out.push(Output::Refused(Refused::NotEnteringPin));
                }
            }
            Input::ModeChanged(mode) => self.on_mode_changed(mode),
            Input::StaffConfirmationAvailable => self.on_staff_confirmation_available(),
            Input::VisualConfirmation(answer) => self.on_visual_confirmation(answer),
            Input::FaceFailures { card, count } => self.on_face_failures(card, count),
            Input::Challenge(challenge) => self.on_challenge(challenge),
            Input::ServiceAnswer(answer) => self.on_service_answer(answer),
        }
        std::mem::take(&mut self.out)
    }

    // ---- plumbing -------------------------------------------------------------------------

    fn idle_screen(&self) -> PatientScreen {
        match (self.mode, self.staff_confirmation_available) {
            (ReaderMode::VisualCheck, false) => PatientScreen::VisualWaitingForStaff,
            (ReaderMode::VisualCheck, true) => PatientScreen::VisualPlaceCard,
            _ => PatientScreen::PlaceCard,
        }
    }

    fn show(&mut self, screen: PatientScreen) {
        if screen != self.screen {
            self.screen = screen.clone();
            self.out.push(Output::Screen(screen));
        }
    }

    fn set_deadline(&mut self, kind: Deadline) {
        let after = match kind {
            Deadline::Patient | Deadline::Staff => self.config.patient_timeout,
            Deadline::Card | Deadline::Scan | Deadline::Store => self.config.card_timeout,
            Deadline::Camera => self.config.camera_timeout,
            Deadline::Service | Deadline::StaffAnswer => self.config.service_timeout,
            Deadline::EndHold => self.config.end_screen_hold,
        };
        self.deadline = Some((self.now.saturating_add(after), kind));
    }

    /// Enters a phase that waits for the patient.
    fn wait_for_patient(&mut self, phase: Phase, screen: PatientScreen) {
        self.phase = phase;
        self.show(screen);
        self.set_deadline(Deadline::Patient);
    }

    /// Starts a card task: its first command goes out (or it is over at once).
    fn run(&mut self, task: CardTask) {
        self.advance_card(CardDialogue::start(task));
    }

    fn advance_card(&mut self, progress: Progress) {
        match progress {
            Progress::Send(dialogue, command) => {
                self.phase = Phase::Card(dialogue);
                self.out.push(Output::Transmit(command));
                self.set_deadline(Deadline::Card);
            }
            Progress::Done(finding) => self.on_finding(finding),
        }
    }

    fn on_card_response(&mut self, response: &[u8]) {
        let Phase::Card(dialogue) = std::mem::replace(&mut self.phase, Phase::Idle) else {
            return; // a stale answer: nothing was asked
        };
        self.deadline = None;
        self.advance_card(dialogue.on_response(response));
    }

    fn fail(&mut self, reason: FailureReason) {
        self.finish(CheckOutcome::Failed(reason));
    }

    fn finish(&mut self, outcome: CheckOutcome) {
        let visit = std::mem::take(&mut self.visit);
        let result = CheckResult {
            reader_name: self.config.reader_name.clone(),
            method: visit.method,
            outcome: outcome.clone(),
            consents: visit.consents,
            face_reports: visit.face_reports,
            card: visit.card,
            finished_at: self.wall_time(self.now),
        };
        self.out.push(Output::Result(Box::new(result)));
        let screen = match outcome {
            CheckOutcome::Completed => PatientScreen::Completed,
            CheckOutcome::Failed(reason) => PatientScreen::Failed {
                method: visit.method,
                reason,
            },
        };
        self.phase = Phase::Ended;
        self.show(screen);
        if self.card_present {
            self.deadline = None;
        } else {
            self.set_deadline(Deadline::EndHold);
        }
    }

    fn go_idle(&mut self) {
        self.phase = Phase::Idle;
        self.visit = Visit::default();
        self.deadline = None;
        let screen = self.idle_screen();
        self.show(screen);
    }

    fn on_timeout(&mut self, kind: Deadline) {
        match kind {
            Deadline::Patient => self.fail(FailureReason::PatientTimeout),
            Deadline::Staff | Deadline::StaffAnswer => {
                self.fail(FailureReason::StaffConfirmationMissing)
            }
            Deadline::Store => self.fail(FailureReason::MissingData(MissingData::FaceFailureCount)),
            Deadline::Card => self.fail(FailureReason::CardNoResponse),
            Deadline::Scan => self.card_face_unreadable(Some(CardFaceScanError::Unreadable)),
            Deadline::Camera => self.face_unavailable(FaceFailure::Camera(CameraFault::NoFrames)),
            Deadline::Service => self.fail(FailureReason::ServiceTimeout),
            Deadline::EndHold => self.go_idle(),
        }
    }

    // ---- patient touches ----------------------------------------------------------------------

    fn on_touch(&mut self, touch: Touch) {
        let buttons = self.screen.buttons();
        if !buttons.iter().any(|(_, shown)| *shown == touch) {
            let shown = buttons.into_iter().map(|(label, _)| label).collect();
            self.out
                .push(Output::Refused(Refused::ButtonNotShown { touch, shown }));
            return;
        }
        if touch == Touch::Cancel {
            self.fail(FailureReason::Cancelled);
            return;
        }
        // Any touch shows the patient is still there.
        if matches!(self.deadline, Some((_, Deadline::Patient))) {
            self.set_deadline(Deadline::Patient);
        }
        let at = self.wall_time(self.now);
        if let Phase::Consent(flow) = &mut self.phase {
            match flow.on_touch(touch, at) {
                Some(ConsentStep::Show(screen)) => self.show(screen),
                Some(ConsentStep::Done(consents)) => self.submit_check(consents),
                None => {}
            }
            return;
        }
        self.on_route_touch(touch);
    }

    // ---- consents and the check -----------------------------------------------------------

    fn ask_consents(&mut self) {
        let (flow, screen) = ConsentFlow::start(self.config.consent_screens);
        self.wait_for_patient(Phase::Consent(flow), screen);
    }

    fn submit_check(&mut self, consents: Consents) {
        self.visit.consents = Some(consents);
        let check = match (
            self.visit.proof.clone(),
            self.visit.auth_certificate.clone(),
        ) {
            (Some(proof), Some(auth_certificate)) => EligibilityCheck {
                auth_certificate,
                proof,
                consents,
                reader_name: self.config.reader_name.clone(),
                requested_at: self.wall_time(self.now),
            },
            (None, _) => return self.fail(FailureReason::MissingData(MissingData::IdentityProof)),
            (_, None) => {
                return self.fail(FailureReason::MissingData(MissingData::AuthCertificate))
            }
        };
        self.phase = Phase::WaitingForService;
        self.show(PatientScreen::PleaseWait);
        self.out.push(Output::SubmitCheck(Box::new(check)));
        self.set_deadline(Deadline::Service);
    }

    fn on_service_answer(&mut self, answer: ServiceAnswer) {
        if !matches!(self.phase, Phase::WaitingForService) {
            return;
        }
        self.deadline = None;
        match answer {
            ServiceAnswer::Accepted => self.finish(CheckOutcome::Completed),
            ServiceAnswer::Rejected { reason } => self.fail(FailureReason::ServiceRejected(reason)),
        }
    }
}
