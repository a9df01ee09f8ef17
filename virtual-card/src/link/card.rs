//! Adapter from the card engine to the link's [`Responder`]: a
//! [`PersistentCard`] stores its state (PIN counters, changed PINs) before each answer that
//! changed it.

use std::path::Path;

use super::responder::{Responder, SW_MEMORY_FAILURE};
use crate::state::PersistentCard;

impl Responder for PersistentCard {
    fn atr(&self) -> Vec<u8> {
        PersistentCard::atr(self).to_vec()
    }

    fn execute(&mut self, command: &[u8]) -> Vec<u8> {
        match self.exchange(command) {
            Ok(response) => response,
            Err(error) => {
                // The state could not be stored: answer as a card whose memory write failed,
                // never with the outcome of a PIN check whose counter was not recorded.
                tracing::error!(%error, "cannot store the card state");
                SW_MEMORY_FAILURE.to_vec()
            }
        }
    }

    fn power_off(&mut self) {
        self.reset();
    }
}

/// Loads the card described by `profile`, with its state from `state` when given.
pub fn load(profile: &Path, state: Option<&Path>) -> anyhow::Result<PersistentCard> {
    PersistentCard::open(profile, state)
        .map_err(|error| anyhow::anyhow!("cannot load card {}: {error}", profile.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_profile_is_a_clear_error() {
        let error = load(Path::new("/nonexistent/card.toml"), None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("/nonexistent/card.toml"), "{error}");
    }
}
