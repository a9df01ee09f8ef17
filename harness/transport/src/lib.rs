//! Card channels: how the harness talks to a card. One small trait, several adapters:
//! the in-process virtual card (no pcscd), and PC/SC readers through pcscd (feature `pcsc`), which
//! covers both the virtual card behind vpcd and a physical reader on a bench.

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
