//! The card's answer to reset (ATR). Real My Number cards present more than one: the bytes depend
//! on the card's batch and on the interface (a contactless reader synthesises the ATR from the
//! card's ATQB, PC/SC Part 3). Most clients ignore the ATR and detect the card by SELECT (OpenSC
//! `card-jpki.c` does); clients that accept only one ATR break on the others.
//!
//! Named variants, each as listed for the My Number card in pcsc-tools' `smartcard_list.txt`
//! (Debian `pcsc-tools` 1.6.2, /usr/share/pcsc/smartcard_list.txt; also
//! https://smartcard-atr.apdu.fr/):
//! - `contactless` (default): `3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F`, "Japanese JPKI card (aka
//!   JINC card)" (DESIGN.md §2). The form of the PC/SC Part 3 ATR of an ISO 14443 type B card.
//! - `contact`: `3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B`, "My Number Card".
//!   The ATR of the reports that clients accepting only `3B 88 80 01 …` fail on it: OpenSC issue
//!   #3021 "Possibility of another JPKI ATR" (2024, a card "got recently", shown by Windows as an
//!   unknown card; https://github.com/OpenSC/OpenSC/issues/3021, fixed by OpenSC PR #3744, which
//!   registers more JPKI ATRs for the Windows minidriver) and PeculiarVentures/fortify issue #264
//!   (2019, https://github.com/PeculiarVentures/fortify/issues/264). Both read through contact
//!   readers (T=1, TA1 = 13).
//! - `contact-c5`: `3B C5 FF 81 31 FB 45 80 73 C6 01 00 00`, "Japanese Individual Number Card";
//!   quoted in jpki/myna issue #12 (https://github.com/jpki/myna/issues/12) as one the tool
//!   ignored because it only accepted `3b888001…`.
//! - `contactless-f5`: `3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 00 D1 D6`, "Japanese Public Key
//!   Infrastructure (PKI) / My Number Card".
//!
//! A profile may also give any other ATR as hex; it must be well formed (ISO/IEC 7816-3:2006
//! §8.2: TS, T0, the interface bytes T0 and each TDi announce, the historical bytes, and TCK when
//! a protocol other than T=0 is indicated, with the XOR of T0 … TCK equal to 0), or pcscd would
//! not take it.

use std::fmt;
use std::str::FromStr;

/// `3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F`.
const CONTACTLESS: [u8; 13] = [
    0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F,
];
/// `3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B`.
const CONTACT: [u8; 19] = [
    0x3B, 0xDA, 0x13, 0xFF, 0x81, 0x31, 0xFB, 0x46, 0x80, 0x12, 0x39, 0x2F, 0x31, 0xC1, 0x73, 0xC6,
    0x01, 0xC0, 0x3B,
];
/// `3B C5 FF 81 31 FB 45 80 73 C6 01 00 00`.
const CONTACT_C5: [u8; 13] = [
    0x3B, 0xC5, 0xFF, 0x81, 0x31, 0xFB, 0x45, 0x80, 0x73, 0xC6, 0x01, 0x00, 0x00,
];
/// `3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 00 D1 D6`.
const CONTACTLESS_F5: [u8; 17] = [
    0x3B, 0xF5, 0x91, 0x00, 0xFF, 0x91, 0x81, 0x71, 0xFE, 0x40, 0x00, 0x42, 0x00, 0x01, 0x00, 0xD1,
    0xD6,
];

/// Which ATR a card presents (profile key `atr`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Atr {
    /// `contactless`: `3B 88 80 01 …` (the default).
    #[default]
    Contactless,
    /// `contact`: `3B DA 13 FF 81 31 FB 46 80 12 39 …`.
    Contact,
    /// `contact-c5`: `3B C5 FF 81 31 FB 45 …`.
    ContactC5,
    /// `contactless-f5`: `3B F5 91 00 FF 91 81 71 FE 40 …`.
    ContactlessF5,
    /// Any other well-formed ATR, written as hex.
    Raw(Vec<u8>),
}

impl Atr {
    /// The named variants.
    pub const NAMED: [Atr; 4] = [
        Atr::Contactless,
        Atr::Contact,
        Atr::ContactC5,
        Atr::ContactlessF5,
    ];

    /// The bytes the card presents.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Atr::Contactless => &CONTACTLESS,
            Atr::Contact => &CONTACT,
            Atr::ContactC5 => &CONTACT_C5,
            Atr::ContactlessF5 => &CONTACTLESS_F5,
            Atr::Raw(bytes) => bytes,
        }
    }

    /// The name in a profile (`None` for raw hex).
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Atr::Contactless => "contactless",
            Atr::Contact => "contact",
            Atr::ContactC5 => "contact-c5",
            Atr::ContactlessF5 => "contactless-f5",
            Atr::Raw(_) => return None,
        })
    }

    /// An ATR from its bytes, after checking its structure.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Atr, AtrError> {
        check_structure(&bytes)?;
        Ok(Atr::Raw(bytes))
    }
}

impl fmt::Display for Atr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, byte) in self.bytes().iter().enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl FromStr for Atr {
    type Err = AtrError;

    /// A variant name, or hex bytes (spaces and colons between bytes allowed).
    fn from_str(text: &str) -> Result<Atr, AtrError> {
        if let Some(named) = Atr::NAMED.into_iter().find(|a| a.name() == Some(text)) {
            return Ok(named);
        }
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ':')
            .collect();
        if digits.is_empty() || !digits.len().is_multiple_of(2) {
            return Err(AtrError::NotHex(text.to_owned()));
        }
        let bytes = (0..digits.len())
            .step_by(2)
            .map(|i| {
                digits
                    .get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| AtrError::NotHex(text.to_owned()))?;
        Atr::from_bytes(bytes)
    }
}

impl TryFrom<String> for Atr {
    type Error = AtrError;

    fn try_from(text: String) -> Result<Atr, AtrError> {
        text.parse()
    }
}

/// Why a text is not an ATR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AtrError {
    /// Neither a variant name nor hex bytes.
    #[error("{0:?} is neither an ATR name (contactless, contact, contact-c5, contactless-f5) nor hex bytes")]
    NotHex(String),
    /// The bytes are not a well-formed ATR.
    #[error("not a well-formed ATR (ISO/IEC 7816-3 §8.2): {0}")]
    Malformed(&'static str),
}

/// Checks the structure of ATR bytes (ISO/IEC 7816-3:2006 §8.2).
fn check_structure(bytes: &[u8]) -> Result<(), AtrError> {
    let malformed = AtrError::Malformed;
    if bytes.len() > 33 {
        return Err(malformed("longer than 33 bytes"));
    }
    match bytes.first() {
        Some(0x3B | 0x3F) => {}
        _ => return Err(malformed("TS must be 3B or 3F")),
    }
    let t0 = *bytes.get(1).ok_or(malformed("no T0"))?;
    let historical = usize::from(t0 & 0x0F);
    // Walk the interface bytes: each Y nibble says which of TAi TBi TCi TDi follow.
    let mut at = 2;
    let mut y = t0 >> 4;
    let mut needs_tck = false;
    loop {
        let count = (y & 0x07).count_ones() as usize;
        at += count;
        if y & 0x08 == 0 {
            break;
        }
        let td = *bytes
            .get(at)
            .ok_or(malformed("interface bytes cut short"))?;
        at += 1;
        if td & 0x0F != 0 {
            needs_tck = true;
        }
        y = td >> 4;
    }
    let expected = at + historical + usize::from(needs_tck);
    if bytes.len() != expected {
        return Err(malformed(
            "length differs from what T0, TDi and the historical bytes announce",
        ));
    }
    if needs_tck {
        let xor = bytes.iter().skip(1).fold(0u8, |acc, b| acc ^ b);
        if xor != 0 {
            return Err(malformed("TCK does not check"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_variants_are_well_formed_and_distinct() {
        for (i, atr) in Atr::NAMED.iter().enumerate() {
            check_structure(atr.bytes()).unwrap_or_else(|e| panic!("{atr}: {e}"));
            let name = atr.name().expect("named");
            assert_eq!(name.parse::<Atr>().as_ref(), Ok(atr));
            for other in &Atr::NAMED[i + 1..] {
                assert_ne!(atr.bytes(), other.bytes());
            }
        }
        assert_eq!(Atr::default(), Atr::Contactless);
        assert_eq!(
            Atr::Contact.to_string(),
            "3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B"
        );
    }

    #[test]
    fn hex_is_parsed_and_checked() {
        assert_eq!(
            "3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F"
                .parse::<Atr>()
                .map(|a| a.bytes().to_vec()),
            Ok(CONTACTLESS.to_vec())
        );
        assert_eq!(
            "3b:80:80:01:01".parse::<Atr>(),
            Ok(Atr::Raw(vec![0x3B, 0x80, 0x80, 0x01, 0x01]))
        );
        // T=0 only: no TCK.
        assert!("3B 02 14 50".parse::<Atr>().is_ok());
        for bad in [
            "",
            "contactles",
            "3B 8",
            "3B GG",
            "3A 00",
            "3B",
            "3B 88 80 01 00 00 05 E0 B3 81 A1 00 7E",
            "3B 88 80 01 00 00 05 E0 B3 81 A1 00",
            "3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F 00",
            "3B 02 14",
        ] {
            assert!(bad.parse::<Atr>().is_err(), "{bad:?}");
        }
    }
}
