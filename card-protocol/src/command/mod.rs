//! The commands the My Number card answers, as types. Each has one `encode` (to bytes) and one
//! `parse` (from bytes); constructors check every field, so `encode` cannot fail and
//! `parse(encode(x)) == x`. Each type cites the clause of ISO/IEC 7816-4:2005 (JIS X 6320-4) or
//! the DESIGN.md §2 fact it follows.
//!
//! Parsing is strict where the card is: a parse error names the status word the card answers
//! ([`CommandError::status_word`]).

mod error;
mod fields;
mod get_response;
mod read_binary;
mod reference_data;
mod select;
mod signature;

pub use error::CommandError;
pub use fields::{ins, CLA_ISO, CLA_PROPRIETARY, SHORT_EF_MAX};
pub use get_response::GetResponse;
pub use read_binary::{ReadBinary, ReadTarget};
pub use reference_data::{ChangeReferenceData, PinTarget, Verify};
pub use select::{DfName, Select};
pub use signature::{ComputeDigitalSignature, KeyTarget};

use crate::apdu::CommandApdu;

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

#[cfg(test)]
mod tests;
