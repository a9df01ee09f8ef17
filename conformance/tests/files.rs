//! Hand-written files, good and bad, through the conformance reader.

use oqs_conformance::{check_bytes, CheckOptions, ConformanceError, Problem, ReadError};

const FACE: &str = "OQSsiquc01res_face_00000001_20261125100005.xml";
const RES: &str = "OQSsiquc01res_0001.xml";

fn header(reference: &str, segment: &str, extra: &str, code: &str) -> String {
    format!(
        "<MessageHeader>\n<ProcessExecutionTime>20261125100005</ProcessExecutionTime>\n\
         <QualificationConfirmationDate>20261125</QualificationConfirmationDate>\n\
         <MedicalInstitutionCode>1312345678</MedicalInstitutionCode>\n\
         <ReferenceClassification>{reference}</ReferenceClassification>\n\
         <SegmentOfResult>{segment}</SegmentOfResult>\n{extra}\
         <CharacterCodeIdentifier>{code}</CharacterCodeIdentifier>\n</MessageHeader>\n"
    )
}

const RECORD: &str = "<ResultOfQualificationConfirmation>\n\
<InsuredCardClassification>01</InsuredCardClassification>\n\
<InsurerNumber>  270017</InsurerNumber>\n\
<InsuredCardSymbol>大阪北</InsuredCardSymbol>\n\
<InsuredIdentificationNumber>77001</InsuredIdentificationNumber>\n\
<InsuredBranchNumber>00</InsuredBranchNumber>\n\
<PersonalFamilyClassification>1</PersonalFamilyClassification>\n\
<Name>佐藤　花子</Name>\n\
<NameKana>ｻﾄｳ ﾊﾅｺ</NameKana>\n\
<Sex1>2</Sex1>\n\
<Birthdate>19420915</Birthdate>\n\
<PostNumber>530-0001</PostNumber>\n\
<QualificationDate>20170915</QualificationDate>\n\
<InsuredPartialContributionRatio>010</InsuredPartialContributionRatio>\n\
<InsurerName>大阪府後期高齢者医療広域連合</InsurerName>\n\
<PharmacistsInfoConsFlg>1</PharmacistsInfoConsFlg>\n\
<PharmacistsInfoConsTime>20261125100001</PharmacistsInfoConsTime>\n\
<PharmacistsInfoAvailableTime>20261126100001</PharmacistsInfoAvailableTime>\n\
<DiagnosisInfoConsFlg>0</DiagnosisInfoConsFlg>\n\
</ResultOfQualificationConfirmation>\n";

fn utf8(body: &str, head: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<XmlMsg>\n{head}\
         <MessageBody>\n{body}</MessageBody>\n</XmlMsg>\n"
    )
}

fn valid_card_check() -> String {
    utf8(
        &format!(
            "<ProcessingResultStatus>1</ProcessingResultStatus>\n\
             <QualificationValidity>1</QualificationValidity>\n<ResultList>\n{RECORD}</ResultList>\n"
        ),
        &header("1", "1", "", "0"),
    )
}

fn check(name: &str, text: &[u8]) -> Result<oqs_conformance::FileReport, ConformanceError> {
    check_bytes(Some(name), text, &CheckOptions::default())
}

fn problems(
    result: Result<oqs_conformance::FileReport, ConformanceError>,
) -> Vec<(String, Problem)> {
    match result {
        Ok(report) => panic!("accepted: {report}"),
        Err(ConformanceError::Violations(v)) => {
            v.into_iter().map(|v| (v.path, v.problem)).collect()
        }
        Err(other) => panic!("not a list of violations: {other}"),
    }
}

fn sjis(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

fn sjis_crlf(text: &str) -> Vec<u8> {
    let text = text
        .replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"")
        .replace("<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<")
        .replace('\n', "\r\n");
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn a_valid_card_check_conforms_in_both_encodings() {
    let report = check(FACE, valid_card_check().as_bytes()).expect("conforms");
    assert_eq!(report.records, 1);
    assert_eq!(report.validity.as_deref(), Some("1"));
    let report = check(FACE, &sjis_crlf(&valid_card_check())).expect("Shift_JIS conforms");
    assert_eq!(report.encoding, "Shift_JIS");
}

#[test]
fn an_empty_optional_element_fails_with_its_path() {
    for empty in [
        "<InsuredCardExpirationDate></InsuredCardExpirationDate>",
        "<InsuredCardExpirationDate/>",
    ] {
        let text = valid_card_check().replace("<InsurerName>", &format!("{empty}\n<InsurerName>"));
        let found = problems(check(FACE, text.as_bytes()));
        assert_eq!(
            found,
            [(
                "/XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]/InsuredCardExpirationDate"
                    .to_owned(),
                Problem::Empty
            )]
        );
    }
}

#[test]
fn an_empty_record_fails() {
    let text = utf8(
        "<ProcessingResultStatus>1</ProcessingResultStatus>\n\
         <QualificationValidity>4</QualificationValidity>\n<ResultList>\n\
         <ResultOfQualificationConfirmation></ResultOfQualificationConfirmation>\n</ResultList>\n",
        &header("1", "1", "", "0"),
    );
    let found = problems(check(FACE, text.as_bytes()));
    assert!(
        found.contains(&(
            "/XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]".to_owned(),
            Problem::Empty
        )),
        "{found:?}"
    );
    assert!(found
        .iter()
        .any(|(p, problem)| p == "/XmlMsg/MessageBody/ResultList"
            && matches!(problem, Problem::NotAllowed(_))));
    // An empty ResultList is no better.
    let text = text.replace(
        "<ResultOfQualificationConfirmation></ResultOfQualificationConfirmation>\n",
        "",
    );
    let found = problems(check(FACE, text.as_bytes()));
    assert!(found.contains(&("/XmlMsg/MessageBody/ResultList".to_owned(), Problem::Empty)));
}

#[test]
fn a_found_qualification_needs_its_record() {
    let text = utf8(
        "<ProcessingResultStatus>1</ProcessingResultStatus>\n\
         <QualificationValidity>1</QualificationValidity>\n",
        &header("1", "1", "", "0"),
    );
    let found = problems(check(FACE, text.as_bytes()));
    assert!(matches!(
        found.as_slice(),
        [(_, Problem::RecordCount { found: 0, .. })]
    ));
}

#[test]
fn a_wrong_declared_encoding_fails() {
    // Declared Shift_JIS, identifier 0.
    let text = valid_card_check().replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
    let bytes = sjis(&text.replace('\n', "\r\n"));
    let found = problems(check(FACE, &bytes));
    assert!(
        found
            .iter()
            .any(|(_, p)| matches!(p, Problem::EncodingMismatch { .. })),
        "{found:?}"
    );
    // Declared UTF-8, Shift_JIS bytes: cannot be decoded at all.
    let bytes = sjis(&valid_card_check());
    assert!(matches!(
        check(FACE, &bytes),
        Err(ConformanceError::Unreadable(ReadError::NotDecodable(
            "UTF-8"
        )))
    ));
    // An encoding no result file uses.
    let text = valid_card_check().replace("encoding=\"UTF-8\"", "encoding=\"EUC-JP\"");
    assert!(matches!(
        check(FACE, text.as_bytes()),
        Err(ConformanceError::Unreadable(ReadError::UnknownEncoding(_)))
    ));
}

#[test]
fn shift_jis_needs_crlf_and_endings_are_never_mixed() {
    let lf = sjis_crlf(&valid_card_check());
    let (decoded, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&lf);
    let bytes = sjis(&decoded.replace("\r\n", "\n"));
    let found = problems(check(FACE, &bytes));
    assert!(matches!(
        found.as_slice(),
        [(_, Problem::LineEndings { found: "LF", .. })]
    ));
    let relaxed = CheckOptions {
        shift_jis_crlf: false,
    };
    assert!(check_bytes(Some(FACE), &bytes, &relaxed).is_ok());
    let mixed = valid_card_check().replacen('\n', "\r\n", 2);
    let found = problems(check(FACE, mixed.as_bytes()));
    assert!(matches!(
        found.as_slice(),
        [(_, Problem::LineEndings { found: "mixed", .. })]
    ));
}

#[test]
fn dates_codes_and_kana_are_checked() {
    let text = valid_card_check()
        .replace("<Birthdate>19420915<", "<Birthdate>1942-09-15<")
        .replace("<Sex1>2<", "<Sex1>F<")
        .replace("<NameKana>ｻﾄｳ ﾊﾅｺ<", "<NameKana>サトウ　ハナコ<")
        .replace("<InsurerNumber>  270017<", "<InsurerNumber>270017<")
        .replace(
            "<ProcessExecutionTime>20261125100005<",
            "<ProcessExecutionTime>-00-00<",
        );
    let found = problems(check(FACE, text.as_bytes()));
    let paths: Vec<&str> = found
        .iter()
        .map(|(p, _)| p.rsplit('/').next().unwrap_or_default())
        .collect();
    assert_eq!(
        paths,
        [
            "ProcessExecutionTime",
            "InsurerNumber",
            "NameKana",
            "Sex1",
            "Birthdate"
        ],
        "{found:?}"
    );
    assert!(found
        .iter()
        .all(|(_, p)| matches!(p, Problem::BadValue { .. })));
}

#[test]
fn consent_times_need_their_flag_and_a_given_consent_needs_its_times() {
    let text = valid_card_check()
        .replace(
            "<DiagnosisInfoConsFlg>0</DiagnosisInfoConsFlg>\n",
            "<OperationInfoConsTime>20261125100001</OperationInfoConsTime>\n",
        )
        .replace(
            "<PharmacistsInfoAvailableTime>20261126100001</PharmacistsInfoAvailableTime>\n",
            "",
        );
    let found = problems(check(FACE, text.as_bytes()));
    let p = "/XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]";
    assert!(found.contains(&(
        format!("{p}/PharmacistsInfoAvailableTime"),
        Problem::Missing
    )));
    assert!(found.iter().any(
        |(path, problem)| path == &format!("{p}/OperationInfoConsTime")
            && matches!(problem, Problem::NotAllowed(_))
    ));
}

#[test]
fn errors_carry_codes_and_no_record() {
    // A person-level error: SegmentOfResult 1, ProcessingResultStatus 2.
    let person = utf8(
        "<ProcessingResultStatus>2</ProcessingResultStatus>\n\
         <ProcessingResultCode>1104</ProcessingResultCode>\n\
         <ProcessingResultMessage>期限切れ</ProcessingResultMessage>\n",
        &header("1", "1", "", "0"),
    );
    check(FACE, person.as_bytes()).expect("person-level error conforms");
    // A file-level error: SegmentOfResult 9 with ErrorCode/ErrorMessage.
    let file = utf8(
        "<ProcessingResultStatus>2</ProcessingResultStatus>\n\
         <ProcessingResultCode>2001</ProcessingResultCode>\n\
         <ProcessingResultMessage>読めません</ProcessingResultMessage>\n",
        &header(
            "2",
            "9",
            "<ErrorCode>2001</ErrorCode>\n<ErrorMessage>読めません</ErrorMessage>\n",
            "0",
        ),
    );
    check(RES, file.as_bytes()).expect("file-level error conforms");
    // 9 without ErrorCode, error with a record, 1 with an ErrorCode.
    let bad = file.replace("<ErrorCode>2001</ErrorCode>\n", "");
    assert_eq!(
        problems(check(RES, bad.as_bytes())),
        [(
            "/XmlMsg/MessageHeader/ErrorCode".to_owned(),
            Problem::Missing
        )]
    );
    let bad = person.replace(
        "</MessageBody>",
        &format!("<ResultList>\n{RECORD}</ResultList>\n</MessageBody>"),
    );
    assert!(problems(check(FACE, bad.as_bytes()))
        .iter()
        .any(
            |(p, problem)| p.ends_with("/ResultList") && matches!(problem, Problem::NotAllowed(_))
        ));
}

#[test]
fn answers_to_requests_echo_the_search_with_the_limit_flag() {
    let echo = "<QualificationConfirmSearchInfo>\n<InsurerNumber>  270017</InsurerNumber>\n\
        <InsuredCardSymbol>大阪北</InsuredCardSymbol>\n\
        <InsuredIdentificationNumber>77001</InsuredIdentificationNumber>\n\
        <InsuredBranchNumber>00</InsuredBranchNumber>\n<Birthdate>19420915</Birthdate>\n\
        <LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>\n\
        </QualificationConfirmSearchInfo>\n";
    let answer = utf8(
        &format!(
            "<ProcessingResultStatus>1</ProcessingResultStatus>\n\
             <QualificationValidity>4</QualificationValidity>\n{echo}"
        ),
        &header("2", "1", "", "0"),
    );
    check(RES, answer.as_bytes()).expect("該当資格なし answer without ResultList conforms");
    let no_flag = answer.replace(
        "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>\n",
        "",
    );
    assert_eq!(
        problems(check(RES, no_flag.as_bytes())),
        [(
            "/XmlMsg/MessageBody/QualificationConfirmSearchInfo/LimitApplicationCertificateRelatedConsFlg"
                .to_owned(),
            Problem::Missing
        )]
    );
    let no_echo = answer.replace(echo, "");
    assert_eq!(
        problems(check(RES, no_echo.as_bytes())),
        [(
            "/XmlMsg/MessageBody/QualificationConfirmSearchInfo".to_owned(),
            Problem::Missing
        )]
    );
}

#[test]
fn several_records_for_multiple_matches_in_either_layout() {
    let one_list = utf8(
        &format!(
            "<ProcessingResultStatus>1</ProcessingResultStatus>\n\
             <QualificationValidity>5</QualificationValidity>\n<ResultList>\n{RECORD}{RECORD}</ResultList>\n"
        ),
        &header("1", "1", "", "0"),
    );
    assert_eq!(
        check(FACE, one_list.as_bytes()).expect("one list").records,
        2
    );
    let two_lists = utf8(
        &format!(
            "<ProcessingResultStatus>1</ProcessingResultStatus>\n\
             <QualificationValidity>5</QualificationValidity>\n\
             <ResultList>\n{RECORD}</ResultList>\n<ResultList>\n{RECORD}</ResultList>\n"
        ),
        &header("1", "1", "", "0"),
    );
    assert_eq!(
        check(FACE, two_lists.as_bytes())
            .expect("two lists")
            .records,
        2
    );
}

#[test]
fn file_names_follow_the_folder_patterns() {
    let text = valid_card_check();
    assert!(check("OQSsiquc01res_face_x_20261125100005.xml", text.as_bytes()).is_ok());
    for bad in [
        "OQSsiquc01res_face_20261125100005.xml",
        "OQSsiquc01res_face_1_20261325100005.xml",
        "result.xml",
        "OQSsiquc01res_0001.xml",
    ] {
        let found = problems(check(bad, text.as_bytes()));
        assert!(
            found
                .iter()
                .all(|(p, problem)| p == "(name)" && matches!(problem, Problem::FileName(_))),
            "{bad}: {found:?}"
        );
    }
}

#[test]
fn unknown_elements_and_duplicates_are_reported_together() {
    let text = valid_card_check().replace(
        "<Sex1>2</Sex1>",
        "<Sex1>2</Sex1>\n<Sex1>2</Sex1>\n<PharmaceuticalInfoConsFlg>1</PharmaceuticalInfoConsFlg>",
    );
    let error = check(FACE, text.as_bytes()).expect_err("rejected");
    let message = error.to_string();
    assert!(message.starts_with("2 violation(s):"), "{message}");
    assert!(
        message.contains("PharmaceuticalInfoConsFlg: element is not in the specification's table"),
        "{message}"
    );
    assert!(
        message.contains("Sex1 (性別1): appears 2 times"),
        "{message}"
    );
}
