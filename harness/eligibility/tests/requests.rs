//! The req/ → res/ exchange: requests by insurance-card numbers answered with result files.

mod common;

use chrono::NaiveDate;
use common::*;
use harness_eligibility::insurance::CardSearch;
use harness_eligibility::xml_tree::parse_document;
use harness_eligibility::{
    process_pending_requests, render_request_xml, CharacterCode, FixtureDir, InsuranceBook,
    QualificationRequest, RequestResponder, ResultFileOptions, ResultFolders,
};

fn responder() -> RequestResponder {
    let text = std::fs::read_to_string(
        FixtureDir::workspace()
            .root()
            .join("insurance/records.toml"),
    )
    .expect("records.toml");
    RequestResponder::new(
        InsuranceBook::from_toml(&text).expect("records"),
        ResultFileOptions::default(),
    )
}

fn request(
    insurer: &str,
    symbol: &str,
    number: &str,
    branch: &str,
    birth: (i32, u32, u32),
    code: CharacterCode,
) -> Vec<u8> {
    render_request_xml(&QualificationRequest {
        medical_institution_code: Some("1312345678".into()),
        arbitrary_file_identifier: Some("rq-1".into()),
        qualification_confirmation_date: None,
        character_code: code,
        search: CardSearch {
            insurer_number: insurer.into(),
            insured_card_symbol: symbol.into(),
            insured_identification_number: number.into(),
            insured_branch_number: branch.into(),
            birth: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).expect("date"),
        },
        limit_application_consent: true,
        arbitrary_identifier: None,
    })
}

/// Reads an answer and checks it with the conformance reader.
fn answer_doc(name: &str, bytes: &[u8]) -> harness_eligibility::xml_tree::XmlDocument {
    assert_conforms(name, bytes);
    parse_document(bytes).expect("answer parses")
}

#[test]
fn requests_in_req_are_answered_in_res_and_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folders = ResultFolders::new(tmp.path());
    folders.create_all().expect("folders");
    let req = folders.req_dir();
    std::fs::write(
        req.join("OQSsiquc01req_0001.xml"),
        request(
            "01130012",
            "12345678",
            "1001",
            "01",
            (1980, 4, 1),
            CharacterCode::Utf8,
        ),
    )
    .expect("write req");
    std::fs::write(
        req.join("OQSsiquc01req_0002.xml"),
        request(
            "270017",
            "大阪北",
            "77001",
            "00",
            (1942, 9, 15),
            CharacterCode::ShiftJis,
        ),
    )
    .expect("write req");
    std::fs::write(
        req.join("OQSsiquc01req_0003.xml"),
        request("99999999", "", "1", "00", (2000, 1, 1), CharacterCode::Utf8),
    )
    .expect("write req");
    std::fs::write(
        req.join("OQSsiquc01req_0004.xml"),
        b"<XmlMsg><MessageHeader>",
    )
    .expect("write req");
    std::fs::write(req.join("not-a-request.txt"), b"ignored").expect("write other");

    let done = process_pending_requests(tmp.path(), &responder(), at(11, 0, 0)).expect("processed");
    let ids: Vec<&str> = done.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["0001", "0002", "0003", "0004"]);
    let mut left: Vec<String> = std::fs::read_dir(&req)
        .expect("req")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["not-a-request.txt"], "answered requests are removed");
    let mut answers: Vec<String> = std::fs::read_dir(folders.res_dir())
        .expect("res")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    answers.sort();
    assert_eq!(
        answers,
        [
            "OQSsiquc01res_0001.xml",
            "OQSsiquc01res_0002.xml",
            "OQSsiquc01res_0003.xml",
            "OQSsiquc01res_0004.xml"
        ]
    );

    let read = |id: &str| {
        let name = format!("OQSsiquc01res_{id}.xml");
        let bytes = std::fs::read(folders.res_dir().join(&name)).expect("answer");
        answer_doc(&name, &bytes)
    };

    // 0001: yamada-taro's card → 1 有効, search info echoed.
    let a = read("0001");
    check_envelope(&a.root, "2");
    assert_eq!(
        text(&a.root, &["MessageHeader", "ArbitraryFileIdentifier"]),
        "rq-1"
    );
    assert_eq!(
        text(&a.root, &["MessageHeader", "ProcessExecutionTime"]),
        "20261125110000"
    );
    assert_eq!(
        text(&a.root, &["MessageBody", "QualificationValidity"]),
        "1"
    );
    let info = a
        .root
        .path(&["MessageBody", "QualificationConfirmSearchInfo"])
        .expect("echo");
    let echoed: Vec<(&str, &str)> = info
        .children
        .iter()
        .map(|c| (c.name.as_str(), c.text.as_str()))
        .collect();
    assert_eq!(
        echoed,
        [
            ("InsurerNumber", "01130012"),
            ("InsuredCardSymbol", "12345678"),
            ("InsuredIdentificationNumber", "1001"),
            ("InsuredBranchNumber", "01"),
            ("Birthdate", "19800401"),
            ("LimitApplicationCertificateRelatedConsFlg", "1"),
        ]
    );
    let result = a
        .root
        .find("ResultOfQualificationConfirmation")
        .expect("result");
    assert_eq!(result.child("Name").expect("Name").text, "山田\u{3000}太郎");
    assert!(
        result.child("PharmacistsInfoConsFlg").is_none(),
        "no consents in answers to requests"
    );

    // 0002: sato-hanako's old 国保 card, in Shift_JIS → 3 無効（新しい資格あり）, answered in Shift_JIS.
    let b = read("0002");
    check_envelope(&b.root, "2");
    assert_eq!(b.declared_encoding.as_deref(), Some("Shift_JIS"));
    assert_eq!(
        text(&b.root, &["MessageHeader", "CharacterCodeIdentifier"]),
        "1"
    );
    assert_eq!(
        text(&b.root, &["MessageBody", "QualificationValidity"]),
        "3"
    );
    assert_eq!(
        text(
            &b.root,
            &[
                "MessageBody",
                "QualificationConfirmSearchInfo",
                "InsuredCardSymbol"
            ]
        ),
        "大阪北"
    );

    // 0003: unknown card → 4 該当資格なし, no ResultList.
    let c = read("0003");
    check_envelope(&c.root, "2");
    assert_eq!(
        text(&c.root, &["MessageBody", "QualificationValidity"]),
        "4"
    );
    assert!(c.root.find("ResultList").is_none());

    // 0004: unreadable → SegmentOfResult 9, code 2001.
    let d = read("0004");
    check_envelope(&d.root, "2");
    assert_eq!(text(&d.root, &["MessageHeader", "SegmentOfResult"]), "9");
    assert_eq!(text(&d.root, &["MessageHeader", "ErrorCode"]), "2001");
    assert_eq!(
        text(&d.root, &["MessageBody", "ProcessingResultCode"]),
        "2001"
    );

    // A second pass finds nothing to do.
    let again =
        process_pending_requests(tmp.path(), &responder(), at(11, 0, 1)).expect("processed");
    assert!(again.is_empty());
}

#[test]
fn request_answers_are_pure_bytes_to_bytes() {
    let r = responder();
    let bytes = request(
        "010017",
        "札中",
        "120034",
        "01",
        (1965, 12, 3),
        CharacterCode::Utf8,
    );
    let one = r.answer(&bytes, at(12, 0, 0));
    let two = r.answer(&bytes, at(12, 0, 0));
    assert_eq!(one, two);
    let doc = answer_doc("OQSsiquc01res_x.xml", &one);
    assert_eq!(
        text(&doc.root, &["MessageBody", "QualificationValidity"]),
        "2"
    );
    assert!(
        String::from_utf8(one)
            .expect("utf8")
            .contains("<InsurerNumber>  010017</InsurerNumber>"),
        "the 6-digit 国保 number is echoed as 8 characters"
    );

    // Bad items get 2003, a card-type reference gets 2002.
    let bad_birth = String::from_utf8(bytes.clone())
        .expect("utf8")
        .replace("19651203", "1965123");
    let doc = answer_doc(
        "OQSsiquc01res_x.xml",
        &r.answer(bad_birth.as_bytes(), at(12, 0, 0)),
    );
    assert_eq!(text(&doc.root, &["MessageHeader", "ErrorCode"]), "2003");
    let card_ref = String::from_utf8(bytes)
        .expect("utf8")
        .replace("<ReferenceClassification>2<", "<ReferenceClassification>1<");
    let doc = answer_doc(
        "OQSsiquc01res_x.xml",
        &r.answer(card_ref.as_bytes(), at(12, 0, 0)),
    );
    assert_eq!(text(&doc.root, &["MessageHeader", "ErrorCode"]), "2002");
}

/// A request as a clinic writes it by hand (http://sanox.org/sano-shikaku/road12.html): no
/// ReferenceClassification or CharacterCodeIdentifier, an empty branch number, the 限度額 flag,
/// and the 資格確認日 in the header.
fn handwritten(date: &str, insurer: &str, symbol: &str, number: &str, birth: &str) -> Vec<u8> {
    format!(
        "<?xml version='1.0' encoding='UTF-8' standalone='no'?>\n<XmlMsg>\n<MessageHeader>\n\
         <QualificationConfirmationDate>{date}</QualificationConfirmationDate>\n\
         <MedicalInstitutionCode>1312345678</MedicalInstitutionCode>\n\
         <ArbitraryFileIdentifier >CLINIC-1</ArbitraryFileIdentifier >\n</MessageHeader>\n\
         <MessageBody>\n<QualificationConfirmSearchInfo >\n<InsurerNumber>{insurer}</InsurerNumber>\n\
         <InsuredCardSymbol>{symbol}</InsuredCardSymbol>\n\
         <InsuredIdentificationNumber>{number}</InsuredIdentificationNumber>\n\
         <InsuredBranchNumber></InsuredBranchNumber>\n<Birthdate>{birth}</Birthdate>\n\
         <LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>\n\
         </QualificationConfirmSearchInfo> </MessageBody>\n</XmlMsg>\n"
    )
    .into_bytes()
}

#[test]
fn the_requests_confirmation_date_drives_the_lookup() {
    let r = responder();
    // kobayashi-ren lost his qualification on 2026-11-01 (資格喪失日).
    let on = |date: &str| {
        let bytes = handwritten(date, "01280012", "28100456", "37", "19880610");
        let doc = answer_doc("OQSsiquc01res_0001.xml", &r.answer(&bytes, at(9, 0, 0)));
        (
            text(
                &doc.root,
                &["MessageHeader", "QualificationConfirmationDate"],
            )
            .to_owned(),
            text(&doc.root, &["MessageBody", "QualificationValidity"]).to_owned(),
            doc,
        )
    };
    let (date, validity, doc) = on("20261031");
    assert_eq!((date.as_str(), validity.as_str()), ("20261031", "1"));
    assert!(doc.root.find("DisqualificationDate").is_some());
    assert_eq!(
        text(&doc.root, &["MessageHeader", "ArbitraryFileIdentifier"]),
        "CLINIC-1"
    );
    let (date, validity, _) = on("20261125");
    assert_eq!((date.as_str(), validity.as_str()), ("20261125", "2"));
    // A 資格確認日 after today is refused.
    let bytes = handwritten("20261126", "01280012", "28100456", "37", "19880610");
    let doc = answer_doc("OQSsiquc01res_0001.xml", &r.answer(&bytes, at(9, 0, 0)));
    assert_eq!(text(&doc.root, &["MessageHeader", "SegmentOfResult"]), "9");
    assert_eq!(text(&doc.root, &["MessageHeader", "ErrorCode"]), "2003");
}

#[test]
fn a_request_without_the_branch_number_can_match_several_records() {
    // Twins on one card: same numbers, same birth date, branches 02 and 03.
    let twin = |person: &str, name: &str, kana: &str, branch: &str| {
        format!(
            "[[record]]\nperson = \"{person}\"\ninsured_card_classification = \"01\"\n\
             insurer_number = \"06139999\"\ninsured_card_symbol = \"55\"\n\
             insured_identification_number = \"123\"\ninsured_branch_number = \"{branch}\"\n\
             personal_family_classification = \"family\"\ninsured_name = \"木村　一郎\"\n\
             name = \"{name}\"\nname_kana = \"{kana}\"\nsex = \"female\"\n\
             birth = \"2018-06-01\"\naddress = \"東京都\"\npost_code = \"100-0001\"\n\
             qualification_date = \"2018-06-01\"\ncertificate_issuance_date = \"2018-06-10\"\n\
             card_valid_date = \"2018-06-01\"\ncontribution_ratio = \"030\"\n\
             insurer_name = \"健康保険組合（テスト）\"\n"
        )
    };
    let book = InsuranceBook::from_toml(&format!(
        "{}\n{}",
        twin("kimura-mio", "木村　美緒", "キムラ　ミオ", "02"),
        twin("kimura-rio", "木村　莉緒", "キムラ　リオ", "03")
    ))
    .expect("twins");
    for layout in [
        harness_eligibility::MultipleRecords::OneResultList,
        harness_eligibility::MultipleRecords::ResultListPerRecord,
    ] {
        let r = RequestResponder::new(
            book.clone(),
            ResultFileOptions {
                multiple_records: layout,
                ..ResultFileOptions::default()
            },
        );
        let bytes = handwritten("20261125", "06139999", "55", "123", "20180601");
        let answer = r.answer(&bytes, at(9, 0, 0));
        let report = assert_conforms("OQSsiquc01res_0001.xml", &answer);
        assert_eq!(report.validity.as_deref(), Some("5"));
        assert_eq!(report.records, 2);
        let doc = parse_document(&answer).expect("parses");
        let lists = doc
            .root
            .child("MessageBody")
            .map(|b| b.children_named("ResultList").count())
            .unwrap_or_default();
        assert_eq!(
            lists,
            match layout {
                harness_eligibility::MultipleRecords::OneResultList => 1,
                harness_eligibility::MultipleRecords::ResultListPerRecord => 2,
            }
        );
        // With the branch number, one of them.
        let one = String::from_utf8(bytes).expect("utf8").replace(
            "<InsuredBranchNumber></InsuredBranchNumber>",
            "<InsuredBranchNumber>03</InsuredBranchNumber>",
        );
        let doc = answer_doc(
            "OQSsiquc01res_0001.xml",
            &r.answer(one.as_bytes(), at(9, 0, 0)),
        );
        assert_eq!(
            text(&doc.root, &["MessageBody", "QualificationValidity"]),
            "1"
        );
        assert_eq!(
            text(
                &doc.root,
                &[
                    "MessageBody",
                    "ResultList",
                    "ResultOfQualificationConfirmation",
                    "Name"
                ]
            ),
            "木村\u{3000}莉緒"
        );
    }
}

#[test]
fn the_echo_needs_the_limit_flag_so_a_request_without_it_is_unreadable() {
    let bytes = String::from_utf8(handwritten("20261125", "01130012", "12345678", "1001", "19800401"))
        .expect("utf8")
        .replace(
            "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>\n",
            "",
        );
    let doc = answer_doc(
        "OQSsiquc01res_0001.xml",
        &responder().answer(bytes.as_bytes(), at(9, 0, 0)),
    );
    assert_eq!(text(&doc.root, &["MessageHeader", "ErrorCode"]), "2001");
    assert_eq!(
        text(&doc.root, &["MessageBody", "ProcessingResultStatus"]),
        "2"
    );
}

#[test]
fn a_missing_req_folder_is_a_typed_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = process_pending_requests(&tmp.path().join("absent"), &responder(), at(12, 0, 0));
    assert!(
        matches!(err, Err(harness_eligibility::WriteError::FolderMissing(_))),
        "{err:?}"
    );
}
