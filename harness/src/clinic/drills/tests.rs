//! The checker against hand-written event sequences.

use super::*;

const R0: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
const R1: &str = "Identiv CLOUD 3701 F Contactless Reader 1";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn at(minute: u32) -> NaiveDateTime {
    day().and_hms_opt(9, minute, 0).unwrap()
}

fn target() -> DrillTarget {
    DrillTarget {
        reader: R0.into(),
        visit_date: day(),
    }
}

fn ev(minute: u32, kind: DrillEventKind) -> DrillEvent {
    DrillEvent {
        at: at(minute),
        kind,
    }
}

fn mode(reader: &str, to: ReaderMode) -> DrillEventKind {
    DrillEventKind::ModeChanged {
        reader: reader.into(),
        to,
    }
}

fn tick(reader: &str, date: NaiveDate) -> DrillEventKind {
    DrillEventKind::VisualTicked {
        reader: reader.into(),
        date,
    }
}

fn card(reader: &str) -> DrillEventKind {
    DrillEventKind::CardPlaced {
        reader: reader.into(),
    }
}

fn result(reader: &str, outcome: &str) -> DrillEventKind {
    DrillEventKind::ResultWritten {
        reader: reader.into(),
        outcome: outcome.into(),
    }
}

fn ended(reader: &str, method: Option<IdentityMethod>, completed: bool) -> DrillEventKind {
    DrillEventKind::VisitEnded {
        reader: reader.into(),
        method,
        completed,
    }
}

/// ①–⑦ as the sheet says, after the patient's failed face attempt.
fn good_run() -> Vec<DrillEvent> {
    vec![
        ev(0, card(R0)),
        ev(1, ended(R0, Some(IdentityMethod::Face), false)),
        ev(2, mode(R0, ReaderMode::VisualCheck)),
        ev(3, tick(R0, day())),
        ev(4, card(R0)),
        ev(5, result(R0, "有効")),
        ev(5, ended(R0, Some(IdentityMethod::Visual), true)),
        ev(6, mode(R0, ReaderMode::Unattended)),
    ]
}

fn final_modes(r0: ReaderMode) -> Vec<(String, ReaderMode)> {
    vec![(R0.into(), r0), (R1.into(), ReaderMode::Unattended)]
}

#[test]
fn the_sheets_steps_pass_without_findings() {
    let report = check(&target(), &good_run(), &final_modes(ReaderMode::Unattended));
    assert!(report.passed(), "{:?}", report.findings);
    assert!(report.findings.is_empty());
}

#[test]
fn left_in_visual_check_fails() {
    let mut events = good_run();
    events.pop();
    let report = check(&target(), &events, &final_modes(ReaderMode::VisualCheck));
    assert!(!report.passed());
    assert_eq!(
        report.findings,
        vec![Finding::NotSwitchedBack { reader: R0.into() }]
    );
    assert!(report.findings[0].message().contains("目視確認のまま"));
}

#[test]
fn the_wrong_reader_switched_fails_and_is_named() {
    let events = vec![
        ev(2, mode(R1, ReaderMode::VisualCheck)),
        ev(3, tick(R1, day())),
        ev(4, card(R0)),
        ev(6, mode(R1, ReaderMode::Unattended)),
    ];
    let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
    assert!(!report.passed());
    assert_eq!(
        report.findings,
        vec![
            Finding::WrongReaderSwitched { reader: R1.into() },
            Finding::NeverSwitched
        ]
    );
    assert!(report.findings[0].message().contains(R1));
}

#[test]
fn a_card_placed_before_the_tick_fails() {
    let events = vec![
        ev(2, mode(R0, ReaderMode::VisualCheck)),
        ev(3, card(R0)),
        ev(4, tick(R0, day())),
        ev(5, result(R0, "有効")),
        ev(5, ended(R0, Some(IdentityMethod::Visual), true)),
        ev(6, mode(R0, ReaderMode::Unattended)),
    ];
    let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
    assert_eq!(report.findings, vec![Finding::CardBeforeTick]);
}

#[test]
fn no_tick_and_no_result_are_both_named() {
    let events = vec![
        ev(2, mode(R0, ReaderMode::VisualCheck)),
        ev(6, mode(R0, ReaderMode::Unattended)),
    ];
    let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
    assert_eq!(
        report.findings,
        vec![
            Finding::NotTicked,
            Finding::NoValidVisualResult { outcomes: vec![] },
            Finding::SwitchedBackTooEarly
        ]
    );
}

#[test]
fn a_result_other_than_valid_fails_with_the_outcome() {
    let mut events = good_run();
    events[5] = ev(5, result(R0, "無効"));
    let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
    assert_eq!(
        report.findings,
        vec![Finding::NoValidVisualResult {
            outcomes: vec!["無効".into()]
        }]
    );
    assert!(report.findings[0].message().contains("無効"));
}

#[test]
fn a_valid_result_by_pin_before_the_switch_does_not_count() {
    let events = vec![
        ev(0, card(R0)),
        ev(1, result(R0, "有効")),
        ev(1, ended(R0, Some(IdentityMethod::Pin), true)),
        ev(2, mode(R0, ReaderMode::VisualCheck)),
        ev(3, tick(R0, day())),
        ev(6, mode(R0, ReaderMode::Unattended)),
    ];
    let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
    assert!(report
        .findings
        .contains(&Finding::NoValidVisualResult { outcomes: vec![] }));
}

#[test]
fn another_date_and_a_refused_switch_are_reported() {
    let other = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let mut events = good_run();
    events[3] = ev(3, tick(R0, other));
    events.insert(
        2,
        ev(2, DrillEventKind::ModeChangeRefused { reader: R0.into() }),
    );
    let report = check(&target(), &events, &final_modes(ReaderMode::Unattended));
    assert_eq!(
        report.findings,
        vec![
            Finding::ConfirmationDateNotToday {
                date: other,
                visit: day()
            },
            Finding::RefusedSwitch { count: 1 }
        ]
    );
    assert!(!report.passed());
    assert!(!Finding::RefusedSwitch { count: 1 }.fails());
}

#[test]
fn a_tick_before_the_switch_does_not_let_the_card_through() {
    let events = vec![
        ev(1, tick(R0, day())),
        ev(2, mode(R0, ReaderMode::VisualCheck)),
        ev(3, card(R0)),
    ];
    let report = check(&target(), &events, &final_modes(ReaderMode::VisualCheck));
    assert!(report.findings.contains(&Finding::CardBeforeTick));
}

#[test]
fn every_cause_of_the_sheet_has_a_drill() {
    for face in FaceCause::ALL {
        assert!(DRILLS.iter().any(|d| d.face == face), "{face:?}");
    }
    for pin in [PinCause::FaceOnlyCard, PinCause::ForgottenPin] {
        assert!(DRILLS.iter().any(|d| d.pin == pin), "{pin:?}");
    }
    assert!(drill("bandage-face-only").is_some());
    assert!(drill("nope").is_none());
}
