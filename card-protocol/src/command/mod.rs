//! The commands the My Number card answers, as types. Each has one `encode` (to bytes) and one
//! `parse` (from bytes); constructors check every field, so `encode` cannot fail and
//! `parse(encode(x)) == x`. Each type cites the clause of ISO/IEC 7816-4:2005 (JIS X 6320-4) or
//! the DESIGN.md §2 fact it follows.
//!
//! Parsing is strict where the card is: a parse error names the status word the card answers
//! ([`CommandError::status_word`]).

mod error;
mod get_response;
mod read_binary;
mod reference_data;
mod select;
mod signature;

pub use error::CommandError;
pub use get_response::GetResponse;
pub use read_binary::{ReadBinary, ReadTarget};
pub use reference_data::{ChangeReferenceData, PinTarget, Verify};
pub use select::{DfName, Select};
pub use signature::{ComputeDigitalSignature, KeyTarget};

use crate::apdu::CommandApdu;

/// CLA of the interindustry commands (ISO/IEC 7816-4:2005 §5.1.1: first interindustry class, no
/// secure messaging, logical channel 0): SELECT, READ BINARY, VERIFY, CHANGE REFERENCE DATA,
/// GET RESPONSE.
pub const CLA_ISO: u8 = 0x00;
/// CLA of JPKI's proprietary COMPUTE DIGITAL SIGNATURE (DESIGN.md §2: `80 2A 00 80 …`).
pub const CLA_PROPRIETARY: u8 = 0x80;

/// INS bytes (ISO/IEC 7816-4:2005 §5.1.2, Table 4).
pub mod ins {
    /// SELECT.
    pub const SELECT: u8 = 0xA4;
    /// READ BINARY.
    pub const READ_BINARY: u8 = 0xB0;
    /// VERIFY.
    pub const VERIFY: u8 = 0x20;
    /// CHANGE REFERENCE DATA.
    pub const CHANGE_REFERENCE_DATA: u8 = 0x24;
    /// PERFORM SECURITY OPERATION, here JPKI's COMPUTE DIGITAL SIGNATURE.
    pub const COMPUTE_DIGITAL_SIGNATURE: u8 = 0x2A;
    /// GET RESPONSE.
    pub const GET_RESPONSE: u8 = 0xC0;
}

/// The largest short EF identifier P1/P2 can carry (5 bits).
pub const SHORT_EF_MAX: u8 = 0x1F;

/// A command the card understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// SELECT.
    Select(Select),
    /// READ BINARY.
    ReadBinary(ReadBinary),
    /// VERIFY.
    Verify(Verify),
    /// CHANGE REFERENCE DATA.
    ChangeReferenceData(ChangeReferenceData),
    /// COMPUTE DIGITAL SIGNATURE.
    ComputeDigitalSignature(ComputeDigitalSignature),
    /// GET RESPONSE.
    GetResponse(GetResponse),
}

impl Command {
    /// Parses command bytes: malformed lengths → 6700, a CLA other than 00/80 → 6E00, an unknown
    /// INS → 6D00, then the command's own checks.
    pub fn parse(bytes: &[u8]) -> Result<Command, CommandError> {
        let apdu = CommandApdu::parse(bytes)?;
        if apdu.cla != CLA_ISO && apdu.cla != CLA_PROPRIETARY {
            return Err(CommandError::ClassNotSupported {
                cla: apdu.cla,
                ins: apdu.ins,
            });
        }
        Ok(match apdu.ins {
            ins::SELECT => Command::Select(Select::from_apdu(&apdu)?),
            ins::READ_BINARY => Command::ReadBinary(ReadBinary::from_apdu(&apdu)?),
            ins::VERIFY => Command::Verify(Verify::from_apdu(&apdu)?),
            ins::CHANGE_REFERENCE_DATA => {
                Command::ChangeReferenceData(ChangeReferenceData::from_apdu(&apdu)?)
            }
            ins::COMPUTE_DIGITAL_SIGNATURE => {
                Command::ComputeDigitalSignature(ComputeDigitalSignature::from_apdu(&apdu)?)
            }
            ins::GET_RESPONSE => Command::GetResponse(GetResponse::from_apdu(&apdu)?),
            other => return Err(CommandError::InstructionNotSupported(other)),
        })
    }

    /// The command's bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Command::Select(c) => c.encode(),
            Command::ReadBinary(c) => c.encode(),
            Command::Verify(c) => c.encode(),
            Command::ChangeReferenceData(c) => c.encode(),
            Command::ComputeDigitalSignature(c) => c.encode(),
            Command::GetResponse(c) => c.encode(),
        }
    }

    /// The command's name as ISO/IEC 7816-4 writes it (e.g. "READ BINARY").
    pub fn name(&self) -> &'static str {
        match self {
            Command::Select(_) => Select::NAME,
            Command::ReadBinary(_) => ReadBinary::NAME,
            Command::Verify(_) => Verify::NAME,
            Command::ChangeReferenceData(_) => ChangeReferenceData::NAME,
            Command::ComputeDigitalSignature(_) => ComputeDigitalSignature::NAME,
            Command::GetResponse(_) => GetResponse::NAME,
        }
    }
}

/// The name of an INS byte the card knows, for traces of commands that did not parse.
pub fn instruction_name(ins: u8) -> Option<&'static str> {
    Some(match ins {
        ins::SELECT => Select::NAME,
        ins::READ_BINARY => ReadBinary::NAME,
        ins::VERIFY => Verify::NAME,
        ins::CHANGE_REFERENCE_DATA => ChangeReferenceData::NAME,
        ins::COMPUTE_DIGITAL_SIGNATURE => ComputeDigitalSignature::NAME,
        ins::GET_RESPONSE => GetResponse::NAME,
        _ => return None,
    })
}

/// Checks CLA and INS of a command parsed as `name`.
fn expect_header(
    apdu: &CommandApdu,
    cla: u8,
    ins: u8,
    name: &'static str,
) -> Result<(), CommandError> {
    if apdu.ins != ins {
        return Err(CommandError::OtherInstruction {
            expected: name,
            found: apdu.ins,
        });
    }
    if apdu.cla != cla {
        return Err(CommandError::ClassNotSupported {
            cla: apdu.cla,
            ins: apdu.ins,
        });
    }
    Ok(())
}

/// Checks a short EF identifier (1..=31; 0 would mean "current EF").
fn check_short_ef(ef: u8) -> Result<u8, CommandError> {
    if (1..=SHORT_EF_MAX).contains(&ef) {
        Ok(ef)
    } else {
        Err(CommandError::ShortEfOutOfRange(ef))
    }
}

/// P2 of VERIFY, CHANGE REFERENCE DATA and COMPUTE DIGITAL SIGNATURE on the My Number card:
/// 80 = the current EF, 80|EF = the EF with that short identifier (DESIGN.md §2). `None` for any
/// other value.
fn p2_target(p2: u8) -> Option<Option<u8>> {
    match p2 {
        0x80 => Some(None),
        0x81..=0x9F => Some(Some(p2 & SHORT_EF_MAX)),
        _ => None,
    }
}

/// The P2 of [`p2_target`].
fn target_p2(short_ef: Option<u8>) -> u8 {
    match short_ef {
        None => 0x80,
        Some(ef) => 0x80 | (ef & SHORT_EF_MAX),
    }
}

#[cfg(test)]
mod tests;
