//! What the reader refuses or hides: touches of buttons the screen does not show (also while it
//! talks to the card or the service), PINs and card-face numbers in Debug output; and that it can
//! move between threads.

use harness_reader::{CameraFault, Input, Output, PatientScreen, Refused, Touch};
use virtual_card::CardKind;

use crate::common::*;

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
