//! READ BINARY (INS B0), ISO/IEC 7816-4:2005 §7.2.3, with P1-P2 as §7.2.2 sets them out: P1 bit 8
//! = 0 → P1-P2 is a 15-bit offset in the current EF; bit 8 = 1 → bits 7–6 are 00, bits 5–1 a short
//! EF identifier (the EF becomes current) and P2 an 8-bit offset. No command data; Le required.
//! On the My Number card (DESIGN.md §2): Le = 00 means 256, a read past the end is cut short with
//! 9000, an offset past the end answers 6B00, and some clients use extended Le.

use super::error::CommandError;
use super::fields::{check_short_ef, expect_header, CLA_ISO};
use crate::apdu::{encode, CommandApdu, EXTENDED_LE_MAX, SHORT_LE_MAX};

/// Which EF a READ BINARY reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadTarget {
    /// The current EF (P1 bit 8 = 0).
    CurrentEf,
    /// The EF with this short EF identifier (P1 = 80|SFI); it becomes the current EF.
    ShortEf(u8),
}

/// READ BINARY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBinary {
    target: ReadTarget,
    offset: u16,
    le: u32,
    extended: bool,
}

impl ReadBinary {
    /// The command's name.
    pub const NAME: &'static str = "READ BINARY";
    /// The largest offset of the 15-bit form.
    pub const OFFSET_MAX: usize = 0x7FFF;
    /// The largest offset of the short-EF form (P2).
    pub const SHORT_EF_OFFSET_MAX: usize = 0xFF;

    /// `00 B0 <offset> <Le>`: read `le` (1..=65536) bytes of the current EF from `offset`
    /// (0..=7FFF). Le above 256 takes the extended encoding.
    pub fn current_ef(offset: usize, le: usize) -> Result<ReadBinary, CommandError> {
        ReadBinary::build(ReadTarget::CurrentEf, offset, le, le > SHORT_LE_MAX)
    }

    /// `00 B0 <offset> 00 <Le hi> <Le lo>`: as [`ReadBinary::current_ef`] with the extended Le
    /// encoding even for 256 bytes or less (used by some clients, DESIGN.md §2).
    pub fn current_ef_extended(offset: usize, le: usize) -> Result<ReadBinary, CommandError> {
        ReadBinary::build(ReadTarget::CurrentEf, offset, le, true)
    }

    /// `00 B0 <80|SFI> <offset> <Le>`: read the EF of the current DF with short identifier `sfi`
    /// (1..=31) from `offset` (0..=FF).
    pub fn short_ef(sfi: u8, offset: usize, le: usize) -> Result<ReadBinary, CommandError> {
        ReadBinary::build(ReadTarget::ShortEf(sfi), offset, le, le > SHORT_LE_MAX)
    }

    fn build(
        target: ReadTarget,
        offset: usize,
        le: usize,
        extended: bool,
    ) -> Result<ReadBinary, CommandError> {
        let offset_max = match target {
            ReadTarget::CurrentEf => ReadBinary::OFFSET_MAX,
            ReadTarget::ShortEf(sfi) => {
                check_short_ef(sfi)?;
                ReadBinary::SHORT_EF_OFFSET_MAX
            }
        };
        let offset = u16::try_from(offset)
            .ok()
            .filter(|o| usize::from(*o) <= offset_max)
            .ok_or(CommandError::OffsetOutOfRange {
                command: ReadBinary::NAME,
                offset,
            })?;
        if !(1..=EXTENDED_LE_MAX).contains(&le) {
            return Err(CommandError::WrongLength {
                command: ReadBinary::NAME,
                what: "Le must be 1..=65536",
            });
        }
        Ok(ReadBinary {
            target,
            offset,
            le: le as u32,
            extended,
        })
    }

    /// Which EF.
    pub fn target(&self) -> ReadTarget {
        self.target
    }

    /// Offset in the EF.
    pub fn offset(&self) -> usize {
        usize::from(self.offset)
    }

    /// Bytes asked for (Le, decoded: 1..=65536).
    pub fn le(&self) -> usize {
        self.le as usize
    }

    /// True when Le is (to be) sent in the extended encoding.
    pub fn is_extended(&self) -> bool {
        self.extended
    }

    /// The command's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let [hi, lo] = self.offset.to_be_bytes();
        let (p1, p2) = match self.target {
            ReadTarget::CurrentEf => (hi & 0x7F, lo),
            ReadTarget::ShortEf(sfi) => (0x80 | (sfi & 0x1F), lo),
        };
        encode([CLA_ISO, 0xB0, p1, p2], &[], Some(self.le()), self.extended)
    }

    /// Parses READ BINARY bytes: data present or Le absent → 6700; P1 80|SFI with bits 7–6 set
    /// or SFI 0 → 6A86.
    pub fn parse(bytes: &[u8]) -> Result<ReadBinary, CommandError> {
        ReadBinary::from_apdu(&CommandApdu::parse(bytes)?)
    }

    pub(crate) fn from_apdu(apdu: &CommandApdu) -> Result<ReadBinary, CommandError> {
        expect_header(apdu, CLA_ISO, 0xB0, ReadBinary::NAME)?;
        if !apdu.data.is_empty() {
            return Err(CommandError::WrongLength {
                command: ReadBinary::NAME,
                what: "READ BINARY has no command data",
            });
        }
        let le = apdu.le.ok_or(CommandError::WrongLength {
            command: ReadBinary::NAME,
            what: "READ BINARY needs Le",
        })?;
        let target = if apdu.p1 & 0x80 != 0 {
            let sfi = apdu.p1 & 0x1F;
            if apdu.p1 & 0x60 != 0 || sfi == 0 {
                return Err(CommandError::WrongParameters {
                    command: ReadBinary::NAME,
                    p1: apdu.p1,
                    p2: apdu.p2,
                });
            }
            ReadTarget::ShortEf(sfi)
        } else {
            ReadTarget::CurrentEf
        };
        let offset = match target {
            ReadTarget::CurrentEf => u16::from_be_bytes([apdu.p1, apdu.p2]),
            ReadTarget::ShortEf(_) => u16::from(apdu.p2),
        };
        ReadBinary::build(target, usize::from(offset), le, apdu.extended)
    }
}
