//! A counter (受付) as the harness wires it: one reader, one fixture card behind any card channel,
//! the eligibility service answering challenges and checks.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use harness_eligibility::service::{confirmation_date_for, CheckOutcome as ServiceOutcome};
use harness_eligibility::{EligibilityService, FixtureDir, FixtureSource, ServiceConfig};
use std::collections::HashMap;

use harness_reader::{
    consent_touches, run_until_idle, CardKey, CheckResult, ConsentWishes, FaceEngine, Input,
    Output, PrintedCardFace, Reader, ReaderConfig, ReaderCredentials, ServiceAnswer, Touch,
};
use harness_transport::CardChannel;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use virtual_card::profile::LoadedProfile;

use super::{clock_origin, frames, ColourMatcher};

pub const READER: &str = "Identiv CLOUD 3701 F Contactless Reader 0";

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

pub fn fixture_reader_credentials() -> ReaderCredentials {
    let key = std::fs::read_to_string(fixtures().join("pki/readers/reader-0.key.pem")).unwrap();
    let cert = std::fs::read(fixtures().join("pki/readers/reader-0.crt.der")).unwrap();
    ReaderCredentials::from_key_pem(&key, cert).unwrap()
}

/// One reader, one fixture card, the service: everything the harness wires together.
pub struct Counter<C: CardChannel> {
    pub reader: Reader,
    pub card: C,
    pub profile: LoadedProfile,
    pub service: EligibilityService,
    pub rng: ChaCha20Rng,
    pub now: Duration,
    pub outputs: Vec<Output>,
    pub service_outcomes: Vec<ServiceOutcome>,
    /// The facility's face-failure store.
    pub face_store: HashMap<CardKey, u32>,
    /// The terminal's valid tick for this reader (taken when the reader asks).
    pub tick: Option<harness_reader::VisualConfirmation>,
}

/// The service's outcome as the reader hears it (what the harness does with the service's
/// answer): accepted, whatever the qualification, or refused with the service's reason.
pub fn service_answer(outcome: &ServiceOutcome) -> ServiceAnswer {
    match outcome.error() {
        None => ServiceAnswer::Accepted,
        Some(error) => ServiceAnswer::Rejected {
            reason: error.label().to_owned(),
        },
    }
}

impl<C: CardChannel> Counter<C> {
    /// A counter for the card of `person` (fixtures/cards/<person>.toml) behind `card`.
    pub fn new(person: &str, card: C) -> Self {
        Self::with_matcher(person, card, Arc::new(ColourMatcher))
    }

    /// A counter whose reader uses `matcher`.
    pub fn with_matcher(
        person: &str,
        card: C,
        matcher: Arc<dyn harness_face::FaceMatcher>,
    ) -> Self {
        let path = fixtures().join(format!("cards/{person}.toml"));
        let profile = virtual_card::profile::load(&path).unwrap();
        let service = EligibilityService::from_fixtures(
            &FixtureDir::workspace().load().unwrap(),
            ServiceConfig::default(),
        )
        .unwrap();
        let config = ReaderConfig::new(READER, clock_origin(), fixture_reader_credentials());
        Self {
            reader: Reader::new(config, FaceEngine::new(matcher)),
            card,
            profile,
            service,
            rng: ChaCha20Rng::seed_from_u64(7),
            now: Duration::ZERO,
            outputs: Vec::new(),
            service_outcomes: Vec::new(),
            face_store: HashMap::new(),
            tick: None,
        }
    }

    /// Feeds an input; answers the card, challenge requests, checks and the face-failure store
    /// until the reader waits for the patient, the camera, the card-face scan or the terminal.
    pub fn send(&mut self, input: Input) {
        let mut inputs = vec![input];
        while let Some(input) = inputs.pop() {
            let pumped = run_until_idle(&mut self.reader, &mut self.card, input, self.now);
            let wall = self.reader.wall_time(self.now);
            for output in pumped.outputs {
                match &output {
                    Output::NeedChallenge => {
                        let challenge = self.service.issue_challenge(&mut self.rng, wall);
                        inputs.push(Input::Challenge(challenge.nonce));
                    }
                    Output::SubmitCheck(check) => {
                        let date = confirmation_date_for(check, wall.date());
                        let outcome = self.service.check((**check).clone(), wall, date);
                        inputs.push(Input::ServiceAnswer(service_answer(&outcome)));
                        self.service_outcomes.push(outcome);
                    }
                    Output::NeedFaceFailures(card) => {
                        let count = self.face_store.get(card).copied().unwrap_or(0);
                        inputs.push(Input::FaceFailures { card: *card, count });
                    }
                    Output::FaceFailuresChanged { card, count } => {
                        self.face_store.insert(*card, *count);
                    }
                    Output::NeedVisualConfirmation => {
                        inputs.push(Input::VisualConfirmation(self.tick.take()));
                    }
                    _ => {}
                }
                self.outputs.push(output);
            }
        }
    }

    pub fn touch(&mut self, touch: Touch) {
        self.send(Input::Touch(touch));
    }

    pub fn place_card(&mut self) {
        self.send(Input::CardPlaced);
    }

    pub fn printed_face(&self) -> PrintedCardFace {
        use chrono::Datelike;
        let card = &self.profile.data;
        PrintedCardFace {
            birth_date: card.holder.birth,
            expiry_year: card.expiry.year(),
            security_code: harness_reader::SecurityCode::new(card.security_code.expose()).unwrap(),
        }
    }

    pub fn face_route(&mut self, colour: [u8; 3]) {
        self.face_route_with(frames(colour));
    }

    /// Face route with these camera frames.
    pub fn face_route_with(&mut self, burst: Vec<image::RgbImage>) {
        self.touch(Touch::ChooseFace);
        let face = self.printed_face();
        self.send(Input::CardFaceScanned(Ok(face)));
        self.now += Duration::from_secs(2);
        self.send(Input::CameraFrames(burst));
    }

    pub fn pin_route(&mut self) {
        self.touch(Touch::ChoosePin);
        let pin = self
            .profile
            .profile
            .pins
            .auth
            .as_ref()
            .unwrap()
            .expose()
            .to_owned();
        self.send(Input::PinEntered(harness_reader::Pin::new(&pin)));
    }

    pub fn consent_all(&mut self) {
        let wishes = ConsentWishes {
            diagnosis: false,
            ..ConsentWishes::all(true)
        };
        for touch in consent_touches(self.reader_consent_screens(), wishes) {
            self.touch(touch);
        }
    }

    fn reader_consent_screens(&self) -> harness_reader::ConsentScreens {
        harness_reader::ConsentScreens::in_force_on(clock_origin().date())
    }

    pub fn result(&self) -> CheckResult {
        self.outputs
            .iter()
            .rev()
            .find_map(|o| match o {
                Output::Result(result) => Some((**result).clone()),
                _ => None,
            })
            .expect("a result")
    }

    pub fn service_outcome(&self) -> &ServiceOutcome {
        self.service_outcomes
            .last()
            .expect("a check reached the service")
    }
}
