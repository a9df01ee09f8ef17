//! The mock reader (`harness_reader::Reader`) through whole visits in which every card answer
//! comes from the fuzz input: made up (data + 90 00, raw bytes, bare status words — a JPEG 2000
//! "photo" of arbitrary bytes for the photo decoder), the true answer of yamada-taro's fixture
//! card, that answer truncated or with a bit flipped, a transport failure or a removal
//! mid-command. Once the fuzzed answers run out the true card answers, so visits get deep (PIN,
//! photo, signature) with damage where the input puts it. The patient's and the devices' actions
//! are fuzzed too (touches — any touch, or a button the screen shows —, PIN — the right one among
//! them —, the card-face scan — the right one among them —, camera frames and faults, mode
//! changes, the staff's tick on the terminal, the service's answers, time), and so are the
//! reader's settings (mode, face tries, lock threshold, consent screens before or since
//! 2024-10-07). The driver answers the reader's questions as the harness does: the face-failure
//! store (a fuzzed starting count, or a store that never answers) and the terminal's tick (handed
//! once, maybe given for another reader).
//!
//! Checked: no panic; the reader never sends an endless stream of commands for one input; a
//! visit yields at most one result per card placement; every screen renders; a touch is refused
//! exactly when the screen does not show its button, and a refused input changes nothing (no
//! other output, same screen and deadline); only patient inputs are refused; a face-failure count
//! the reader reports is for the card it asked about and is either 0 (a match) or one more than
//! the store's; a face proof is submitted only after a match in that visit; a staff-confirmation
//! proof is exactly a tick the terminal handed this reader in that visit; once the card is taken
//! away and an hour passes, the reader is idle.
#![no_main]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::protocol::IdentityProof;
use harness_face::{FaceMatcher, MatchDecision, MatchReport};
use harness_reader::{
    CameraFault, CardFaceScanError, CardKey, ConsentItem, ConsentScreens, FaceEngine, Input,
    Output, Pin, PrintedCardFace, Reader, ReaderConfig, ReaderCredentials, ReaderMode,
    SecurityCode, ServiceAnswer, Touch, VisualConfirmation,
};
use image::{Rgb, RgbImage};
use libfuzzer_sys::fuzz_target;
use virtual_card::Card;

const READER: &str = "Identiv CLOUD 3701 F Contactless Reader 0";

/// Decides from the first pixel's red value (a stand-in: the matcher is not under test here).
struct PixelMatcher;

impl FaceMatcher for PixelMatcher {
    fn compare(&self, _card_photo: &RgbImage, frames: &[RgbImage]) -> MatchReport {
        let red = frames
            .first()
            .and_then(|frame| frame.pixels().next())
            .map_or(0, |pixel| pixel.0[0]);
        let decision = match red % 6 {
            0 => MatchDecision::Match,
            1 => MatchDecision::NoMatch,
            2 => MatchDecision::NoFace,
            3 => MatchDecision::Occluded,
            4 => MatchDecision::PoorImage,
            _ => MatchDecision::NotLive,
        };
        MatchReport {
            decision,
            score: f32::from(red) / 255.0,
            threshold: 0.6,
        }
    }
}

fn template() -> &'static Card {
    static CARD: OnceLock<Card> = OnceLock::new();
    CARD.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/cards/yamada-taro.toml"
        );
        Card::load(std::path::Path::new(path)).expect("fixture card loads")
    })
}

fn credentials() -> &'static ReaderCredentials {
    static CREDENTIALS: OnceLock<ReaderCredentials> = OnceLock::new();
    CREDENTIALS.get_or_init(|| {
        ReaderCredentials::from_pem(
            include_str!("../../harness/reader/tests/data/reader.key.pem"),
            include_str!("../../harness/reader/tests/data/reader.crt.pem"),
        )
        .expect("reader test credentials")
    })
}

/// A card's answer to one command.
#[derive(Debug, Arbitrary)]
enum Answer {
    /// These bytes followed by 90 00.
    Data(Vec<u8>),
    /// Exactly these bytes (maybe no status word at all).
    Raw(Vec<u8>),
    /// Only a status word.
    Status(u8, u8),
    /// The fixture card's true answer.
    Card,
    /// The true answer cut to this many bytes (modulo its length + 1).
    CardTruncated(u16),
    /// The true answer with one bit flipped (byte index modulo its length, bit modulo 8).
    CardFlipped(u16, u8),
    /// The channel failed.
    TransportFailed,
    /// The card was taken off mid-command.
    Removed,
}

#[derive(Debug, Arbitrary)]
enum Action {
    CardPlaced,
    CardRemoved,
    /// Any touch, shown on the screen or not.
    Touch(u8, u8),
    /// The button at this index (modulo their count) of those the screen shows.
    Press(u8),
    PinEntered(String),
    /// yamada-taro's user-auth PIN.
    PinTrue,
    ScanOk {
        security_code: u16,
        expiry_year: u16,
        birth_days: u16,
    },
    /// The printed face of yamada-taro's card, read right.
    ScanTrue,
    ScanFailed(u8),
    Frames {
        red: u8,
        count: u8,
        width: u8,
        height: u8,
    },
    CameraFault(u8),
    Challenge(Vec<u8>),
    Accepted,
    Rejected(String),
    ModeChanged(u8),
    /// Staff tick 目視で本人確認完了 on the terminal (for this reader or another); the terminal
    /// tells the reader and hands the tick once when the reader asks.
    StaffTick {
        days_ago: u16,
        other_reader: bool,
    },
    /// The terminal's answer arrives unasked.
    VisualConfirmationUnasked {
        days_ago: u16,
        none: bool,
    },
    /// A face-failure count for the card last asked about: the late answer of a silent store,
    /// or unasked (then the reader must ignore it).
    StoreAnswer(u8),
    /// Time passes by this many seconds, then a tick.
    Wait(u16),
}

#[derive(Debug, Arbitrary)]
struct Visit {
    initial_mode: u8,
    face_tries: u8,
    face_lock: u8,
    /// Consent screens before 2024-10-07 (per item with 限度額) or since (全て / 個別).
    old_consent_screens: bool,
    /// The store's count for a card it has not seen yet.
    stored_face_failures: u8,
    /// The store never answers (the reader must give up on its own).
    store_silent: bool,
    actions: Vec<Action>,
    answers: Vec<Answer>,
}

fn touch(kind: u8, value: u8) -> Touch {
    let item = match value % 6 {
        0 => ConsentItem::Medication,
        1 => ConsentItem::HealthCheckups,
        2 => ConsentItem::Diagnosis,
        3 => ConsentItem::Operation,
        4 => ConsentItem::LimitApplication,
        _ => ConsentItem::DiagnosisAndMedication,
    };
    match kind % 10 {
        0 => Touch::ChooseFace,
        1 => Touch::ChoosePin,
        2 => Touch::Retry,
        3 => Touch::Digit(value),
        4 => Touch::Clear,
        5 => Touch::PinOk,
        6 => Touch::ConsentAll,
        7 => Touch::ConsentIndividually,
        8 => Touch::Consent {
            item,
            given: value & 0x80 != 0,
        },
        _ => Touch::Cancel,
    }
}

fn mode(byte: u8) -> ReaderMode {
    ReaderMode::ALL[usize::from(byte) % ReaderMode::ALL.len()]
}

struct Run {
    reader: Reader,
    card: Card,
    answers: VecDeque<Answer>,
    now: Duration,
    origin: NaiveDateTime,
    results_since_placed: usize,
    /// The facility's face-failure store.
    store: HashMap<CardKey, u32>,
    store_default: u32,
    store_silent: bool,
    /// The card the reader last asked the store about.
    asked_card: Option<CardKey>,
    /// The reader asked the store and got no answer yet.
    awaiting_store: bool,
    /// The terminal's tick for a reader, handed once when the reader asks.
    pending_tick: Option<VisualConfirmation>,
    /// Ticks handed to this reader since its last result.
    ticks_handed: Vec<VisualConfirmation>,
    /// A face comparison matched since the reader's last result.
    matched: bool,
}

impl Run {
    fn tick(&self, days_ago: u16, reader: &str) -> VisualConfirmation {
        let confirmed_at = self.origin + chrono::TimeDelta::from_std(self.now).unwrap_or_default();
        VisualConfirmation {
            reader: reader.to_owned(),
            account: "admin".to_owned(),
            confirmation_date: confirmed_at.date() - chrono::Days::new(u64::from(days_ago % 400)),
            confirmed_at,
        }
    }

    /// Feeds one input and answers what the reader asks of the card (from the fuzzed answers,
    /// then the true card), of the face-failure store and of the terminal, until it waits for
    /// the patient, a device or the service.
    fn pump(&mut self, input: Input) {
        let patient_input = matches!(input, Input::Touch(_) | Input::PinEntered(_));
        let touch = match &input {
            Input::Touch(touch) => Some(*touch),
            _ => None,
        };
        let screen_before = self.reader.screen().clone();
        let deadline_before = self.reader.next_deadline();
        let first = self.reader.handle(input, self.now);
        if let Some(touch) = touch {
            let shown = screen_before
                .buttons()
                .iter()
                .any(|(_, button)| *button == touch);
            let refused = first.iter().any(|o| matches!(o, Output::Refused(_)));
            assert_eq!(
                refused, !shown,
                "touch {touch:?} on {screen_before:?}: refused {refused}, shown {shown}"
            );
        }
        if first.iter().any(|o| matches!(o, Output::Refused(_))) {
            assert!(patient_input, "a non-patient input was refused: {first:?}");
            assert_eq!(first.len(), 1, "a refused input did more: {first:?}");
            assert_eq!(
                self.reader.screen(),
                &screen_before,
                "a refused input moved"
            );
            assert_eq!(
                self.reader.next_deadline(),
                deadline_before,
                "a refused input moved the deadline"
            );
        }
        let mut queue: VecDeque<Output> = first.into();
        let mut commands = 0usize;
        while let Some(output) = queue.pop_front() {
            match output {
                Output::Transmit(command) => {
                    commands += 1;
                    assert!(commands <= 4096, "endless commands, last {command:?}");
                    let truth = self.card.execute(&command.encode());
                    let next = match self.answers.pop_front() {
                        Some(Answer::Data(mut data)) => {
                            data.extend([0x90, 0x00]);
                            Input::CardResponse(data)
                        }
                        Some(Answer::Raw(bytes)) => Input::CardResponse(bytes),
                        Some(Answer::Status(sw1, sw2)) => Input::CardResponse(vec![sw1, sw2]),
                        Some(Answer::TransportFailed) => {
                            Input::CardTransportFailed("fuzzed failure".to_owned())
                        }
                        Some(Answer::Removed) => Input::CardRemoved,
                        Some(Answer::CardTruncated(len)) => {
                            let mut cut = truth;
                            cut.truncate(usize::from(len) % (cut.len() + 1));
                            Input::CardResponse(cut)
                        }
                        Some(Answer::CardFlipped(at, bit)) => {
                            let mut flipped = truth;
                            let len = flipped.len().max(1);
                            if let Some(byte) = flipped.get_mut(usize::from(at) % len) {
                                *byte ^= 1 << (bit % 8);
                            }
                            Input::CardResponse(flipped)
                        }
                        Some(Answer::Card) | None => Input::CardResponse(truth),
                    };
                    queue.extend(self.reader.handle(next, self.now));
                }
                Output::NeedFaceFailures(card) => {
                    self.asked_card = Some(card);
                    self.awaiting_store = self.store_silent;
                    if !self.store_silent {
                        let count = *self.store.entry(card).or_insert(self.store_default);
                        queue.extend(
                            self.reader
                                .handle(Input::FaceFailures { card, count }, self.now),
                        );
                    }
                }
                Output::FaceFailuresChanged { card, count } => {
                    assert_eq!(
                        Some(card),
                        self.asked_card,
                        "a count for a card the reader did not ask about"
                    );
                    let before = self.store.get(&card).copied().unwrap_or(self.store_default);
                    assert!(
                        count == 0 || count == before.saturating_add(1),
                        "face failures went from {before} to {count}"
                    );
                    self.store.insert(card, count);
                }
                Output::FaceCompared(attempt) => {
                    if attempt.report.decision == MatchDecision::Match {
                        self.matched = true;
                    }
                }
                Output::NeedVisualConfirmation => {
                    let answer = self.pending_tick.take();
                    if let Some(tick) = &answer {
                        if tick.reader == READER {
                            self.ticks_handed.push(tick.clone());
                        }
                    }
                    queue.extend(
                        self.reader
                            .handle(Input::VisualConfirmation(answer), self.now),
                    );
                }
                Output::SubmitCheck(check) => match &check.proof {
                    IdentityProof::ReaderAttestation { .. } => {
                        assert!(self.matched, "a face proof without a match");
                    }
                    IdentityProof::StaffConfirmation {
                        account,
                        reader,
                        confirmation_date,
                        confirmed_at,
                    } => {
                        assert!(
                            self.ticks_handed.iter().any(|tick| tick.account == *account
                                && tick.reader == *reader
                                && tick.confirmation_date == *confirmation_date
                                && tick.confirmed_at == *confirmed_at),
                            "a staff confirmation no tick was handed for: {:?}",
                            check.proof
                        );
                    }
                    IdentityProof::CardSignature { .. } => {}
                },
                Output::Result(_) => {
                    self.results_since_placed += 1;
                    assert!(self.results_since_placed <= 1, "two results for one card");
                    self.matched = false;
                    self.ticks_handed.clear();
                }
                Output::Screen(screen) => {
                    let _ = screen.render();
                }
                Output::Refused(refused) => {
                    let _ = refused.to_string();
                }
                Output::NeedCardFaceScan | Output::NeedCameraFrames | Output::NeedChallenge => {}
            }
        }
    }
}

fn run(visit: Visit) {
    let origin = NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid time");
    let mut config = ReaderConfig::new(READER, origin, credentials().clone());
    config.initial_mode = mode(visit.initial_mode);
    config.face_tries_per_visit = u32::from(visit.face_tries % 5);
    config.face_lock_threshold = u32::from(visit.face_lock % 12);
    if visit.old_consent_screens {
        config.consent_screens = ConsentScreens::PerItemWithLimit;
    }
    let mut run = Run {
        reader: Reader::new(config, FaceEngine::new(Arc::new(PixelMatcher))),
        card: template().clone(),
        answers: visit.answers.into(),
        now: Duration::ZERO,
        origin,
        results_since_placed: 0,
        store: HashMap::new(),
        store_default: u32::from(visit.stored_face_failures % 16),
        store_silent: visit.store_silent,
        asked_card: None,
        awaiting_store: false,
        pending_tick: None,
        ticks_handed: Vec::new(),
        matched: false,
    };
    for action in visit.actions.into_iter().take(48) {
        let input = match action {
            Action::CardPlaced => {
                if !run.reader.card_present() {
                    run.results_since_placed = 0;
                    run.card.reset();
                }
                Input::CardPlaced
            }
            Action::CardRemoved => Input::CardRemoved,
            Action::Touch(kind, value) => Input::Touch(touch(kind, value)),
            Action::Press(index) => {
                let buttons = run.reader.screen().buttons();
                let Some((_, touch)) = buttons.get(usize::from(index) % buttons.len().max(1))
                else {
                    continue;
                };
                Input::Touch(*touch)
            }
            Action::PinEntered(text) => Input::PinEntered(Pin::new(&text)),
            Action::PinTrue => Input::PinEntered(Pin::new("1234")),
            Action::ScanTrue => Input::CardFaceScanned(Ok(PrintedCardFace {
                birth_date: NaiveDate::from_ymd_opt(1980, 4, 1).expect("a valid date"),
                expiry_year: 2034,
                security_code: SecurityCode::new("2231").expect("four digits"),
            })),
            Action::ScanOk {
                security_code,
                expiry_year,
                birth_days,
            } => {
                let Some(code) = SecurityCode::new(&format!("{:04}", security_code % 10000)) else {
                    continue;
                };
                let birth = NaiveDate::from_ymd_opt(1900, 1, 1)
                    .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(birth_days))))
                    .expect("in range");
                Input::CardFaceScanned(Ok(PrintedCardFace {
                    birth_date: birth,
                    expiry_year: i32::from(expiry_year),
                    security_code: code,
                }))
            }
            Action::ScanFailed(byte) => Input::CardFaceScanned(Err(match byte % 3 {
                0 => CardFaceScanError::Sleeve,
                1 => CardFaceScanError::Glare,
                _ => CardFaceScanError::Unreadable,
            })),
            Action::Frames {
                red,
                count,
                width,
                height,
            } => Input::CameraFrames(vec![
                RgbImage::from_pixel(
                    u32::from(width % 33),
                    u32::from(height % 33),
                    Rgb([red, 128, 64])
                );
                usize::from(count % 5)
            ]),
            Action::CameraFault(byte) => Input::CameraFault(match byte % 3 {
                0 => CameraFault::Missing,
                1 => CameraFault::Disconnected,
                _ => CameraFault::NoFrames,
            }),
            Action::Challenge(bytes) => Input::Challenge(bytes),
            Action::Accepted => Input::ServiceAnswer(ServiceAnswer::Accepted),
            Action::Rejected(reason) => Input::ServiceAnswer(ServiceAnswer::Rejected { reason }),
            Action::ModeChanged(byte) => Input::ModeChanged(mode(byte)),
            Action::StaffTick {
                days_ago,
                other_reader,
            } => {
                let reader = if other_reader {
                    "Identiv CLOUD 3701 F Contactless Reader 1"
                } else {
                    READER
                };
                run.pending_tick = Some(run.tick(days_ago, reader));
                Input::StaffConfirmationAvailable
            }
            Action::VisualConfirmationUnasked { days_ago, none } => {
                // Unasked: the reader must ignore it (a tick it did not ask for is never used).
                Input::VisualConfirmation((!none).then(|| run.tick(days_ago, READER)))
            }
            Action::StoreAnswer(count) => {
                let Some(card) = run.asked_card else {
                    continue;
                };
                let count = u32::from(count);
                if run.awaiting_store {
                    // The store's late answer: from now on the store holds this count.
                    run.awaiting_store = false;
                    run.store.insert(card, count);
                }
                Input::FaceFailures { card, count }
            }
            Action::Wait(seconds) => {
                run.now += Duration::from_secs(u64::from(seconds));
                Input::Tick
            }
        };
        // Deadlines due now fire first, so the screen a touch is judged against is the one the
        // patient sees.
        run.pump(Input::Tick);
        run.pump(input);
        let _ = run.reader.screen().render();
    }
    // The patient takes the card and walks away: the reader must come back to idle.
    run.pump(Input::CardRemoved);
    run.now += Duration::from_secs(3600);
    run.pump(Input::Tick);
    run.now += Duration::from_secs(3600);
    run.pump(Input::Tick);
    assert!(
        run.reader.is_idle(),
        "not idle an hour after the card left: {}",
        run.reader.screen().render()
    );
}

fuzz_target!(|data: &[u8]| {
    let mut unstructured = Unstructured::new(data);
    if let Ok(visit) = Visit::arbitrary(&mut unstructured) {
        run(visit);
    }
});
