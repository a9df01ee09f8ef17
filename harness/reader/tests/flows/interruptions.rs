//! Visits that end before a result from the service: the patient walks away (timeouts, and
//! touches that extend them), the card is removed, the patient cancels; timeouts that fall due
//! together, and zero timeouts.

use std::time::Duration;

use harness_eligibility::protocol::IdentityMethod;
use harness_reader::{
    CameraFault, FaceFailure, FailureReason, Input, Output, PatientScreen, Touch,
};
use virtual_card::CardKind;

use crate::common::*;
use crate::{failed, secs};

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
