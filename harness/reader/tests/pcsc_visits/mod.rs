//! Whole reader visits against cards behind pcscd, for the soak bench (`benches/soak.rs`) and the
//! fault tests (`tests/pcscd_faults.rs`): one [`Counter`] per PC/SC reader wires a reader, the
//! fixture card's profile (for its PIN and printed face) and the eligibility service; a
//! [`Visit`] reports every result the reader gave, the APDUs sent and the channel errors seen.
//!
//! The readers and cards come from `ci/pcscd-start.sh`: `HARNESS_PCSC_CARDS` names its
//! `cards.tsv` (reader, profile, state file, pid file, vpcd port per line).

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness_eligibility::{
    confirmation_date_for, EligibilityService, FixtureDir, FixtureSource, ServiceConfig,
};
use harness_face::people::{parse_people, Date};
use harness_face::{Camera, CameraSetup, LbpMatcher, Scene, Subject};
use harness_reader::{
    consent_touches, run_until_idle, CardKey, CheckOutcome, CheckResult, ConsentScreens,
    ConsentWishes, FaceEngine, FailureReason, Input, Output, PrintedCardFace, Reader, ReaderConfig,
    ReaderCredentials, Refused, ServiceAnswer, Touch,
};
use harness_transport::{CardChannel, TransportError};

use card_protocol::{fid, Application, PinTarget, Select, Verify};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use virtual_card::profile::LoadedProfile;

/// The workspace's fixtures folder.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// One card behind one PC/SC reader, as `ci/pcscd-start.sh` recorded it.
#[derive(Debug, Clone)]
pub struct Lane {
    /// PC/SC reader name ("Virtual PCD 3 00 01").
    pub reader: String,
    /// The card's profile (fixtures/cards/*.toml).
    pub profile: PathBuf,
    /// The card process's state file.
    pub state: PathBuf,
    /// Where the card process wrote its pid.
    pub pid_file: PathBuf,
    /// vpcd port the card process connects to.
    pub port: u16,
}

/// Reads `cards.tsv`; an error names the line.
pub fn read_lanes(table: &Path) -> Result<Vec<Lane>, String> {
    let text =
        std::fs::read_to_string(table).map_err(|error| format!("{}: {error}", table.display()))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(
            |line| match line.split('\t').collect::<Vec<_>>().as_slice() {
                [reader, profile, state, pid_file, port] => Ok(Lane {
                    reader: (*reader).to_owned(),
                    profile: PathBuf::from(profile),
                    state: PathBuf::from(state),
                    pid_file: PathBuf::from(pid_file),
                    port: port
                        .parse()
                        .map_err(|_| format!("bad port in {}: {line:?}", table.display()))?,
                }),
                _ => Err(format!("bad line in {}: {line:?}", table.display())),
            },
        )
        .collect()
}

/// The lanes of this run (`HARNESS_PCSC_CARDS`), or `None` when pcscd is not part of it.
pub fn lanes_from_env() -> Option<Result<Vec<Lane>, String>> {
    if std::env::var("HARNESS_PCSC").as_deref() != Ok("1") {
        return None;
    }
    Some(
        std::env::var("HARNESS_PCSC_CARDS")
            .map_err(|_| "HARNESS_PCSC=1 but HARNESS_PCSC_CARDS is not set".to_owned())
            .and_then(|table| read_lanes(Path::new(&table))),
    )
}

/// Which identity route the patient takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// 暗証番号: the user-auth PIN from the card's profile.
    Pin,
    /// 顔認証: the card holder in front of harness-face's camera emulator, real matcher.
    Face,
}

impl Route {
    /// `pin` or `face`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pin" => Some(Self::Pin),
            "face" => Some(Self::Face),
            _ => None,
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pin => "pin",
            Self::Face => "face",
        }
    }
}

/// A counter (受付): one reader, the card's profile, the eligibility service, a camera.
pub struct Counter {
    pub reader: Reader,
    pub profile: LoadedProfile,
    pub service: EligibilityService,
    pub camera: Option<Camera>,
    /// How long the patient stands in front of the camera on the face route, added to the
    /// reader's clock before the frames are given (default zero: the reader's clock is real time).
    pub camera_time: Duration,
    rng: ChaCha20Rng,
    started: Instant,
    /// Simulated time added to real time so far (the patient's camera time).
    simulated: Duration,
    /// The facility's face-failure store (one reader here).
    face_store: HashMap<CardKey, u32>,
}

/// What one visit (card placed → script → card taken off) gave.
#[derive(Debug, Default)]
pub struct Visit {
    /// Every [`Output::Result`] the reader gave during the visit (exactly one when nothing is lost).
    pub results: Vec<CheckResult>,
    /// Results given before the card was taken off (the visit's own end, not the removal's).
    pub results_before_removal: usize,
    /// APDUs sent to the card.
    pub apdus: u64,
    /// Channel errors seen by the driver, as text.
    pub channel_errors: Vec<String>,
    /// Why the eligibility service refused a check, as text (its error with the detail).
    pub service_errors: Vec<String>,
    /// Inputs of the script the reader refused (a button its screen did not show).
    pub refused: Vec<Refused>,
    /// Wall time of the visit.
    pub elapsed: Duration,
}

impl Visit {
    /// `completed`, or a short kind of why not (for counting errors by kind); a refused input of
    /// the script comes first.
    pub fn kind(&self) -> String {
        if let Some(refused) = self.refused.first() {
            return format!("refused input ({refused:?})");
        }
        match self.results.as_slice() {
            [] => "lost (no result)".into(),
            [result] => outcome_kind(&result.outcome),
            more => format!("duplicate results ({})", more.len()),
        }
    }

    /// True when the visit ended with exactly one result, given before the card went, completed,
    /// and the reader took every input of the script.
    pub fn is_clean_completion(&self) -> bool {
        self.results.len() == 1
            && self.refused.is_empty()
            && self.results_before_removal == 1
            && self.results.first().is_some_and(CheckResult::is_completed)
    }
}

/// `completed`, or the failure reason's kind (with the transport's words for channel failures).
pub fn outcome_kind(outcome: &CheckOutcome) -> String {
    match outcome {
        CheckOutcome::Completed => "completed".into(),
        CheckOutcome::Failed(FailureReason::CardTransport(error)) => {
            format!("CardTransport({})", error_kind(error))
        }
        CheckOutcome::Failed(reason) => {
            let debug = format!("{reason:?}");
            debug
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or("failed")
                .to_owned()
        }
    }
}

/// The first words of a transport error's text (`reader unavailable`, `transport failure` …).
fn error_kind(error: &str) -> String {
    error.split(':').next().unwrap_or(error).trim().to_owned()
}

fn reader_credentials() -> Result<ReaderCredentials, String> {
    let dir = fixtures().join("pki/readers");
    let key = std::fs::read_to_string(dir.join("reader-0.key.pem"))
        .map_err(|error| format!("reader key: {error}"))?;
    let cert = std::fs::read(dir.join("reader-0.crt.der"))
        .map_err(|error| format!("reader cert: {error}"))?;
    ReaderCredentials::from_key_pem(&key, cert)
        .map_err(|error| format!("reader credentials: {error}"))
}

fn camera_for(person: &str) -> Result<Camera, String> {
    let text = std::fs::read_to_string(fixtures().join("people.toml"))
        .map_err(|error| format!("people.toml: {error}"))?;
    let people = parse_people(&text).map_err(|error| format!("people.toml: {error}"))?;
    let fixture = people
        .iter()
        .find(|p| p.id == person)
        .ok_or_else(|| format!("{person} not in people.toml"))?;
    let today = Date::parse("2026-11-25").ok_or("date")?;
    Camera::open(CameraSetup {
        subject: Subject {
            identity: fixture.identity(),
            age_years: fixture.age_on(&today),
        },
        scene: Scene::CardHolder,
        seed: fixture.face_seed ^ 0x00C0_FFEE,
        fault: None,
    })
    .map_err(|error| format!("camera: {error}"))
}

impl Counter {
    /// A counter named `reader_name` for the card whose profile is `profile`; `route` decides
    /// whether a camera is set up.
    pub fn new(reader_name: &str, profile: &Path, route: Route) -> Result<Self, String> {
        let loaded = virtual_card::profile::load(profile)
            .map_err(|error| format!("{}: {error}", profile.display()))?;
        let service = EligibilityService::from_fixtures(
            &FixtureDir::workspace()
                .load()
                .map_err(|error| format!("fixtures: {error}"))?,
            ServiceConfig::default(),
        )
        .map_err(|error| format!("eligibility service: {error}"))?;
        let origin = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|day| day.and_hms_opt(9, 0, 0))
            .ok_or("clock origin")?;
        let config = ReaderConfig::new(reader_name, origin, reader_credentials()?);
        let camera = match route {
            Route::Face => Some(camera_for(&loaded.profile.person)?),
            Route::Pin => None,
        };
        Ok(Self {
            reader: Reader::new(config, FaceEngine::new(Arc::new(LbpMatcher::default()))),
            profile: loaded,
            service,
            camera,
            camera_time: Duration::ZERO,
            rng: ChaCha20Rng::seed_from_u64(7),
            started: Instant::now(),
            simulated: Duration::ZERO,
            face_store: HashMap::new(),
        })
    }

    /// The reader's monotonic time: real time since this counter was set up, plus the simulated
    /// camera time so far.
    fn now(&self) -> Duration {
        self.started.elapsed() + self.simulated
    }

    /// Feeds `input`, answers the card through `channel` and the service's challenges and checks
    /// until the reader waits for the patient (or the visit ended).
    fn send<C: CardChannel + ?Sized>(&mut self, channel: &mut C, input: Input, visit: &mut Visit) {
        let mut inputs = VecDeque::from([input]);
        while let Some(input) = inputs.pop_front() {
            let now = self.now();
            let pumped = run_until_idle(&mut self.reader, channel, input, now);
            visit.apdus += pumped.exchanges.len() as u64;
            visit.channel_errors.extend(
                pumped
                    .exchanges
                    .into_iter()
                    .filter_map(|exchange| exchange.response.err()),
            );
            let wall = self.reader.wall_time(now);
            for output in pumped.outputs {
                match output {
                    Output::NeedChallenge => {
                        let challenge = self.service.issue_challenge(&mut self.rng, wall);
                        inputs.push_back(Input::Challenge(challenge.nonce));
                    }
                    Output::SubmitCheck(check) => {
                        let date = confirmation_date_for(&check, wall.date());
                        let outcome = self.service.check(*check, wall, date);
                        if let Some(error) = outcome.error() {
                            visit.service_errors.push(error.to_string());
                        }
                        let answer = match outcome.error() {
                            None => ServiceAnswer::Accepted,
                            Some(error) => ServiceAnswer::Rejected {
                                reason: error.label().to_owned(),
                            },
                        };
                        inputs.push_back(Input::ServiceAnswer(answer));
                    }
                    Output::NeedFaceFailures(card) => {
                        let count = self.face_store.get(&card).copied().unwrap_or(0);
                        inputs.push_back(Input::FaceFailures { card, count });
                    }
                    Output::FaceFailuresChanged { card, count } => {
                        self.face_store.insert(card, count);
                    }
                    // The counter has no terminal, so no staff tick (目視確認) exists for it: the
                    // reader is in 無人運転 and only asks if its mode was changed.
                    Output::NeedVisualConfirmation => {
                        inputs.push_back(Input::VisualConfirmation(None));
                    }
                    Output::Refused(refused) => visit.refused.push(refused),
                    Output::Result(result) => visit.results.push(*result),
                    Output::Transmit(_)
                    | Output::Screen(_)
                    | Output::NeedCardFaceScan
                    | Output::NeedCameraFrames
                    | Output::FaceCompared(_) => {}
                }
            }
        }
    }

    /// The patient's inputs for `route` after the method choice screen.
    fn route_inputs(&self, route: Route) -> Result<Vec<Input>, String> {
        Ok(match route {
            Route::Pin => {
                let pin = self
                    .profile
                    .profile
                    .pins
                    .auth
                    .as_ref()
                    .ok_or("the card has no user-auth PIN")?
                    .expose()
                    .to_owned();
                vec![
                    Input::Touch(Touch::ChoosePin),
                    Input::PinEntered(harness_reader::Pin::new(&pin)),
                ]
            }
            Route::Face => {
                let face =
                    printed_face_of(&self.profile.data).ok_or("no printed face for this card")?;
                let burst = self.camera.as_ref().ok_or("no camera")?.burst(5);
                vec![
                    Input::Touch(Touch::ChooseFace),
                    Input::CardFaceScanned(Ok(face)),
                    Input::CameraFrames(burst),
                ]
            }
        })
    }

    /// One whole visit: card placed, `route`, consents, card taken off. `before_place` runs
    /// first (e.g. a warm reset of the card, as a card newly laid on a reader is powered up);
    /// its error becomes a channel error of the visit and the visit goes on (the reader then
    /// fails it through its own card handling).
    pub fn visit<C: CardChannel + ?Sized>(&mut self, channel: &mut C, route: Route) -> Visit {
        let start = Instant::now();
        let mut visit = Visit::default();
        if let Err(error) = channel.reset() {
            visit.channel_errors.push(format!("reset: {error}"));
        }
        self.send(channel, Input::CardPlaced, &mut visit);
        let inputs = match self.route_inputs(route) {
            Ok(inputs) => inputs,
            Err(error) => {
                visit.channel_errors.push(format!("setup: {error}"));
                Vec::new()
            }
        };
        let wishes = ConsentWishes {
            diagnosis: false,
            ..ConsentWishes::all(true)
        };
        let screens = ConsentScreens::in_force_on(self.reader.wall_time(Duration::ZERO).date());
        let consents = consent_touches(screens, wishes)
            .into_iter()
            .map(Input::Touch);
        for input in inputs.into_iter().chain(consents) {
            if !visit.results.is_empty() {
                break;
            }
            if matches!(input, Input::CameraFrames(_)) {
                self.simulated += self.camera_time;
            }
            self.send(channel, input, &mut visit);
        }
        visit.results_before_removal = visit.results.len();
        self.send(channel, Input::CardRemoved, &mut visit);
        visit.elapsed = start.elapsed();
        visit
    }
}

/// What a clean optical scan reads off a virtual card's printed face (birth date, expiry year,
/// security code): what the harness feeds as [`Input::CardFaceScanned`].
pub fn printed_face_of(card: &virtual_card::CardData) -> Option<PrintedCardFace> {
    use chrono::Datelike;
    Some(PrintedCardFace {
        birth_date: card.holder.birth,
        expiry_year: card.expiry.year(),
        security_code: harness_reader::SecurityCode::new(card.security_code.expose())?,
    })
}

/// The user-auth PIN's tries left (SELECT JPKI AP, SELECT EF 0018, VERIFY without data: 63Cx).
pub fn auth_pin_tries<C: CardChannel + ?Sized>(channel: &mut C) -> Result<u8, String> {
    let query = Verify::retry_query(PinTarget::CurrentEf).map_err(|error| format!("{error}"))?;
    let commands = [
        Select::application(Application::Jpki).encode(),
        Select::ef(fid::JPKI_AUTH_PIN).encode(),
        query.encode(),
    ];
    let mut last = Vec::new();
    for bytes in commands {
        last = channel
            .transmit(&bytes)
            .map_err(|error| format!("transmit: {error}"))?;
        match last.as_slice() {
            [.., 0x90, 0x00] | [.., 0x63, _] => {}
            other => return Err(format!("card answered {other:02X?}")),
        }
    }
    match last.as_slice() {
        [0x63, low] if low & 0xF0 == 0xC0 => Ok(low & 0x0F),
        other => Err(format!("PIN query answered {other:02X?}")),
    }
}

/// Kind of a transport error, for counting.
pub fn transport_kind(error: &TransportError) -> &'static str {
    match error {
        TransportError::NoCard => "NoCard",
        TransportError::CardRemoved => "CardRemoved",
        TransportError::CardReset => "CardReset",
        TransportError::ReaderUnavailable(_) => "ReaderUnavailable",
        TransportError::Other(_) => "Other",
    }
}
