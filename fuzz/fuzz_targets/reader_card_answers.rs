//! The mock reader (`harness_reader::Reader`) through whole visits in which every card answer
//! comes from the fuzz input: made up (data + 90 00, raw bytes, bare status words — a JPEG 2000
//! "photo" of arbitrary bytes for the photo decoder), the true answer of yamada-taro's fixture
//! card, that answer truncated or with a bit flipped, a transport failure or a removal
//! mid-command. Once the fuzzed answers run out the true card answers, so visits get deep (PIN,
//! photo, signature) with damage where the input puts it. The patient's and the devices' actions
//! are fuzzed too (touches, PIN — the right one among them —, the card-face scan — the right one
//! among them —, camera frames and faults, mode changes, the service's answers, time).
//!
//! Checked: no panic; the reader never sends an endless stream of commands for one input; a
//! visit yields at most one result per card placement; every screen renders; once the card is
//! taken away and an hour passes, the reader is idle.
#![no_main]

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use chrono::NaiveDate;
use harness_face::{FaceMatcher, MatchDecision, MatchReport};
use harness_reader::{
    CameraFault, CardFaceScanError, ConsentItem, FaceEngine, Input, Output, Pin, PrintedCardFace,
    Reader, ReaderConfig, ReaderCredentials, ReaderMode, SecurityCode, ServiceAnswer, Touch,
    VisualConfirmation,
};
use image::{Rgb, RgbImage};
use libfuzzer_sys::fuzz_target;
use virtual_card::Card;

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
    Touch(u8, u8),
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
    VisualConfirmation {
        days_ago: u16,
    },
    /// Time passes by this many seconds, then a tick.
    Wait(u16),
}

#[derive(Debug, Arbitrary)]
struct Visit {
    initial_mode: u8,
    face_tries: u8,
    face_lock: u8,
    actions: Vec<Action>,
    answers: Vec<Answer>,
}

fn touch(kind: u8, value: u8) -> Touch {
    let item = match value % 4 {
        0 => ConsentItem::Medication,
        1 => ConsentItem::HealthCheckups,
        2 => ConsentItem::Diagnosis,
        _ => ConsentItem::Operation,
    };
    match kind % 8 {
        0 => Touch::ChooseFace,
        1 => Touch::ChoosePin,
        2 => Touch::Retry,
        3 => Touch::Digit(value),
        4 => Touch::Clear,
        5 => Touch::PinOk,
        6 => Touch::Consent {
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
    results_since_placed: usize,
}

impl Run {
    /// Feeds one input and answers every command from the fuzzed answers (then with 6A 82, file
    /// not found, once they run out).
    fn pump(&mut self, input: Input) {
        let mut queue: VecDeque<Output> = self.reader.handle(input, self.now).into();
        let mut commands = 0usize;
        while let Some(output) = queue.pop_front() {
            match output {
                Output::Transmit(command) => {
                    commands += 1;
                    assert!(commands <= 4096, "endless commands, last {command:?}");
                    let truth = self.card.execute(command.as_bytes());
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
                Output::Result(_) => {
                    self.results_since_placed += 1;
                    assert!(self.results_since_placed <= 1, "two results for one card");
                }
                Output::Screen(screen) => {
                    let _ = screen.render();
                }
                _ => {}
            }
        }
    }
}

fn run(visit: Visit) {
    let origin = NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid time");
    let mut config = ReaderConfig::new(
        "Identiv CLOUD 3701 F Contactless Reader 0",
        origin,
        credentials().clone(),
    );
    config.initial_mode = mode(visit.initial_mode);
    config.face_tries_per_visit = u32::from(visit.face_tries % 5);
    config.face_lock_threshold = u32::from(visit.face_lock % 12);
    let mut run = Run {
        reader: Reader::new(config, FaceEngine::new(Arc::new(PixelMatcher))),
        card: template().clone(),
        answers: visit.answers.into(),
        now: Duration::ZERO,
        results_since_placed: 0,
    };
    for action in visit.actions.into_iter().take(48) {
        let input = match action {
            Action::CardPlaced => {
                run.results_since_placed = 0;
                run.card.reset();
                Input::CardPlaced
            }
            Action::CardRemoved => Input::CardRemoved,
            Action::Touch(kind, value) => Input::Touch(touch(kind, value)),
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
            Action::VisualConfirmation { days_ago } => {
                let confirmed_at =
                    origin + chrono::TimeDelta::from_std(run.now).unwrap_or_default();
                Input::VisualConfirmation(VisualConfirmation {
                    account: "admin".to_owned(),
                    confirmation_date: confirmed_at.date()
                        - chrono::Days::new(u64::from(days_ago % 400)),
                    confirmed_at,
                })
            }
            Action::Wait(seconds) => {
                run.now += Duration::from_secs(u64::from(seconds));
                Input::Tick
            }
        };
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
