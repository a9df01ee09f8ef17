//! The reader with harness-face's real matcher (LBP + geometry + liveness) and camera emulator,
//! fixture cards (their JPEG 2000 photos) and the eligibility service: each seed condition fails
//! because of what is in the frames, and the reader then offers the PIN.

mod common;

use std::sync::Arc;

use common::counter::{fixtures, Counter};
use harness_face::people::{parse_people, Date};
use harness_face::{Camera, CameraSetup, DeviceFault, LbpMatcher, MatchDecision, Scene, Subject};
use harness_reader::{CameraFault, FaceFailure, Input, Output, PatientScreen, Touch};
use harness_transport::InProcessCard;

fn counter(person: &str) -> Counter<InProcessCard> {
    let path = fixtures().join(format!("cards/{person}.toml"));
    Counter::with_matcher(
        person,
        InProcessCard::open(&path, None).unwrap(),
        Arc::new(LbpMatcher::default()),
    )
}

fn camera(person: &str, scene: Scene, fault: Option<DeviceFault>) -> Camera {
    let people =
        parse_people(&std::fs::read_to_string(fixtures().join("people.toml")).unwrap()).unwrap();
    let fixture = people.iter().find(|p| p.id == person).unwrap();
    let today = Date::parse("2026-11-25").unwrap();
    Camera::open(CameraSetup {
        subject: Subject {
            identity: fixture.identity(),
            age_years: fixture.age_on(&today),
        },
        scene,
        seed: fixture.face_seed ^ 0x00C0_FFEE,
        fault,
    })
    .unwrap()
}

fn decisions(counter: &Counter<InProcessCard>) -> Vec<MatchDecision> {
    counter
        .outputs
        .iter()
        .filter_map(|o| match o {
            Output::FaceCompared(attempt) => Some(attempt.report.decision),
            _ => None,
        })
        .collect()
}

#[test]
fn the_card_holder_is_recognised_and_the_service_accepts_the_attestation() {
    let mut counter = counter("yamada-taro");
    counter.place_card();
    counter.face_route_with(camera("yamada-taro", Scene::CardHolder, None).burst(5));
    assert_eq!(decisions(&counter), [MatchDecision::Match]);
    counter.consent_all();
    assert_eq!(counter.service_outcome().error(), None);
    assert!(counter.result().is_completed());
    assert_eq!(counter.result().method_label(), "顔認証");
}

#[test]
fn every_seed_condition_fails_on_its_pixels_and_the_pin_is_offered_after_three_tries() {
    for scene in Scene::ALL {
        if scene == Scene::CardHolder {
            continue;
        }
        let mut counter = counter("yamada-taro");
        counter.place_card();
        let camera = camera("yamada-taro", scene, None);
        counter.face_route_with(camera.burst(5));
        for _ in 0..2 {
            counter.touch(Touch::Retry);
            counter.send(Input::CameraFrames(camera.burst(5)));
        }
        let seen = decisions(&counter);
        eprintln!("{scene:?}: {seen:?}");
        assert_eq!(seen.len(), 3, "{scene:?}");
        assert!(
            !seen.contains(&MatchDecision::Match),
            "{scene:?} was accepted: {seen:?}"
        );
        assert!(
            matches!(
                counter.reader.screen(),
                PatientScreen::FaceNotRecognised {
                    tries_left: 0,
                    pin_offered: true,
                    ..
                }
            ),
            "{scene:?}: {:?}",
            counter.reader.screen()
        );
        assert_eq!(
            counter.reader.screen().button("暗証番号で認証"),
            Some(Touch::ChoosePin)
        );
    }
}

#[test]
fn a_child_whose_card_photo_shows_a_baby_is_not_recognised() {
    let mut counter = counter("watanabe-sora");
    counter.place_card();
    counter.face_route_with(camera("watanabe-sora", Scene::CardHolder, None).burst(5));
    let seen = decisions(&counter);
    assert_eq!(seen.len(), 1);
    assert_ne!(seen[0], MatchDecision::Match);
}

#[test]
fn camera_device_faults_offer_the_pin() {
    // Black and frozen frames reach the matcher and fail there; a camera with no frames or no
    // device fails before it.
    for fault in [DeviceFault::BlackFrames, DeviceFault::FrozenFrame] {
        let mut counter = counter("yamada-taro");
        counter.place_card();
        counter.face_route_with(camera("yamada-taro", Scene::CardHolder, Some(fault)).burst(5));
        let seen = decisions(&counter);
        assert_eq!(seen.len(), 1, "{fault:?}");
        assert_ne!(seen[0], MatchDecision::Match, "{fault:?}");
    }
    let mut counter = counter("yamada-taro");
    counter.place_card();
    let burst = camera(
        "yamada-taro",
        Scene::CardHolder,
        Some(DeviceFault::NoFrames),
    )
    .burst(5);
    assert!(burst.is_empty());
    counter.face_route_with(burst);
    assert_eq!(
        counter.reader.screen(),
        &PatientScreen::FaceUnavailable {
            failure: FaceFailure::Camera(CameraFault::NoFrames)
        }
    );
}
