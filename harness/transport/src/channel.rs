//! [`CardChannel`]: the one small trait every card adapter implements (ATR, transmit, reset),
//! and its forwarding impl for boxed channels. The crate root re-exports it.

use crate::error::TransportError;

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
