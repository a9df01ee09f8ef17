//! The same reader code against the virtual card behind a real pcscd + vpcd.
//!
//! `ci/test.sh` starts pcscd with the fixture cards and sets `HARNESS_PCSC=1` and
//! `HARNESS_PCSC_CARDS` (reader, profile, state file, pid file, port per line). Without
//! `HARNESS_PCSC=1` these tests say so on stderr and do nothing; with it they must pass.
#![cfg(feature = "pcsc")]

mod common;

use common::counter::Counter;
use common::HOLDER;
use harness_eligibility::service::IdentityEvidence;
use harness_reader::{Availability, PatientScreen};
use harness_transport::{list_readers, PcscChannel};

/// The PC/SC reader holding the card of `person`; `None` when pcscd is not part of this run.
fn reader_of(person: &str) -> Option<String> {
    if std::env::var("HARNESS_PCSC").as_deref() != Ok("1") {
        eprintln!("SKIPPED: HARNESS_PCSC is not 1 (run ci/test.sh to test through pcscd)");
        return None;
    }
    let table = std::env::var("HARNESS_PCSC_CARDS").expect("HARNESS_PCSC_CARDS");
    let text = std::fs::read_to_string(&table).expect("cards table");
    let reader = text
        .lines()
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .find(|fields| {
            fields
                .get(1)
                .is_some_and(|profile| profile.ends_with(&format!("/{person}.toml")))
        })
        .and_then(|fields| fields.first().map(|reader| (*reader).to_owned()))
        .unwrap_or_else(|| panic!("no reader with {person}.toml in {table}"));
    let readers = list_readers().expect("pcscd must be up when HARNESS_PCSC=1");
    assert!(
        readers.contains(&reader),
        "{reader:?} not among {readers:?}"
    );
    Some(reader)
}

fn counter(person: &str) -> Option<Counter<PcscChannel>> {
    let reader = reader_of(person)?;
    let channel = PcscChannel::connect(&reader).unwrap_or_else(|e| panic!("{reader}: {e}"));
    Some(Counter::new(person, channel))
}

#[test]
fn face_and_pin_routes_through_pcscd_are_accepted_by_the_service() {
    let Some(mut counter) = counter("yamada-taro") else {
        return;
    };
    counter.place_card();
    counter.face_route(HOLDER);
    counter.consent_all();
    let outcome = counter.service_outcome().clone();
    assert_eq!(outcome.error(), None, "{outcome:?}");
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::ReaderAttestation { .. })
    ));
    assert!(counter.result().is_completed());

    counter.send(harness_reader::Input::CardRemoved);
    counter.place_card();
    counter.pin_route();
    counter.consent_all();
    let outcome = counter.service_outcome().clone();
    assert_eq!(outcome.error(), None, "{outcome:?}");
    assert!(matches!(
        outcome.evidence,
        Some(IdentityEvidence::CardSignature { .. })
    ));
    assert_eq!(counter.result().method_label(), "暗証番号");
}

#[test]
fn face_only_card_through_pcscd_offers_no_pin() {
    let Some(mut counter) = counter("sato-hanako") else {
        return;
    };
    counter.place_card();
    assert_eq!(
        counter.reader.screen(),
        &PatientScreen::ChooseMethod {
            face: Availability::Offered,
            pin: Availability::NotOnCard
        }
    );
}
