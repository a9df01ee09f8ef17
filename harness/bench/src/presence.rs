//! Seeing a card on a reader through PC/SC: the reader's state from `SCardGetStatusChange`
//! (PC/SC Workgroup specification, part 5: ICC Resource Manager, SCardGetStatusChange; the
//! `pcsc` crate), never assumed from what the fixture says.

use std::time::Duration;

use harness_transport::{CardChannel, TransportError};

/// What PC/SC says about a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderPresence {
    /// The reader is there and empty.
    Empty,
    /// A card is in the reader's field.
    Present,
    /// The reader is unknown or unavailable to pcscd (unplugged, driver gone).
    Gone,
}

/// Watches one reader.
pub trait ReaderWatch: Send {
    /// The reader's PC/SC name.
    fn reader(&self) -> &str;
    /// The reader's state: at once the first time, afterwards when it changes or after `wait`
    /// at most (then the state last seen).
    fn wait_change(&mut self, wait: Duration) -> Result<ReaderPresence, TransportError>;
    /// A channel to the card in the reader.
    fn connect(&mut self) -> Result<Box<dyn CardChannel>, TransportError>;
}

/// Maps a PC/SC reader state (`SCARD_STATE_*` bits; a DWORD, 64 bits wide in pcsclite on
/// 64-bit Linux) to presence. `MUTE` (a card that does not
/// answer reset) counts as present: the harness then gets the error on connecting.
pub fn classify(state_bits: u64) -> ReaderPresence {
    // Values of pcsclite's winscard.h (SCARD_STATE_IGNORE 0x1, UNKNOWN 0x4, UNAVAILABLE 0x8,
    // EMPTY 0x10, PRESENT 0x20).
    const IGNORE: u64 = 0x0001;
    const UNKNOWN: u64 = 0x0004;
    const UNAVAILABLE: u64 = 0x0008;
    const PRESENT: u64 = 0x0020;
    if state_bits & (IGNORE | UNKNOWN | UNAVAILABLE) != 0 {
        ReaderPresence::Gone
    } else if state_bits & PRESENT != 0 {
        ReaderPresence::Present
    } else {
        ReaderPresence::Empty
    }
}

#[cfg(feature = "pcsc")]
pub use pcsc_watch::PcscWatch;

#[cfg(feature = "pcsc")]
mod pcsc_watch {
    use std::ffi::CString;
    use std::time::Duration;

    use harness_transport::{CardChannel, PcscChannel, TransportError};

    use super::{classify, ReaderPresence, ReaderWatch};

    /// A reader watched through pcscd.
    pub struct PcscWatch {
        context: pcsc::Context,
        // Kept across calls: its current state carries pcscd's event counter, so a card that
        // came and went between two calls is still reported as a change.
        state: pcsc::ReaderState,
        reader: String,
    }

    impl PcscWatch {
        /// Watches the reader with this exact PC/SC name.
        pub fn new(reader: &str) -> Result<Self, TransportError> {
            let context = pcsc::Context::establish(pcsc::Scope::User)
                .map_err(|e| TransportError::ReaderUnavailable(format!("pcscd: {e}")))?;
            let name = CString::new(reader).map_err(|_| {
                TransportError::ReaderUnavailable(format!("bad reader name {reader:?}"))
            })?;
            Ok(Self {
                context,
                state: pcsc::ReaderState::new(name, pcsc::State::UNAWARE),
                reader: reader.to_owned(),
            })
        }
    }

    impl ReaderWatch for PcscWatch {
        fn reader(&self) -> &str {
            &self.reader
        }

        fn wait_change(&mut self, wait: Duration) -> Result<ReaderPresence, TransportError> {
            let states = std::slice::from_mut(&mut self.state);
            match self.context.get_status_change(wait, states) {
                Ok(()) => {
                    let presence = classify(self.state.event_state().bits());
                    self.state.sync_current_state();
                    Ok(presence)
                }
                Err(pcsc::Error::Timeout) => Ok(classify(self.state.current_state().bits())),
                Err(pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable) => {
                    Ok(ReaderPresence::Gone)
                }
                Err(error) => Err(TransportError::ReaderUnavailable(format!(
                    "{}: {error}",
                    self.reader
                ))),
            }
        }

        fn connect(&mut self) -> Result<Box<dyn CardChannel>, TransportError> {
            PcscChannel::connect(&self.reader).map(|c| Box::new(c) as Box<dyn CardChannel>)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcsc_states_map_to_presence() {
        assert_eq!(classify(0x0010), ReaderPresence::Empty);
        assert_eq!(classify(0x0010 | 0x0002), ReaderPresence::Empty);
        assert_eq!(classify(0x0020 | 0x0002), ReaderPresence::Present);
        assert_eq!(
            classify(0x0020 | 0x0200),
            ReaderPresence::Present,
            "mute card"
        );
        assert_eq!(classify(0x0020 | 0x0100), ReaderPresence::Present, "in use");
        assert_eq!(classify(0x0008 | 0x0002), ReaderPresence::Gone);
        assert_eq!(classify(0x0004), ReaderPresence::Gone);
        assert_eq!(classify(0x0001), ReaderPresence::Gone);
    }
}
