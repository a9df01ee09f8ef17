//! Reference data (PINs, passwords, 照合番号) carried by VERIFY and CHANGE REFERENCE DATA.

use std::fmt;

use zeroize::Zeroize;

/// The bytes of a PIN, password or 照合番号 in a command. Debug prints `****`; zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct PinBytes(Vec<u8>);

impl PinBytes {
    /// Wraps the bytes (ASCII digits or letters on the My Number card).
    pub fn new(bytes: impl Into<Vec<u8>>) -> PinBytes {
        PinBytes(bytes.into())
    }

    /// The bytes, where they are really needed (on the wire, in the card's comparison).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for PinBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl Drop for PinBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let pin = PinBytes::new(b"1234".to_vec());
        assert_eq!(format!("{pin:?}"), "****");
        assert_eq!(pin.expose(), b"1234");
        assert_eq!(pin.len(), 4);
    }
}
