//! Shared helpers for the integration tests.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::protocol::{Consent, Consents};
use harness_eligibility::xml_tree::XmlElement;

/// A fixed "today" for every test: 2026-11-25 (JST).
pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

/// `day()` at h:m:s (JST).
pub fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
    day().and_hms_opt(h, m, s).expect("time")
}

/// Consents: 薬剤 yes, 特定健診 no, 診療 yes, 手術 no, answered a few seconds apart.
pub fn mixed_consents() -> Consents {
    Consents {
        medication: Some(Consent {
            given: true,
            at: at(10, 0, 1),
        }),
        health_checkups: Some(Consent {
            given: false,
            at: at(10, 0, 2),
        }),
        diagnosis: Some(Consent {
            given: true,
            at: at(10, 0, 3),
        }),
        operation: Some(Consent {
            given: false,
            at: at(10, 0, 4),
        }),
        limit_application: None,
    }
}

/// Text of the element at `path` (panics with the path when missing).
pub fn text<'a>(root: &'a XmlElement, path: &[&str]) -> &'a str {
    match root.path(path) {
        Some(e) => e.text.as_str(),
        None => panic!("missing element {path:?}"),
    }
}

/// Asserts that `s` is exactly `n` ASCII digits.
pub fn assert_digits(s: &str, n: usize, what: &str) {
    assert!(
        s.len() == n && s.bytes().all(|b| b.is_ascii_digit()),
        "{what}: {s:?} is not {n} digits"
    );
}

/// Every element of a ResultOfQualificationConfirmation for a card check, in DESIGN §6 order.
pub const CARD_RESULT_ELEMENTS: &[&str] = &[
    "InsuredCardClassification",
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "PersonalFamilyClassification",
    "InsuredName",
    "Name",
    "NameKana",
    "Sex1",
    "Birthdate",
    "Address",
    "PostNumber",
    "QualificationDate",
    "InsuredCertificateIssuanceDate",
    "InsuredCardValidDate",
    "InsuredCardExpirationDate",
    "InsuredPartialContributionRatio",
    "InsurerName",
    "LimitApplicationCertificateRelatedConsFlg",
    "LimitApplicationCertificateRelatedConsTime",
    "SpecificDiseasesCertificateRelatedConsFlg",
    "SpecificHealthCheckupsInfoConsFlg",
    "SpecificHealthCheckupsInfoConsTime",
    "SpecificHealthCheckupsInfoAvailableTime",
    "PharmacistsInfoConsFlg",
    "PharmacistsInfoConsTime",
    "PharmacistsInfoAvailableTime",
    "DiagnosisInfoConsFlg",
    "DiagnosisInfoConsTime",
    "DiagnosisInfoAvailableTime",
    "OperationInfoConsFlg",
    "OperationInfoConsTime",
    "OperationInfoAvailableTime",
];

/// Words that would reveal the identity method; none may appear in a result file.
pub const METHOD_WORDS: &[&str] = &[
    "Face",
    "face",
    "Pin",
    "PIN",
    "pin",
    "Visual",
    "visual",
    "Staff",
    "staff",
    "顔認証",
    "暗証番号",
    "目視",
    "Method",
    "method",
    "Identity",
    "identity",
];

/// Checks the header and body invariants of every result file and returns the root.
pub fn check_envelope(root: &XmlElement, reference: &str) {
    assert_eq!(root.name, "XmlMsg");
    let header = root.child("MessageHeader").expect("MessageHeader");
    assert_digits(
        &header
            .child("ProcessExecutionTime")
            .expect("ProcessExecutionTime")
            .text,
        14,
        "ProcessExecutionTime",
    );
    assert_digits(
        &header
            .child("QualificationConfirmationDate")
            .expect("QualificationConfirmationDate")
            .text,
        8,
        "QualificationConfirmationDate",
    );
    assert_digits(
        &header
            .child("MedicalInstitutionCode")
            .expect("MedicalInstitutionCode")
            .text,
        10,
        "MedicalInstitutionCode",
    );
    assert_eq!(
        text(root, &["MessageHeader", "ReferenceClassification"]),
        reference
    );
    let segment = text(root, &["MessageHeader", "SegmentOfResult"]);
    assert!(
        matches!(segment, "1" | "2" | "9"),
        "SegmentOfResult {segment}"
    );
    let has_error = header.child("ErrorCode").is_some() || header.child("ErrorMessage").is_some();
    assert_eq!(
        has_error,
        segment != "1",
        "ErrorCode/ErrorMessage only when SegmentOfResult is not 1"
    );
    assert!(matches!(
        text(root, &["MessageHeader", "CharacterCodeIdentifier"]),
        "0" | "1"
    ));
    let status = text(root, &["MessageBody", "ProcessingResultStatus"]);
    assert!(
        matches!(status, "1" | "2"),
        "ProcessingResultStatus {status}"
    );
    assert_eq!(status == "2", segment == "9");
    let list = root
        .path(&["MessageBody", "ResultList"])
        .expect("ResultList always present");
    assert_eq!(
        list.children_named("ResultOfQualificationConfirmation")
            .count(),
        1,
        "exactly one ResultOfQualificationConfirmation"
    );
    if let Some(v) = root.path(&["MessageBody", "QualificationValidity"]) {
        assert!(
            matches!(v.text.as_str(), "1" | "2" | "3" | "4" | "5"),
            "QualificationValidity {}",
            v.text
        );
    }
}

/// Asserts no element name or text reveals the identity method.
pub fn assert_no_method(xml_text: &str) {
    for word in METHOD_WORDS {
        // The folder name `face` is not in the file; element names never contain these words.
        assert!(
            !xml_text.contains(word),
            "result file mentions {word:?}:\n{xml_text}"
        );
    }
}
