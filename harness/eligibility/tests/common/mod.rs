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

/// Consents: 薬剤 yes, 特定健診 no, 診療 yes, 手術 no, answered a few seconds apart; 限度額 not
/// asked (the screens since 2024-10-07).
pub fn mixed_consents() -> Consents {
    let consent = |given, s| {
        Some(Consent {
            given,
            at: at(10, 0, s),
        })
    };
    Consents {
        medication: consent(true, 1),
        health_checkups: consent(false, 2),
        diagnosis: consent(true, 3),
        operation: consent(false, 4),
        limit_application: None,
    }
}

/// Runs the independent conformance reader over a file's bytes; panics with every violation.
pub fn assert_conforms(name: &str, bytes: &[u8]) -> oqs_conformance::FileReport {
    match oqs_conformance::check_bytes(Some(name), bytes, &oqs_conformance::CheckOptions::default())
    {
        Ok(report) => report,
        Err(e) => panic!(
            "{name} does not conform: {e}\n{}",
            String::from_utf8_lossy(bytes)
        ),
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

/// Every element of yamada-taro's ResultOfQualificationConfirmation for a card check with
/// [`mixed_consents`], in 別紙3-1 order: absent values (no card expiry, no 限度額 question, times
/// of refused consents) are absent elements.
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
    "InsuredPartialContributionRatio",
    "InsurerName",
    "SpecificDiseasesCertificateRelatedConsFlg",
    "SpecificHealthCheckupsInfoConsFlg",
    "PharmacistsInfoConsFlg",
    "PharmacistsInfoConsTime",
    "PharmacistsInfoAvailableTime",
    "DiagnosisInfoConsFlg",
    "DiagnosisInfoConsTime",
    "DiagnosisInfoAvailableTime",
    "OperationInfoConsFlg",
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
    if segment == "9" {
        assert_eq!(status, "2", "a file error is an error of the body too");
    }
    for list in root
        .child("MessageBody")
        .map(|b| b.children_named("ResultList").collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let records: Vec<_> = list
            .children_named("ResultOfQualificationConfirmation")
            .collect();
        assert!(!records.is_empty(), "a ResultList holds records");
        assert!(
            records.iter().all(|r| !r.children.is_empty()),
            "no empty record"
        );
    }
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
