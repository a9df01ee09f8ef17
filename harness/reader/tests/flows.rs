//! Every path of the reader, driven through the card-channel driver against the in-process
//! virtual card engine, with a clock the tests own.

mod common;

use std::time::Duration;

use common::*;
use harness_eligibility::protocol::{IdentityMethod, IdentityProof};
use harness_face::MatchDecision;
use harness_reader::{
    attestation_statement, Availability, CameraFault, CardFaceScanError, CardKey, CheckOutcome,
    FaceFailure, FailureReason, Input, Output, PatientScreen, PinFailure, ReaderMode, Refused,
    ServiceAnswer, Touch,
};
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};
use virtual_card::CardKind;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn card_key_of_fixture() -> CardKey {
    CardKey::from_auth_certificate(&pem_der("card-auth.crt.pem"))
}

fn verify_pkcs1_sha256(key: &PrivateKey, message: &[u8], signature: &[u8]) -> bool {
    key.to_public_key()
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            signature,
        )
        .is_ok()
}

fn failed(reason: FailureReason) -> CheckOutcome {
    CheckOutcome::Failed(reason)
}

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

#[test]
fn face_only_card_offers_no_pin_and_ends_at_staff_after_face_fails() {
    let mut bench = Bench::new(CardKind::FaceOnly);
    bench.place_card();
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::NotOnCard
        }
    );
    bench.touch(Touch::ChoosePin);
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
    bench.face_route_to_camera();
    bench.show_face(BANDAGE);
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::FaceNotRecognised {
            decision: MatchDecision::Occluded,
            tries_left: 2,
            pin_offered: false
        }
    );
    bench.touch(Touch::Retry);
    bench.show_face(BANDAGE);
    bench.touch(Touch::Retry);
    let outputs = bench.show_face(BANDAGE);
    assert!(has(&outputs, is_result));
    let result = bench.last_result();
    assert_eq!(
        result.outcome,
        failed(FailureReason::Face(FaceFailure::NotRecognised(
            MatchDecision::Occluded
        )))
    );
    assert_eq!(result.face_reports.len(), 3);
    assert!(bench.screen().contains("受付にお声かけください"));
}

#[test]
fn face_only_card_in_pin_only_mode_ends_with_pin_not_set() {
    let mut bench = Bench::new(CardKind::FaceOnly);
    bench.send(Input::ModeChanged(ReaderMode::PinOnly));
    bench.place_card();
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::Pin(PinFailure::NotSet))
    );
    assert!(bench
        .screen()
        .contains("このカードは暗証番号が設定されていません"));
}

#[test]
fn face_only_card_face_match_completes() {
    let mut bench = Bench::new(CardKind::FaceOnly);
    bench.place_card();
    bench.face_route_to_camera();
    bench.show_face(HOLDER);
    bench.consent([true; 4]);
    bench.accept();
    assert!(bench.last_result().is_completed());
}

#[test]
fn infant_card_without_photo_falls_back_to_the_pin() {
    let mut bench = Bench::new(CardKind::Infant);
    bench.place_card();
    bench.touch(Touch::ChooseFace);
    let outputs = bench.scan_card_face();
    assert!(!has(&outputs, is_need_frames));
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::FaceUnavailable {
            failure: FaceFailure::NoPhoto
        }
    );
    assert!(bench.screen().contains("顔写真が登録されていない"));
    bench.touch(Touch::Retry); // face cannot be retried
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::FaceUnavailable { .. }
    ));
    bench.touch(Touch::ChoosePin);
    bench.type_pin(AUTH_PIN);
    bench.give_challenge();
    bench.consent([true; 4]);
    bench.accept();
    let result = bench.last_result();
    assert!(result.is_completed());
    assert_eq!(result.method, Some(IdentityMethod::Pin));
}

#[test]
fn after_the_face_tries_of_a_visit_only_the_pin_is_offered() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    for (colour, decision, left) in [
        (STRANGER, MatchDecision::NoMatch, 2),
        (NOBODY, MatchDecision::NoFace, 1),
        (PRINTED_PHOTO, MatchDecision::NotLive, 0),
    ] {
        bench.show_face(colour);
        assert_eq!(
            bench.reader.screen(),
            &PatientScreen::FaceNotRecognised {
                decision,
                tries_left: left,
                pin_offered: true
            }
        );
        bench.touch(Touch::Retry);
    }
    // The last Retry did nothing: no tries left.
    assert!(bench.screen().contains("顔認証はこれ以上試せません"));
    bench.touch(Touch::ChoosePin);
    bench.type_pin(AUTH_PIN);
    bench.give_challenge();
    bench.consent([true; 4]);
    bench.accept();
    let result = bench.last_result();
    assert!(result.is_completed());
    assert_eq!(result.method, Some(IdentityMethod::Pin));
    assert_eq!(result.face_reports.len(), 3);
    // The photo was read once: one VERIFY of 照合番号B in the trace.
    let select_key_b = card_protocol::Command::Select(card_protocol::Select::ef(0x0012));
    let verifies_b = bench
        .exchanges
        .windows(2)
        .filter(|pair| {
            pair[0].command == select_key_b
                && matches!(pair[1].command, card_protocol::Command::Verify(_))
        })
        .count();
    assert_eq!(verifies_b, 1);
}

#[test]
fn ten_consecutive_face_failures_lock_face_auth_and_mode_changes_do_not_reset_it() {
    let mut bench = Bench::new(CardKind::Standard);
    let card = card_key_of_fixture();
    let mut failures = 0;
    for visit in 0..3 {
        bench.place_card();
        bench.face_route_to_camera();
        for _ in 0..3 {
            bench.show_face(STRANGER);
            failures += 1;
            bench.touch(Touch::Retry);
        }
        assert_eq!(bench.face_failures(&card), failures, "visit {visit}");
        bench.touch(Touch::Cancel);
        bench.remove_card();
        // Switching modes back and forth changes nothing.
        bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
        bench.send(Input::ModeChanged(ReaderMode::PinOnly));
        bench.send(Input::ModeChanged(ReaderMode::Unattended));
    }
    assert_eq!(bench.face_failures(&card), 9);
    bench.place_card();
    bench.face_route_to_camera();
    let outputs = bench.show_face(STRANGER);
    let attempt = outputs
        .iter()
        .find_map(|o| match o {
            Output::FaceCompared(a) => Some(a.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(attempt.consecutive_failures, 10);
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::FaceUnavailable {
            failure: FaceFailure::Locked
        }
    );
    assert!(bench.screen().contains("顔認証がロックされています"));
    bench.touch(Touch::Cancel);
    bench.remove_card();
    bench.place_card();
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Locked,
            pin: Availability::Offered
        }
    );
    bench.touch(Touch::ChooseFace);
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
}

#[test]
fn face_lock_with_a_locked_pin_leaves_no_method() {
    let mut config = config();
    config.face_lock_threshold = 2;
    config.face_tries_per_visit = 2;
    let mut bench = Bench::with_config(CardKind::Standard, config);
    // Lock the PIN first.
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    for pin in ["0000", "0000", "0000"] {
        bench.type_pin(pin);
    }
    bench.remove_card();
    bench.place_card();
    bench.face_route_to_camera();
    bench.show_face(STRANGER);
    bench.touch(Touch::Retry);
    bench.show_face(STRANGER);
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::Face(FaceFailure::Locked))
    );
    bench.remove_card();
    bench.place_card();
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::NoMethodAvailable {
            face: FaceFailure::Locked,
            pin: PinFailure::Locked
        })
    );
    assert!(bench.screen().contains("どちらもご利用いただけません"));
}

#[test]
fn a_face_match_resets_the_consecutive_failures() {
    let mut bench = Bench::new(CardKind::Standard);
    let card = card_key_of_fixture();
    bench.place_card();
    bench.face_route_to_camera();
    bench.show_face(STRANGER);
    bench.touch(Touch::Retry);
    assert_eq!(bench.face_failures(&card), 1);
    bench.show_face(HOLDER);
    assert_eq!(bench.face_failures(&card), 0);
}

#[test]
fn card_in_its_sleeve_shows_an_error_and_can_be_retried() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChooseFace);
    bench.send(Input::CardFaceScanned(Err(CardFaceScanError::Sleeve)));
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::CardFaceUnreadable {
            cause: Some(CardFaceScanError::Sleeve),
            pin_offered: true
        }
    );
    assert!(bench.screen().contains("カードケースから出して"));
    let outputs = bench.touch(Touch::Retry);
    assert!(has(&outputs, is_need_scan));
    bench.send(Input::CardFaceScanned(Err(CardFaceScanError::Glare)));
    assert!(bench.screen().contains("光が反射しています"));
    bench.touch(Touch::Retry);
    let outputs = bench.scan_card_face();
    assert!(has(&outputs, is_need_challenge));
    assert!(has(&bench.give_challenge(), is_need_frames));
}

#[test]
fn a_misread_card_face_number_is_refused_by_the_card_and_offers_retry_or_pin() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChooseFace);
    let mut face = printed_face(CardKind::Standard);
    face.security_code = harness_reader::SecurityCode::new("0000").unwrap();
    bench.send(Input::CardFaceScanned(Ok(face)));
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::CardFaceUnreadable {
            cause: None,
            pin_offered: true
        }
    );
    bench.touch(Touch::ChoosePin);
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::EnterPin { .. }
    ));
}

#[test]
fn a_card_face_scan_that_never_answers_times_out_as_unreadable() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChooseFace);
    bench.advance(secs(4));
    assert_eq!(bench.reader.screen(), &PatientScreen::ScanningCardFace);
    bench.advance(secs(1));
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::CardFaceUnreadable {
            cause: Some(CardFaceScanError::Unreadable),
            ..
        }
    ));
}

#[test]
fn a_missing_camera_offers_the_pin() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    bench.send(Input::CameraFault(CameraFault::Missing));
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::FaceUnavailable {
            failure: FaceFailure::Camera(CameraFault::Missing)
        }
    );
    assert!(bench.screen().contains("カメラが使用できないため"));
    // A broken camera is not the patient's failure.
    assert_eq!(bench.face_failures(&card_key_of_fixture()), 0);
}

#[test]
fn a_camera_that_gives_no_frame_times_out_and_offers_the_pin() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    bench.advance(secs(9));
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::LookAtCamera { .. }
    ));
    assert_eq!(bench.reader.next_deadline(), Some(secs(10)));
    bench.advance(secs(1));
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::FaceUnavailable {
            failure: FaceFailure::Camera(CameraFault::NoFrames)
        }
    );
    // Frames arriving late are ignored.
    bench.show_face(HOLDER);
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::FaceUnavailable { .. }
    ));
}

#[test]
fn a_broken_camera_with_a_face_only_card_ends_at_staff() {
    let mut bench = Bench::new(CardKind::FaceOnly);
    bench.place_card();
    bench.face_route_to_camera();
    bench.send(Input::CameraFrames(Vec::new()));
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::Face(FaceFailure::Camera(
            CameraFault::NoFrames
        )))
    );
    assert!(bench.screen().contains("受付にお声かけください"));
}

#[test]
fn visual_check_waits_for_staff_then_takes_card_and_consents() {
    let mut bench = Bench::new(CardKind::FaceOnly);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    // The card first: the reader asks the terminal, which has no tick yet.
    let outputs = bench.place_card();
    assert!(outputs
        .iter()
        .any(|o| matches!(o, Output::NeedVisualConfirmation)));
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    assert_eq!(
        bench.exchanges.len(),
        0,
        "the card is not read before staff confirm"
    );
    for touch in [Touch::ChooseFace, Touch::ChoosePin] {
        let outputs = bench.touch(touch);
        assert!(matches!(
            outputs.as_slice(),
            [Output::Refused(
                harness_reader::Refused::ButtonNotShown { .. }
            )]
        ));
    }
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    // Staff tick: the terminal tells the reader, the reader asks, the terminal hands the tick.
    bench.staff_tick();
    assert!(
        bench.screen().starts_with("同意の選択"),
        "{}",
        bench.screen()
    );
    assert_eq!(bench.tick, None, "the tick is used by this visit");
    bench.consent([true, true, false, false]);
    let check = bench.submitted();
    assert_eq!(
        check.proof,
        IdentityProof::StaffConfirmation {
            account: "admin".into(),
            reader: "Identiv CLOUD 3701 F Contactless Reader 0".into(),
            confirmation_date: date(2026, 11, 25),
            confirmed_at: clock_origin() + chrono::Duration::seconds(3),
        }
    );
    bench.accept();
    let result = bench.last_result();
    assert!(result.is_completed());
    assert_eq!(result.method, Some(IdentityMethod::Visual));
    assert_eq!(result.method_label(), "目視");
    assert!(!bench.outputs.iter().any(is_need_frames));
    assert!(!bench.outputs.iter().any(is_need_challenge));
    assert!(!bench
        .outputs
        .iter()
        .any(|o| matches!(o, Output::NeedFaceFailures(_))));
}

#[test]
fn staff_confirmation_before_the_card_shows_place_card() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    bench.staff_tick();
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualPlaceCard);
    bench.place_card();
    assert!(bench.screen().starts_with("同意の選択"));
}

#[test]
fn a_staff_confirmation_outside_visual_mode_is_ignored() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.staff_tick();
    assert_eq!(bench.reader.screen(), &PatientScreen::PlaceCard);
    bench.place_card();
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
    assert!(!bench
        .outputs
        .iter()
        .any(|o| matches!(o, Output::NeedVisualConfirmation)));
}

/// The terminal's notification said "ticked", but when the card is placed it has no valid tick
/// (expired, or used): the reader shows the waiting screen and submits nothing.
#[test]
fn an_expired_or_absent_tick_submits_nothing() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    bench.send(Input::StaffConfirmationAvailable);
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualPlaceCard);
    // The terminal expired the tick before the card came: it answers None.
    bench.tick = None;
    bench.place_card();
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    assert_eq!(bench.exchanges.len(), 0, "nothing is read without a tick");
    assert!(!bench.outputs.iter().any(is_submit));
    assert!(bench.results().is_empty(), "the visit waits for staff");
    // Nobody ticks again: the visit ends at the staff timeout, still with nothing submitted.
    bench.advance(secs(60));
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::StaffConfirmationMissing)
    );
    assert!(!bench.outputs.iter().any(is_submit));
}

#[test]
fn a_tick_given_for_the_other_reader_is_no_tick_for_this_one() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    // Staff ticked on the terminal for reader 1; a driver wrongly hands it to reader 0.
    bench.tick = Some(tick_for(READER_1));
    bench.place_card();
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    assert_eq!(bench.exchanges.len(), 0);
    assert!(!bench.outputs.iter().any(is_submit));
    // The right tick then lets the waiting card through.
    bench.staff_tick();
    assert!(bench.screen().starts_with("同意の選択"));
}

#[test]
fn a_tick_answer_nobody_asked_for_is_ignored() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    bench.send(Input::VisualConfirmation(Some(tick_for(READER_0))));
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    bench.place_card();
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    assert!(!bench.outputs.iter().any(is_submit));
}

#[test]
fn forgotten_switch_back_leaves_the_next_patient_without_face_or_pin() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    bench.staff_tick();
    bench.place_card();
    bench.consent([true; 4]);
    bench.accept();
    bench.remove_card();
    // Staff forgot to switch back: the next patient sees the visual-mode screen.
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    bench.place_card();
    bench.touch(Touch::ChooseFace);
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
    bench.advance(secs(60));
    let result = bench.last_result();
    assert_eq!(
        result.outcome,
        failed(FailureReason::StaffConfirmationMissing)
    );
    assert_eq!(result.method, None);
    assert!(bench
        .screen()
        .contains("職員による本人確認が完了していません"));
}

#[test]
fn switching_back_to_unattended_while_a_card_waits_starts_over() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    bench.place_card();
    bench.send(Input::ModeChanged(ReaderMode::Unattended));
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
}

#[test]
fn a_mode_change_mid_visit_applies_to_the_next_visit() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::EnterPin { .. }
    ));
    bench.type_pin(AUTH_PIN);
    bench.give_challenge();
    bench.consent([true; 4]);
    bench.accept();
    assert_eq!(bench.last_result().method, Some(IdentityMethod::Pin));
    bench.remove_card();
    assert_eq!(bench.reader.screen(), &PatientScreen::VisualWaitingForStaff);
}

#[test]
fn patient_walking_away_ends_the_visit_at_the_timeout_and_touches_extend_it() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.advance(secs(59));
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
    bench.touch(Touch::ChoosePin); // at 59 s: the timer starts again
    bench.advance(secs(59));
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::EnterPin { .. }
    ));
    let outputs = bench.advance(secs(1));
    assert!(has(&outputs, is_result));
    let result = bench.last_result();
    assert_eq!(result.outcome, failed(FailureReason::PatientTimeout));
    assert_eq!(result.method, Some(IdentityMethod::Pin));
    assert_eq!(
        result.finished_at,
        clock_origin() + chrono::Duration::seconds(119)
    );
    assert!(bench
        .screen()
        .contains("一定時間操作がなかったため中止しました"));
    // The end screen stays while the card lies there.
    bench.advance(secs(600));
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::Failed { .. }
    ));
    assert_eq!(bench.results().len(), 1);
    bench.remove_card();
    assert_eq!(bench.reader.screen(), &PatientScreen::PlaceCard);
}

#[test]
fn a_touch_after_the_deadline_does_not_revive_the_visit() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.now = secs(61);
    bench.touch(Touch::ChoosePin);
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::PatientTimeout)
    );
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::Failed { .. }
    ));
}

#[test]
fn patient_walking_away_from_the_consent_screen() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    bench.show_face(HOLDER);
    bench.touch(Touch::ConsentIndividually);
    bench.touch(Touch::Consent {
        item: harness_reader::ConsentItem::DiagnosisAndMedication,
        given: true,
    });
    assert!(bench.screen().contains("手術情報"), "{}", bench.screen());
    bench.advance(secs(60));
    let result = bench.last_result();
    assert_eq!(result.outcome, failed(FailureReason::PatientTimeout));
    assert_eq!(result.consents, None);
    assert_eq!(result.method, Some(IdentityMethod::Face));
}

#[test]
fn card_removed_mid_flow_ends_the_visit_and_the_screen_returns_to_idle() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.now = secs(5);
    bench.remove_card();
    let result = bench.last_result();
    assert_eq!(result.outcome, failed(FailureReason::CardRemoved));
    assert!(bench.screen().contains("カードが取り外されました"));
    assert_eq!(bench.reader.next_deadline(), Some(secs(10)));
    bench.advance(secs(4));
    assert!(bench.screen().contains("カードが取り外されました"));
    bench.advance(secs(1));
    assert_eq!(bench.reader.screen(), &PatientScreen::PlaceCard);
}

#[test]
fn card_gone_during_a_transaction_is_a_removal() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.channel.present = false; // the card slid off; the reader has not noticed yet
    bench.type_pin(AUTH_PIN);
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::CardRemoved)
    );
    assert!(bench.exchanges.last().unwrap().response.is_err());
    // A new card placed during the end screen starts a new visit.
    bench.channel.present = true;
    bench.send(Input::CardPlaced);
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
}

#[test]
fn a_card_that_never_answers_times_out() {
    let mut bench = Bench::new(CardKind::Standard);
    // Drive the reader directly: nobody answers the Transmit.
    let outputs = bench.reader.handle(Input::CardPlaced, secs(0));
    assert!(outputs.iter().any(|o| matches!(o, Output::Transmit(_))));
    assert!(bench.reader.awaiting_card());
    let outputs = bench.reader.handle(Input::Tick, secs(5));
    let result = outputs
        .iter()
        .find_map(|o| match o {
            Output::Result(result) => Some(result.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(result.outcome, failed(FailureReason::CardNoResponse));
    assert_eq!(result.method, None);
    // A late answer is ignored.
    assert!(bench
        .reader
        .handle(Input::CardResponse(vec![0x90, 0x00]), secs(6))
        .is_empty());
}

#[test]
fn a_card_without_the_jpki_application_is_not_a_my_number_card() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.reader.handle(Input::CardPlaced, secs(0));
    let outputs = bench
        .reader
        .handle(Input::CardResponse(vec![0x6A, 0x82]), secs(0));
    assert!(outputs.iter().any(is_result));
    assert!(bench.screen().contains("このカードはご利用いただけません"));
}

#[test]
fn garbage_from_the_card_is_a_card_error_not_a_panic() {
    for answer in [
        vec![],
        vec![0x90],
        vec![0x6F, 0x00],
        vec![0x01, 0x02, 0x90, 0x00],
    ] {
        let mut bench = Bench::new(CardKind::Standard);
        bench.reader.handle(Input::CardPlaced, secs(0));
        // SELECT JPKI OK, SELECT EF OK, then the certificate read gets `answer`.
        bench
            .reader
            .handle(Input::CardResponse(vec![0x90, 0x00]), secs(0));
        bench
            .reader
            .handle(Input::CardResponse(vec![0x90, 0x00]), secs(0));
        let outputs = bench
            .reader
            .handle(Input::CardResponse(answer.clone()), secs(0));
        let result = outputs.iter().find_map(|o| match o {
            Output::Result(result) => Some(result.clone()),
            _ => None,
        });
        assert!(
            matches!(
                result.map(|r| r.outcome),
                Some(CheckOutcome::Failed(FailureReason::CardError { .. }))
            ),
            "answer {answer:02X?}"
        );
    }
}

#[test]
fn service_that_gives_no_challenge_or_no_answer_times_out() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.type_pin(AUTH_PIN);
    bench.advance(secs(30));
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::ServiceTimeout)
    );
    assert!(bench.screen().contains("資格確認できませんでした"));

    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    bench.show_face(HOLDER);
    bench.consent([true; 4]);
    bench.advance(secs(30));
    let result = bench.last_result();
    assert_eq!(result.outcome, failed(FailureReason::ServiceTimeout));
    assert!(result.consents.is_some());
}

/// A missing challenge is an error, never an empty challenge that the card signs or the
/// reader attests.
#[test]
fn a_missing_challenge_ends_the_visit_and_nothing_is_signed() {
    for route in ["pin", "face"] {
        let mut bench = Bench::new(CardKind::Standard);
        bench.place_card();
        if route == "pin" {
            bench.touch(Touch::ChoosePin);
            bench.type_pin(AUTH_PIN);
        } else {
            bench.touch(Touch::ChooseFace);
            bench.scan_card_face();
        }
        assert!(bench.outputs.iter().any(is_need_challenge), "{route}");
        let sent_before = bench.exchanges.len();
        bench.send(Input::Challenge(Vec::new()));
        assert_eq!(
            bench.last_result().outcome,
            failed(FailureReason::MissingData(
                harness_reader::MissingData::Challenge
            )),
            "{route}"
        );
        assert_eq!(
            bench.exchanges.len(),
            sent_before,
            "{route}: nothing sent to the card"
        );
        assert!(!bench.outputs.iter().any(is_submit), "{route}");
        assert!(!bench.outputs.iter().any(is_need_frames), "{route}");
        assert!(bench.screen().contains("資格確認できませんでした"));
    }
}

#[test]
fn service_rejection_is_reported() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.type_pin(AUTH_PIN);
    bench.give_challenge();
    bench.consent([true; 4]);
    bench.send(Input::ServiceAnswer(ServiceAnswer::Rejected {
        reason: "証明書失効".into(),
    }));
    let result = bench.last_result();
    assert_eq!(
        result.outcome,
        failed(FailureReason::ServiceRejected("証明書失効".into()))
    );
    assert_eq!(result.method, Some(IdentityMethod::Pin));
}

#[test]
fn cancel_ends_the_visit() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::Cancel);
    let result = bench.last_result();
    assert_eq!(result.outcome, failed(FailureReason::Cancelled));
    assert_eq!(result.method, None);
    assert!(bench.screen().contains("中止しました"));
}

#[test]
fn debug_output_never_shows_a_pin_or_the_card_face_number() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChooseFace);
    let scanned = Input::CardFaceScanned(Ok(printed_face(CardKind::Standard)));
    let debug = format!("{scanned:?}");
    assert!(!debug.contains(SECURITY_CODE), "{debug}");
    bench.send(scanned);
    bench.give_challenge();
    bench.send(Input::CameraFault(CameraFault::Disconnected));
    bench.touch(Touch::ChoosePin);
    let entered = Input::PinEntered(harness_reader::Pin::new("9876"));
    assert!(!format!("{entered:?}").contains("9876"));
    let outputs = bench.reader.handle(entered, bench.now);
    // SELECT goes out; the VERIFY follows once answered: pump by hand and look at its Debug.
    let mut all = format!("{outputs:?}");
    let mut pending = outputs;
    while let Some(Output::Transmit(command)) = pending
        .iter()
        .find(|o| matches!(o, Output::Transmit(_)))
        .cloned()
    {
        let response = bench.channel.card.execute(&command.encode());
        pending = bench
            .reader
            .handle(Input::CardResponse(response), bench.now);
        all.push_str(&format!("{pending:?}"));
    }
    assert!(
        all.contains("Verify { target: CurrentEf, pin: Some(****) }"),
        "{all}"
    );
    assert!(
        !all.contains("9876") && !all.contains("57, 56, 55, 54"),
        "{all}"
    );
    assert!(!format!("{:?}", bench.reader).contains("9876"));
}

#[test]
fn the_reader_can_move_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<harness_reader::Reader>();
    assert_send_sync::<harness_reader::Output>();
}

#[test]
fn timeouts_due_together_fire_in_order_each_at_its_own_time() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    // Nothing for 200 s: the camera times out at 10 s (PIN offered), then the patient at 70 s.
    bench.advance(secs(200));
    let screens: Vec<&PatientScreen> = bench
        .outputs
        .iter()
        .filter_map(|o| match o {
            Output::Screen(screen) => Some(screen),
            _ => None,
        })
        .collect();
    assert!(screens.contains(&&PatientScreen::FaceUnavailable {
        failure: FaceFailure::Camera(CameraFault::NoFrames)
    }));
    let result = bench.last_result();
    assert_eq!(result.outcome, failed(FailureReason::PatientTimeout));
    assert_eq!(
        result.finished_at,
        clock_origin() + chrono::Duration::seconds(70)
    );
}

#[test]
fn zero_timeouts_do_not_loop() {
    let mut config = config();
    config.patient_timeout = Duration::ZERO;
    config.end_screen_hold = Duration::ZERO;
    let mut bench = Bench::with_config(CardKind::Standard, config);
    bench.place_card();
    bench.advance(secs(1));
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::PatientTimeout)
    );
}

#[test]
fn cancel_while_the_camera_looks_ends_the_visit_and_late_frames_are_ignored() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    bench.touch(Touch::Cancel);
    assert_eq!(
        bench.last_result().outcome,
        failed(FailureReason::Cancelled)
    );
    assert_eq!(bench.last_result().method, Some(IdentityMethod::Face));
    let outputs = bench.show_face(HOLDER);
    assert!(outputs.is_empty());
    assert_eq!(bench.results().len(), 1);
}

#[test]
fn touches_while_the_reader_talks_to_the_card_or_service_are_refused() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.touch(Touch::ChooseFace);
    bench.scan_card_face(); // waits for the challenge now
    for touch in [
        Touch::ChoosePin,
        Touch::Digit(1),
        Touch::PinOk,
        Touch::Retry,
        Touch::Cancel,
    ] {
        assert_eq!(
            bench.touch(touch),
            [Output::Refused(Refused::ButtonNotShown {
                touch,
                shown: Vec::new()
            })]
        );
    }
    assert_eq!(bench.reader.screen(), &PatientScreen::PleaseWait);
    // The visit goes on as if nothing was touched.
    bench.give_challenge();
    bench.show_face(HOLDER);
    assert!(bench.screen().starts_with("同意の選択"));
}

#[test]
fn a_touch_of_a_button_the_screen_does_not_show_is_refused_with_the_buttons_shown() {
    let mut bench = Bench::new(CardKind::FaceOnly);
    bench.place_card();
    // A face-only card: the method choice shows ［顔認証］［中止］, no ［暗証番号］.
    let outputs = bench.touch(Touch::ChoosePin);
    assert_eq!(
        outputs,
        [Output::Refused(Refused::ButtonNotShown {
            touch: Touch::ChoosePin,
            shown: vec!["顔認証".into(), "中止".into()],
        })]
    );
    let Some(Output::Refused(refused)) = outputs.first() else {
        unreachable!()
    };
    assert_eq!(
        refused.to_string(),
        "この画面にそのボタンはありません（ChoosePin）"
    );
    assert!(matches!(
        bench.reader.screen(),
        PatientScreen::ChooseMethod { .. }
    ));
    // A whole PIN typed where there is no keypad is refused too.
    assert_eq!(
        bench.send(Input::PinEntered(harness_reader::Pin::new(AUTH_PIN))),
        [Output::Refused(Refused::NotEnteringPin)]
    );
    // A consent answer before the consent screens, or for an item not on the screen: refused.
    bench.touch(Touch::ChooseFace);
    bench.scan_card_face();
    bench.give_challenge();
    bench.show_face(HOLDER);
    assert_eq!(bench.reader.screen(), &PatientScreen::ConsentChoice);
    let wrong_item = Touch::Consent {
        item: harness_reader::ConsentItem::Operation,
        given: true,
    };
    assert!(matches!(
        bench.touch(wrong_item).as_slice(),
        [Output::Refused(_)]
    ));
    bench.touch(Touch::ConsentIndividually);
    assert!(matches!(
        bench.touch(wrong_item).as_slice(),
        [Output::Refused(_)]
    ));
    assert!(bench.screen().contains("診療・薬剤情報"));
}
