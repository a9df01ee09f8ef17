//! Card channels: how the harness talks to a card. One small trait, several adapters:
//! the in-process virtual card (no pcscd), and PC/SC readers through pcscd (feature `pcsc`), which
//! covers both the virtual card behind vpcd and a physical reader on a bench.

use std::path::Path;

use virtual_card::state::PersistentCard;

#[cfg(feature = "pcsc")]
mod pcsc_channel;
#[cfg(feature = "pcsc")]
pub use pcsc_channel::{list_readers, PcscChannel};

/// Errors of a card channel (the wire, not the card: card errors are status words in the response).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// No card is present in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The card was removed during a transaction.
    #[error("card removed")]
    CardRemoved,
    /// The reader is not known to pcscd or went away.
    #[error("reader unavailable: {0}")]
    ReaderUnavailable(String),
    /// Any other failure of the underlying transport.
    #[error("transport failure: {0}")]
    Other(String),
}

/// A channel to one card: transmit command APDUs, read the ATR, reset.
pub trait CardChannel: Send {
    /// The card's answer to reset.
    fn atr(&mut self) -> Result<Vec<u8>, TransportError>;
    /// Sends one command APDU and returns the whole response (data and SW1 SW2).
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
    /// Resets the card (warm reset): selected files and verified PINs are forgotten.
    fn reset(&mut self) -> Result<(), TransportError>;
}

impl<C: CardChannel + ?Sized> CardChannel for Box<C> {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        (**self).atr()
    }
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        (**self).reset()
    }
}

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
