//! What a valid check answers about the person: the PIN route's 有効 for an insured person,
//! every fixture card's person, an ended qualification, no record, the 資格確認日 that decides the
//! lookup, and check ids that name the result file.

use chrono::{Duration, NaiveDate};
use harness_eligibility::protocol::{EligibilityCheck, IdentityMethod, IdentityProof};
use harness_eligibility::{CheckError, IdentityEvidence, QualificationValidity};

use crate::common::*;
use crate::{auth_cert, card_key, now, rejected, result_file, setup, sign, staff, READER};

#[test]
fn pin_route_gives_valid_for_an_insured_person() {
    let mut f = setup();
    let outcome = f.pin_check("yamada-taro", now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.label(), "有効");
    assert_eq!(outcome.method, IdentityMethod::Pin);
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::CardSignature { .. })
    ));
    assert_eq!(outcome.person_id.as_deref(), Some("yamada-taro"));
    assert_eq!(outcome.consents, mixed_consents());
    let root = result_file(&outcome);
    assert_eq!(text(&root, &["MessageBody", "QualificationValidity"]), "1");
    assert_eq!(root.find("InsuredBranchNumber").expect("branch").text, "01");
}

#[test]
fn every_fixture_card_maps_to_its_person() {
    let f = setup();
    for person in [
        "yamada-taro",
        "sato-hanako",
        "suzuki-haruto",
        "takahashi-kenji",
        "tanaka-yuki",
        "ito-makoto",
        "watanabe-sora",
        "nakamura-aoi",
        "kobayashi-ren",
    ] {
        assert_eq!(
            f.service.person_for_certificate(&auth_cert(person)),
            Some(person)
        );
    }
}

#[test]
fn an_ended_qualification_is_invalid() {
    let mut f = setup();
    let outcome = f.pin_check("takahashi-kenji", now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Invalid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.label(), "無効");
    assert_eq!(
        text(
            &result_file(&outcome),
            &["MessageBody", "QualificationValidity"]
        ),
        "2"
    );
}

#[test]
fn a_person_without_a_record_has_no_qualification() {
    let mut f = setup();
    let outcome = f.pin_check("nakamura-aoi", now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::NotFound),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.label(), "該当資格なし");
    let root = result_file(&outcome);
    assert_eq!(text(&root, &["MessageBody", "QualificationValidity"]), "4");
    assert!(root.find("ResultList").is_none());
}

/// 資格確認日 drives the lookup (issue 12): kobayashi-ren lost his qualification on 2026-11-01.
#[test]
fn the_confirmation_date_decides_the_qualification() {
    let mut f = setup();
    let last_valid_day = NaiveDate::from_ymd_opt(2026, 10, 31).expect("date");
    // Staff enter an earlier 資格確認日 with 目視で本人確認完了: the qualification as it was then.
    let earlier = IdentityProof::StaffConfirmation {
        account: "admin".into(),
        reader: READER.into(),
        confirmation_date: last_valid_day,
        confirmed_at: now() - Duration::seconds(30),
    };
    let outcome = f.check("kobayashi-ren", earlier, now());
    assert_eq!(
        outcome.validity(),
        Some(QualificationValidity::Valid),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.qualification_confirmation_date, last_valid_day);
    let root = result_file(&outcome);
    assert_eq!(
        text(&root, &["MessageHeader", "QualificationConfirmationDate"]),
        "20261031"
    );
    // Today (any route) he has none.
    let today = f.check("kobayashi-ren", staff(now()), now());
    assert_eq!(today.validity(), Some(QualificationValidity::Invalid));
    let pin = f.pin_check("kobayashi-ren", now());
    assert_eq!(pin.validity(), Some(QualificationValidity::Invalid));
    assert_eq!(
        text(
            &result_file(&pin),
            &[
                "MessageBody",
                "ResultList",
                "ResultOfQualificationConfirmation",
                "DisqualificationDate"
            ]
        ),
        "20261101"
    );
    // The engine passes the terminal's 資格確認日 on the PIN and face routes too.
    let challenge = f.challenge(now());
    let signature = sign(&card_key("kobayashi-ren"), &challenge.nonce);
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: auth_cert("kobayashi-ren"),
            proof: IdentityProof::CardSignature {
                challenge: challenge.nonce,
                signature,
            },
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        last_valid_day,
    );
    assert_eq!(outcome.validity(), Some(QualificationValidity::Valid));
    // A date after today is refused (1501), and a staff confirmation whose date is not the
    // check's is refused (1401): one 資格確認日 per check.
    let challenge = f.challenge(now());
    let signature = sign(&card_key("yamada-taro"), &challenge.nonce);
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: auth_cert("yamada-taro"),
            proof: IdentityProof::CardSignature {
                challenge: challenge.nonce,
                signature,
            },
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        now().date() + Duration::days(1),
    );
    assert_eq!(rejected(&outcome).code(), "1501");
    let outcome = f.service.check(
        EligibilityCheck {
            auth_certificate: auth_cert("kobayashi-ren"),
            proof: staff(now()),
            consents: mixed_consents(),
            reader_name: READER.into(),
            requested_at: now(),
        },
        now(),
        last_valid_day,
    );
    assert!(matches!(
        rejected(&outcome),
        CheckError::BadStaffConfirmation(_)
    ));
}

#[test]
fn check_ids_count_up_and_name_the_result_file() {
    let mut f = setup();
    let a = f.pin_check("yamada-taro", now());
    let b = f.check("yamada-taro", staff(now()), now());
    assert_eq!(a.check_id + 1, b.check_id);
    assert_eq!(a.file_id(), format!("{:08}", a.check_id));
}
