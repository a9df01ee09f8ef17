//! The reader end to end with the project's fixtures: card profiles (fixtures/cards) in the
//! in-process card channel of harness-transport, the reader's key from fixtures/pki/readers, and
//! the eligibility service mock checking every proof the reader produces.
//!
//! This is also the reference for how the harness drives a reader: patient-side inputs from the
//! test, card commands through `run_until_idle`, challenges and checks answered by the service.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::{clock_origin, frames, ColourMatcher, HOLDER, STRANGER};
use harness_eligibility::service::{CheckOutcome as ServiceOutcome, IdentityEvidence};
use harness_eligibility::{EligibilityService, FixtureDir, FixtureSource, ServiceConfig};
use harness_reader::{
    consent_touches, run_until_idle, Availability, CheckOutcome, CheckResult, FaceEngine,
    FaceFailure, FailureReason, Input, Output, PatientScreen, PrintedCardFace, Reader,
    ReaderConfig, ReaderCredentials, ReaderMode, SecurityCode, ServiceAnswer, Touch,
    VisualConfirmation,
};
use harness_transport::InProcessCard;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use virtual_card::profile::LoadedProfile;

const READER: &str = "Identiv CLOUD 3701 F Contactless Reader 0";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn reader_credentials() -> ReaderCredentials {
    let key = std::fs::read_to_string(fixtures().join("pki/readers/reader-0.key.pem")).unwrap();
    let cert = std::fs::read(fixtures().join("pki/readers/reader-0.crt.der")).unwrap();
    ReaderCredentials::from_key_pem(&key, cert).unwrap()
}

/// One reader, one fixture card, the service: everything the harness wires together.
struct Counter {
    reader: Reader,
    card: InProcessCard,
    profile: LoadedProfile,
    service: EligibilityService,
    rng: ChaCha20Rng,
    now: Duration,
    outputs: Vec<Output>,
    service_outcomes: Vec<ServiceOutcome>,
}

impl Counter {
    fn new(person: &str) -> Self {
        let path = fixtures().join(format!("cards/{person}.toml"));
        let profile = virtual_card::profile::load(&path).unwrap();
        let card = InProcessCard::open(&path, None).unwrap();
        let service = EligibilityService::from_fixtures(
            &FixtureDir::workspace().load().unwrap(),
            ServiceConfig::default(),
        )
        .unwrap();
        let config = ReaderConfig::new(READER, clock_origin(), reader_credentials());
        Self {
            reader: Reader::new(config, FaceEngine::new(Arc::new(ColourMatcher))),
            card,
            profile,
            service,
            rng: ChaCha20Rng::seed_from_u64(7),
            now: Duration::ZERO,
            outputs: Vec::new(),
            service_outcomes: Vec::new(),
        }
    }

    /// Feeds an input; answers the card, challenge requests and checks until the reader waits
    /// for the patient, the camera, the card-face scan or the terminal.
    fn send(&mut self, input: Input) {
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
                        let outcome = self.service.check((**check).clone(), wall);
                        inputs.push(Input::ServiceAnswer(ServiceAnswer::from(&outcome)));
                        self.service_outcomes.push(outcome);
                    }
                    _ => {}
                }
                self.outputs.push(output);
            }
        }
    }

    fn touch(&mut self, touch: Touch) {
        self.send(Input::Touch(touch));
    }

    fn place_card(&mut self) {
        self.send(Input::CardPlaced);
    }

    fn printed_face(&self) -> PrintedCardFace {
        PrintedCardFace {
            birth_date: self.profile.person.birth,
            expiry_year: chrono::Datelike::year(&self.profile.profile.expiry),
            security_code: SecurityCode::new(self.profile.profile.security_code.expose()).unwrap(),
        }
    }

    fn face_route(&mut self, colour: [u8; 3]) {
        self.touch(Touch::ChooseFace);
        let face = self.printed_face();
        self.send(Input::CardFaceScanned(Ok(face)));
        self.now += Duration::from_secs(2);
        self.send(Input::CameraFrames(frames(colour)));
    }

    fn pin_route(&mut self) {
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

    fn consent_all(&mut self) {
        for touch in consent_touches([true, true, false, true]) {
            self.touch(touch);
        }
    }

    fn result(&self) -> CheckResult {
        self.outputs
            .iter()
            .rev()
            .find_map(|o| match o {
                Output::Result(result) => Some((**result).clone()),
                _ => None,
            })
            .expect("a result")
    }

    fn service_outcome(&self) -> &ServiceOutcome {
        self.service_outcomes
            .last()
            .expect("a check reached the service")
    }
}

#[test]
fn standard_card_face_route_is_accepted_by_the_service() {
    let mut counter = Counter::new("yamada-taro");
    counter.place_card();
    counter.face_route(HOLDER);
    counter.consent_all();
    let outcome = counter.service_outcome();
    assert_eq!(outcome.error(), None, "{outcome:?}");
    assert_eq!(outcome.person_id.as_deref(), Some("yamada-taro"));
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::ReaderAttestation { .. })
    ));
    assert_eq!(outcome.label(), "有効");
    assert!(counter.result().is_completed());
    assert_eq!(counter.reader.screen(), &PatientScreen::Completed);
}

#[test]
fn standard_card_pin_route_is_accepted_by_the_service() {
    let mut counter = Counter::new("yamada-taro");
    counter.place_card();
    counter.pin_route();
    counter.consent_all();
    let outcome = counter.service_outcome();
    assert_eq!(outcome.error(), None, "{outcome:?}");
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::CardSignature { .. })
    ));
    assert!(outcome.consents.medication.given);
    assert!(!outcome.consents.diagnosis.given);
    assert_eq!(counter.result().method_label(), "暗証番号");
}

#[test]
fn face_failures_then_pin_on_the_same_challenge_is_accepted() {
    let mut counter = Counter::new("yamada-taro");
    counter.place_card();
    counter.face_route(STRANGER);
    counter.touch(Touch::ChoosePin);
    let pin = counter
        .profile
        .profile
        .pins
        .auth
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();
    counter.send(Input::PinEntered(harness_reader::Pin::new(&pin)));
    counter.consent_all();
    assert_eq!(counter.service_outcome().error(), None);
    let challenges = counter
        .outputs
        .iter()
        .filter(|o| matches!(o, Output::NeedChallenge))
        .count();
    assert_eq!(challenges, 1);
}

#[test]
fn face_only_card_in_visual_mode_is_accepted_with_the_staff_confirmation() {
    let mut counter = Counter::new("sato-hanako");
    counter.send(Input::ModeChanged(ReaderMode::VisualCheck));
    counter.send(Input::VisualConfirmation(VisualConfirmation {
        account: "admin".into(),
        confirmation_date: clock_origin().date(),
        confirmed_at: clock_origin(),
    }));
    counter.place_card();
    counter.consent_all();
    let outcome = counter.service_outcome();
    assert_eq!(outcome.error(), None, "{outcome:?}");
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::StaffConfirmation { .. })
    ));
    assert_eq!(counter.result().method_label(), "目視");
}

#[test]
fn face_only_card_offers_no_pin() {
    let mut counter = Counter::new("sato-hanako");
    counter.place_card();
    assert_eq!(
        counter.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::NotOnCard
        }
    );
}

#[test]
fn locked_pin_card_shows_the_pin_locked() {
    let mut counter = Counter::new("takahashi-kenji");
    counter.place_card();
    assert_eq!(
        counter.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Locked
        }
    );
}

#[test]
fn infant_card_has_no_photo_and_goes_through_the_pin() {
    let mut counter = Counter::new("suzuki-haruto");
    counter.place_card();
    counter.touch(Touch::ChooseFace);
    let face = counter.printed_face();
    counter.send(Input::CardFaceScanned(Ok(face)));
    assert_eq!(
        counter.reader.screen(),
        &PatientScreen::FaceUnavailable {
            failure: FaceFailure::NoPhoto
        }
    );
    counter.touch(Touch::ChoosePin);
    let pin = counter
        .profile
        .profile
        .pins
        .auth
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();
    counter.send(Input::PinEntered(harness_reader::Pin::new(&pin)));
    counter.consent_all();
    assert_eq!(counter.service_outcome().error(), None);
    assert!(counter.result().is_completed());
}

#[test]
fn expired_certificate_is_refused_by_the_service_and_the_reader_says_so() {
    let mut counter = Counter::new("tanaka-yuki");
    counter.place_card();
    counter.pin_route();
    counter.consent_all();
    assert_eq!(counter.service_outcome().label(), "証明書の有効期限切れ");
    assert_eq!(
        counter.result().outcome,
        CheckOutcome::Failed(FailureReason::ServiceRejected(
            "証明書の有効期限切れ".into()
        ))
    );
    assert!(counter
        .reader
        .screen()
        .render()
        .contains("資格確認できませんでした"));
}

#[test]
fn revoked_certificate_is_refused_on_the_face_route_too() {
    let mut counter = Counter::new("ito-makoto");
    counter.place_card();
    counter.face_route(HOLDER);
    counter.consent_all();
    assert_eq!(counter.service_outcome().label(), "証明書の失効");
    assert!(!counter.result().is_completed());
}

#[test]
fn valid_card_without_insurance_completes_at_the_reader() {
    let mut counter = Counter::new("nakamura-aoi");
    counter.place_card();
    counter.face_route(HOLDER);
    counter.consent_all();
    assert_eq!(counter.service_outcome().label(), "該当資格なし");
    assert!(counter.result().is_completed());
}
