//! [`TransportError`]: what can go wrong on the wire between the harness and a card. A leaf
//! module; the crate root re-exports it.

/// Errors of a card channel (the wire, not the card: card errors are status words in the response).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// No card is present in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The card was removed during a transaction.
    #[error("card removed")]
    CardRemoved,
    /// The card was reset or lost its power under this connection (another application reset
    /// it, or the reader could not power it): its selected files and verified PINs are gone, so
    /// a command sequence that relied on them must start over.
    #[error("card reset: its selected files and verified PINs are gone")]
    CardReset,
    /// The reader is not known to pcscd or went away.
    #[error("reader unavailable: {0}")]
    ReaderUnavailable(String),
    /// Any other failure of the underlying transport.
    #[error("transport failure: {0}")]
    Other(String),
}
