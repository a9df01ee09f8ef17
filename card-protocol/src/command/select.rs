//! SELECT (INS A4), ISO/IEC 7816-4:2005 §7.1.1: P1 (Table 39) 00 = MF, DF or EF by file
//! identifier, 02 = EF under the current DF, 04 = DF by name (AID); P2 (Table 40) 0C = no
//! response data, 00 = return the FCI. The My Number card forms are DESIGN.md §2:
//! `00 A4 04 0C 0A <AID>` and `00 A4 02 0C 02 <FID>`; an unknown AID or FID answers 6A82.

use super::error::CommandError;
use super::fields::{expect_header, CLA_ISO};
use crate::apdu::{encode, CommandApdu};
use crate::ids::{Application, FileId};

/// A DF name of 1 to 16 bytes (ISO/IEC 7816-4 DF names, and ISO/IEC 7816-5 application
/// identifiers, have at most 16 bytes). The card's own are 10-byte AIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfName(Vec<u8>);

impl DfName {
    /// The longest DF name.
    pub const MAX_LEN: usize = 16;

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The card's application with this name, if any.
    pub fn application(&self) -> Option<Application> {
        Application::from_aid(&self.0)
    }
}

/// SELECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Select {
    /// `00 A4 04 0C Lc <AID>`: select a DF (application) by name.
    Df(DfName),
    /// `00 A4 02 0C 02 <FID>` (P1 = 00 or 01 also accepted): select an EF of the current DF.
    Ef(FileId),
    /// `00 A4 00 0C 02 3F 00` (or P1 = 00 without data): select the MF, leaving any application.
    MasterFile,
}

impl Select {
    /// The command's name.
    pub const NAME: &'static str = "SELECT";

    /// SELECT one of the card's applications by its AID (ids.rs).
    pub fn application(app: Application) -> Select {
        Select::Df(DfName(app.aid().to_vec()))
    }

    /// SELECT a DF by any name of 1..=16 bytes.
    pub fn df_name(name: &[u8]) -> Result<Select, CommandError> {
        if name.is_empty() || name.len() > DfName::MAX_LEN {
            return Err(CommandError::WrongLength {
                command: Select::NAME,
                what: "a DF name has 1 to 16 bytes",
            });
        }
        Ok(Select::Df(DfName(name.to_vec())))
    }

    /// SELECT an EF of the current DF by its file identifier. 3F00 is the MF's identifier: it
    /// gives [`Select::MasterFile`].
    pub fn ef(fid: FileId) -> Select {
        if fid == 0x3F00 {
            Select::MasterFile
        } else {
            Select::Ef(fid)
        }
    }

    /// The command's bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Select::Df(name) => encode([CLA_ISO, 0xA4, 0x04, 0x0C], name.as_bytes(), None, false),
            Select::Ef(fid) => encode([CLA_ISO, 0xA4, 0x02, 0x0C], &fid.to_be_bytes(), None, false),
            Select::MasterFile => encode([CLA_ISO, 0xA4, 0x00, 0x0C], &[0x3F, 0x00], None, false),
        }
    }

    /// Parses SELECT bytes.
    pub fn parse(bytes: &[u8]) -> Result<Select, CommandError> {
        Select::from_apdu(&CommandApdu::parse(bytes)?)
    }

    pub(crate) fn from_apdu(apdu: &CommandApdu) -> Result<Select, CommandError> {
        expect_header(apdu, CLA_ISO, 0xA4, Select::NAME)?;
        let wrong_parameters = CommandError::WrongParameters {
            command: Select::NAME,
            p1: apdu.p1,
            p2: apdu.p2,
        };
        // P2: 0C = no response data; 00 = return FCI (the card answers without data).
        if apdu.p2 != 0x0C && apdu.p2 != 0x00 {
            return Err(wrong_parameters);
        }
        let wrong_length = |what| CommandError::WrongLength {
            command: Select::NAME,
            what,
        };
        match apdu.p1 {
            0x04 => Select::df_name(&apdu.data),
            0x00..=0x02 => match apdu.data.as_slice() {
                [0x3F, 0x00] => Ok(Select::MasterFile),
                [] if apdu.p1 == 0x00 => Ok(Select::MasterFile),
                [hi, lo] => Ok(Select::Ef(u16::from_be_bytes([*hi, *lo]))),
                _ => Err(wrong_length("a file identifier has 2 bytes")),
            },
            _ => Err(wrong_parameters),
        }
    }
}
