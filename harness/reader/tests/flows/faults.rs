//! A card or service that misbehaves: a card that never answers, is not a My Number card or
//! answers garbage; a service that gives no challenge, no answer, an empty challenge or a
//! rejection.

use harness_eligibility::protocol::IdentityMethod;
use harness_reader::{CheckOutcome, FailureReason, Input, Output, ServiceAnswer, Touch};
use virtual_card::CardKind;

use crate::common::*;
use crate::{failed, secs};

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
