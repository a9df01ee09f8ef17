//! The insurance-record fixture and the lookups on it.

mod common;

use chrono::NaiveDate;
use common::day;
use harness_eligibility::insurance::{CardSearch, InsuranceBook, QualificationValidity, Sex};
use harness_eligibility::FixtureDir;

fn book() -> InsuranceBook {
    let path = FixtureDir::workspace()
        .root()
        .join("insurance/records.toml");
    let text = std::fs::read_to_string(&path).expect("records.toml");
    InsuranceBook::from_toml(&text).expect("records.toml is valid")
}

fn people() -> Vec<toml::Table> {
    let path = FixtureDir::workspace().root().join("people.toml");
    let text = std::fs::read_to_string(path).expect("people.toml");
    let table: toml::Table = toml::from_str(&text).expect("people.toml parses");
    table["person"]
        .as_array()
        .expect("[[person]]")
        .iter()
        .map(|p| p.as_table().expect("person table").clone())
        .collect()
}

#[test]
fn every_person_but_nakamura_aoi_has_a_record_that_matches_people_toml() {
    let book = book();
    for person in people() {
        let id = person["id"].as_str().expect("id");
        let records: Vec<_> = book.records().iter().filter(|r| r.person == id).collect();
        if id == "nakamura-aoi" {
            assert!(records.is_empty(), "nakamura-aoi must have no record");
            continue;
        }
        assert!(!records.is_empty(), "{id} has no insurance record");
        for r in records {
            assert_eq!(r.name, person["name"].as_str().expect("name"), "{id} name");
            assert_eq!(
                r.name_kana,
                person["kana"].as_str().expect("kana"),
                "{id} kana"
            );
            let birth =
                NaiveDate::parse_from_str(person["birth"].as_str().expect("birth"), "%Y-%m-%d")
                    .expect("birth date");
            assert_eq!(r.birth, birth, "{id} birth");
            let sex = match person["sex"].as_str().expect("sex") {
                "male" => Sex::Male,
                "female" => Sex::Female,
                _ => Sex::Unset,
            };
            assert_eq!(r.sex, sex, "{id} sex");
            assert_eq!(
                r.address,
                person["address"].as_str().expect("address"),
                "{id} address"
            );
            assert_eq!(
                r.post_code,
                person["post_code"].as_str().expect("post_code"),
                "{id} post code"
            );
        }
    }
    // Every record belongs to a known person.
    let ids: Vec<String> = people()
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect();
    for r in book.records() {
        assert!(
            ids.contains(&r.person),
            "record for unknown person {}",
            r.person
        );
    }
}

#[test]
fn card_check_lookups_give_the_documented_validity() {
    let book = book();
    let expect = [
        ("yamada-taro", QualificationValidity::Valid),
        ("sato-hanako", QualificationValidity::Valid),
        ("suzuki-haruto", QualificationValidity::Valid),
        ("takahashi-kenji", QualificationValidity::Invalid),
        ("tanaka-yuki", QualificationValidity::Valid),
        ("ito-makoto", QualificationValidity::Valid),
        ("watanabe-sora", QualificationValidity::Valid),
        ("nakamura-aoi", QualificationValidity::NotFound),
        ("kobayashi-ren", QualificationValidity::Invalid),
    ];
    for (person, validity) in expect {
        let q = book.for_person(person, day());
        assert_eq!(q.validity, validity, "{person}");
        assert_eq!(
            q.record().is_some(),
            validity != QualificationValidity::NotFound,
            "{person}"
        );
    }
    // sato-hanako's current record is the newer 後期高齢者医療 one (1割).
    let sato = book
        .for_person("sato-hanako", day())
        .record()
        .cloned()
        .expect("record");
    assert_eq!(sato.insurer_number, "39271012");
    assert_eq!(sato.contribution_ratio, "010");
    // Before takahashi-kenji's qualification ended, it was valid.
    let before = NaiveDate::from_ymd_opt(2025, 3, 31).expect("date");
    assert_eq!(
        book.for_person("takahashi-kenji", before).validity,
        QualificationValidity::Valid
    );
    let loss_day = NaiveDate::from_ymd_opt(2025, 4, 1).expect("date");
    assert_eq!(
        book.for_person("takahashi-kenji", loss_day).validity,
        QualificationValidity::Invalid
    );
}

#[test]
fn card_number_lookups_find_newer_qualifications() {
    let book = book();
    let search =
        |insurer: &str, symbol: &str, number: &str, branch: &str, birth: (i32, u32, u32)| {
            CardSearch {
                insurer_number: insurer.into(),
                insured_card_symbol: symbol.into(),
                insured_identification_number: number.into(),
                insured_branch_number: branch.into(),
                birth: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).expect("date"),
            }
        };
    // sato-hanako's old 国民健康保険 card: ended, a newer qualification exists → 3.
    let old = book.by_card(
        &search("270017", "大阪北", "77001", "00", (1942, 9, 15)),
        day(),
    );
    assert_eq!(old.validity, QualificationValidity::InvalidNewerExists);
    assert_eq!(old.record().expect("record").insurer_number, "270017");
    // takahashi-kenji: ended, nothing newer → 2.
    let ended = book.by_card(
        &search("010017", "札中", "120034", "01", (1965, 12, 3)),
        day(),
    );
    assert_eq!(ended.validity, QualificationValidity::Invalid);
    // yamada-taro → 1.
    let valid = book.by_card(
        &search("01130012", "12345678", "1001", "01", (1980, 4, 1)),
        day(),
    );
    assert_eq!(valid.validity, QualificationValidity::Valid);
    // The branch number is compared as written: "1" is not "01".
    let wrong_branch = book.by_card(
        &search("01130012", "12345678", "1001", "1", (1980, 4, 1)),
        day(),
    );
    assert_eq!(wrong_branch.validity, QualificationValidity::NotFound);
    // A wrong birth date finds nothing → 4.
    let wrong_birth = book.by_card(
        &search("01130012", "12345678", "1001", "01", (1980, 4, 2)),
        day(),
    );
    assert_eq!(wrong_birth.validity, QualificationValidity::NotFound);
    assert!(wrong_birth.record().is_none());
}

#[test]
fn malformed_records_are_refused_with_the_field_named() {
    let good = std::fs::read_to_string(
        FixtureDir::workspace()
            .root()
            .join("insurance/records.toml"),
    )
    .expect("records.toml");
    for (from, to, field) in [
        ("insurer_number = \"01130012\"", "insurer_number = \"0113001\"", "insurer_number"),
        ("insured_branch_number = \"01\"\npersonal_family_classification = \"insured\"\ninsured_name = \"山田",
         "insured_branch_number = \"1\"\npersonal_family_classification = \"insured\"\ninsured_name = \"山田",
         "insured_branch_number"),
        ("contribution_ratio = \"030\"", "contribution_ratio = \"3割\"", "contribution_ratio"),
        ("post_code = \"100-8916\"", "post_code = \"1008916\"", "post_code"),
    ] {
        assert!(good.contains(from), "fixture changed: {from}");
        let bad = good.replacen(from, to, 1);
        let err = InsuranceBook::from_toml(&bad).expect_err("must be refused");
        assert!(err.to_string().contains(field), "{err}");
    }
    assert!(InsuranceBook::from_toml("[[record]]\nperson = 1\n").is_err());
}
