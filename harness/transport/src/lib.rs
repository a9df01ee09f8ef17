//! Card channels: how the harness talks to a card. One small trait, several adapters:
//! the in-process virtual card (no pcscd), and PC/SC readers through pcscd (feature `pcsc`), which
//! covers both the virtual card behind vpcd and a physical reader on a bench.

use std::path::Path;

use virtual_card::state::PersistentCard;

mod channel;
mod error;
#[cfg(feature = "pcsc")]
mod pcsc_channel;

pub use channel::CardChannel;
pub use error::TransportError;
#[cfg(feature = "pcsc")]
pub use pcsc_channel::{list_readers, PcscChannel, PcscTransaction};

/// The virtual card in this process: no pcscd, no sockets. State is stored (when a state file is
/// given) before each response that changed it, as through `virtual-card serve`.
#[derive(Debug)]
pub struct InProcessCard {
    card: PersistentCard,
}

impl InProcessCard {
    /// Wraps a card built by the engine.
    pub fn new(card: PersistentCard) -> Self {
        Self { card }
    }

    /// Loads a card profile (`fixtures/cards/*.toml`), with its state file if given.
    pub fn open(profile: &Path, state: Option<&Path>) -> Result<Self, TransportError> {
        PersistentCard::open(profile, state)
            .map(Self::new)
            .map_err(|error| TransportError::Other(format!("{}: {error}", profile.display())))
    }

    /// The card inside.
    pub fn card(&self) -> &PersistentCard {
        &self.card
    }
}

impl CardChannel for InProcessCard {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Ok(self.card.atr().to_vec())
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.card
            .exchange(command)
            .map_err(|error| TransportError::Other(format!("card state not stored: {error}")))
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card.reset();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn profile(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/cards")
            .join(format!("{name}.toml"))
    }

    const SELECT_JPKI: [u8; 15] = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];
    /// SELECT EF 0018 (user-auth PIN), then VERIFY with no data (retry query).
    const SELECT_AUTH_PIN: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18];
    const RETRY_QUERY: [u8; 4] = [0x00, 0x20, 0x00, 0x80];

    #[test]
    fn in_process_card_answers_like_the_card_and_resets() {
        let mut card = InProcessCard::open(&profile("yamada-taro"), None).expect("fixture card");
        assert_eq!(
            card.atr().expect("atr"),
            virtual_card::Atr::Contactless.bytes().to_vec()
        );
        assert_eq!(
            card.transmit(&SELECT_JPKI).expect("select"),
            vec![0x90, 0x00]
        );
        assert_eq!(
            card.transmit(&SELECT_AUTH_PIN).expect("select"),
            vec![0x90, 0x00]
        );
        assert_eq!(
            card.transmit(&RETRY_QUERY).expect("query"),
            vec![0x63, 0xC3]
        );
        card.reset().expect("reset");
        // After a reset nothing is selected: the PIN query has no key EF to go to.
        assert_ne!(
            card.transmit(&RETRY_QUERY).expect("query"),
            vec![0x63, 0xC3]
        );
    }

    #[test]
    fn in_process_card_keeps_a_wrong_pin_in_its_state_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join("state.toml");
        let wrong = [0x00, 0x20, 0x00, 0x80, 0x04, b'0', b'0', b'0', b'0'];
        {
            let mut card =
                InProcessCard::open(&profile("nakamura-aoi"), Some(&state)).expect("card");
            card.transmit(&SELECT_JPKI).expect("select");
            card.transmit(&SELECT_AUTH_PIN).expect("select");
            assert_eq!(card.transmit(&wrong).expect("verify"), vec![0x63, 0xC2]);
        }
        let mut card = InProcessCard::open(&profile("nakamura-aoi"), Some(&state)).expect("card");
        card.transmit(&SELECT_JPKI).expect("select");
        card.transmit(&SELECT_AUTH_PIN).expect("select");
        assert_eq!(
            card.transmit(&RETRY_QUERY).expect("query"),
            vec![0x63, 0xC2]
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_missing_profile_is_a_transport_error() {
        let error = InProcessCard::open(Path::new("/nonexistent/card.toml"), None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("/nonexistent/card.toml"), "{error}");
    }
}
