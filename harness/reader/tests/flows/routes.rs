//! The face and PIN routes from card to result: the signed reader attestation, the card's
//! signature over the challenge, the PIN pad (short PINs, three wrong PINs lock the card) and
//! 暗証番号認証固定 (PIN-only mode).

use harness_eligibility::protocol::{IdentityMethod, IdentityProof};
use harness_face::MatchDecision;
use harness_reader::{
    attestation_statement, Availability, CheckOutcome, FailureReason, Input, Output, PatientScreen,
    PinFailure, ReaderMode, Touch,
};
use rsa::pkcs8::DecodePrivateKey;
use rsa::PrivateKey;
use virtual_card::CardKind;

use crate::common::*;
use crate::{failed, secs, verify_pkcs1_sha256};

#[test]
fn face_route_completes_with_a_signed_reader_attestation() {
    let mut bench = Bench::new(CardKind::Standard);
    assert_eq!(bench.reader.screen(), &PatientScreen::PlaceCard);
    bench.place_card();
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Offered
        }
    );
    bench.face_route_to_camera();
    assert!(bench.screen().contains("カメラに顔を向けてください"));
    bench.now = secs(8);
    let outputs = bench.show_face(HOLDER);
    assert!(
        !has(&outputs, is_need_challenge),
        "the challenge came before the camera"
    );
    let attempt = outputs
        .iter()
        .find_map(|o| match o {
            Output::FaceCompared(attempt) => Some(attempt.clone()),
            _ => None,
        })
        .expect("a face comparison");
    assert_eq!(attempt.report.decision, MatchDecision::Match);
    assert_eq!(attempt.try_number, 1);
    assert!(bench.screen().starts_with("同意の選択"));
    bench.now = secs(20);
    let outputs = bench.consent([true, false, true, true]);
    assert!(has(&outputs, is_submit));
    let check = bench.submitted();
    assert_eq!(check.auth_certificate, pem_der("card-auth.crt.pem"));
    assert_eq!(
        check.reader_name,
        "Identiv CLOUD 3701 F Contactless Reader 0"
    );
    assert_eq!(
        check.requested_at,
        clock_origin() + chrono::Duration::seconds(20)
    );
    let IdentityProof::ReaderAttestation {
        statement,
        signature,
        reader_certificate,
    } = &check.proof
    else {
        panic!(
            "face route must give a reader attestation: {:?}",
            check.proof
        );
    };
    assert_eq!(reader_certificate, &pem_der("reader.crt.pem"));
    assert_eq!(
        statement,
        &attestation_statement(
            CHALLENGE,
            &check.auth_certificate,
            &check.reader_name,
            0.92,
            clock_origin() + chrono::Duration::seconds(8)
        )
    );
    let parsed = harness_eligibility::AttestationStatement::parse(statement).unwrap();
    assert_eq!(parsed.challenge, CHALLENGE);
    assert_eq!(parsed.reader_name, check.reader_name);
    assert_eq!(parsed.match_score, 0.92);
    let reader_key = PrivateKey::from_pkcs8_der(&pem_der("reader.key.pem")).unwrap();
    assert!(verify_pkcs1_sha256(&reader_key, statement, signature));
    assert!(!verify_pkcs1_sha256(
        &reader_key,
        b"another statement",
        signature
    ));
    // Since 2024-10-07 (the clock is in 2026): 個別に同意する, 診療・薬剤情報 one answer.
    let consents = check.consents;
    assert!(consents.medication.unwrap().given);
    assert!(consents.diagnosis.unwrap().given);
    assert!(!consents.health_checkups.unwrap().given);
    assert_eq!(consents.limit_application, None);
    assert_eq!(
        consents.operation.unwrap().at,
        clock_origin() + chrono::Duration::seconds(20)
    );

    bench.accept();
    let result = bench.last_result();
    assert_eq!(result.outcome, CheckOutcome::Completed);
    assert_eq!(result.method, Some(IdentityMethod::Face));
    assert_eq!(result.method_label(), "顔認証");
    assert_eq!(result.face_reports.len(), 1);
    assert_eq!(result.consents, Some(check.consents));
    assert_eq!(bench.reader.screen(), &PatientScreen::Completed);
    bench.remove_card();
    assert_eq!(bench.reader.screen(), &PatientScreen::PlaceCard);
    assert!(bench.reader.is_idle());
}

#[test]
fn pin_route_completes_with_the_cards_signature_over_the_challenge() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    assert!(bench
        .screen()
        .contains("暗証番号を入力してください（残り 3 回）"));
    bench.touch(Touch::Digit(1));
    bench.touch(Touch::Digit(2));
    assert!(bench.screen().contains("●●○○"));
    bench.touch(Touch::Clear);
    assert!(bench.screen().contains("○○○○"));
    let outputs = bench.type_pin(AUTH_PIN);
    assert!(has(&outputs, is_need_challenge), "{}", bench.screen());
    bench.give_challenge();
    bench.consent([true; 4]);
    let check = bench.submitted();
    let IdentityProof::CardSignature {
        challenge,
        signature,
    } = &check.proof
    else {
        panic!(
            "PIN route must give the card's signature: {:?}",
            check.proof
        );
    };
    assert_eq!(challenge, CHALLENGE);
    assert!(verify_pkcs1_sha256(&card_key(), CHALLENGE, signature));
    bench.accept();
    let result = bench.last_result();
    assert_eq!(result.outcome, CheckOutcome::Completed);
    assert_eq!(result.method, Some(IdentityMethod::Pin));
    assert_eq!(result.card, Some(card_key_of_fixture()));
    // The APDU trace never shows the PIN.
    let trace: Vec<String> = bench
        .exchanges
        .iter()
        .map(|e| e.to_trace_string())
        .collect();
    let trace = trace.join("\n");
    assert!(trace.contains(">> 00 20 00 80 **"), "{trace}");
    assert!(!trace.contains("31 32 33 34"), "{trace}");
    assert!(trace.contains(">> 80 2A 00 80 33"), "{trace}");
}

#[test]
fn the_whole_pin_at_once_works_like_the_keypad() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    let outputs = bench.send(Input::PinEntered(harness_reader::Pin::new(AUTH_PIN)));
    assert!(has(&outputs, is_need_challenge));
}

#[test]
fn a_short_pin_is_refused_on_the_reader_without_touching_the_card() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    let before = bench.exchanges.len();
    bench.type_pin("123");
    assert_eq!(bench.exchanges.len(), before);
    assert!(bench.screen().contains("数字4桁を入力してください"));
    assert!(bench.screen().contains("残り 3 回"));
}

#[test]
fn three_wrong_pins_lock_the_card_and_send_the_patient_to_staff() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.type_pin("0000");
    assert!(bench.screen().starts_with("暗証番号が違います"));
    assert!(bench.screen().contains("残り 2 回"));
    bench.type_pin("1111");
    assert!(bench.screen().contains("残り 1 回"));
    bench.type_pin("2222");
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::Failed {
            method: Some(IdentityMethod::Pin),
            reason: FailureReason::Pin(PinFailure::Locked)
        }
    );
    assert!(bench.screen().contains("暗証番号がロックされています"));
    assert!(bench.screen().contains("受付にお声かけください"));
    let result = bench.last_result();
    assert_eq!(
        result.outcome,
        failed(FailureReason::Pin(PinFailure::Locked))
    );
    assert_eq!(result.method, Some(IdentityMethod::Pin));

    // Next visit: the card reports the lock; face is still offered.
    bench.remove_card();
    bench.place_card();
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Locked
        }
    );
    bench.touch(Touch::ChoosePin);
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
    // 暗証番号認証固定 with a locked PIN ends at once.
    bench.remove_card();
    bench.send(Input::ModeChanged(ReaderMode::PinOnly));
    bench.place_card();
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::Pin(PinFailure::Locked))
    );
}

#[test]
fn pin_only_mode_goes_straight_to_the_pin_pad() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.send(Input::ModeChanged(ReaderMode::PinOnly));
    assert_eq!(bench.reader.screen(), &PatientScreen::PlaceCard);
    bench.place_card();
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::EnterPin { tries_left: 3, .. }
    ));
    bench.touch(Touch::ChooseFace); // no face button in this mode
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::EnterPin { .. }
    ));
    bench.type_pin(AUTH_PIN);
    bench.give_challenge();
    bench.consent([false; 4]);
    bench.accept();
    let result = bench.last_result();
    assert_eq!(result.method, Some(IdentityMethod::Pin));
    assert!(result.is_completed());
}
