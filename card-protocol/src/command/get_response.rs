//! GET RESPONSE (INS C0), ISO/IEC 7816-4:2005 §7.6.1: `00 C0 00 00 Le` fetches response bytes a
//! card announced with 61xx. The My Number card emulator answers every command at once, so it
//! never has anything to return; the command is here so that traces and the card can name it.

use super::error::CommandError;
use super::fields::{expect_header, CLA_ISO};
use crate::apdu::{encode, CommandApdu, EXTENDED_LE_MAX, SHORT_LE_MAX};

/// GET RESPONSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetResponse {
    le: u32,
}

impl GetResponse {
    /// The command's name.
    pub const NAME: &'static str = "GET RESPONSE";

    /// `00 C0 00 00 Le`: ask for `le` (1..=65536) bytes.
    pub fn new(le: usize) -> Result<GetResponse, CommandError> {
        if !(1..=EXTENDED_LE_MAX).contains(&le) {
            return Err(CommandError::WrongLength {
                command: GetResponse::NAME,
                what: "Le must be 1..=65536",
            });
        }
        Ok(GetResponse { le: le as u32 })
    }

    /// Bytes asked for.
    pub fn le(&self) -> usize {
        self.le as usize
    }

    /// The command's bytes.
    pub fn encode(&self) -> Vec<u8> {
        encode(
            [CLA_ISO, 0xC0, 0x00, 0x00],
            &[],
            Some(self.le()),
            self.le() > SHORT_LE_MAX,
        )
    }

    /// Parses GET RESPONSE bytes: P1-P2 other than 0000 → 6A86; data, or no Le → 6700.
    pub fn parse(bytes: &[u8]) -> Result<GetResponse, CommandError> {
        GetResponse::from_apdu(&CommandApdu::parse(bytes)?)
    }

    pub(crate) fn from_apdu(apdu: &CommandApdu) -> Result<GetResponse, CommandError> {
        expect_header(apdu, CLA_ISO, 0xC0, GetResponse::NAME)?;
        if apdu.p1 != 0 || apdu.p2 != 0 {
            return Err(CommandError::WrongParameters {
                command: GetResponse::NAME,
                p1: apdu.p1,
                p2: apdu.p2,
            });
        }
        match (apdu.data.is_empty(), apdu.le) {
            (true, Some(le)) => GetResponse::new(le),
            _ => Err(CommandError::WrongLength {
                command: GetResponse::NAME,
                what: "GET RESPONSE has Le and no data",
            }),
        }
    }
}
