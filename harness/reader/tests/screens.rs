//! Named snapshots of every patient screen as the reader renders it.

use harness_eligibility::protocol::IdentityMethod;
use harness_face::MatchDecision;
use harness_reader::{
    Availability, CameraFault, CardFaceScanError, ConsentItem, ConsentScreens, FaceFailure,
    FailureReason, MissingData, PatientScreen, PinFailure,
};

fn check(name: &str, screen: PatientScreen) {
    insta::assert_snapshot!(name, screen.render());
}

fn failed(method: Option<IdentityMethod>, reason: FailureReason) -> PatientScreen {
    PatientScreen::Failed { method, reason }
}

#[test]
fn idle_and_visual_mode_screens() {
    check("place_card", PatientScreen::PlaceCard);
    check(
        "visual_waiting_for_staff",
        PatientScreen::VisualWaitingForStaff,
    );
    check("visual_place_card", PatientScreen::VisualPlaceCard);
    check("reading_card", PatientScreen::ReadingCard);
    check("please_wait", PatientScreen::PleaseWait);
}

#[test]
fn method_choice_screens() {
    check(
        "choose_method_face_and_pin",
        PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Offered,
        },
    );
    check(
        "choose_method_face_only_card",
        PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::NotOnCard,
        },
    );
    check(
        "choose_method_face_locked",
        PatientScreen::ChooseMethod {
            face: Availability::Locked,
            pin: Availability::Offered,
        },
    );
    check(
        "choose_method_pin_locked",
        PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Locked,
        },
    );
}

#[test]
fn face_route_screens() {
    check("scanning_card_face", PatientScreen::ScanningCardFace);
    check(
        "card_face_in_sleeve",
        PatientScreen::CardFaceUnreadable {
            cause: Some(CardFaceScanError::Sleeve),
            pin_offered: true,
        },
    );
    check(
        "card_face_glare_no_pin",
        PatientScreen::CardFaceUnreadable {
            cause: Some(CardFaceScanError::Glare),
            pin_offered: false,
        },
    );
    check(
        "card_face_number_refused",
        PatientScreen::CardFaceUnreadable {
            cause: None,
            pin_offered: true,
        },
    );
    check(
        "look_at_camera",
        PatientScreen::LookAtCamera {
            try_number: 1,
            tries: 3,
        },
    );
    for (name, decision) in [
        ("face_not_recognised_no_match", MatchDecision::NoMatch),
        ("face_not_recognised_no_face", MatchDecision::NoFace),
        ("face_not_recognised_occluded", MatchDecision::Occluded),
        ("face_not_recognised_poor_image", MatchDecision::PoorImage),
        ("face_not_recognised_not_live", MatchDecision::NotLive),
    ] {
        check(
            name,
            PatientScreen::FaceNotRecognised {
                decision,
                tries_left: 2,
                pin_offered: true,
            },
        );
    }
    check(
        "face_not_recognised_last_try_pin_offered",
        PatientScreen::FaceNotRecognised {
            decision: MatchDecision::NoMatch,
            tries_left: 0,
            pin_offered: true,
        },
    );
    check(
        "face_not_recognised_face_only_card",
        PatientScreen::FaceNotRecognised {
            decision: MatchDecision::NoMatch,
            tries_left: 1,
            pin_offered: false,
        },
    );
    for (name, failure) in [
        ("face_unavailable_locked", FaceFailure::Locked),
        ("face_unavailable_no_photo", FaceFailure::NoPhoto),
        (
            "face_unavailable_photo_unreadable",
            FaceFailure::PhotoUnreadable,
        ),
        (
            "face_unavailable_card_face_locked",
            FaceFailure::CardFaceLocked,
        ),
        (
            "face_unavailable_camera_missing",
            FaceFailure::Camera(CameraFault::Missing),
        ),
    ] {
        check(name, PatientScreen::FaceUnavailable { failure });
    }
}

#[test]
fn pin_pad_screens() {
    check(
        "enter_pin_fresh",
        PatientScreen::EnterPin {
            tries_left: 3,
            typed: 0,
            last_wrong: false,
            malformed: false,
        },
    );
    check(
        "enter_pin_two_digits",
        PatientScreen::EnterPin {
            tries_left: 3,
            typed: 2,
            last_wrong: false,
            malformed: false,
        },
    );
    check(
        "enter_pin_after_wrong_pin",
        PatientScreen::EnterPin {
            tries_left: 1,
            typed: 0,
            last_wrong: true,
            malformed: false,
        },
    );
    check(
        "enter_pin_malformed",
        PatientScreen::EnterPin {
            tries_left: 2,
            typed: 0,
            last_wrong: false,
            malformed: true,
        },
    );
}

#[test]
fn consent_and_end_screens() {
    check("consent_choice", PatientScreen::ConsentChoice);
    for screens in [
        ConsentScreens::AllOrIndividual,
        ConsentScreens::PerItemWithLimit,
    ] {
        let items = screens.items();
        for (index, item) in items.iter().enumerate() {
            let name = format!("consent_{screens:?}_{item:?}");
            check(
                &name,
                PatientScreen::ConsentItem {
                    screens,
                    item: *item,
                    number: index + 1,
                    of: items.len(),
                },
            );
        }
    }
    check("completed", PatientScreen::Completed);
    let pin = Some(IdentityMethod::Pin);
    let face = Some(IdentityMethod::Face);
    for (name, screen) in [
        (
            "failed_card_removed",
            failed(pin, FailureReason::CardRemoved),
        ),
        (
            "failed_patient_timeout",
            failed(face, FailureReason::PatientTimeout),
        ),
        ("failed_cancelled", failed(None, FailureReason::Cancelled)),
        (
            "failed_not_a_my_number_card",
            failed(None, FailureReason::NotAMyNumberCard),
        ),
        (
            "failed_card_error",
            failed(
                None,
                FailureReason::CardError {
                    step: "JPKI AP選択",
                    status: None,
                },
            ),
        ),
        (
            "failed_pin_locked",
            failed(pin, FailureReason::Pin(PinFailure::Locked)),
        ),
        (
            "failed_pin_not_set",
            failed(pin, FailureReason::Pin(PinFailure::NotSet)),
        ),
        (
            "failed_face_not_recognised",
            failed(
                face,
                FailureReason::Face(FaceFailure::NotRecognised(MatchDecision::NoMatch)),
            ),
        ),
        (
            "failed_face_camera",
            failed(
                face,
                FailureReason::Face(FaceFailure::Camera(CameraFault::NoFrames)),
            ),
        ),
        (
            "failed_no_method",
            failed(
                None,
                FailureReason::NoMethodAvailable {
                    face: FaceFailure::Locked,
                    pin: PinFailure::Locked,
                },
            ),
        ),
        (
            "failed_staff_confirmation_missing",
            failed(None, FailureReason::StaffConfirmationMissing),
        ),
        (
            "failed_service_timeout",
            failed(pin, FailureReason::ServiceTimeout),
        ),
        (
            "failed_face_locked",
            failed(face, FailureReason::Face(FaceFailure::Locked)),
        ),
        (
            "failed_missing_challenge",
            failed(pin, FailureReason::MissingData(MissingData::Challenge)),
        ),
    ] {
        check(name, screen);
    }
}

#[test]
fn failure_labels_for_reports() {
    let labels: Vec<String> = [
        FailureReason::CardRemoved,
        FailureReason::PatientTimeout,
        FailureReason::Pin(PinFailure::Locked),
        FailureReason::Pin(PinFailure::NotSet),
        FailureReason::Face(FaceFailure::Camera(CameraFault::Missing)),
        FailureReason::NoMethodAvailable {
            face: FaceFailure::Locked,
            pin: PinFailure::NotSet,
        },
        FailureReason::CardError {
            step: "暗証番号照合",
            status: Some(card_protocol::StatusWord(0x6A88)),
        },
        FailureReason::ServiceRejected("証明書失効".into()),
        FailureReason::MissingData(MissingData::Challenge),
    ]
    .iter()
    .map(FailureReason::label)
    .collect();
    insta::assert_snapshot!("failure_labels", labels.join("\n"));
}

mod common;

use common::{Bench, BANDAGE};
use harness_reader::{Input, Output, ReaderMode, Touch};
use virtual_card::CardKind;

fn screen_log(outputs: &[Output]) -> String {
    outputs
        .iter()
        .filter_map(|output| match output {
            Output::Screen(screen) => Some(screen.render()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("----\n")
}

/// The seed's whole story on one reader: face fails (bandage), the PIN is forgotten and locks,
/// staff switch to 目視確認 and confirm, the patient places the card and consents, staff switch
/// back to 無人運転.
#[test]
fn seed_fallback_flow_screen_sequence() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    bench.face_route_to_camera();
    for _ in 0..3 {
        bench.show_face(BANDAGE);
        bench.touch(Touch::Retry);
    }
    bench.touch(Touch::ChoosePin);
    for pin in ["1111", "2222", "3333"] {
        bench.type_pin(pin);
    }
    bench.send(Input::ModeChanged(ReaderMode::VisualCheck));
    bench.staff_tick();
    bench.remove_card();
    bench.place_card();
    bench.consent([true, true, true, false]);
    bench.accept();
    bench.remove_card();
    bench.send(Input::ModeChanged(ReaderMode::Unattended));
    insta::assert_snapshot!(
        "seed_fallback_flow_screen_sequence",
        screen_log(&bench.outputs)
    );
    let results: Vec<String> = bench
        .results()
        .iter()
        .map(|r| {
            let outcome = match &r.outcome {
                harness_reader::CheckOutcome::Completed => "完了".to_string(),
                harness_reader::CheckOutcome::Failed(reason) => reason.label(),
            };
            format!("{} / {}", r.method_label(), outcome)
        })
        .collect();
    assert_eq!(results, ["暗証番号 / 暗証番号ロック", "目視 / 完了"]);
}

/// Every button a screen offers shows in its text as ［label］, and nothing else in ［］ does.
#[test]
fn buttons_match_the_rendered_screen() {
    let mut screens = vec![
        PatientScreen::PlaceCard,
        PatientScreen::VisualWaitingForStaff,
        PatientScreen::VisualPlaceCard,
        PatientScreen::ReadingCard,
        PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::Offered,
        },
        PatientScreen::ChooseMethod {
            face: Availability::Locked,
            pin: Availability::NotOnCard,
        },
        PatientScreen::ScanningCardFace,
        PatientScreen::CardFaceUnreadable {
            cause: Some(CardFaceScanError::Sleeve),
            pin_offered: false,
        },
        PatientScreen::LookAtCamera {
            try_number: 1,
            tries: 3,
        },
        PatientScreen::FaceNotRecognised {
            decision: MatchDecision::NoMatch,
            tries_left: 0,
            pin_offered: true,
        },
        PatientScreen::FaceUnavailable {
            failure: FaceFailure::NoPhoto,
        },
        PatientScreen::EnterPin {
            tries_left: 3,
            typed: 1,
            last_wrong: false,
            malformed: false,
        },
        PatientScreen::PleaseWait,
        PatientScreen::ConsentChoice,
        PatientScreen::Completed,
        failed(None, FailureReason::Cancelled),
    ];
    for screens_in_force in [
        ConsentScreens::AllOrIndividual,
        ConsentScreens::PerItemWithLimit,
    ] {
        for item in screens_in_force.items() {
            screens.push(PatientScreen::ConsentItem {
                screens: screens_in_force,
                item: *item,
                number: 1,
                of: 1,
            });
        }
    }
    for screen in &screens {
        let text = screen.render();
        let mut rendered: Vec<String> = text
            .split('［')
            .skip(1)
            .filter_map(|part| part.split_once('］').map(|(label, _)| label.to_owned()))
            .collect();
        let mut buttons: Vec<String> = screen.buttons().into_iter().map(|(l, _)| l).collect();
        rendered.sort();
        buttons.sort();
        assert_eq!(rendered, buttons, "buttons of\n{text}");
    }
    let choose = &screens[5];
    assert_eq!(choose.button("顔認証"), None);
    assert_eq!(choose.button("暗証番号"), None);
    assert_eq!(choose.button("中止"), Some(Touch::Cancel));
    assert_eq!(screens[9].button("もう一度"), None);
    assert_eq!(screens[9].button("暗証番号で認証"), Some(Touch::ChoosePin));
    assert_eq!(screens[13].button("全て同意する"), Some(Touch::ConsentAll));
    let limit = PatientScreen::ConsentItem {
        screens: ConsentScreens::PerItemWithLimit,
        item: ConsentItem::LimitApplication,
        number: 5,
        of: 5,
    };
    assert_eq!(
        limit.button("提供しない"),
        Some(Touch::Consent {
            item: ConsentItem::LimitApplication,
            given: false
        })
    );
    assert!(screens[14].buttons().is_empty());
}

/// Pressing buttons by their labels drives a whole visit.
#[test]
fn a_visit_driven_by_button_labels() {
    let mut bench = Bench::new(CardKind::Standard);
    bench.place_card();
    let press = |bench: &mut Bench, label: &str| {
        let touch = bench
            .reader
            .screen()
            .button(label)
            .unwrap_or_else(|| panic!("no ［{label}］ on\n{}", bench.screen()));
        bench.touch(touch);
    };
    press(&mut bench, "暗証番号");
    for key in ["1", "2", "3", "4", "OK"] {
        press(&mut bench, key);
    }
    bench.give_challenge();
    for label in ["個別に同意する", "同意する", "同意する", "同意しない"] {
        press(&mut bench, label);
    }
    bench.accept();
    let result = bench.last_result();
    assert!(result.is_completed());
    let consents = result.consents.unwrap();
    assert!(consents.medication.unwrap().given);
    assert!(consents.diagnosis.unwrap().given);
    assert!(consents.operation.unwrap().given);
    assert!(!consents.health_checkups.unwrap().given);
    assert_eq!(consents.limit_application, None);
}
