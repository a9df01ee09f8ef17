//! The face-failure count lives in the facility's store, not in a reader: two readers of one
//! clinic share it, it survives a reader restart, it locks face auth at 10, and neither 目視確認
//! nor a mode change resets it (TBS (itv), citing 厚生労働省,
//! <https://newsdig.tbs.co.jp/articles/itv/1447618?page=3>).

mod common;

use std::time::Duration;

use common::*;
use harness_reader::{
    Availability, CardKey, FaceFailure, FailureReason, Input, MissingData, Output, PatientScreen,
    ReaderMode, Touch,
};
use virtual_card::CardKind;

/// One visit with three failed face comparisons (the tries of a visit), then ［中止］.
fn three_failures(bench: &mut Bench) {
    bench.place_card();
    bench.face_route_to_camera();
    for _ in 0..3 {
        bench.show_face(STRANGER);
        if bench.reader.screen().button("もう一度").is_some() {
            bench.touch(Touch::Retry);
        }
    }
    bench.touch(Touch::Cancel);
    bench.remove_card();
    bench.advance(Duration::from_secs(10));
}

fn changes(outputs: &[Output]) -> Vec<u32> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::FaceFailuresChanged { card: c, count } if *c == card_key_of_fixture() => {
                Some(*count)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_reader_asks_the_store_and_reports_every_change() {
    let mut bench = Bench::new(CardKind::Standard);
    bench
        .face_store
        .borrow_mut()
        .insert(card_key_of_fixture(), 4);
    let outputs = bench.place_card();
    assert!(outputs.contains(&Output::NeedFaceFailures(card_key_of_fixture())));
    bench.face_route_to_camera();
    let outputs = bench.show_face(STRANGER);
    assert_eq!(changes(&outputs), [5]);
    let attempt = outputs.iter().find_map(|o| match o {
        Output::FaceCompared(a) => Some(a.clone()),
        _ => None,
    });
    assert_eq!(attempt.map(|a| a.consecutive_failures), Some(5));
    bench.touch(Touch::Retry);
    let outputs = bench.show_face(HOLDER);
    assert_eq!(changes(&outputs), [0], "a match resets the count");
    assert_eq!(bench.face_failures(&card_key_of_fixture()), 0);
}

#[test]
fn failures_on_two_readers_add_up_in_the_store_and_lock_face_auth_at_ten() {
    let store = FaceStore::default();
    let mut reader_0 =
        Bench::sharing_store(CardKind::Standard, config_for(READER_0), store.clone());
    let mut reader_1 =
        Bench::sharing_store(CardKind::Standard, config_for(READER_1), store.clone());
    three_failures(&mut reader_0);
    three_failures(&mut reader_1);
    three_failures(&mut reader_0);
    assert_eq!(store.borrow().get(&card_key_of_fixture()), Some(&9));
    // The patient walks to the other reader: the 10th failure there locks face auth.
    reader_1.place_card();
    reader_1.face_route_to_camera();
    let outputs = reader_1.show_face(STRANGER);
    assert_eq!(changes(&outputs), [10]);
    assert_eq!(
        reader_1.reader.screen(),
        &PatientScreen::FaceUnavailable {
            failure: FaceFailure::Locked
        }
    );
    let text = reader_1.screen();
    assert!(text.contains("顔認証がロックされています"), "{text}");
    assert!(text.contains("お住まいの市区町村の窓口"), "{text}");
    reader_1.touch(Touch::Cancel);
    reader_1.remove_card();
    // Back at the first reader, the card's face auth is locked there too.
    reader_0.place_card();
    assert_eq!(
        reader_0.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Locked,
            pin: Availability::Offered
        }
    );
    assert!(matches!(
        reader_0.touch(Touch::ChooseFace).as_slice(),
        [Output::Refused(_)]
    ));
}

#[test]
fn the_count_survives_a_reader_restart() {
    let store = FaceStore::default();
    let mut bench = Bench::sharing_store(CardKind::Standard, config(), store.clone());
    three_failures(&mut bench);
    drop(bench);
    // A new reader (restarted) with the same store: the count is still there.
    let mut restarted = Bench::sharing_store(CardKind::Standard, config(), store.clone());
    restarted.place_card();
    restarted.face_route_to_camera();
    let outputs = restarted.show_face(STRANGER);
    assert_eq!(changes(&outputs), [4]);
}

#[test]
fn visual_check_and_mode_changes_reset_neither_the_face_nor_the_pin_count() {
    let mut bench = Bench::new(CardKind::Standard);
    three_failures(&mut bench);
    // A wrong PIN: the card's own counter goes to 2 tries left.
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.type_pin("0000");
    bench.touch(Touch::Cancel);
    bench.remove_card();
    bench.advance(Duration::from_secs(10));
    // Staff switch to 目視確認 and the patient completes a visit by staff confirmation.
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    bench.staff_tick();
    bench.place_card();
    bench.consent([true; 4]);
    bench.accept();
    assert!(bench.last_result().is_completed());
    bench.remove_card();
    bench.send(Input::ModeChanged(ReaderMode::PinOnly));
    bench.send(Input::ModeChanged(ReaderMode::Unattended));
    bench.advance(Duration::from_secs(10));
    assert_eq!(bench.face_failures(&card_key_of_fixture()), 3);
    bench.place_card();
    assert_eq!(
        bench.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Offered
        }
    );
    bench.touch(Touch::ChoosePin);
    assert!(
        bench.screen().contains("残り 2 回"),
        "the PIN counter is the card's: {}",
        bench.screen()
    );
}

#[test]
fn a_store_that_never_answers_ends_the_visit_with_missing_data() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.channel.present = true;
    let outputs = bench.send_raw(Input::CardPlaced);
    assert!(outputs.contains(&Output::NeedFaceFailures(card_key_of_fixture())));
    // An answer about another card is not an answer.
    bench.send_raw(Input::FaceFailures {
        card: CardKey([7; 32]),
        count: 0,
    });
    assert_eq!(bench.reader.screen(), &PatientScreen::ReadingCard);
    bench.now += Duration::from_secs(5);
    bench.send_raw(Input::Tick);
    assert_eq!(
        bench.last_result().outcome,
        harness_reader::CheckOutcome::Failed(FailureReason::MissingData(
            MissingData::FaceFailureCount
        ))
    );
}
