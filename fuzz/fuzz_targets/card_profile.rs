//! Random text into the card profile parser (and the people and state file parsers): a value or a
//! typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use virtual_card::profile::{CardProfile, People};
use virtual_card::CardState;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(profile) = CardProfile::from_toml_str(text) {
            // A profile that parses also validates and gives an initial state.
            profile.validate().expect("parsed profiles are valid");
            let _ = profile.initial_state();
        }
        let _ = People::from_toml_str(text);
        let _ = CardState::from_toml(text);
    }
});
