//! COMPUTE DIGITAL SIGNATURE of the JPKI AP (DESIGN.md §2, reported): `80 2A 00 80 Lc
//! <DigestInfo> 00` on the key EF selected before; the card applies PKCS#1 v1.5 type-1 padding and
//! signs with RSA-2048 (256 bytes back). A proprietary class (CLA 80) variant of ISO/IEC 7816-8's
//! PERFORM SECURITY OPERATION (INS 2A), not its interindustry P1-P2 9E 9A. Newer cards are
//! reported to take P2 = 80|EF to name the key by short EF id (97 auth key, 9A signature key)
//! without a SELECT; P1 = 00 means "DigestInfo as sent", the only scheme modelled.

use super::error::CommandError;
use super::fields::{check_short_ef, expect_header, p2_target, target_p2, CLA_PROPRIETARY};
use crate::apdu::{encode, CommandApdu, EXTENDED_LC_MAX, SHORT_LE_MAX};

/// Which key a COMPUTE DIGITAL SIGNATURE uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyTarget {
    /// P2 = 80: the current EF (a key EF selected before).
    CurrentEf,
    /// P2 = 80|EF: the key EF with this short EF id in the current DF (17 = auth key 0017,
    /// 1A = signature key 001A), no SELECT needed.
    ShortEf(u8),
}

impl KeyTarget {
    fn from_p2(p2: u8) -> Option<KeyTarget> {
        p2_target(p2).map(|ef| ef.map_or(KeyTarget::CurrentEf, KeyTarget::ShortEf))
    }

    fn p2(self) -> u8 {
        target_p2(match self {
            KeyTarget::CurrentEf => None,
            KeyTarget::ShortEf(ef) => Some(ef),
        })
    }
}

/// COMPUTE DIGITAL SIGNATURE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputeDigitalSignature {
    target: KeyTarget,
    digest_info: Vec<u8>,
}

impl ComputeDigitalSignature {
    /// The command's name.
    pub const NAME: &'static str = "COMPUTE DIGITAL SIGNATURE";

    /// `80 2A 00 <P2> Lc <DigestInfo> 00`: sign `digest_info` (DER DigestInfo, 1..=65535 bytes;
    /// the card refuses more than its key can pad).
    pub fn new(
        target: KeyTarget,
        digest_info: Vec<u8>,
    ) -> Result<ComputeDigitalSignature, CommandError> {
        if let KeyTarget::ShortEf(ef) = target {
            check_short_ef(ef)?;
        }
        if digest_info.is_empty() || digest_info.len() > EXTENDED_LC_MAX {
            return Err(CommandError::WrongLength {
                command: ComputeDigitalSignature::NAME,
                what: "the DigestInfo has 1 to 65535 bytes",
            });
        }
        Ok(ComputeDigitalSignature {
            target,
            digest_info,
        })
    }

    /// Which key.
    pub fn target(&self) -> KeyTarget {
        self.target
    }

    /// The DigestInfo (DER) the card pads and signs.
    pub fn digest_info(&self) -> &[u8] {
        &self.digest_info
    }

    /// The command's bytes (Le = 00: up to 256 bytes of signature).
    pub fn encode(&self) -> Vec<u8> {
        encode(
            [CLA_PROPRIETARY, 0x2A, 0x00, self.target.p2()],
            &self.digest_info,
            Some(SHORT_LE_MAX),
            false,
        )
    }

    /// Parses COMPUTE DIGITAL SIGNATURE bytes: P1 other than 00 (other signature schemes) or P2
    /// other than 80..9F → 6A86; no data → 6700. Le may be absent.
    pub fn parse(bytes: &[u8]) -> Result<ComputeDigitalSignature, CommandError> {
        ComputeDigitalSignature::from_apdu(&CommandApdu::parse(bytes)?)
    }

    pub(crate) fn from_apdu(apdu: &CommandApdu) -> Result<ComputeDigitalSignature, CommandError> {
        expect_header(apdu, CLA_PROPRIETARY, 0x2A, ComputeDigitalSignature::NAME)?;
        let target = KeyTarget::from_p2(apdu.p2)
            .filter(|_| apdu.p1 == 0x00)
            .ok_or(CommandError::WrongParameters {
                command: ComputeDigitalSignature::NAME,
                p1: apdu.p1,
                p2: apdu.p2,
            })?;
        ComputeDigitalSignature::new(target, apdu.data.clone())
    }
}
