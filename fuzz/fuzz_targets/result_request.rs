//! Random bytes as a request file the receipt system drops into `req/` (照会要求): into
//! `harness_eligibility::parse_request` and `RequestResponder::answer` over the fixture insurance
//! records.
//!
//! Checked: no panic; every answer — to a good request or to garbage, with one record, several or
//! none — passes the independent conformance reader (`oqs-conformance`: element tables, codes,
//! date shapes, no empty element, declared encoding = CharacterCodeIdentifier, CRLF in
//! Shift_JIS); a request that parses, rendered again with `render_request_xml`, parses back to the
//! same request; an unreadable request is answered with its error code.
#![no_main]

use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::xml_tree::parse_document;
use harness_eligibility::{
    parse_request, render_request_xml, InsuranceBook, MultipleRecords, RequestResponder,
    ResultFileOptions,
};
use libfuzzer_sys::fuzz_target;

/// Two responders: the fixture records in both layouts of several records (複数該当).
fn responders() -> &'static [RequestResponder; 2] {
    static RESPONDERS: OnceLock<[RequestResponder; 2]> = OnceLock::new();
    RESPONDERS.get_or_init(|| {
        let records = include_str!("../../fixtures/insurance/records.toml");
        let book = InsuranceBook::from_toml(records).expect("fixture records parse");
        let with = |multiple_records| {
            RequestResponder::new(
                book.clone(),
                ResultFileOptions {
                    multiple_records,
                    ..ResultFileOptions::default()
                },
            )
        };
        [
            with(MultipleRecords::OneResultList),
            with(MultipleRecords::ResultListPerRecord),
        ]
    })
}

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid date")
}

fuzz_target!(|data: &[u8]| {
    let parsed = parse_request(data);
    if let Ok(request) = &parsed {
        let rendered = render_request_xml(request);
        let again = parse_request(&rendered);
        assert_eq!(
            again.as_ref(),
            Ok(request),
            "rendered request {:?} parses differently",
            String::from_utf8_lossy(&rendered)
        );
    }
    for responder in responders() {
        let answer = responder.answer(data, now());
        if let Err(error) = oqs_conformance::check_bytes(
            Some("OQSsiquc01res_0001.xml"),
            &answer,
            &oqs_conformance::CheckOptions::default(),
        ) {
            panic!(
                "answer does not conform ({error}): {:?}",
                String::from_utf8_lossy(&answer)
            );
        }
        let document = match parse_document(&answer) {
            Ok(document) => document,
            Err(error) => panic!(
                "answer is not well-formed ({error}): {:?}",
                String::from_utf8_lossy(&answer)
            ),
        };
        assert_eq!(document.root.name, "XmlMsg");
        if let Err(error) = &parsed {
            let code = document
                .root
                .find("ErrorCode")
                .map(|e| e.text.as_str())
                .unwrap_or_default();
            assert_eq!(code, error.code(), "answer to a bad request");
        }
    }
});
