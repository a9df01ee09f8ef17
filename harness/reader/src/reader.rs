//! The reader's state machine.
//!
//! One visit = card placed → identity (face, PIN or staff) → consents → check submitted → end
//! screen. The reader talks to the card only through [`Output::Transmit`] /
//! [`Input::CardResponse`], one command at a time, so the same code runs against the in-process
//! card and a card behind pcscd.
//!
//! Counters: the card keeps its own PIN counter. The reader keeps consecutive face failures per
//! card, keyed by [`CardKey`] (SHA-256 of the user-auth certificate); a face match resets it, a
//! mode change or a new visit does not.

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDateTime;
use harness_eligibility::protocol::{
    Consent, Consents, EligibilityCheck, IdentityMethod, IdentityProof,
};
use harness_face::{MatchDecision, MatchReport};
use image::RgbImage;
use zeroize::Zeroizing;

use crate::apdu::{self, CommandApdu, StatusWord};
use crate::attestation::attestation_statement;
use crate::card_data::{self, PrintedCardFace};
use crate::config::{FaceEngine, ReaderConfig};
use crate::io::{
    CameraFault, CardFaceScanError, ConsentItem, FaceAttempt, Input, Output, Pin, ServiceAnswer,
    Touch, VisualConfirmation,
};
use crate::mode::ReaderMode;
use crate::result::{CardKey, CheckOutcome, CheckResult, FaceFailure, FailureReason, PinFailure};
use crate::screen::{Availability, PatientScreen};

/// Bytes asked for first when reading a BER-encoded file: enough for its tag and length.
const HEAD_LEN: usize = 8;
/// Largest file the reader reads (short READ BINARY offsets end at 0x7FFF).
const MAX_FILE_LEN: usize = 0x8000;

/// What the card says about its user-auth PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PinState {
    /// Tries left (1–3).
    Available(u8),
    /// Blocked (63C0 / 6984).
    Locked,
    /// No PIN on this card (face-only card: the PIN key EF is missing or refuses the query).
    NotSet,
}

impl PinState {
    fn availability(self) -> Availability {
        match self {
            Self::Available(_) => Availability::Offered,
            Self::Locked => Availability::Locked,
            Self::NotSet => Availability::NotOnCard,
        }
    }

    fn failure(self) -> Option<PinFailure> {
        match self {
            Self::Available(_) => None,
            Self::Locked => Some(PinFailure::Locked),
            Self::NotSet => Some(PinFailure::NotSet),
        }
    }
}

/// A file being read in chunks.
#[derive(Debug, Default)]
struct FileRead {
    data: Vec<u8>,
    total: Option<usize>,
    /// Bytes asked for by the last READ BINARY (0 before the first).
    requested: usize,
}

enum ReadProgress {
    Done(Vec<u8>),
    Next(CommandApdu),
    Malformed,
}

impl FileRead {
    fn first_command() -> Option<CommandApdu> {
        CommandApdu::read_binary(0, HEAD_LEN)
    }

    fn new() -> Self {
        Self {
            requested: HEAD_LEN,
            ..Self::default()
        }
    }

    fn advance(&mut self, chunk: &[u8]) -> ReadProgress {
        if chunk.len() > self.requested {
            return ReadProgress::Malformed;
        }
        self.data.extend_from_slice(chunk);
        if self.total.is_none() {
            match card_data::encoded_size(&self.data) {
                Ok(Some(total)) if total <= MAX_FILE_LEN => self.total = Some(total),
                _ => return ReadProgress::Malformed,
            }
        }
        let Some(total) = self.total else {
            return ReadProgress::Malformed;
        };
        if self.data.len() >= total {
            self.data.truncate(total);
            return ReadProgress::Done(std::mem::take(&mut self.data));
        }
        // A short read ends the file: it is shorter than its BER length says.
        if chunk.len() < self.requested {
            return ReadProgress::Malformed;
        }
        self.requested = (total - self.data.len()).min(256);
        match CommandApdu::read_binary(self.data.len(), self.requested) {
            Some(command) => ReadProgress::Next(command),
            None => ReadProgress::Malformed,
        }
    }
}

/// The command the reader is waiting on the card for.
#[derive(Debug)]
enum CardStep {
    SelectJpki,
    SelectAuthCert,
    ReadAuthCert(FileRead),
    SelectSignCert,
    SelectPinKey,
    QueryPin,
    SelectCardFaceAp,
    SelectCollationKeyB,
    VerifyCollationB,
    SelectCardFaceRecord,
    ReadCardFaceRecord(FileRead),
    SelectJpkiForPin,
    SelectPinKeyForVerify,
    VerifyPin,
    SelectAuthKey,
    Sign,
}

impl CardStep {
    /// What the reader was doing, for failure reports.
    fn label(&self) -> &'static str {
        match self {
            Self::SelectJpki | Self::SelectJpkiForPin => "JPKI AP選択",
            Self::SelectAuthCert | Self::ReadAuthCert(_) => "利用者証明用証明書読取",
            Self::SelectSignCert => "署名用証明書確認",
            Self::SelectPinKey | Self::QueryPin => "暗証番号状態確認",
            Self::SelectCardFaceAp => "券面AP選択",
            Self::SelectCollationKeyB | Self::VerifyCollationB => "照合番号B照合",
            Self::SelectCardFaceRecord | Self::ReadCardFaceRecord(_) => "券面読取",
            Self::SelectPinKeyForVerify | Self::VerifyPin => "暗証番号照合",
            Self::SelectAuthKey | Self::Sign => "署名",
        }
    }
}

/// Where the reader is.
#[derive(Debug)]
enum Phase {
    /// No visit: the idle screen for the mode.
    Idle,
    /// 目視確認: the card is on the reader, staff have not confirmed yet.
    WaitingForStaff,
    /// Waiting for the card's answer.
    Card(CardStep),
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
    Consent,
    /// Waiting for the service's answer to the check.
    WaitingForService,
    /// An end screen is shown.
    Ended,
}

/// Why a deadline is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deadline {
    Patient,
    Staff,
    Card,
    Scan,
    Camera,
    Service,
    EndHold,
}

/// Everything about the current visit.
#[derive(Default)]
struct Visit {
    mode: ReaderMode,
    confirmation: Option<VisualConfirmation>,
    auth_certificate: Vec<u8>,
    card: Option<CardKey>,
    signature_certificate_present: bool,
    pin: Option<PinState>,
    method: Option<IdentityMethod>,
    face_tries_used: u32,
    face_blocked: Option<FaceFailure>,
    photo: Option<RgbImage>,
    face_reports: Vec<MatchReport>,
    collation_b: Option<Zeroizing<Vec<u8>>>,
    typed_pin: Zeroizing<String>,
    pending_pin: Option<Pin>,
    challenge: Option<Vec<u8>>,
    proof: Option<IdentityProof>,
    answers: [Option<Consent>; 4],
}

impl Visit {
    fn pin_state(&self) -> PinState {
        self.pin.unwrap_or(PinState::NotSet)
    }

    fn pin_offered(&self) -> bool {
        matches!(self.pin, Some(PinState::Available(_)))
    }

    fn consent_answers(&self) -> [Option<bool>; 4] {
        self.answers
            .map(|answer| answer.map(|consent| consent.given))
    }

    fn consents(&self) -> Option<Consents> {
        let [Some(medication), Some(health_checkups), Some(diagnosis), Some(operation)] =
            self.answers
        else {
            return None;
        };
        Some(Consents {
            medication,
            health_checkups,
            diagnosis,
            operation,
        })
    }
}

/// The mock face-recognition card reader (顔認証付きカードリーダー).
pub struct Reader {
    config: ReaderConfig,
    face: FaceEngine,
    mode: ReaderMode,
    pending_confirmation: Option<VisualConfirmation>,
    face_failures: HashMap<CardKey, u32>,
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
            pending_confirmation: None,
            face_failures: HashMap::new(),
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

    /// Consecutive face failures recorded for a card.
    pub fn face_failures(&self, card: &CardKey) -> u32 {
        self.face_failures.get(card).copied().unwrap_or(0)
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
                }
            }
            Input::ModeChanged(mode) => self.on_mode_changed(mode),
            Input::VisualConfirmation(confirmation) => self.on_visual_confirmation(confirmation),
            Input::Challenge(challenge) => self.on_challenge(challenge),
            Input::ServiceAnswer(answer) => self.on_service_answer(answer),
        }
        std::mem::take(&mut self.out)
    }

    // ---- plumbing -------------------------------------------------------------------------

    fn idle_screen(&self) -> PatientScreen {
        match (self.mode, &self.pending_confirmation) {
            (ReaderMode::VisualCheck, None) => PatientScreen::VisualWaitingForStaff,
            (ReaderMode::VisualCheck, Some(_)) => PatientScreen::VisualPlaceCard,
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
            Deadline::Card | Deadline::Scan => self.config.card_timeout,
            Deadline::Camera => self.config.camera_timeout,
            Deadline::Service => self.config.service_timeout,
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

    fn transmit(&mut self, step: CardStep, command: CommandApdu) {
        self.phase = Phase::Card(step);
        self.out.push(Output::Transmit(command));
        self.set_deadline(Deadline::Card);
    }

    fn card_error(&mut self, step: &CardStep, status: Option<StatusWord>) {
        let step = step.label();
        self.fail(FailureReason::CardError { step, status });
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
            consents: visit.consents(),
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
            Deadline::Staff => self.fail(FailureReason::StaffConfirmationMissing),
            Deadline::Card => self.fail(FailureReason::CardNoResponse),
            Deadline::Scan => self.card_face_unreadable(Some(CardFaceScanError::Unreadable)),
            Deadline::Camera => self.face_unavailable(FaceFailure::Camera(CameraFault::NoFrames)),
            Deadline::Service => self.fail(FailureReason::ServiceTimeout),
            Deadline::EndHold => self.go_idle(),
        }
    }

    // ---- card on / off, mode, staff --------------------------------------------------------

    fn on_card_placed(&mut self) {
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
        if self.mode == ReaderMode::VisualCheck {
            match self.pending_confirmation.take() {
                Some(confirmation) => {
                    self.visit.confirmation = Some(confirmation);
                    self.visit.method = Some(IdentityMethod::Visual);
                }
                None => {
                    self.phase = Phase::WaitingForStaff;
                    self.show(PatientScreen::VisualWaitingForStaff);
                    self.set_deadline(Deadline::Staff);
                    return;
                }
            }
        }
        self.show(PatientScreen::ReadingCard);
        self.transmit(
            CardStep::SelectJpki,
            CommandApdu::select_df(&apdu::AID_JPKI),
        );
    }

    fn on_card_removed(&mut self) {
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

    fn on_mode_changed(&mut self, mode: ReaderMode) {
        self.mode = mode;
        if mode != ReaderMode::VisualCheck {
            self.pending_confirmation = None;
        }
        match self.phase {
            Phase::Idle => {
                let screen = self.idle_screen();
                self.show(screen);
            }
            // The card already waits on the reader: start over in the new mode.
            Phase::WaitingForStaff if mode != ReaderMode::VisualCheck => self.start_visit(),
            // A running visit finishes in the mode it started in.
            _ => {}
        }
    }

    fn on_visual_confirmation(&mut self, confirmation: VisualConfirmation) {
        if self.mode != ReaderMode::VisualCheck {
            return;
        }
        self.pending_confirmation = Some(confirmation);
        match self.phase {
            Phase::Idle => {
                let screen = self.idle_screen();
                self.show(screen);
            }
            Phase::WaitingForStaff => self.start_visit(),
            _ => {}
        }
    }

    // ---- card answers ------------------------------------------------------------------------

    fn on_card_response(&mut self, response: &[u8]) {
        let Phase::Card(step) = std::mem::replace(&mut self.phase, Phase::Idle) else {
            return; // a stale answer: nothing was asked
        };
        self.deadline = None;
        let Some((data, status)) = apdu::split_response(response) else {
            self.card_error(&step, None);
            return;
        };
        match step {
            CardStep::SelectJpki => match status {
                StatusWord::OK => self.transmit(
                    CardStep::SelectAuthCert,
                    CommandApdu::select_ef(apdu::EF_JPKI_AUTH_CERT),
                ),
                StatusWord::NOT_FOUND => self.fail(FailureReason::NotAMyNumberCard),
                other => self.card_error(&step, Some(other)),
            },
            CardStep::SelectAuthCert => match (status, FileRead::first_command()) {
                (StatusWord::OK, Some(read)) => {
                    self.transmit(CardStep::ReadAuthCert(FileRead::new()), read)
                }
                (other, _) => self.card_error(&step, Some(other)),
            },
            CardStep::ReadAuthCert(mut read) => {
                if !status.is_ok() {
                    self.card_error(&CardStep::ReadAuthCert(read), Some(status));
                    return;
                }
                match read.advance(data) {
                    ReadProgress::Next(command) => {
                        self.transmit(CardStep::ReadAuthCert(read), command)
                    }
                    ReadProgress::Malformed => self.card_error(&CardStep::ReadAuthCert(read), None),
                    ReadProgress::Done(certificate) => {
                        self.visit.card = Some(CardKey::from_auth_certificate(&certificate));
                        self.visit.auth_certificate = certificate;
                        self.transmit(
                            CardStep::SelectSignCert,
                            CommandApdu::select_ef(apdu::EF_JPKI_SIGN_CERT),
                        );
                    }
                }
            }
            CardStep::SelectSignCert => {
                match status {
                    StatusWord::OK => self.visit.signature_certificate_present = true,
                    StatusWord::NOT_FOUND => self.visit.signature_certificate_present = false,
                    other => return self.card_error(&step, Some(other)),
                }
                self.transmit(
                    CardStep::SelectPinKey,
                    CommandApdu::select_ef(apdu::EF_JPKI_AUTH_PIN),
                );
            }
            CardStep::SelectPinKey => match status {
                StatusWord::OK => self.transmit(CardStep::QueryPin, CommandApdu::verify_query()),
                StatusWord::NOT_FOUND => {
                    self.visit.pin = Some(PinState::NotSet);
                    self.after_probe();
                }
                other => self.card_error(&step, Some(other)),
            },
            CardStep::QueryPin => {
                self.visit.pin = Some(match (status.tries_left(), status) {
                    (Some(0), _) => PinState::Locked,
                    (Some(tries), _) => PinState::Available(tries),
                    // Blocked. A card without a signature certificate that refuses the PIN
                    // outright is a face-only card (no PIN was ever set).
                    (None, StatusWord::BLOCKED | StatusWord::AUTH_BLOCKED) => PinState::Locked,
                    (None, StatusWord::OK) => return self.card_error(&step, Some(status)),
                    // 6A88 reference data not found, 6A82, 6982, 6985 …: no usable PIN here.
                    (None, _) => PinState::NotSet,
                });
                self.after_probe();
            }
            CardStep::SelectCardFaceAp => match status {
                StatusWord::OK => self.transmit(
                    CardStep::SelectCollationKeyB,
                    CommandApdu::select_ef(apdu::EF_CARD_FACE_KEY_B),
                ),
                StatusWord::NOT_FOUND => self.face_unavailable(FaceFailure::NoPhoto),
                other => self.card_error(&step, Some(other)),
            },
            CardStep::SelectCollationKeyB => match (status, self.visit.collation_b.take()) {
                (StatusWord::OK, Some(number)) => self.transmit(
                    CardStep::VerifyCollationB,
                    CommandApdu::verify(number.as_slice()),
                ),
                (other, _) => self.card_error(&step, Some(other)),
            },
            CardStep::VerifyCollationB => match (status, status.tries_left()) {
                (StatusWord::OK, _) => self.transmit(
                    CardStep::SelectCardFaceRecord,
                    CommandApdu::select_ef(apdu::EF_CARD_FACE_RECORD),
                ),
                (_, Some(0)) | (StatusWord::BLOCKED | StatusWord::AUTH_BLOCKED, _) => {
                    self.face_unavailable(FaceFailure::CardFaceLocked)
                }
                // The number read off the card face is wrong: a misread.
                (_, Some(_)) => self.card_face_unreadable(None),
                (other, None) => self.card_error(&step, Some(other)),
            },
            CardStep::SelectCardFaceRecord => match (status, FileRead::first_command()) {
                (StatusWord::OK, Some(read)) => {
                    self.transmit(CardStep::ReadCardFaceRecord(FileRead::new()), read)
                }
                (other, _) => self.card_error(&step, Some(other)),
            },
            CardStep::ReadCardFaceRecord(mut read) => {
                if !status.is_ok() {
                    self.card_error(&CardStep::ReadCardFaceRecord(read), Some(status));
                    return;
                }
                match read.advance(data) {
                    ReadProgress::Next(command) => {
                        self.transmit(CardStep::ReadCardFaceRecord(read), command)
                    }
                    ReadProgress::Malformed => {
                        self.card_error(&CardStep::ReadCardFaceRecord(read), None)
                    }
                    ReadProgress::Done(record) => self.on_card_face_record(&record),
                }
            }
            CardStep::SelectJpkiForPin => match status {
                StatusWord::OK => self.transmit(
                    CardStep::SelectPinKeyForVerify,
                    CommandApdu::select_ef(apdu::EF_JPKI_AUTH_PIN),
                ),
                other => self.card_error(&step, Some(other)),
            },
            CardStep::SelectPinKeyForVerify => match (status, self.visit.pending_pin.take()) {
                (StatusWord::OK, Some(pin)) => {
                    self.transmit(CardStep::VerifyPin, CommandApdu::verify(pin.as_bytes()))
                }
                (StatusWord::NOT_FOUND, _) => {
                    self.visit.pin = Some(PinState::NotSet);
                    self.fail(FailureReason::Pin(PinFailure::NotSet));
                }
                (other, _) => self.card_error(&step, Some(other)),
            },
            CardStep::VerifyPin => match (status, status.tries_left()) {
                (StatusWord::OK, _) => self.with_challenge(),
                (_, Some(0)) | (StatusWord::BLOCKED | StatusWord::AUTH_BLOCKED, _) => {
                    self.visit.pin = Some(PinState::Locked);
                    self.fail(FailureReason::Pin(PinFailure::Locked));
                }
                (_, Some(tries)) => {
                    self.visit.pin = Some(PinState::Available(tries));
                    self.wait_for_patient(
                        Phase::EnteringPin,
                        PatientScreen::EnterPin {
                            tries_left: tries,
                            typed: 0,
                            last_wrong: true,
                            malformed: false,
                        },
                    );
                }
                (other, None) => self.card_error(&step, Some(other)),
            },
            CardStep::SelectAuthKey => {
                let challenge = self.visit.challenge.clone().unwrap_or_default();
                match status {
                    StatusWord::OK => self.transmit(
                        CardStep::Sign,
                        CommandApdu::compute_signature(&card_data::sha256_digest_info(&challenge)),
                    ),
                    other => self.card_error(&step, Some(other)),
                }
            }
            CardStep::Sign => {
                if !status.is_ok() || data.is_empty() {
                    self.card_error(&step, Some(status));
                    return;
                }
                let challenge = self.visit.challenge.clone().unwrap_or_default();
                self.visit.proof = Some(IdentityProof::CardSignature {
                    challenge,
                    signature: data.to_vec(),
                });
                self.ask_consents();
            }
        }
    }

    /// The card is read: decide what the patient can do.
    fn after_probe(&mut self) {
        let pin = self.visit.pin_state();
        match self.visit.mode {
            ReaderMode::VisualCheck => {
                if let Some(confirmation) = self.visit.confirmation.clone() {
                    self.visit.proof = Some(IdentityProof::StaffConfirmation {
                        account: confirmation.account,
                        reader: self.config.reader_name.clone(),
                        confirmation_date: confirmation.confirmation_date,
                        confirmed_at: confirmation.confirmed_at,
                    });
                    self.ask_consents();
                } else {
                    self.fail(FailureReason::StaffConfirmationMissing);
                }
            }
            ReaderMode::PinOnly => {
                self.visit.method = Some(IdentityMethod::Pin);
                match pin {
                    PinState::Available(tries) => self.enter_pin(tries),
                    PinState::Locked => self.fail(FailureReason::Pin(PinFailure::Locked)),
                    PinState::NotSet => self.fail(FailureReason::Pin(PinFailure::NotSet)),
                }
            }
            ReaderMode::Unattended => {
                let face_locked = self.face_locked();
                match (face_locked, pin.failure()) {
                    (true, Some(pin)) => self.fail(FailureReason::NoMethodAvailable {
                        face: FaceFailure::Locked,
                        pin,
                    }),
                    _ => self.show_method_choice(),
                }
            }
        }
    }

    fn face_locked(&self) -> bool {
        self.visit
            .card
            .is_some_and(|card| self.face_failures(&card) >= self.config.face_lock_threshold)
    }

    fn show_method_choice(&mut self) {
        let face = if self.face_locked() {
            Availability::Locked
        } else {
            Availability::Offered
        };
        let pin = self.visit.pin_state().availability();
        self.wait_for_patient(
            Phase::ChoosingMethod,
            PatientScreen::ChooseMethod { face, pin },
        );
    }

    // ---- patient touches ----------------------------------------------------------------------

    fn on_touch(&mut self, touch: Touch) {
        let waits_for_patient = matches!(
            self.phase,
            Phase::WaitingForStaff
                | Phase::ChoosingMethod
                | Phase::CardFaceUnreadable
                | Phase::FaceFailed
                | Phase::EnteringPin
                | Phase::Consent
        );
        // ［中止］ also shows while the card face is scanned and while the camera looks.
        let cancellable =
            waits_for_patient || matches!(self.phase, Phase::ScanningCardFace | Phase::Capturing);
        if touch == Touch::Cancel && cancellable {
            self.fail(FailureReason::Cancelled);
            return;
        }
        if !waits_for_patient {
            return;
        }
        // Any touch shows the patient is still there.
        if matches!(self.deadline, Some((_, Deadline::Patient))) {
            self.set_deadline(Deadline::Patient);
        }
        match (&self.phase, touch) {
            (Phase::ChoosingMethod, Touch::ChooseFace) if !self.face_locked() => {
                self.start_face();
            }
            (
                Phase::ChoosingMethod | Phase::CardFaceUnreadable | Phase::FaceFailed,
                Touch::ChoosePin,
            ) => {
                if let PinState::Available(tries) = self.visit.pin_state() {
                    self.visit.method = Some(IdentityMethod::Pin);
                    self.enter_pin(tries);
                }
            }
            (Phase::CardFaceUnreadable, Touch::Retry | Touch::ChooseFace) => self.scan_card_face(),
            (Phase::FaceFailed, Touch::Retry | Touch::ChooseFace) => {
                let tries_left = self
                    .config
                    .face_tries_per_visit
                    .saturating_sub(self.visit.face_tries_used);
                if tries_left > 0 && self.visit.face_blocked.is_none() && !self.face_locked() {
                    self.capture();
                }
            }
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
            (Phase::Consent, Touch::Consent { item, given }) => {
                let at = self.wall_time(self.now);
                if let Some(slot) = self.visit.answers.get_mut(item.index()) {
                    *slot = Some(Consent { given, at });
                }
                if self.visit.consents().is_some() {
                    self.submit_check();
                } else {
                    let answers = self.visit.consent_answers();
                    self.show(PatientScreen::Consent { answers });
                }
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

    fn card_face_unreadable(&mut self, cause: Option<CardFaceScanError>) {
        let pin_offered = self.visit.pin_offered();
        self.wait_for_patient(
            Phase::CardFaceUnreadable,
            PatientScreen::CardFaceUnreadable { cause, pin_offered },
        );
    }

    fn on_card_face_scanned(&mut self, scan: Result<PrintedCardFace, CardFaceScanError>) {
        if !matches!(self.phase, Phase::ScanningCardFace) {
            return;
        }
        self.deadline = None;
        let number = match scan {
            Ok(face) => face.collation_number_b(),
            Err(cause) => return self.card_face_unreadable(Some(cause)),
        };
        match number {
            Some(number) => {
                self.visit.collation_b = Some(number);
                self.transmit(
                    CardStep::SelectCardFaceAp,
                    CommandApdu::select_df(&apdu::AID_CARD_FACE),
                );
            }
            None => self.card_face_unreadable(Some(CardFaceScanError::Unreadable)),
        }
    }

    fn on_card_face_record(&mut self, record: &[u8]) {
        match card_data::card_face_photo(record) {
            Err(_) => self.fail(FailureReason::CardError {
                step: "券面読取",
                status: None,
            }),
            Ok(None) => self.face_unavailable(FaceFailure::NoPhoto),
            Ok(Some(photo)) => match self.face.photo_decoder.decode(&photo) {
                Ok(image) => {
                    self.visit.photo = Some(image);
                    self.with_challenge();
                }
                Err(_) => self.face_unavailable(FaceFailure::PhotoUnreadable),
            },
        }
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

    fn on_camera_frames(&mut self, frames: &[RgbImage]) {
        if !matches!(self.phase, Phase::Capturing) {
            return;
        }
        self.deadline = None;
        if frames.is_empty() {
            self.face_unavailable(FaceFailure::Camera(CameraFault::NoFrames));
            return;
        }
        let Some(photo) = self.visit.photo.as_ref() else {
            self.face_unavailable(FaceFailure::PhotoUnreadable);
            return;
        };
        let report = self.face.matcher.compare(photo, frames);
        let card = self.visit.card;
        let failures = if report.decision == MatchDecision::Match {
            if let Some(card) = card {
                self.face_failures.remove(&card);
            }
            0
        } else {
            match card {
                Some(card) => {
                    let count = self.face_failures.entry(card).or_insert(0);
                    *count = count.saturating_add(1);
                    *count
                }
                None => 0,
            }
        };
        self.visit.face_reports.push(report.clone());
        self.out.push(Output::FaceCompared(FaceAttempt {
            try_number: self.visit.face_tries_used,
            consecutive_failures: failures,
            report: report.clone(),
        }));
        if report.decision == MatchDecision::Match {
            self.attest_face_match(report.score);
            return;
        }
        if self.face_locked() {
            self.face_unavailable(FaceFailure::Locked);
            return;
        }
        let tries_left = self
            .config
            .face_tries_per_visit
            .saturating_sub(self.visit.face_tries_used);
        let pin_offered = self.visit.pin_offered();
        if tries_left == 0 && !pin_offered {
            self.fail(FailureReason::Face(FaceFailure::NotRecognised(
                report.decision,
            )));
            return;
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
    fn face_unavailable(&mut self, failure: FaceFailure) {
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

    // ---- PIN route ----------------------------------------------------------------------------

    fn enter_pin(&mut self, tries_left: u8) {
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

    fn submit_pin(&mut self, pin: Pin) {
        if !pin.is_well_formed() {
            self.show_pin_pad(false, true);
            return;
        }
        self.visit.pending_pin = Some(pin);
        self.show(PatientScreen::PleaseWait);
        self.transmit(
            CardStep::SelectJpkiForPin,
            CommandApdu::select_df(&apdu::AID_JPKI),
        );
    }

    // ---- challenge, consents, check -----------------------------------------------------------

    fn request_challenge(&mut self) {
        self.phase = Phase::WaitingForChallenge;
        self.show(PatientScreen::PleaseWait);
        self.out.push(Output::NeedChallenge);
        self.set_deadline(Deadline::Service);
    }

    fn on_challenge(&mut self, challenge: Vec<u8>) {
        if !matches!(self.phase, Phase::WaitingForChallenge) {
            return;
        }
        self.deadline = None;
        if challenge.is_empty() {
            self.fail(FailureReason::ServiceRejected("empty challenge".into()));
            return;
        }
        self.visit.challenge = Some(challenge);
        self.after_challenge();
    }

    /// The challenge is there: the PIN route has the card sign it; the face route captures (the
    /// attestation is signed at the match, so its time lies inside the challenge's lifetime).
    fn after_challenge(&mut self) {
        match self.visit.method {
            Some(IdentityMethod::Pin) => self.transmit(
                CardStep::SelectAuthKey,
                CommandApdu::select_ef(apdu::EF_JPKI_AUTH_KEY),
            ),
            Some(IdentityMethod::Face) => self.capture(),
            Some(IdentityMethod::Visual) | None => self.fail(FailureReason::ServiceRejected(
                "unexpected challenge".into(),
            )),
        }
    }

    /// Identity confirmed on the PIN route (after VERIFY) or before capture on the face route:
    /// use the visit's challenge, or ask the service for one.
    fn with_challenge(&mut self) {
        if self.visit.challenge.is_some() {
            self.after_challenge();
        } else {
            self.request_challenge();
        }
    }

    /// The face matched: sign the reader's attestation over the challenge and the card.
    fn attest_face_match(&mut self, score: f32) {
        let Some(challenge) = self.visit.challenge.clone() else {
            self.fail(FailureReason::AttestationFailed("no challenge".into()));
            return;
        };
        let statement = attestation_statement(
            &challenge,
            &self.visit.auth_certificate,
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

    fn ask_consents(&mut self) {
        self.visit.answers = [None; 4];
        self.wait_for_patient(
            Phase::Consent,
            PatientScreen::Consent { answers: [None; 4] },
        );
    }

    fn submit_check(&mut self) {
        let (Some(consents), Some(proof)) = (self.visit.consents(), self.visit.proof.clone())
        else {
            return;
        };
        let check = EligibilityCheck {
            auth_certificate: self.visit.auth_certificate.clone(),
            proof,
            consents,
            reader_name: self.config.reader_name.clone(),
            requested_at: self.wall_time(self.now),
        };
        self.phase = Phase::WaitingForService;
        let answers = self.visit.consent_answers();
        self.show(PatientScreen::Consent { answers });
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

/// Consent items for a touch sequence, in screen order: (item, given).
pub fn consent_touches(given: [bool; 4]) -> Vec<Touch> {
    ConsentItem::ALL
        .iter()
        .zip(given)
        .map(|(item, given)| Touch::Consent { item: *item, given })
        .collect()
}
