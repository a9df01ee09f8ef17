//! The card's persistent state (PIN counters, changed PINs): what survives a power cycle and a
//! restart of the card process. Pure values and their TOML text; the file that holds them is
//! [`crate::state`].

use std::collections::BTreeMap;

use crate::model::PinId;
use crate::secret::Secret;

/// One PIN's persistent record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PinRecord {
    /// Tries left (0 = blocked).
    pub tries_left: u8,
    /// The value set by CHANGE REFERENCE DATA, if it was changed (redacted in Debug).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_value: Option<Secret>,
}

/// The card's persistent state. A PIN without a record has its maximum tries and its issued value.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardState {
    /// Which card this state belongs to (the profile's person id), when known: a state file of
    /// another card is refused at load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// Records by PIN.
    #[serde(default)]
    pub pins: BTreeMap<PinId, PinRecord>,
}

impl CardState {
    /// The state of a fresh card: every PIN at its maximum tries.
    pub fn issued() -> CardState {
        CardState::default()
    }

    /// The state as issued with some counters already lower (e.g. a locked PIN in a profile).
    pub fn with_tries_left(tries_left: &BTreeMap<PinId, u8>) -> CardState {
        CardState {
            card: None,
            pins: tries_left
                .iter()
                .map(|(pin, tries)| {
                    (
                        *pin,
                        PinRecord {
                            tries_left: (*tries).min(pin.max_tries()),
                            changed_value: None,
                        },
                    )
                })
                .collect(),
        }
    }

    /// Parses a state file's text.
    pub fn from_toml(text: &str) -> Result<CardState, StateFormatError> {
        let state: CardState =
            toml::from_str(text).map_err(|e| StateFormatError::Parse(e.to_string()))?;
        for (pin, record) in &state.pins {
            if record.tries_left > pin.max_tries() {
                return Err(StateFormatError::Parse(format!(
                    "{pin:?}: tries_left {} is above the maximum {}",
                    record.tries_left,
                    pin.max_tries()
                )));
            }
        }
        Ok(state)
    }

    /// The state file's text.
    pub fn to_toml(&self) -> Result<String, StateFormatError> {
        toml::to_string(self).map_err(|e| StateFormatError::Serialize(e.to_string()))
    }
}

/// Why a text is not a card state, or a state cannot be written as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateFormatError {
    /// The text is not a valid state.
    #[error("state file is not valid: {0}")]
    Parse(String),
    /// The state could not be encoded.
    #[error("state could not be encoded: {0}")]
    Serialize(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trip() {
        let mut state = CardState::issued();
        state.pins.insert(
            PinId::JpkiAuth,
            PinRecord {
                tries_left: 1,
                changed_value: Some(Secret::new("5678".into())),
            },
        );
        state.pins.insert(
            PinId::FaceMatchB,
            PinRecord {
                tries_left: 9,
                changed_value: None,
            },
        );
        let text = state.to_toml().unwrap();
        assert_eq!(CardState::from_toml(&text).unwrap(), state);
        assert!(!format!("{state:?}").contains("5678"));
    }

    #[test]
    fn rejects_bad_state() {
        assert!(CardState::from_toml("[pins.jpki-auth]\ntries_left = 9\n").is_err());
        assert!(CardState::from_toml("[pins.nope]\ntries_left = 1\n").is_err());
        assert!(CardState::from_toml("pins = 3").is_err());
    }
}
