//! The header fields shared by the commands: class bytes, instruction bytes, and the P2 forms
//! that name a short EF.

use super::error::CommandError;
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

/// Checks CLA and INS of a command parsed as `name`.
pub(crate) fn expect_header(
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
pub(crate) fn check_short_ef(ef: u8) -> Result<u8, CommandError> {
    if (1..=SHORT_EF_MAX).contains(&ef) {
        Ok(ef)
    } else {
        Err(CommandError::ShortEfOutOfRange(ef))
    }
}

/// P2 of VERIFY, CHANGE REFERENCE DATA and COMPUTE DIGITAL SIGNATURE on the My Number card:
/// 80 = the current EF, 80|EF = the EF with that short identifier (DESIGN.md §2). `None` for any
/// other value.
pub(crate) fn p2_target(p2: u8) -> Option<Option<u8>> {
    match p2 {
        0x80 => Some(None),
        0x81..=0x9F => Some(Some(p2 & SHORT_EF_MAX)),
        _ => None,
    }
}

/// The P2 of [`p2_target`].
pub(crate) fn target_p2(short_ef: Option<u8>) -> u8 {
    match short_ef {
        None => 0x80,
        Some(ef) => 0x80 | (ef & SHORT_EF_MAX),
    }
}
