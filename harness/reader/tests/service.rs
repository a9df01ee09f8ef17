//! The reader end to end with the project's fixtures: card profiles (fixtures/cards) in the
//! in-process card channel of harness-transport, the reader's key from fixtures/pki/readers, and
//! the eligibility service mock checking every proof the reader produces.
//!
//! This is also the reference for how the harness drives a reader: patient-side inputs from the
//! test, card commands through `run_until_idle`, challenges and checks answered by the service.

mod common;

use common::counter::{fixtures, Counter, READER};
use common::{clock_origin, HOLDER, STRANGER};
use harness_eligibility::service::IdentityEvidence;
use harness_reader::{
    Availability, CheckOutcome, FaceFailure, FailureReason, Input, Output, PatientScreen,
    ReaderMode, Touch, VisualConfirmation,
};
use harness_transport::InProcessCard;

trait InProcess {
    fn new_in_process(person: &str) -> Self;
}

impl InProcess for Counter<InProcessCard> {
    fn new_in_process(person: &str) -> Self {
        let path = fixtures().join(format!("cards/{person}.toml"));
        Counter::new(person, InProcessCard::open(&path, None).unwrap())
    }
}

#[test]
fn standard_card_face_route_is_accepted_by_the_service() {
    let mut counter = Counter::new_in_process("yamada-taro");
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
    let mut counter = Counter::new_in_process("yamada-taro");
    counter.place_card();
    counter.pin_route();
    counter.consent_all();
    let outcome = counter.service_outcome();
    assert_eq!(outcome.error(), None, "{outcome:?}");
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::CardSignature { .. })
    ));
    // consent_all wishes every item but 診療情報; since 2024-10-07 診療・薬剤情報 is one answer,
    // so both are refused, and 限度額 is not asked.
    assert!(!outcome.consents.medication.unwrap().given);
    assert!(!outcome.consents.diagnosis.unwrap().given);
    assert!(outcome.consents.operation.unwrap().given);
    assert_eq!(outcome.consents.limit_application, None);
    assert_eq!(counter.result().method_label(), "暗証番号");
}

#[test]
fn face_failures_then_pin_on_the_same_challenge_is_accepted() {
    let mut counter = Counter::new_in_process("yamada-taro");
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
    let mut counter = Counter::new_in_process("sato-hanako");
    counter.send(Input::ModeChanged(ReaderMode::VisualCheck));
    counter.tick = Some(VisualConfirmation {
        reader: READER.into(),
        account: "admin".into(),
        confirmation_date: clock_origin().date(),
        confirmed_at: clock_origin(),
    });
    counter.send(Input::StaffConfirmationAvailable);
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
    let mut counter = Counter::new_in_process("sato-hanako");
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
    let mut counter = Counter::new_in_process("takahashi-kenji");
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
    let mut counter = Counter::new_in_process("suzuki-haruto");
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
    let mut counter = Counter::new_in_process("tanaka-yuki");
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
    let mut counter = Counter::new_in_process("ito-makoto");
    counter.place_card();
    counter.face_route(HOLDER);
    counter.consent_all();
    assert_eq!(counter.service_outcome().label(), "証明書の失効");
    assert!(!counter.result().is_completed());
}

#[test]
fn valid_card_without_insurance_completes_at_the_reader() {
    let mut counter = Counter::new_in_process("nakamura-aoi");
    counter.place_card();
    counter.face_route(HOLDER);
    counter.consent_all();
    assert_eq!(counter.service_outcome().label(), "該当資格なし");
    assert!(counter.result().is_completed());
}
