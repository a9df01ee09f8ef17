//! 目視確認 (visual check) mode and mode changes: the reader waits for the staff's tick, takes
//! only a valid tick for its own reader, and applies a mode change to the next visit.

use harness_eligibility::protocol::{IdentityMethod, IdentityProof};
use harness_reader::{FailureReason, Input, Output, PatientScreen, ReaderMode, Touch};
use virtual_card::CardKind;

use crate::common::*;
use crate::{failed, secs};

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
