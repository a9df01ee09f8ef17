//! Random bytes into `Card::execute` of a standard card (yamada-taro from the fixtures).
//! The input is a sequence of APDUs, each preceded by one length byte, so that the fuzzer can
//! reach states (DF selected, PIN verified, PIN blocked) across commands. Every answer must be at
//! least a status word; a command `card_protocol` cannot parse gets the status word its error
//! names; one it parses re-encodes to bytes that parse to the same command; every pair decodes
//! to a trace line (card_protocol's `Tracer`) without panicking.
#![no_main]

use std::sync::OnceLock;

use card_protocol::{Command, ResponseApdu, Tracer};
use libfuzzer_sys::fuzz_target;
use virtual_card::Card;

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

/// The protocol-level properties of one command/response pair.
fn check_pair(tracer: &mut Tracer, command: &[u8], response: &[u8]) {
    let answer = ResponseApdu::parse(response).expect("a status word");
    match Command::parse(command) {
        Err(error) => assert_eq!(answer.sw, error.status_word(), "{command:02X?}: {error}"),
        Ok(parsed) => assert_eq!(Command::parse(&parsed.encode()).as_ref(), Ok(&parsed)),
    }
    let _ = tracer.line(command, response).to_string();
}

fuzz_target!(|data: &[u8]| {
    let mut card = template().clone();
    let mut tracer = Tracer::new();
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (command, next) = tail.split_at(len);
        let response = card.execute(command);
        assert!(response.len() >= 2, "no status word for {command:02X?}");
        check_pair(&mut tracer, command, &response);
        rest = next;
    }
    // The whole input as one APDU too (covers extended lengths).
    assert!(card.execute(data).len() >= 2);
});
