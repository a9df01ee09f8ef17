//! The command APDU as bytes: header (CLA INS P1 P2), optional command data with its Lc field, and
//! an optional Le field, in the short or the extended length encoding.
//!
//! ISO/IEC 7816-4:2005 §5.1 (command-response pairs, Table 1 "command APDU" and the cases 1, 2S,
//! 3S, 4S, 2E, 3E, 4E); the same cases are listed in ISO/IEC 7816-3 §12.1.3. Short Lc is 1 byte
//! (1–255), short Le is 1 byte (00 means 256); extended Lc is 00 followed by 2 bytes (1–65535),
//! extended Le is 2 bytes (00 00 means 65536) after the data, or 00 + 2 bytes when there is no data.

use std::fmt;

use crate::status::StatusWord;

/// Largest Le of a short APDU (Le byte 00 means 256).
pub const SHORT_LE_MAX: usize = 256;
/// Largest Le of an extended APDU (Le bytes 00 00 mean 65536).
pub const EXTENDED_LE_MAX: usize = 65_536;
/// Largest command data of a short APDU.
pub const SHORT_LC_MAX: usize = 255;
/// Largest command data of an extended APDU.
pub const EXTENDED_LC_MAX: usize = 65_535;

/// Why bytes are not a well-formed command APDU, or a command APDU cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    /// Fewer than the 4 header bytes.
    #[error("APDU shorter than its 4-byte header ({0} bytes)")]
    TooShort(usize),
    /// The length fields do not match the number of bytes.
    #[error("Lc/Le do not match the APDU length ({0} bytes)")]
    LengthMismatch(usize),
    /// Extended Lc of 0 (ISO/IEC 7816-4 §5.1: Lc is never 0).
    #[error("extended Lc of zero")]
    ZeroExtendedLc,
    /// Data too long for any encoding (more than 65535 bytes).
    #[error("command data of {0} bytes is too long")]
    DataTooLong(usize),
    /// Le of 0 or above 65536.
    #[error("Le of {0} is out of range (1..=65536)")]
    LeOutOfRange(usize),
}

impl ApduError {
    /// The status word a card answers for this error: 6700 wrong length.
    pub fn status_word(&self) -> StatusWord {
        StatusWord::WRONG_LENGTH
    }
}

/// A command APDU split into its fields (ISO/IEC 7816-4 §5.1). The typed commands of
/// [`crate::command`] are built on it; use it directly only for bytes no typed command covers.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty for cases 1 and 2).
    pub data: Vec<u8>,
    /// Expected response length, decoded (short 00 = 256, extended 00 00 = 65536); `None` when
    /// the Le field is absent.
    pub le: Option<usize>,
    /// True when the extended length encoding is (to be) used.
    pub extended: bool,
}

impl fmt::Debug for CommandApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The data may carry a PIN: show its length only.
        f.debug_struct("CommandApdu")
            .field("cla", &format_args!("{:02X}", self.cla))
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2))
            .field("data_len", &self.data.len())
            .field("le", &self.le)
            .field("extended", &self.extended)
            .finish()
    }
}

impl CommandApdu {
    /// A command with no data and no Le (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> CommandApdu {
        CommandApdu {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            extended: false,
        }
    }

    /// Sets the command data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> CommandApdu {
        self.data = data.into();
        self
    }

    /// Sets Le (1..=65536; 256 and below fit a short APDU).
    pub fn with_le(mut self, le: usize) -> CommandApdu {
        self.le = Some(le);
        self
    }

    /// Forces the extended length encoding.
    pub fn extended(mut self) -> CommandApdu {
        self.extended = true;
        self
    }

    /// Parses command bytes (cases 1, 2S, 3S, 4S, 2E, 3E, 4E of ISO/IEC 7816-4 §5.1).
    pub fn parse(bytes: &[u8]) -> Result<CommandApdu, ApduError> {
        let Some((header, body)) = bytes.split_first_chunk::<4>() else {
            return Err(ApduError::TooShort(bytes.len()));
        };
        let [cla, ins, p1, p2] = *header;
        let mut apdu = CommandApdu::new(cla, ins, p1, p2);
        let n = bytes.len();
        match body {
            // Case 1.
            [] => {}
            // Case 2S.
            [le] => apdu.le = Some(short_le(*le)),
            // Extended cases: 00 then a 2-byte Lc or Le.
            [0, rest @ ..] if rest.len() >= 2 => {
                apdu.extended = true;
                let Some((len_bytes, after)) = rest.split_first_chunk::<2>() else {
                    return Err(ApduError::LengthMismatch(n));
                };
                let first = usize::from(u16::from_be_bytes(*len_bytes));
                if after.is_empty() {
                    // Case 2E.
                    apdu.le = Some(extended_le(first));
                } else {
                    // Cases 3E and 4E.
                    if first == 0 {
                        return Err(ApduError::ZeroExtendedLc);
                    }
                    let data = after.get(..first).ok_or(ApduError::LengthMismatch(n))?;
                    let tail = after.get(first..).ok_or(ApduError::LengthMismatch(n))?;
                    apdu.data = data.to_vec();
                    match tail {
                        [] => {}
                        [a, b] => {
                            apdu.le = Some(extended_le(usize::from(u16::from_be_bytes([*a, *b]))))
                        }
                        _ => return Err(ApduError::LengthMismatch(n)),
                    }
                }
            }
            // Cases 3S and 4S.
            [lc, rest @ ..] if *lc != 0 => {
                let lc = usize::from(*lc);
                let data = rest.get(..lc).ok_or(ApduError::LengthMismatch(n))?;
                let tail = rest.get(lc..).ok_or(ApduError::LengthMismatch(n))?;
                apdu.data = data.to_vec();
                match tail {
                    [] => {}
                    [le] => apdu.le = Some(short_le(*le)),
                    _ => return Err(ApduError::LengthMismatch(n)),
                }
            }
            _ => return Err(ApduError::LengthMismatch(n)),
        }
        Ok(apdu)
    }

    /// Encodes the command. Uses the short form unless the data exceeds 255 bytes, Le exceeds 256,
    /// or [`CommandApdu::extended`] was asked for.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        if self.data.len() > EXTENDED_LC_MAX {
            return Err(ApduError::DataTooLong(self.data.len()));
        }
        if let Some(le) = self.le {
            if le == 0 || le > EXTENDED_LE_MAX {
                return Err(ApduError::LeOutOfRange(le));
            }
        }
        Ok(encode(
            [self.cla, self.ins, self.p1, self.p2],
            &self.data,
            self.le,
            self.extended,
        ))
    }
}

/// Encodes a command whose lengths the caller has checked: `data` of at most 65535 bytes, `le`
/// in 1..=65536. The typed commands guarantee both when they are built.
pub(crate) fn encode(header: [u8; 4], data: &[u8], le: Option<usize>, extended: bool) -> Vec<u8> {
    let n = data.len();
    let extended = extended || n > SHORT_LC_MAX || le.is_some_and(|le| le > SHORT_LE_MAX);
    let mut out = Vec::with_capacity(4 + 3 + n + 2);
    out.extend_from_slice(&header);
    if extended {
        if n > 0 {
            out.push(0);
            out.extend_from_slice(&(n.min(EXTENDED_LC_MAX) as u16).to_be_bytes());
            out.extend_from_slice(data);
        }
        if let Some(le) = le {
            if n == 0 {
                out.push(0);
            }
            // 65536 is encoded as 00 00.
            out.extend_from_slice(&((le % EXTENDED_LE_MAX) as u16).to_be_bytes());
        }
    } else {
        if n > 0 {
            out.push(n as u8);
            out.extend_from_slice(data);
        }
        if let Some(le) = le {
            // 256 is encoded as 00.
            out.push((le % SHORT_LE_MAX) as u8);
        }
    }
    out
}

fn short_le(byte: u8) -> usize {
    if byte == 0 {
        SHORT_LE_MAX
    } else {
        usize::from(byte)
    }
}

fn extended_le(value: usize) -> usize {
    if value == 0 {
        EXTENDED_LE_MAX
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_case() {
        let c1 = CommandApdu::parse(&[0, 0x20, 0, 0x80]).unwrap();
        assert_eq!((c1.data.len(), c1.le), (0, None));
        let c2 = CommandApdu::parse(&[0, 0xB0, 0, 0, 0]).unwrap();
        assert_eq!(c2.le, Some(256));
        let c3 = CommandApdu::parse(&[0, 0xA4, 2, 0x0C, 2, 0, 0x0A]).unwrap();
        assert_eq!((c3.data.as_slice(), c3.le), (&[0u8, 0x0A][..], None));
        let c4 = CommandApdu::parse(&[0x80, 0x2A, 0, 0x80, 1, 9, 0]).unwrap();
        assert_eq!((c4.data.as_slice(), c4.le), (&[9u8][..], Some(256)));
        let c2e = CommandApdu::parse(&[0, 0xB0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!((c2e.le, c2e.extended), (Some(65536), true));
        let c3e = CommandApdu::parse(&[0, 0x20, 0, 0x80, 0, 0, 2, 1, 2]).unwrap();
        assert_eq!((c3e.data.as_slice(), c3e.le), (&[1u8, 2][..], None));
        let c4e = CommandApdu::parse(&[0, 0x20, 0, 0x80, 0, 0, 1, 7, 0x01, 0x00]).unwrap();
        assert_eq!((c4e.data.as_slice(), c4e.le), (&[7u8][..], Some(256)));
    }

    #[test]
    fn rejects_malformed_lengths() {
        for bad in [
            &[][..],
            &[0, 0xB0, 0][..],
            &[0, 0xB0, 0, 0, 0, 0][..],
            &[0, 0xA4, 2, 0x0C, 3, 0, 0x0A][..],
            &[0, 0xA4, 2, 0x0C, 1, 0, 0x0A, 0, 0][..],
            &[0, 0x20, 0, 0x80, 0, 0, 0, 1][..],
            &[0, 0x20, 0, 0x80, 0, 0, 2, 1][..],
        ] {
            assert!(CommandApdu::parse(bad).is_err(), "{bad:02X?}");
            assert_eq!(
                CommandApdu::parse(bad).unwrap_err().status_word(),
                StatusWord::WRONG_LENGTH
            );
        }
    }

    #[test]
    fn encodes_short_and_extended_and_round_trips() {
        let long = CommandApdu::new(0, 0xB0, 0, 0)
            .with_data(vec![1; 300])
            .with_le(300);
        let parsed = CommandApdu::parse(&long.to_bytes().unwrap()).unwrap();
        assert_eq!(
            (parsed.data.len(), parsed.le, parsed.extended),
            (300, Some(300), true)
        );
        assert_eq!(
            CommandApdu::new(0, 0xB0, 0, 0)
                .with_le(65536)
                .to_bytes()
                .unwrap(),
            vec![0, 0xB0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            CommandApdu::new(0, 0xB0, 0, 0)
                .with_le(256)
                .extended()
                .to_bytes()
                .unwrap(),
            vec![0, 0xB0, 0, 0, 0, 0x01, 0x00]
        );
        assert_eq!(
            CommandApdu::new(0, 0xB0, 0, 0).with_le(0).to_bytes(),
            Err(ApduError::LeOutOfRange(0))
        );
        assert_eq!(
            CommandApdu::new(0, 0xB0, 0, 0)
                .with_data(vec![0; 65_536])
                .to_bytes(),
            Err(ApduError::DataTooLong(65_536))
        );
    }
}
