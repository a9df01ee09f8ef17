//! Random bytes into `Card::execute` of a standard card (yamada-taro from the fixtures).
//! The input is a sequence of APDUs, each preceded by one length byte, so that the fuzzer can
//! reach states (DF selected, PIN verified, PIN blocked) across commands. Every answer must be at
//! least a status word.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use virtual_card::card::Card;

fn template() -> &'static Card {
    static CARD: OnceLock<Card> = OnceLock::new();
    CARD.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/cards/yamada-taro.toml"
        );
        Card::load(std::path::Path::new(path)).expect("fixture card loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let mut card = template().clone();
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (command, next) = tail.split_at(len);
        let response = card.execute(command);
        assert!(response.len() >= 2, "no status word for {command:02X?}");
        rest = next;
    }
    // The whole input as one APDU too (covers extended lengths).
    assert!(card.execute(data).len() >= 2);
});
