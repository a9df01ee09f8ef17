//! The consent screens before and since 2024-10-07 and the [`Consents`] each flow reports.

mod common;

use std::time::Duration;

use chrono::NaiveDate;
use common::*;
use harness_eligibility::protocol::{Consent, Consents};
use harness_reader::{
    consent_touches, ConsentItem, ConsentScreens, ConsentWishes, Output, PatientScreen, Touch,
};
use virtual_card::CardKind;

fn at(seconds: i64) -> chrono::NaiveDateTime {
    clock_origin() + chrono::Duration::seconds(seconds)
}

fn bench_with(screens: ConsentScreens) -> Bench {
    let mut config = config();
    config.consent_screens = screens;
    let mut bench = Bench::with_config(CardKind::Standard, config);
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.type_pin(AUTH_PIN);
    bench.give_challenge();
    bench
}

/// Presses the buttons labelled `labels`, one second apart, starting at 10 s.
fn press(bench: &mut Bench, labels: &[&str]) {
    for (second, label) in (10..).zip(labels) {
        bench.now = Duration::from_secs(second);
        let touch = bench
            .reader
            .screen()
            .button(label)
            .unwrap_or_else(|| panic!("no ［{label}］ on\n{}", bench.screen()));
        let outputs = bench.touch(touch);
        assert!(
            !outputs.iter().any(|o| matches!(o, Output::Refused(_))),
            "{label}"
        );
    }
}

fn given(given: bool, second: i64) -> Option<Consent> {
    Some(Consent {
        given,
        at: at(second),
    })
}

#[test]
fn the_screens_in_force_change_on_2024_10_07() {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(
        ConsentScreens::in_force_on(day(2024, 10, 6)),
        ConsentScreens::PerItemWithLimit
    );
    assert_eq!(
        ConsentScreens::in_force_on(day(2024, 10, 7)),
        ConsentScreens::AllOrIndividual
    );
    // The reader's default follows its clock.
    assert_eq!(config().consent_screens, ConsentScreens::AllOrIndividual);
    let old = harness_reader::ReaderConfig::new(
        READER_0,
        day(2023, 1, 1).and_hms_opt(9, 0, 0).unwrap(),
        reader_credentials(),
    );
    assert_eq!(old.consent_screens, ConsentScreens::PerItemWithLimit);
}

#[test]
fn current_screens_all_consent_gives_every_item_and_no_limit_answer() {
    let mut bench = bench_with(ConsentScreens::AllOrIndividual);
    assert_eq!(bench.reader.screen(), &PatientScreen::ConsentChoice);
    assert!(bench.screen().contains("［全て同意する］"));
    assert!(bench.screen().contains("［個別に同意する］"));
    press(&mut bench, &["全て同意する"]);
    assert_eq!(
        bench.submitted().consents,
        Consents {
            medication: given(true, 10),
            health_checkups: given(true, 10),
            diagnosis: given(true, 10),
            operation: given(true, 10),
            limit_application: None,
        }
    );
}

#[test]
fn current_screens_individually_ask_three_items_and_group_diagnosis_with_medication() {
    let mut bench = bench_with(ConsentScreens::AllOrIndividual);
    press(&mut bench, &["個別に同意する"]);
    let mut asked = Vec::new();
    for (second, answer) in (11..).zip(["同意しない", "同意する", "同意しない"]) {
        let PatientScreen::ConsentItem {
            item, number, of, ..
        } = bench.reader.screen().clone()
        else {
            panic!("not an item screen:\n{}", bench.screen());
        };
        assert_eq!(of, 3);
        asked.push((number, item, bench.screen()));
        bench.now = Duration::from_secs(second);
        let touch = bench.reader.screen().button(answer).unwrap();
        bench.touch(touch);
    }
    assert_eq!(
        asked
            .iter()
            .map(|(n, item, _)| (*n, *item))
            .collect::<Vec<_>>(),
        [
            (1, ConsentItem::DiagnosisAndMedication),
            (2, ConsentItem::Operation),
            (3, ConsentItem::HealthCheckups),
        ]
    );
    assert!(asked[0].2.contains("診療・薬剤情報"));
    assert!(asked[2].2.contains("特定健診等情報"));
    assert!(!asked.iter().any(|(_, _, text)| text.contains("限度額")));
    assert_eq!(
        bench.submitted().consents,
        Consents {
            medication: given(false, 11),
            health_checkups: given(false, 13),
            diagnosis: given(false, 11),
            operation: given(true, 12),
            limit_application: None,
        }
    );
}

#[test]
fn screens_before_2024_10_07_ask_each_item_and_the_limit_on_its_own_screen() {
    let mut bench = bench_with(ConsentScreens::PerItemWithLimit);
    let mut items = Vec::new();
    for (second, answer) in (10..).zip([
        "同意する",
        "同意しない",
        "同意する",
        "同意しない",
        "提供する",
    ]) {
        let PatientScreen::ConsentItem { item, of, .. } = bench.reader.screen().clone() else {
            panic!("not an item screen:\n{}", bench.screen());
        };
        assert_eq!(of, 5);
        assert!(bench.reader.screen().button("全て同意する").is_none());
        items.push(item);
        bench.now = Duration::from_secs(second);
        let touch = bench.reader.screen().button(answer).unwrap();
        bench.touch(touch);
    }
    assert_eq!(
        items,
        [
            ConsentItem::Medication,
            ConsentItem::HealthCheckups,
            ConsentItem::Diagnosis,
            ConsentItem::Operation,
            ConsentItem::LimitApplication,
        ]
    );
    assert_eq!(
        bench.submitted().consents,
        Consents {
            medication: given(true, 10),
            health_checkups: given(false, 11),
            diagnosis: given(true, 12),
            operation: given(false, 13),
            limit_application: given(true, 14),
        }
    );
    bench.accept();
    assert_eq!(
        bench.last_result().consents,
        Some(bench.submitted().consents)
    );
}

#[test]
fn consent_touches_follow_the_screens_in_force() {
    let all = ConsentWishes::all(true);
    assert_eq!(
        consent_touches(ConsentScreens::AllOrIndividual, all),
        [Touch::ConsentAll]
    );
    let some = ConsentWishes {
        operation: false,
        ..all
    };
    assert_eq!(
        consent_touches(ConsentScreens::AllOrIndividual, some),
        [
            Touch::ConsentIndividually,
            Touch::Consent {
                item: ConsentItem::DiagnosisAndMedication,
                given: true
            },
            Touch::Consent {
                item: ConsentItem::Operation,
                given: false
            },
            Touch::Consent {
                item: ConsentItem::HealthCheckups,
                given: true
            },
        ]
    );
    assert_eq!(
        consent_touches(ConsentScreens::PerItemWithLimit, some).len(),
        5
    );
    // Each flow's touches complete a visit with the wishes reported.
    for screens in [
        ConsentScreens::AllOrIndividual,
        ConsentScreens::PerItemWithLimit,
    ] {
        let mut bench = bench_with(screens);
        bench.consent_wishes(some);
        let consents = bench.submitted().consents;
        assert_eq!(
            consents.operation.map(|c| c.given),
            Some(false),
            "{screens:?}"
        );
        assert_eq!(
            consents.medication.map(|c| c.given),
            Some(true),
            "{screens:?}"
        );
        assert_eq!(
            consents.limit_application.map(|c| c.given),
            (screens == ConsentScreens::PerItemWithLimit).then_some(true)
        );
    }
}
