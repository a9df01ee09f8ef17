//! Test bench: the reader driven against the in-process virtual card engine, a fake face matcher
//! that decides from the colour of the frames, and a clock the tests own.

#![allow(dead_code)]

pub mod counter;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::protocol::EligibilityCheck;
use harness_face::{FaceMatcher, MatchDecision, MatchReport};
use harness_reader::{
    consent_touches, run_until_idle, CardKey, CheckResult, ConsentScreens, ConsentWishes, Exchange,
    FaceEngine, Input, Output, PrintedCardFace, Reader, ReaderConfig, ReaderCredentials,
    SecurityCode, ServiceAnswer, Touch, VisualConfirmation,
};
use harness_transport::{CardChannel, TransportError};
use image::{Rgb, RgbImage};
use rsa::pkcs8::DecodePrivateKey;
use rsa::PrivateKey;
use virtual_card::Secret;
use virtual_card::{Card, CardData, CardKind, Holder, IssuedPins, KeyMaterial, Sex};

pub const AUTH_PIN: &str = "1234";
pub const READER_0: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
pub const READER_1: &str = "Identiv CLOUD 3701 F Contactless Reader 1";
pub const BIRTH: (i32, u32, u32) = (1985, 11, 2);
pub const EXPIRY_YEAR: i32 = 2034;
pub const SECURITY_CODE: &str = "4821";
pub const CHALLENGE: &[u8] = b"service-challenge-0001";

/// Frame colours the fake matcher understands.
pub const HOLDER: [u8; 3] = [0, 200, 0];
pub const STRANGER: [u8; 3] = [200, 0, 0];
pub const NOBODY: [u8; 3] = [0, 0, 0];
pub const BANDAGE: [u8; 3] = [0, 0, 200];
pub const BACKLIGHT: [u8; 3] = [255, 255, 255];
pub const PRINTED_PHOTO: [u8; 3] = [200, 0, 200];

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read_text(name: &str) -> String {
    std::fs::read_to_string(data_path(name)).expect("test data")
}

pub fn pem_der(name: &str) -> Vec<u8> {
    der::pem::decode_vec(read_text(name).as_bytes())
        .expect("PEM")
        .1
}

pub fn card_key() -> PrivateKey {
    PrivateKey::from_pkcs8_der(&pem_der("card-auth.key.pem")).expect("card key")
}

/// The key by which the reader knows the fixture card (from its user-auth certificate).
pub fn card_key_of_fixture() -> CardKey {
    CardKey::from_auth_certificate(&pem_der("card-auth.crt.pem"))
}

pub fn reader_credentials() -> ReaderCredentials {
    ReaderCredentials::from_pem(&read_text("reader.key.pem"), &read_text("reader.crt.pem"))
        .expect("reader credentials")
}

pub fn card_photo() -> Vec<u8> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/faces/yamada-taro.jp2");
    std::fs::read(path).expect("fixture photo")
}

/// A card as the virtual-card engine builds it.
pub fn card_data(kind: CardKind) -> CardData {
    let key = card_key();
    let cert_der = pem_der("card-auth.crt.pem");
    let material = KeyMaterial {
        cert_der: cert_der.clone(),
        ca_cert_der: cert_der,
        key,
    };
    let (birth, photo) = match kind {
        CardKind::Infant => (date(2026, 4, 1), None),
        _ => (date(BIRTH.0, BIRTH.1, BIRTH.2), Some(card_photo())),
    };
    let pins = match kind {
        CardKind::FaceOnly => IssuedPins::default(),
        _ => IssuedPins {
            auth: Some(Secret::new(AUTH_PIN.into())),
            sign: Some(Secret::new("ABC123".into())),
            text: Some(Secret::new("1234".into())),
        },
    };
    CardData {
        atr: virtual_card::Atr::default(),
        kind,
        holder: Holder {
            my_number: virtual_card::MyNumber::new("123456789018"),
            name: "山田　太郎".into(),
            address: "東京都千代田区千代田1-1".into(),
            birth,
            sex: Sex::Male,
        },
        expiry: date(EXPIRY_YEAR, 11, 2),
        security_code: Secret::new(SECURITY_CODE.into()),
        photo,
        sign: (kind != CardKind::FaceOnly).then(|| material.clone()),
        auth: material,
        pins,
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn clock_origin() -> NaiveDateTime {
    date(2026, 11, 25).and_hms_opt(9, 0, 0).expect("time")
}

/// The printed card face as the optical scan reads it.
pub fn printed_face(kind: CardKind) -> PrintedCardFace {
    let birth = match kind {
        CardKind::Infant => date(2026, 4, 1),
        _ => date(BIRTH.0, BIRTH.1, BIRTH.2),
    };
    PrintedCardFace {
        birth_date: birth,
        expiry_year: EXPIRY_YEAR,
        security_code: SecurityCode::new(SECURITY_CODE).expect("code"),
    }
}

/// The virtual card engine behind a card channel; `present` says whether it lies on the reader.
pub struct EngineChannel {
    pub card: Card,
    pub present: bool,
}

impl CardChannel for EngineChannel {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        if self.present {
            Ok(self.card.atr().to_vec())
        } else {
            Err(TransportError::NoCard)
        }
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.present {
            Ok(self.card.execute(command))
        } else {
            Err(TransportError::NoCard)
        }
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card.reset();
        Ok(())
    }
}

/// Decides from the colour of the first frame (a test double, not a matcher).
pub struct ColourMatcher;

impl FaceMatcher for ColourMatcher {
    fn compare(&self, card_photo: &RgbImage, frames: &[RgbImage]) -> MatchReport {
        let threshold = 0.6;
        let colour = frames
            .first()
            .and_then(|frame| frame.pixels().next())
            .map(|pixel| pixel.0);
        let (decision, score) = if card_photo.width() == 0 {
            (MatchDecision::NoFace, 0.0)
        } else {
            match colour {
                Some(HOLDER) => (MatchDecision::Match, 0.92),
                Some(STRANGER) => (MatchDecision::NoMatch, 0.31),
                Some(BANDAGE) => (MatchDecision::Occluded, 0.40),
                Some(BACKLIGHT) => (MatchDecision::PoorImage, 0.0),
                Some(PRINTED_PHOTO) => (MatchDecision::NotLive, 0.88),
                _ => (MatchDecision::NoFace, 0.0),
            }
        };
        MatchReport {
            decision,
            score,
            threshold,
        }
    }
}

pub fn frames(colour: [u8; 3]) -> Vec<RgbImage> {
    vec![RgbImage::from_pixel(16, 16, Rgb(colour)); 3]
}

pub fn config() -> ReaderConfig {
    config_for(READER_0)
}

pub fn config_for(reader_name: &str) -> ReaderConfig {
    ReaderConfig::new(reader_name, clock_origin(), reader_credentials())
}

/// The facility's face-failure store as the harness keeps it (shared by the readers of a
/// clinic): the test double answers [`Output::NeedFaceFailures`] from it and records
/// [`Output::FaceFailuresChanged`] in it.
pub type FaceStore = Rc<RefCell<HashMap<CardKey, u32>>>;

/// The staff's tick for `reader_name`, given at the clock origin + 3 s.
pub fn tick_for(reader_name: &str) -> VisualConfirmation {
    VisualConfirmation {
        reader: reader_name.into(),
        account: "admin".into(),
        confirmation_date: date(2026, 11, 25),
        confirmed_at: clock_origin() + chrono::Duration::seconds(3),
    }
}

/// One reader, one card, one clock; the terminal's tick and the face-failure store as the
/// harness would answer them.
pub struct Bench {
    pub reader: Reader,
    pub channel: EngineChannel,
    pub kind: CardKind,
    pub now: Duration,
    pub outputs: Vec<Output>,
    pub exchanges: Vec<Exchange>,
    pub face_store: FaceStore,
    /// The terminal's valid, unexpired tick for this reader (taken when the reader asks).
    pub tick: Option<VisualConfirmation>,
    /// The consent screens the reader was configured with.
    pub consent_screens: ConsentScreens,
}

impl Bench {
    pub fn new(kind: CardKind) -> Self {
        Self::with_config(kind, config())
    }

    pub fn with_config(kind: CardKind, config: ReaderConfig) -> Self {
        Self::sharing_store(kind, config, FaceStore::default())
    }

    /// A bench whose face-failure store is `store` (another reader of the same clinic).
    pub fn sharing_store(kind: CardKind, config: ReaderConfig, store: FaceStore) -> Self {
        let card = Card::new(&card_data(kind));
        let consent_screens = config.consent_screens;
        Self {
            consent_screens,
            reader: Reader::new(config, FaceEngine::new(Arc::new(ColourMatcher))),
            channel: EngineChannel {
                card,
                present: false,
            },
            kind,
            now: Duration::ZERO,
            outputs: Vec::new(),
            exchanges: Vec::new(),
            face_store: store,
            tick: None,
        }
    }

    /// Feeds an input through the driver and answers the reader's questions to the terminal
    /// (its tick) and to the face-failure store; returns the non-card outputs of this step.
    pub fn send(&mut self, input: Input) -> Vec<Output> {
        let mut step = Vec::new();
        let mut pending = std::collections::VecDeque::from([input]);
        while let Some(input) = pending.pop_front() {
            let pumped = run_until_idle(&mut self.reader, &mut self.channel, input, self.now);
            self.exchanges.extend(pumped.exchanges);
            for output in &pumped.outputs {
                match output {
                    Output::NeedFaceFailures(card) => {
                        let count = self.face_store.borrow().get(card).copied().unwrap_or(0);
                        pending.push_back(Input::FaceFailures { card: *card, count });
                    }
                    Output::FaceFailuresChanged { card, count } => {
                        self.face_store.borrow_mut().insert(*card, *count);
                    }
                    Output::NeedVisualConfirmation => {
                        pending.push_back(Input::VisualConfirmation(self.tick.take()));
                    }
                    _ => {}
                }
            }
            self.outputs.extend(pumped.outputs.iter().cloned());
            step.extend(pumped.outputs);
        }
        step
    }

    /// Feeds an input through the driver only: the reader's questions stay unanswered.
    pub fn send_raw(&mut self, input: Input) -> Vec<Output> {
        let pumped = run_until_idle(&mut self.reader, &mut self.channel, input, self.now);
        self.exchanges.extend(pumped.exchanges);
        self.outputs.extend(pumped.outputs.iter().cloned());
        pumped.outputs
    }

    /// Staff tick 目視で本人確認完了 for this reader: the terminal holds the tick and tells the
    /// reader.
    pub fn staff_tick(&mut self) -> Vec<Output> {
        self.tick = Some(tick_for(self.reader.name()));
        self.send(Input::StaffConfirmationAvailable)
    }

    /// Consecutive face failures the store holds for the fixture card.
    pub fn face_failures(&self, card: &CardKey) -> u32 {
        self.face_store.borrow().get(card).copied().unwrap_or(0)
    }

    /// Moves the clock on and ticks.
    pub fn advance(&mut self, by: Duration) -> Vec<Output> {
        self.now += by;
        self.send(Input::Tick)
    }

    pub fn screen(&self) -> String {
        self.reader.screen().render()
    }

    pub fn place_card(&mut self) -> Vec<Output> {
        self.channel.present = true;
        self.channel.card.reset();
        self.send(Input::CardPlaced)
    }

    pub fn remove_card(&mut self) -> Vec<Output> {
        self.channel.present = false;
        self.send(Input::CardRemoved)
    }

    pub fn touch(&mut self, touch: Touch) -> Vec<Output> {
        self.send(Input::Touch(touch))
    }

    pub fn type_pin(&mut self, pin: &str) -> Vec<Output> {
        for digit in pin.bytes() {
            self.touch(Touch::Digit(digit - b'0'));
        }
        self.touch(Touch::PinOk)
    }

    pub fn scan_card_face(&mut self) -> Vec<Output> {
        let face = printed_face(self.kind);
        self.send(Input::CardFaceScanned(Ok(face)))
    }

    pub fn show_face(&mut self, colour: [u8; 3]) -> Vec<Output> {
        self.send(Input::CameraFrames(frames(colour)))
    }

    pub fn give_challenge(&mut self) -> Vec<Output> {
        self.send(Input::Challenge(CHALLENGE.to_vec()))
    }

    /// Answers the consent screens in force: 薬剤, 特定健診, 診療, 手術 as given (限度額 as 薬剤).
    pub fn consent(&mut self, given: [bool; 4]) -> Vec<Output> {
        let [medication, health_checkups, diagnosis, operation] = given;
        self.consent_wishes(ConsentWishes {
            medication,
            health_checkups,
            diagnosis,
            operation,
            limit_application: medication,
        })
    }

    pub fn consent_wishes(&mut self, wishes: ConsentWishes) -> Vec<Output> {
        let screens = self.consent_screens;
        let mut outputs = Vec::new();
        for touch in consent_touches(screens, wishes) {
            outputs.extend(self.touch(touch));
        }
        outputs
    }

    pub fn accept(&mut self) -> Vec<Output> {
        self.send(Input::ServiceAnswer(ServiceAnswer::Accepted))
    }

    pub fn results(&self) -> Vec<CheckResult> {
        self.outputs
            .iter()
            .filter_map(|output| match output {
                Output::Result(result) => Some((**result).clone()),
                _ => None,
            })
            .collect()
    }

    pub fn last_result(&self) -> CheckResult {
        self.results().pop().expect("a result")
    }

    pub fn submitted(&self) -> EligibilityCheck {
        self.outputs
            .iter()
            .rev()
            .find_map(|output| match output {
                Output::SubmitCheck(check) => Some((**check).clone()),
                _ => None,
            })
            .expect("a submitted check")
    }

    /// Face route up to the camera: choose face, scan the card face, the service's challenge.
    pub fn face_route_to_camera(&mut self) {
        assert!(has(&self.touch(Touch::ChooseFace), is_need_scan));
        let outputs = self.scan_card_face();
        assert!(has(&outputs, is_need_challenge), "{}", self.screen());
        let outputs = self.give_challenge();
        assert!(has(&outputs, is_need_frames), "{}", self.screen());
    }
}

pub fn has(outputs: &[Output], predicate: fn(&Output) -> bool) -> bool {
    outputs.iter().any(predicate)
}

pub fn is_need_scan(output: &Output) -> bool {
    matches!(output, Output::NeedCardFaceScan)
}

pub fn is_need_frames(output: &Output) -> bool {
    matches!(output, Output::NeedCameraFrames)
}

pub fn is_need_challenge(output: &Output) -> bool {
    matches!(output, Output::NeedChallenge)
}

pub fn is_submit(output: &Output) -> bool {
    matches!(output, Output::SubmitCheck(_))
}

pub fn is_result(output: &Output) -> bool {
    matches!(output, Output::Result(_))
}
