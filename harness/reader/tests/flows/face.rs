//! Face authentication and its fallbacks: face-only and infant (no photo) cards, the tries of a
//! visit, the lock after ten consecutive failures, the card-face scan (sleeve, glare, misread,
//! timeout) and camera faults.

use harness_eligibility::protocol::IdentityMethod;
use harness_face::MatchDecision;
use harness_reader::{
    Availability, CameraFault, CardFaceScanError, FaceFailure, FailureReason, Input, Output,
    PatientScreen, PinFailure, ReaderMode, Touch,
};
use virtual_card::CardKind;

use crate::common::*;
use crate::{failed, secs};

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
