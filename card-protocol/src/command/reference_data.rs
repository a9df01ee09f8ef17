//! VERIFY (INS 20, ISO/IEC 7816-4:2005 §7.5.6) and CHANGE REFERENCE DATA (INS 24, §7.5.7).
//!
//! ISO sets P2 as the reference data qualifier (Table 65: bit 8 = 1 for DF-specific data). The My
//! Number card's forms are DESIGN.md §2: P2 = 80 for the key EF selected before, or 80|EF for the
//! PIN EF with that short identifier (no SELECT). VERIFY without data is the retry-counter query
//! (§7.5.6: answered 63Cx, on this card also right after a success). CHANGE REFERENCE DATA uses
//! P1 = 01 (§7.5.7: new reference data only), after a VERIFY of the same PIN.

use super::error::CommandError;
use super::fields::{check_short_ef, expect_header, p2_target, target_p2, CLA_ISO};
use crate::apdu::{encode, CommandApdu, EXTENDED_LC_MAX};
use crate::secret::PinBytes;

/// Which reference data (PIN, password or 照合番号) a VERIFY or CHANGE REFERENCE DATA addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinTarget {
    /// P2 = 80: the current EF (a PIN EF selected before).
    CurrentEf,
    /// P2 = 80|EF: the PIN EF with this short EF identifier (1..=31) in the current DF.
    ShortEf(u8),
}

impl PinTarget {
    fn from_p2(p2: u8) -> Option<PinTarget> {
        p2_target(p2).map(|ef| ef.map_or(PinTarget::CurrentEf, PinTarget::ShortEf))
    }

    fn p2(self) -> u8 {
        target_p2(match self {
            PinTarget::CurrentEf => None,
            PinTarget::ShortEf(ef) => Some(ef),
        })
    }

    fn check(self) -> Result<PinTarget, CommandError> {
        if let PinTarget::ShortEf(ef) = self {
            check_short_ef(ef)?;
        }
        Ok(self)
    }
}

fn check_pin(command: &'static str, pin: &PinBytes) -> Result<(), CommandError> {
    if pin.is_empty() || pin.len() > EXTENDED_LC_MAX {
        return Err(CommandError::WrongLength {
            command,
            what: "reference data has 1 to 65535 bytes",
        });
    }
    Ok(())
}

/// VERIFY. Debug never shows the PIN ([`PinBytes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verify {
    target: PinTarget,
    pin: Option<PinBytes>,
}

impl Verify {
    /// The command's name.
    pub const NAME: &'static str = "VERIFY";

    /// `00 20 00 <P2> Lc <PIN>`: verify `pin` (ASCII) against the target's reference data.
    pub fn new(target: PinTarget, pin: PinBytes) -> Result<Verify, CommandError> {
        check_pin(Verify::NAME, &pin)?;
        Ok(Verify {
            target: target.check()?,
            pin: Some(pin),
        })
    }

    /// `00 20 00 <P2>` without data: the retry-counter query (answers 63Cx, or 6984 / 6A88).
    pub fn retry_query(target: PinTarget) -> Result<Verify, CommandError> {
        Ok(Verify {
            target: target.check()?,
            pin: None,
        })
    }

    /// Which reference data.
    pub fn target(&self) -> PinTarget {
        self.target
    }

    /// The PIN, or `None` for the retry-counter query.
    pub fn pin(&self) -> Option<&PinBytes> {
        self.pin.as_ref()
    }

    /// The command's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let data = self.pin.as_ref().map(PinBytes::expose).unwrap_or_default();
        encode([CLA_ISO, 0x20, 0x00, self.target.p2()], data, None, false)
    }

    /// Parses VERIFY bytes: P1 other than 00, or a P2 other than 80..9F → 6A86. An Le field is
    /// ignored.
    pub fn parse(bytes: &[u8]) -> Result<Verify, CommandError> {
        Verify::from_apdu(&CommandApdu::parse(bytes)?)
    }

    pub(crate) fn from_apdu(apdu: &CommandApdu) -> Result<Verify, CommandError> {
        expect_header(apdu, CLA_ISO, 0x20, Verify::NAME)?;
        let target = PinTarget::from_p2(apdu.p2)
            .filter(|_| apdu.p1 == 0x00)
            .ok_or(CommandError::WrongParameters {
                command: Verify::NAME,
                p1: apdu.p1,
                p2: apdu.p2,
            })?;
        if apdu.data.is_empty() {
            Verify::retry_query(target)
        } else {
            Verify::new(target, PinBytes::new(apdu.data.clone()))
        }
    }
}

/// CHANGE REFERENCE DATA with P1 = 01 (new reference data only). Debug never shows the PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeReferenceData {
    target: PinTarget,
    new_pin: PinBytes,
}

impl ChangeReferenceData {
    /// The command's name.
    pub const NAME: &'static str = "CHANGE REFERENCE DATA";

    /// `00 24 01 <P2> Lc <new PIN>`: set a new PIN after a VERIFY of the current one.
    pub fn new(target: PinTarget, new_pin: PinBytes) -> Result<ChangeReferenceData, CommandError> {
        check_pin(ChangeReferenceData::NAME, &new_pin)?;
        Ok(ChangeReferenceData {
            target: target.check()?,
            new_pin,
        })
    }

    /// Which reference data.
    pub fn target(&self) -> PinTarget {
        self.target
    }

    /// The new PIN.
    pub fn new_pin(&self) -> &PinBytes {
        &self.new_pin
    }

    /// The command's bytes.
    pub fn encode(&self) -> Vec<u8> {
        encode(
            [CLA_ISO, 0x24, 0x01, self.target.p2()],
            self.new_pin.expose(),
            None,
            false,
        )
    }

    /// Parses CHANGE REFERENCE DATA bytes: P1 other than 01 or P2 other than 80..9F → 6A86; no
    /// data → 6700.
    pub fn parse(bytes: &[u8]) -> Result<ChangeReferenceData, CommandError> {
        ChangeReferenceData::from_apdu(&CommandApdu::parse(bytes)?)
    }

    pub(crate) fn from_apdu(apdu: &CommandApdu) -> Result<ChangeReferenceData, CommandError> {
        expect_header(apdu, CLA_ISO, 0x24, ChangeReferenceData::NAME)?;
        let target = PinTarget::from_p2(apdu.p2)
            .filter(|_| apdu.p1 == 0x01)
            .ok_or(CommandError::WrongParameters {
                command: ChangeReferenceData::NAME,
                p1: apdu.p1,
                p2: apdu.p2,
            })?;
        ChangeReferenceData::new(target, PinBytes::new(apdu.data.clone()))
    }
}
