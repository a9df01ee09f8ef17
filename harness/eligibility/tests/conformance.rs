//! The build gate of issue 13: every file the writer produces — every outcome of a card check and
//! of a request, in both encodings, under every setting — is written through the real folder
//! writer and then read by the independent conformance reader (`oqs-conformance`, which shares no
//! code with this crate). A file it rejects fails this test.

mod common;

use common::*;
use harness_eligibility::insurance::{CardSearch, Qualification};
use harness_eligibility::protocol::{Consent, Consents, IdentityMethod};
use harness_eligibility::{
    process_pending_requests, render_request_xml, CardCheckWithoutRecord, CharacterCode,
    CheckError, CheckOutcome, CheckResult, FixtureDir, InsuranceBook, MultipleRecords,
    QualificationRequest, RequestResponder, ResultFileOptions, ResultFolders,
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

fn every_error() -> Vec<CheckError> {
    vec![
        CheckError::BadCertificate("x".into()),
        CheckError::UntrustedCertificate,
        CheckError::CertificateNotYetValid,
        CheckError::CertificateExpired,
        CheckError::CertificateRevoked,
        CheckError::BadSignature,
        CheckError::UnknownChallenge,
        CheckError::ChallengeReused,
        CheckError::ChallengeExpired,
        CheckError::UntrustedReader("x".into()),
        CheckError::BadAttestationSignature,
        CheckError::BadAttestationStatement("x".into()),
        CheckError::BadStaffConfirmation("x".into()),
        CheckError::ConfirmationDateInFuture(day()),
    ]
}

fn consent_variants() -> Vec<Consents> {
    let c = |given, s| {
        Some(Consent {
            given,
            at: at(10, 0, s),
        })
    };
    vec![
        mixed_consents(),
        // The screens before 2024-10-07: 限度額 on its own screen.
        Consents {
            limit_application: c(true, 0),
            ..mixed_consents()
        },
        Consents {
            limit_application: c(false, 0),
            ..mixed_consents()
        },
        // Everything refused, and nothing asked.
        Consents {
            medication: c(false, 1),
            health_checkups: c(false, 1),
            diagnosis: c(false, 1),
            operation: c(false, 1),
            limit_application: c(false, 1),
        },
        Consents {
            medication: None,
            health_checkups: None,
            diagnosis: None,
            operation: None,
            limit_application: None,
        },
    ]
}

fn card_check_results(book: &InsuranceBook) -> Vec<(String, CheckResult)> {
    let mut people: Vec<String> = book.records().iter().map(|r| r.person.clone()).collect();
    people.push("nakamura-aoi".into());
    people.dedup();
    let mut results: Vec<(String, CheckResult)> = people
        .iter()
        .flat_map(|p| {
            // Today, and on the day before each of the person's losses (資格確認日 earlier).
            let mut dates = vec![day()];
            dates.extend(
                book.records()
                    .iter()
                    .filter(|r| &r.person == p)
                    .filter_map(|r| r.qualification_end.and_then(|d| d.pred_opt())),
            );
            dates
                .into_iter()
                .map(|d| (p.clone(), CheckResult::Eligibility(book.for_person(p, d))))
                .collect::<Vec<_>>()
        })
        .collect();
    results.extend(
        every_error()
            .into_iter()
            .map(|e| ("tanaka-yuki".to_owned(), CheckResult::Rejected(e))),
    );
    results.push((
        "nobody".into(),
        CheckResult::Eligibility(Qualification::not_found()),
    ));
    results
}

fn requests(book: &InsuranceBook) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, r) in book.records().iter().enumerate() {
        for code in [CharacterCode::Utf8, CharacterCode::ShiftJis] {
            let branch = if i % 2 == 0 {
                r.insured_branch_number.clone()
            } else {
                String::new()
            };
            out.push(render_request_xml(&QualificationRequest {
                medical_institution_code: Some("1312345678".into()),
                arbitrary_file_identifier: (i % 3 == 0).then(|| format!("rq-{i}")),
                qualification_confirmation_date: r.qualification_end.and_then(|d| d.pred_opt()),
                character_code: code,
                search: CardSearch {
                    insurer_number: r.insurer_number.clone(),
                    insured_card_symbol: r.insured_card_symbol.clone(),
                    insured_identification_number: r.insured_identification_number.clone(),
                    insured_branch_number: branch,
                    birth: r.birth,
                },
                limit_application_consent: i % 2 == 1,
                arbitrary_identifier: (i % 4 == 0).then(|| "X-1".to_owned()),
            }));
        }
    }
    // 該当資格なし, and the three request errors, in both encodings.
    let unknown = render_request_xml(&QualificationRequest {
        medical_institution_code: None,
        arbitrary_file_identifier: None,
        qualification_confirmation_date: None,
        character_code: CharacterCode::ShiftJis,
        search: CardSearch {
            insurer_number: "99999999".into(),
            insured_card_symbol: String::new(),
            insured_identification_number: "1".into(),
            insured_branch_number: "00".into(),
            birth: day(),
        },
        limit_application_consent: false,
        arbitrary_identifier: None,
    });
    let text = String::from_utf8(out[0].clone()).expect("utf8");
    out.push(unknown);
    out.push(b"<XmlMsg><MessageHeader>".to_vec());
    out.push(
        text.replace("<ReferenceClassification>2<", "<ReferenceClassification>1<")
            .into_bytes(),
    );
    out.push(text.replace("19800401", "1980041").into_bytes());
    let bad_sjis = text
        .replace("UTF-8", "Shift_JIS")
        .replace("<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<")
        .replace("19800401", "1980041");
    out.push(encoding_rs::SHIFT_JIS.encode(&bad_sjis).0.into_owned());
    out
}

/// Writes every file into `root` and returns how many were written.
fn write_everything(root: &std::path::Path, options: &ResultFileOptions) -> usize {
    let folders = ResultFolders::new(root);
    folders.create_all().expect("folders");
    let book = book();
    let mut written = 0;
    let mut id = 0u64;
    for (person, result) in card_check_results(&book) {
        for consents in consent_variants() {
            id += 1;
            let outcome = CheckOutcome {
                check_id: id,
                method: IdentityMethod::Face,
                evidence: None,
                person_id: Some(person.clone()),
                auth_certificate_sha256: String::new(),
                result: result.clone(),
                consents,
                reader_name: "R".into(),
                requested_at: at(10, 0, 5),
                checked_at: at(10, 0, 5),
                qualification_confirmation_date: day(),
            };
            if folders
                .write_outcome(&outcome, options)
                .expect("written")
                .is_some()
            {
                written += 1;
            }
        }
    }
    for (i, request) in requests(&book).into_iter().enumerate() {
        std::fs::write(
            folders.req_dir().join(format!("OQSsiquc01req_{i:04}.xml")),
            request,
        )
        .expect("request");
    }
    let responder = RequestResponder::new(book, options.clone());
    written += process_pending_requests(root, &responder, at(11, 0, 0))
        .expect("answered")
        .len();
    written
}

fn check_all(root: &std::path::Path) -> usize {
    let files = oqs_conformance::result_files(root).expect("listing");
    let mut failures = Vec::new();
    for file in &files {
        if let Err(e) = oqs_conformance::check_path(file, &oqs_conformance::CheckOptions::default())
        {
            failures.push(format!("{}: {e}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files rejected:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn every_file_the_writer_produces_conforms() {
    for character_code in [CharacterCode::Utf8, CharacterCode::ShiftJis] {
        for card_check_without_record in [
            CardCheckWithoutRecord::NoFile,
            CardCheckWithoutRecord::WithoutResultList,
        ] {
            for multiple_records in [
                MultipleRecords::OneResultList,
                MultipleRecords::ResultListPerRecord,
            ] {
                let options = ResultFileOptions {
                    character_code,
                    card_check_without_record,
                    multiple_records,
                    arbitrary_file_identifier: Some("B4u_QfxBNjMCL4w=".into()),
                    ..ResultFileOptions::default()
                };
                let tmp = tempfile::tempdir().expect("tempdir");
                let written = write_everything(tmp.path(), &options);
                let checked = check_all(tmp.path());
                assert_eq!(written, checked, "{options:?}");
                assert!(checked > 50, "{checked} files");
            }
        }
    }
}

#[test]
fn the_gate_rejects_a_writer_file_with_an_empty_element_or_record_or_a_wrong_encoding() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_everything(tmp.path(), &ResultFileOptions::default());
    let face = tmp.path().join("face");
    let file = oqs_conformance::result_files(&face)
        .expect("listing")
        .into_iter()
        .next()
        .expect("a face file");
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let text = String::from_utf8(std::fs::read(&file).expect("read")).expect("utf8");
    let check = |bytes: &[u8]| {
        oqs_conformance::check_bytes(
            Some(&name),
            bytes,
            &oqs_conformance::CheckOptions::default(),
        )
    };
    assert!(check(text.as_bytes()).is_ok());
    let empty_optional = text.replace(
        "<InsurerName>",
        "<InsuredCardExpirationDate></InsuredCardExpirationDate><InsurerName>",
    );
    assert!(check(empty_optional.as_bytes()).is_err());
    let start = text
        .find("<ResultOfQualificationConfirmation>")
        .expect("record");
    let end = text
        .find("</ResultOfQualificationConfirmation>")
        .expect("record end");
    let mut empty_record = text.clone();
    empty_record.replace_range(start + "<ResultOfQualificationConfirmation>".len()..end, "");
    assert!(check(empty_record.as_bytes()).is_err());
    let wrong_encoding = text.replace("encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
    assert!(check(&encoding_rs::SHIFT_JIS.encode(&wrong_encoding).0).is_err());
}
