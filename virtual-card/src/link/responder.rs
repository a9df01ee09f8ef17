//! What answers the reader on the link: the [`Responder`] trait (the engine's card, or a tiny
//! card in tests) and the status word a card answers when it cannot store its state. A leaf
//! module; `link` re-exports both.

/// Status word a card answers when it cannot store its state (memory failure).
pub const SW_MEMORY_FAILURE: [u8; 2] = [0x65, 0x81];

/// Something that answers the reader like a card: the engine's card, or a tiny card in tests.
pub trait Responder {
    /// The answer to reset.
    fn atr(&self) -> Vec<u8>;
    /// Executes one command APDU; returns the response (data and SW1 SW2). Must have stored any
    /// state the command changed (PIN counters) before it returns.
    fn execute(&mut self, command: &[u8]) -> Vec<u8>;
    /// The reader cut the power: selected files and verified PINs are forgotten.
    fn power_off(&mut self);
    /// The reader powered the card on.
    fn power_on(&mut self) {}
}

impl<R: Responder + ?Sized> Responder for Box<R> {
    fn atr(&self) -> Vec<u8> {
        (**self).atr()
    }
    fn execute(&mut self, command: &[u8]) -> Vec<u8> {
        (**self).execute(command)
    }
    fn power_off(&mut self) {
        (**self).power_off()
    }
    fn power_on(&mut self) {
        (**self).power_on()
    }
}
