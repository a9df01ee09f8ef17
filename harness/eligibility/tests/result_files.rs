//! Result files for the receipt system: rendered, written atomically, parsed back with a plain
//! XML parser (quick-xml through `xml_tree`), every element and code checked, and each file run
//! through the independent conformance reader (`oqs-conformance`).

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::*;
use harness_eligibility::insurance::Qualification;
use harness_eligibility::protocol::{Consent, Consents, IdentityMethod};
use harness_eligibility::xml_tree::parse_document;
use harness_eligibility::{
    render_result_xml, CardCheckWithoutRecord, CharacterCode, CheckError, CheckOutcome,
    CheckResult, FixtureDir, IdentityEvidence, InsuranceBook, QualificationValidity,
    ResultFileOptions, ResultFolders, ResultMessage,
};

fn book() -> InsuranceBook {
    let text = std::fs::read_to_string(
        FixtureDir::workspace()
            .root()
            .join("insurance/records.toml"),
    )
    .expect("records.toml");
    InsuranceBook::from_toml(&text).expect("valid records")
}

fn outcome(person: Option<&str>, result: CheckResult, method: IdentityMethod) -> CheckOutcome {
    CheckOutcome {
        check_id: 7,
        method,
        evidence: Some(IdentityEvidence::CardSignature {
            challenge_hex: "00".into(),
        }),
        person_id: person.map(str::to_owned),
        auth_certificate_sha256: "00".repeat(32),
        result,
        consents: mixed_consents(),
        reader_name: "Identiv CLOUD 3701 F Contactless Reader 0".into(),
        requested_at: at(10, 0, 4),
        checked_at: at(10, 0, 5),
        qualification_confirmation_date: day(),
    }
}

fn eligibility(person: &str) -> CheckResult {
    CheckResult::Eligibility(book().for_person(person, day()))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn without_record_files() -> ResultFileOptions {
    ResultFileOptions {
        card_check_without_record: CardCheckWithoutRecord::WithoutResultList,
        ..ResultFileOptions::default()
    }
}

/// Writes the outcome through the real folder writer, checks it with the conformance reader and
/// returns the file's name and bytes.
fn write_and_read(outcome: &CheckOutcome, options: &ResultFileOptions) -> (String, Vec<u8>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folders = ResultFolders::new(tmp.path());
    folders.create_all().expect("create folders");
    let path = folders
        .write_outcome(outcome, options)
        .expect("write result")
        .expect("a file for this outcome");
    let names = files_in(&folders.face_dir());
    assert_eq!(names.len(), 1, "exactly one file, no temp left: {names:?}");
    let name = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let bytes = std::fs::read(&path).expect("read result");
    assert_conforms(&name, &bytes);
    (name, bytes)
}

fn text_of<'a>(root: &'a harness_eligibility::xml_tree::XmlElement, name: &str) -> &'a str {
    root.find(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .text
        .as_str()
}

#[test]
fn a_valid_card_check_writes_its_elements_with_valid_codes() {
    let outcome = outcome(
        Some("yamada-taro"),
        eligibility("yamada-taro"),
        IdentityMethod::Pin,
    );
    let (name, bytes) = write_and_read(&outcome, &ResultFileOptions::default());
    assert_eq!(name, "OQSsiquc01res_face_00000007_20261125100005.xml");
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"),
        "{text}"
    );
    assert!(!text.contains('\r'), "UTF-8 files end lines in LF");
    assert_no_method(&text);
    let doc = parse_document(&bytes).expect("parses");
    assert_eq!(doc.declared_encoding.as_deref(), Some("UTF-8"));
    let root = &doc.root;
    check_envelope(root, "1");
    assert_eq!(text_of(root, "ProcessExecutionTime"), "20261125100005");
    assert_eq!(text_of(root, "QualificationConfirmationDate"), "20261125");
    assert_eq!(text_of(root, "MedicalInstitutionCode"), "1312345678");
    assert_eq!(text_of(root, "SegmentOfResult"), "1");
    assert_eq!(text_of(root, "CharacterCodeIdentifier"), "0");
    assert_eq!(text_of(root, "ProcessingResultStatus"), "1");
    assert!(root.find("ProcessingResultCode").is_none());
    assert!(root.find("ArbitraryFileIdentifier").is_none());
    assert!(
        root.find("QualificationConfirmSearchInfo").is_none(),
        "no search info for card checks"
    );
    assert_eq!(text_of(root, "QualificationValidity"), "1");
    let result = root
        .path(&[
            "MessageBody",
            "ResultList",
            "ResultOfQualificationConfirmation",
        ])
        .expect("result");
    let names: Vec<&str> = result.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, CARD_RESULT_ELEMENTS, "present values only, in order");
    let r = |n: &str| result.child(n).expect(n).text.as_str();
    assert_eq!(r("InsuredCardClassification"), "01");
    assert_eq!(r("InsurerNumber"), "01130012");
    assert_eq!(r("InsuredCardSymbol"), "12345678");
    assert_eq!(r("InsuredIdentificationNumber"), "1001");
    assert_eq!(r("InsuredBranchNumber"), "01", "leading zero kept");
    assert_eq!(r("PersonalFamilyClassification"), "1");
    assert_eq!(r("InsuredName"), "山田\u{3000}太郎");
    assert_eq!(r("Name"), "山田\u{3000}太郎", "full-width space");
    assert_eq!(r("NameKana"), "ﾔﾏﾀﾞ ﾀﾛｳ", "half-width katakana");
    assert_eq!(r("Sex1"), "1");
    assert_eq!(r("Birthdate"), "19800401");
    assert_eq!(r("Address"), "東京都千代田区霞が関一丁目２番２号");
    assert_eq!(r("PostNumber"), "100-8916");
    assert_eq!(r("QualificationDate"), "20030401");
    assert_eq!(r("InsuredCertificateIssuanceDate"), "20030410");
    assert_eq!(r("InsuredCardValidDate"), "20030401");
    assert_eq!(r("InsuredPartialContributionRatio"), "030");
    assert!(!r("InsurerName").is_empty());
    // Consents: 薬剤 yes, 特定健診 no, 診療 yes, 手術 no; AvailableTime = consent + 24 h; a
    // refusal is its flag alone; 限度額 was not asked, so it is absent.
    assert_eq!(r("PharmacistsInfoConsFlg"), "1");
    assert_eq!(r("PharmacistsInfoConsTime"), "20261125100001");
    assert_eq!(r("PharmacistsInfoAvailableTime"), "20261126100001");
    assert_eq!(r("SpecificHealthCheckupsInfoConsFlg"), "0");
    assert_eq!(r("DiagnosisInfoConsFlg"), "1");
    assert_eq!(r("DiagnosisInfoConsTime"), "20261125100003");
    assert_eq!(r("DiagnosisInfoAvailableTime"), "20261126100003");
    assert_eq!(r("OperationInfoConsFlg"), "0");
    assert_eq!(r("SpecificDiseasesCertificateRelatedConsFlg"), "0");
}

#[test]
fn no_element_is_ever_written_empty() {
    for person in [
        "yamada-taro",
        "sato-hanako",
        "suzuki-haruto",
        "takahashi-kenji",
        "watanabe-sora",
        "kobayashi-ren",
    ] {
        let outcome = outcome(Some(person), eligibility(person), IdentityMethod::Face);
        let (_, bytes) = write_and_read(&outcome, &ResultFileOptions::default());
        let text = String::from_utf8(bytes).expect("utf8");
        assert!(
            !text.contains("/>"),
            "{person}: self-closing element\n{text}"
        );
        for line in text.lines() {
            let line = line.trim();
            if let Some(name) = line.strip_prefix('<').and_then(|l| l.split('>').next()) {
                assert_ne!(
                    line,
                    format!("<{name}></{name}>"),
                    "{person}: empty element"
                );
            }
        }
    }
}

#[test]
fn a_shift_jis_file_declares_shift_jis_ends_lines_in_crlf_and_decodes() {
    let outcome = outcome(
        Some("sato-hanako"),
        eligibility("sato-hanako"),
        IdentityMethod::Face,
    );
    let options = ResultFileOptions {
        character_code: CharacterCode::ShiftJis,
        ..ResultFileOptions::default()
    };
    let (_, bytes) = write_and_read(&outcome, &options);
    assert!(
        bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\r\n")
    );
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "Japanese text is not UTF-8 in a Shift_JIS file"
    );
    let (decoded, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
    assert!(!had_errors, "decodes as Shift_JIS (CP932)");
    assert_eq!(
        decoded.matches('\n').count(),
        decoded.matches("\r\n").count(),
        "every line ends in CRLF"
    );
    assert!(
        decoded.contains("<Name>佐藤\u{3000}花子</Name>"),
        "{decoded}"
    );
    assert!(
        decoded.contains("<NameKana>ｻﾄｳ ﾊﾅｺ</NameKana>"),
        "{decoded}"
    );
    assert_no_method(&decoded);
    let doc = parse_document(&bytes).expect("parses");
    assert_eq!(doc.declared_encoding.as_deref(), Some("Shift_JIS"));
    check_envelope(&doc.root, "1");
    assert_eq!(text_of(&doc.root, "CharacterCodeIdentifier"), "1");
    assert_eq!(
        text_of(&doc.root, "InsurerName"),
        "大阪府後期高齢者医療広域連合（テスト）"
    );
    assert_eq!(text_of(&doc.root, "InsuredPartialContributionRatio"), "010");
    assert_eq!(text_of(&doc.root, "Sex1"), "2");
    // Same content as the UTF-8 rendering but for the declaration, the code and line endings.
    let utf8 = render_result_xml(
        &ResultMessage::for_card_check(&outcome, &ResultFileOptions::default()).expect("file"),
    );
    let utf8 = String::from_utf8(utf8).expect("utf8");
    let expected = utf8
        .replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"")
        .replace("<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<")
        .replace('\n', "\r\n");
    assert_eq!(decoded, expected);
}

#[test]
fn a_six_digit_insurer_number_is_space_padded_and_a_lost_qualification_has_its_loss_date() {
    let outcome = outcome(
        Some("takahashi-kenji"),
        eligibility("takahashi-kenji"),
        IdentityMethod::Pin,
    );
    let (_, bytes) = write_and_read(&outcome, &ResultFileOptions::default());
    let text = String::from_utf8(bytes.clone()).expect("utf8");
    assert!(
        text.contains("<InsurerNumber>  010017</InsurerNumber>"),
        "8 characters, right-aligned: {text}"
    );
    let doc = parse_document(&bytes).expect("parses");
    check_envelope(&doc.root, "1");
    assert_eq!(text_of(&doc.root, "QualificationValidity"), "2");
    assert_eq!(text_of(&doc.root, "InsuredCardExpirationDate"), "20250331");
    assert_eq!(text_of(&doc.root, "DisqualificationDate"), "20250401");
}

#[test]
fn a_preschool_child_is_marked_and_a_school_child_is_not() {
    let infant = outcome(
        Some("suzuki-haruto"),
        eligibility("suzuki-haruto"),
        IdentityMethod::Pin,
    );
    let (_, bytes) = write_and_read(&infant, &ResultFileOptions::default());
    let doc = parse_document(&bytes).expect("parses");
    assert_eq!(text_of(&doc.root, "PreschoolClassification"), "1");
    let child = outcome(
        Some("watanabe-sora"),
        eligibility("watanabe-sora"),
        IdentityMethod::Pin,
    );
    let (_, bytes) = write_and_read(&child, &ResultFileOptions::default());
    let doc = parse_document(&bytes).expect("parses");
    assert!(
        doc.root.find("PreschoolClassification").is_none(),
        "born 2019-05-05: in school since 2026-04-01"
    );
}

#[test]
fn without_a_record_no_face_file_is_written_by_default() {
    let none = outcome(
        Some("nakamura-aoi"),
        eligibility("nakamura-aoi"),
        IdentityMethod::Pin,
    );
    let refused = outcome(
        Some("tanaka-yuki"),
        CheckResult::Rejected(CheckError::CertificateExpired),
        IdentityMethod::Pin,
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let folders = ResultFolders::new(tmp.path());
    folders.create_all().expect("folders");
    for o in [&none, &refused] {
        assert_eq!(
            folders
                .write_outcome(o, &ResultFileOptions::default())
                .expect("no error"),
            None
        );
        assert!(ResultMessage::for_card_check(o, &ResultFileOptions::default()).is_none());
    }
    assert!(files_in(&folders.face_dir()).is_empty());
}

#[test]
fn no_qualification_can_be_written_without_a_result_list() {
    let outcome = outcome(
        Some("nakamura-aoi"),
        eligibility("nakamura-aoi"),
        IdentityMethod::Pin,
    );
    let (_, bytes) = write_and_read(&outcome, &without_record_files());
    let doc = parse_document(&bytes).expect("parses");
    check_envelope(&doc.root, "1");
    assert_eq!(text_of(&doc.root, "SegmentOfResult"), "1");
    assert_eq!(text_of(&doc.root, "ProcessingResultStatus"), "1");
    assert_eq!(text_of(&doc.root, "QualificationValidity"), "4");
    assert!(doc.root.find("ResultList").is_none());
    assert!(doc.root.find("ResultOfQualificationConfirmation").is_none());
}

#[test]
fn a_refused_card_is_a_per_person_error_without_a_result_list() {
    for (error, code) in [
        (CheckError::CertificateExpired, "1104"),
        (CheckError::CertificateRevoked, "1105"),
        (CheckError::BadSignature, "1201"),
    ] {
        let outcome = outcome(
            Some("tanaka-yuki"),
            CheckResult::Rejected(error.clone()),
            IdentityMethod::Pin,
        );
        let (_, bytes) = write_and_read(&outcome, &without_record_files());
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        assert_no_method(&text);
        let doc = parse_document(&bytes).expect("parses");
        check_envelope(&doc.root, "1");
        assert_eq!(text_of(&doc.root, "SegmentOfResult"), "1");
        assert!(
            doc.root.find("ErrorCode").is_none(),
            "the file itself is fine"
        );
        assert_eq!(text_of(&doc.root, "ProcessingResultStatus"), "2");
        assert_eq!(text_of(&doc.root, "ProcessingResultCode"), code);
        assert_eq!(
            text_of(&doc.root, "ProcessingResultMessage"),
            error.message()
        );
        assert!(doc.root.find("QualificationValidity").is_none());
        assert!(doc.root.find("ResultList").is_none());
    }
}

#[test]
fn the_confirmation_date_and_the_file_identifier_option_are_written() {
    let mut outcome = outcome(
        Some("yamada-taro"),
        eligibility("yamada-taro"),
        IdentityMethod::Visual,
    );
    outcome.qualification_confirmation_date = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let options = ResultFileOptions {
        arbitrary_file_identifier: Some("R0&1".into()),
        ..ResultFileOptions::default()
    };
    let (_, bytes) = write_and_read(&outcome, &options);
    let text = String::from_utf8(bytes.clone()).expect("utf8");
    assert!(text.contains("R0&amp;1"), "escaped");
    assert_no_method(&text);
    let doc = parse_document(&bytes).expect("parses");
    assert_eq!(
        text_of(&doc.root, "QualificationConfirmationDate"),
        "20261124"
    );
    assert_eq!(text_of(&doc.root, "ArbitraryFileIdentifier"), "R0&1");
}

#[test]
fn consent_items_follow_the_screens_that_asked_them() {
    let mut o = outcome(
        Some("yamada-taro"),
        eligibility("yamada-taro"),
        IdentityMethod::Face,
    );
    // The pre-2024-10-07 screens: 限度額 asked on its own screen and given; 手術 not asked.
    o.consents = Consents {
        limit_application: Some(Consent {
            given: true,
            at: at(10, 0, 0),
        }),
        operation: None,
        ..mixed_consents()
    };
    let (_, bytes) = write_and_read(&o, &ResultFileOptions::default());
    let doc = parse_document(&bytes).expect("parses");
    assert_eq!(
        text_of(&doc.root, "LimitApplicationCertificateRelatedConsFlg"),
        "1"
    );
    assert_eq!(
        text_of(&doc.root, "LimitApplicationCertificateRelatedConsTime"),
        "20261125100000"
    );
    for absent in [
        "OperationInfoConsFlg",
        "OperationInfoConsTime",
        "OperationInfoAvailableTime",
    ] {
        assert!(doc.root.find(absent).is_none(), "{absent}: not asked");
    }
    // 限度額 refused: its flag alone.
    o.consents.limit_application = Some(Consent {
        given: false,
        at: at(10, 0, 0),
    });
    let (_, bytes) = write_and_read(&o, &ResultFileOptions::default());
    let doc = parse_document(&bytes).expect("parses");
    assert_eq!(
        text_of(&doc.root, "LimitApplicationCertificateRelatedConsFlg"),
        "0"
    );
    assert!(doc
        .root
        .find("LimitApplicationCertificateRelatedConsTime")
        .is_none());
}

#[test]
fn characters_outside_shift_jis_become_character_references() {
    let mut q: Qualification = book().for_person("yamada-taro", day());
    if let Some(r) = q.records.first_mut() {
        r.address = "東京都🏥区\n二行目".into();
    }
    assert_eq!(q.validity, QualificationValidity::Valid);
    let outcome = outcome(
        Some("yamada-taro"),
        CheckResult::Eligibility(q),
        IdentityMethod::Pin,
    );
    let options = ResultFileOptions {
        character_code: CharacterCode::ShiftJis,
        ..ResultFileOptions::default()
    };
    let bytes =
        render_result_xml(&ResultMessage::for_card_check(&outcome, &options).expect("file"));
    assert_conforms("OQSsiquc01res_face_00000007_20261125100005.xml", &bytes);
    let doc = parse_document(&bytes).expect("parses");
    assert_eq!(text_of(&doc.root, "Address"), "東京都🏥区\n二行目");
}
