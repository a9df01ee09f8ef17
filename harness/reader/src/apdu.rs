//! Command APDUs the reader sends and the status words it reads back (ISO 7816-4, as My Number
//! cards answer them; byte facts in DESIGN.md §2).
//!
//! The bytes come from the card engine's builders (`virtual_card::apdu::build`); every command the
//! reader sends goes through [`CommandApdu`], whose `Debug` hides the data of VERIFY and CHANGE
//! REFERENCE DATA (PINs, 照合番号B) so a trace or a log never shows a secret.

use std::fmt;

use virtual_card::apdu::build;
use virtual_card::card::{aid, fid};
use zeroize::Zeroizing;

/// JPKI AP (公的個人認証AP).
pub const AID_JPKI: [u8; 10] = aid::JPKI;
/// 券面AP: the card-face record with the photo.
pub const AID_CARD_FACE: [u8; 10] = aid::FACE;

/// JPKI EF 000A: user-auth certificate (利用者証明用電子証明書), readable without PIN.
pub const EF_JPKI_AUTH_CERT: u16 = fid::JPKI_AUTH_CERT;
/// JPKI EF 0001: signature certificate (署名用電子証明書); absent on a face-only card.
pub const EF_JPKI_SIGN_CERT: u16 = fid::JPKI_SIGN_CERT;
/// JPKI EF 0017: user-auth private key.
pub const EF_JPKI_AUTH_KEY: u16 = fid::JPKI_AUTH_KEY;
/// JPKI EF 0018: user-auth PIN (利用者証明用暗証番号, 4 digits, 3 tries).
pub const EF_JPKI_AUTH_PIN: u16 = fid::JPKI_AUTH_PIN;
/// 券面AP EF 0012: key for 照合番号B.
pub const EF_CARD_FACE_KEY_B: u16 = fid::FACE_MATCH_B;
/// 券面AP EF 0002: the card-face record (FF 20 { DF21 … DF2A }).
pub const EF_CARD_FACE_RECORD: u16 = fid::FACE_RECORD;

/// The tag of the photo (JPEG 2000) inside the 券面AP record.
pub const TAG_PHOTO: u16 = 0xDF27;

/// One command APDU, ready for the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    bytes: Zeroizing<Vec<u8>>,
}

impl CommandApdu {
    fn from_bytes(bytes: Vec<u8>) -> Self {
        Self {
            bytes: Zeroizing::new(bytes),
        }
    }

    /// SELECT DF by AID: `00 A4 04 0C Lc <AID>`.
    pub fn select_df(aid: &[u8]) -> Self {
        Self::from_bytes(build::select_df(aid))
    }

    /// SELECT EF by FID: `00 A4 02 0C 02 <FID>`.
    pub fn select_ef(fid: u16) -> Self {
        Self::from_bytes(build::select_ef(fid))
    }

    /// READ BINARY `00 B0 <offset> <Le>` (Le 0 means 256). Offsets above 0x7FFF cannot be named
    /// in the short form, and Le must be 1–256: otherwise `None`.
    pub fn read_binary(offset: usize, le: usize) -> Option<Self> {
        let offset = u16::try_from(offset).ok().filter(|o| *o <= 0x7FFF)?;
        if !(1..=256).contains(&le) {
            return None;
        }
        Some(Self::from_bytes(build::read_binary(offset, le)))
    }

    /// VERIFY on the selected key EF: `00 20 00 80 Lc <ASCII>`.
    pub fn verify(secret_ascii: &[u8]) -> Self {
        Self::from_bytes(build::verify(secret_ascii))
    }

    /// VERIFY without data: asks for the tries left (answers 63Cx or 6984).
    pub fn verify_query() -> Self {
        Self::from_bytes(build::verify_query())
    }

    /// COMPUTE DIGITAL SIGNATURE `80 2A 00 80 Lc <DigestInfo> 00` with the selected key EF.
    pub fn compute_signature(digest_info: &[u8]) -> Self {
        Self::from_bytes(build::compute_digital_signature(digest_info))
    }

    /// The bytes to transmit.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The instruction byte.
    pub fn ins(&self) -> u8 {
        self.bytes.get(1).copied().unwrap_or(0)
    }

    /// True when the command carries a secret (VERIFY or CHANGE REFERENCE DATA with data).
    pub fn carries_secret(&self) -> bool {
        matches!(self.ins(), 0x20 | 0x24) && self.bytes.len() > 4
    }

    /// Hex text of the command for traces, with the data of secret-carrying commands replaced by
    /// `**`.
    pub fn to_trace_string(&self) -> String {
        if self.carries_secret() {
            let header = hex(self.bytes.get(..5).unwrap_or(&self.bytes));
            format!("{header} **")
        } else {
            hex(&self.bytes)
        }
    }
}

impl fmt::Debug for CommandApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommandApdu({})", self.to_trace_string())
    }
}

/// Upper-case hex with a space between bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 {
            text.push(' ');
        }
        text.push_str(&format!("{byte:02X}"));
    }
    text
}

/// A status word (SW1 SW2) at the end of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000: success.
    pub const OK: Self = Self(0x9000);
    /// 6A82: file or application not found.
    pub const NOT_FOUND: Self = Self(0x6A82);
    /// 6984: reference data not usable (PIN blocked).
    pub const BLOCKED: Self = Self(0x6984);
    /// 6983: authentication method blocked.
    pub const AUTH_BLOCKED: Self = Self(0x6983);

    /// True for 9000.
    pub fn is_ok(self) -> bool {
        self == Self::OK
    }

    /// Tries left when the word is 63Cx.
    pub fn tries_left(self) -> Option<u8> {
        if self.0 & 0xFFF0 == 0x63C0 {
            Some((self.0 & 0x000F) as u8)
        } else {
            None
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// A response split into data and status word; `None` when shorter than two bytes.
pub fn split_response(response: &[u8]) -> Option<(&[u8], StatusWord)> {
    let split = response.len().checked_sub(2)?;
    let (data, sw) = response.split_at(split);
    let sw1 = *sw.first()?;
    let sw2 = *sw.get(1)?;
    Some((data, StatusWord(u16::from_be_bytes([sw1, sw2]))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_read_bytes_follow_the_card_layout() {
        assert_eq!(
            CommandApdu::select_df(&AID_JPKI).as_bytes(),
            [
                0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
                0x01
            ]
        );
        assert_eq!(
            CommandApdu::select_ef(EF_JPKI_AUTH_PIN).as_bytes(),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]
        );
        assert_eq!(
            CommandApdu::read_binary(0x0123, 256).map(|c| c.as_bytes().to_vec()),
            Some(vec![0x00, 0xB0, 0x01, 0x23, 0x00])
        );
        assert_eq!(CommandApdu::read_binary(0x8000, 16), None);
        assert_eq!(CommandApdu::read_binary(0, 0), None);
        assert_eq!(
            CommandApdu::compute_signature(&[1, 2, 3]).as_bytes(),
            [0x80, 0x2A, 0x00, 0x80, 0x03, 1, 2, 3, 0x00]
        );
    }

    #[test]
    fn verify_data_never_shows_in_debug_or_trace() {
        let verify = CommandApdu::verify(b"1234");
        assert_eq!(
            verify.as_bytes(),
            [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4']
        );
        let debug = format!("{verify:?}");
        assert!(!debug.contains("31 32"), "{debug}");
        assert_eq!(verify.to_trace_string(), "00 20 00 80 04 **");
        assert_eq!(CommandApdu::verify_query().to_trace_string(), "00 20 00 80");
    }

    #[test]
    fn status_words() {
        assert_eq!(split_response(&[0x90]), None);
        let (data, sw) = split_response(&[1, 2, 0x63, 0xC2]).unwrap();
        assert_eq!(data, [1, 2]);
        assert_eq!(sw.tries_left(), Some(2));
        assert_eq!(StatusWord::OK.tries_left(), None);
        assert_eq!(StatusWord(0x63C0).tries_left(), Some(0));
    }
}
