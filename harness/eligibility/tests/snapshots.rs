//! Named snapshots of the exact bytes of each kind of file (UTF-8 renderings; times are fixed by
//! the tests, so nothing needs filtering).

mod common;

use common::*;
use harness_eligibility::protocol::IdentityMethod;
use harness_eligibility::{
    render_request_xml, render_result_xml, CardCheckWithoutRecord, CardSearch, CharacterCode,
    CheckError, CheckOutcome, CheckResult, FixtureDir, InsuranceBook, QualificationRequest,
    RequestResponder, ResultFileOptions, ResultMessage,
};

fn book() -> InsuranceBook {
    let text = std::fs::read_to_string(
        FixtureDir::workspace()
            .root()
            .join("insurance/records.toml"),
    )
    .expect("records");
    InsuranceBook::from_toml(&text).expect("book")
}

fn outcome(person: &str, result: CheckResult) -> CheckOutcome {
    CheckOutcome {
        check_id: 1,
        method: IdentityMethod::Pin,
        evidence: None,
        person_id: Some(person.into()),
        auth_certificate_sha256: String::new(),
        result,
        consents: mixed_consents(),
        reader_name: "Identiv CLOUD 3701 F Contactless Reader 0".into(),
        requested_at: at(10, 0, 5),
        checked_at: at(10, 0, 5),
        qualification_confirmation_date: day(),
    }
}

/// Renders a card check's file (files for outcomes without a record too) after checking it
/// with the conformance reader.
fn render(outcome: &CheckOutcome) -> String {
    let options = ResultFileOptions {
        card_check_without_record: CardCheckWithoutRecord::WithoutResultList,
        ..ResultFileOptions::default()
    };
    let bytes = render_result_xml(&ResultMessage::for_card_check(outcome, &options).expect("file"));
    assert_conforms("OQSsiquc01res_face_00000001_20261125100005.xml", &bytes);
    String::from_utf8(bytes).expect("utf8")
}

#[test]
fn snapshot_card_check_results() {
    let valid = outcome(
        "watanabe-sora",
        CheckResult::Eligibility(book().for_person("watanabe-sora", day())),
    );
    insta::assert_snapshot!("card_check_valid_family_member", render(&valid));
    let none = outcome(
        "nakamura-aoi",
        CheckResult::Eligibility(book().for_person("nakamura-aoi", day())),
    );
    insta::assert_snapshot!("card_check_no_qualification", render(&none));
    let expired = outcome(
        "tanaka-yuki",
        CheckResult::Rejected(CheckError::CertificateExpired),
    );
    insta::assert_snapshot!("card_check_certificate_expired", render(&expired));
}

#[test]
fn snapshot_request_and_answer() {
    let request = render_request_xml(&QualificationRequest {
        medical_institution_code: Some("1312345678".into()),
        arbitrary_file_identifier: Some("req-0001".into()),
        character_code: CharacterCode::Utf8,
        search: CardSearch {
            insurer_number: "270017".into(),
            insured_card_symbol: "大阪北".into(),
            insured_identification_number: "77001".into(),
            insured_branch_number: "00".into(),
            birth: chrono::NaiveDate::from_ymd_opt(1942, 9, 15).expect("date"),
        },
        limit_application_consent: true,
        arbitrary_identifier: None,
        qualification_confirmation_date: Some(day()),
    });
    insta::assert_snapshot!(
        "request_by_insurance_card",
        String::from_utf8(request.clone()).expect("utf8")
    );
    let answer =
        RequestResponder::new(book(), ResultFileOptions::default()).answer(&request, at(11, 0, 0));
    assert_conforms("OQSsiquc01res_0001.xml", &answer);
    insta::assert_snapshot!(
        "answer_newer_qualification_exists",
        String::from_utf8(answer).expect("utf8")
    );
}
