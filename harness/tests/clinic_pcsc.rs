//! `harness clinic --pcsc`: a card placed on a clinic reader through the API is served through
//! pcscd/vpcd, so an outside PC/SC application sees it on that reader (and answers a SELECT of
//! the JPKI AP), and sees it go when the card is taken off. Needs the readers of
//! ci/pcscd-start.sh (HARNESS_PCSC_SLOTS, HARNESS_VIRTUAL_CARD_BIN, HARNESS_PCSC_NETNS_EXEC):
//! ci/test.sh runs it; without them it prints why it did not run.
#![cfg(feature = "pcsc")]

mod clinic_support;

use axum::http::StatusCode;
use clinic_support::*;
use harness::clinic::CardSource;
use harness::slots::PcscReaderPool;
use harness_transport::{CardChannel, PcscChannel};

/// SELECT DF by AID, JPKI AP (DESIGN.md §2: D3 92 F0 00 26 01 00 00 00 01), no response data.
const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];

#[tokio::test]
async fn a_card_placed_in_the_clinic_is_seen_by_a_pcsc_application() {
    let (Ok(slots), Ok(bin)) = (
        std::env::var("HARNESS_PCSC_SLOTS"),
        std::env::var("HARNESS_VIRTUAL_CARD_BIN"),
    ) else {
        say_skipped(
            "a_card_placed_in_the_clinic_is_seen_by_a_pcsc_application: SKIPPED — no pcscd readers (HARNESS_PCSC_SLOTS / HARNESS_VIRTUAL_CARD_BIN: run under ci/test.sh)",
        );
        return;
    };
    let readers = harness::config::parse_slots(&slots).unwrap();
    assert!(readers.len() >= 2, "two PC/SC readers needed: {slots}");
    let device = readers[0].reader_name.clone();
    let prefix = std::env::var("HARNESS_PCSC_NETNS_EXEC")
        .map(|p| p.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let pool = PcscReaderPool::new(readers, bin.into(), prefix);
    let (clinic, _dir) = build(2, CardSource::Pcsc(pool));
    let app = harness::clinic::router(clinic.host.clone());
    let mut api = Client::api(&app);

    assert!(
        PcscChannel::connect(&device).is_err(),
        "no card on {device} yet"
    );
    let placed = api.place(0, "yamada-taro").await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    assert_eq!(api.buttons(0).await, ["顔認証", "暗証番号", "中止"]);
    let mut outside =
        PcscChannel::connect(&device).expect("the placed card is on the PC/SC reader");
    let answer = outside.transmit(&SELECT_JPKI).unwrap();
    assert_eq!(answer, [0x90, 0x00]);
    drop(outside);

    // A whole PIN visit through pcscd gives one result file.
    api.touch(0, "暗証番号").await;
    api.post_json("/api/readers/0/pin", serde_json::json!({"pin": "1234"}))
        .await;
    assert_eq!(api.agree_to_all(0).await.len(), 1);
    assert_eq!(
        api.delete("/api/readers/0/card").await.status,
        StatusCode::OK
    );
    assert!(
        PcscChannel::connect(&device).is_err(),
        "the card left {device}"
    );
    clinic.shutdown().await;
}
