//! Bytes from the wire or from files never panic the service: mutated and truncated inputs give
//! typed errors or error results. Deterministic (seeded), bounded.

mod common;

use common::*;
use harness_eligibility::protocol::{EligibilityCheck, IdentityProof};
use harness_eligibility::xml_tree::parse_document;
use harness_eligibility::{
    attestation_statement, parse_request, render_request_xml, AttestationStatement, CharacterCode,
    EligibilityService, FixtureDir, FixtureSource, InsuranceBook, QualificationRequest,
    RequestResponder, ResultFileOptions, ServiceConfig,
};
use rand::{Rng, RngExt, SeedableRng};

fn mutations(seed: u64, original: &[u8], count: usize) -> Vec<Vec<u8>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    for len in [
        0,
        1,
        2,
        4,
        original.len() / 2,
        original.len().saturating_sub(1),
    ] {
        out.push(original.get(..len).unwrap_or_default().to_vec());
    }
    for _ in 0..count {
        let mut m = original.to_vec();
        let edits = rng.random_range(1..=4);
        for _ in 0..edits {
            if m.is_empty() {
                break;
            }
            let i = rng.random_range(0..m.len());
            match rng.random_range(0..3) {
                0 => m[i] ^= 1 << rng.random_range(0..8),
                1 => {
                    m.remove(i);
                }
                _ => m.insert(i, rng.next_u32() as u8),
            }
        }
        out.push(m);
    }
    out
}

#[test]
fn mutated_requests_are_answered_never_panic() {
    let text = std::fs::read_to_string(
        FixtureDir::workspace()
            .root()
            .join("insurance/records.toml"),
    )
    .expect("records");
    let responder = RequestResponder::new(
        InsuranceBook::from_toml(&text).expect("book"),
        ResultFileOptions::default(),
    );
    for code in [CharacterCode::Utf8, CharacterCode::ShiftJis] {
        let request = render_request_xml(&QualificationRequest {
            medical_institution_code: None,
            arbitrary_file_identifier: Some("x".into()),
            character_code: code,
            search: harness_eligibility::CardSearch {
                insurer_number: "270017".into(),
                insured_card_symbol: "大阪北".into(),
                insured_identification_number: "77001".into(),
                insured_branch_number: "00".into(),
                birth: chrono::NaiveDate::from_ymd_opt(1942, 9, 15).expect("date"),
            },
            limit_application_consent: false,
            arbitrary_identifier: Some("a".into()),
            qualification_confirmation_date: None,
        });
        assert!(parse_request(&request).is_ok());
        for m in mutations(1, &request, 2000) {
            let _ = parse_request(&m);
            let answer = responder.answer(&m, at(9, 0, 0));
            let doc = parse_document(&answer).expect("every answer parses");
            check_envelope(&doc.root, "2");
            assert_conforms("OQSsiquc01res_0001.xml", &answer);
        }
    }
}

#[test]
fn mutated_statements_and_certificates_never_panic() {
    let fixtures = FixtureDir::workspace().load().expect("fixtures");
    let mut service =
        EligibilityService::from_fixtures(&fixtures, ServiceConfig::default()).expect("service");
    let cert = fixtures
        .cards
        .iter()
        .find(|c| c.person_id == "yamada-taro")
        .expect("card")
        .auth_certificate_der
        .clone();
    let statement = attestation_statement(&[1; 32], &cert, "R", 0.9, at(9, 0, 0));
    for m in mutations(2, &statement, 3000) {
        let _ = AttestationStatement::parse(&m);
    }
    for (i, m) in mutations(3, &cert, 300).into_iter().enumerate() {
        let proof = if i % 2 == 0 {
            IdentityProof::CardSignature {
                challenge: vec![0; 32],
                signature: vec![0; 256],
            }
        } else {
            IdentityProof::ReaderAttestation {
                statement: statement.clone(),
                signature: vec![1; 256],
                reader_certificate: m.clone(),
            }
        };
        let outcome = service.check(
            EligibilityCheck {
                auth_certificate: m,
                proof,
                consents: mixed_consents(),
                reader_name: "R".into(),
                requested_at: at(9, 0, 0),
            },
            at(9, 0, 0),
            day(),
        );
        assert!(
            outcome.error().is_some(),
            "a mutated certificate or made-up proof is never accepted"
        );
    }
}

#[test]
fn mutated_result_files_parse_or_fail_cleanly() {
    let request = render_request_xml(&QualificationRequest {
        medical_institution_code: Some("1312345678".into()),
        arbitrary_file_identifier: None,
        character_code: CharacterCode::ShiftJis,
        search: harness_eligibility::CardSearch {
            insurer_number: "01130012".into(),
            insured_card_symbol: "12345678".into(),
            insured_identification_number: "1001".into(),
            insured_branch_number: "01".into(),
            birth: chrono::NaiveDate::from_ymd_opt(1980, 4, 1).expect("date"),
        },
        limit_application_consent: true,
        arbitrary_identifier: None,
        qualification_confirmation_date: Some(day()),
    });
    for m in mutations(4, &request, 3000) {
        let _ = parse_document(&m);
    }
}
