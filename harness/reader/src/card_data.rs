//! Decoding what the card hands out (BER-TLV records, certificate sizes) and encoding what the
//! reader hands the card (照合番号B from the printed card face, DigestInfo for signatures).

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The tag of the photo (JPEG 2000) inside the 券面AP record (DESIGN.md §2).
pub const TAG_PHOTO: u16 = 0xDF27;

/// Errors decoding card data. Card data comes from the wire: it is never trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardDataError {
    /// The data ended inside a tag, length or value.
    #[error("BER-TLV data truncated")]
    Truncated,
    /// A tag of more than two bytes, or a length of more than three bytes.
    #[error("BER-TLV form not supported")]
    Unsupported,
    /// The record is not the expected `FF 20` template.
    #[error("unexpected record template {0:04X}")]
    UnexpectedTemplate(u16),
}

/// Reads a BER tag (one or two bytes) at the start of `bytes`: (tag, bytes used).
fn read_tag(bytes: &[u8]) -> Result<(u16, usize), CardDataError> {
    let first = *bytes.first().ok_or(CardDataError::Truncated)?;
    if first & 0x1F != 0x1F {
        return Ok((u16::from(first), 1));
    }
    let second = *bytes.get(1).ok_or(CardDataError::Truncated)?;
    if second & 0x80 != 0 {
        return Err(CardDataError::Unsupported);
    }
    Ok((u16::from_be_bytes([first, second]), 2))
}

/// Reads a BER length at the start of `bytes`: (length, bytes used).
fn read_length(bytes: &[u8]) -> Result<(usize, usize), CardDataError> {
    let first = *bytes.first().ok_or(CardDataError::Truncated)?;
    match first {
        0x00..=0x7F => Ok((usize::from(first), 1)),
        0x81..=0x83 => {
            let count = usize::from(first & 0x7F);
            let digits = bytes.get(1..1 + count).ok_or(CardDataError::Truncated)?;
            let length = digits
                .iter()
                .fold(0usize, |acc, byte| (acc << 8) | usize::from(*byte));
            Ok((length, 1 + count))
        }
        _ => Err(CardDataError::Unsupported),
    }
}

/// The whole encoded size (tag + length + value) of the BER object that starts `head`, once
/// `head` holds its tag and length; `Ok(None)` when more bytes are needed to tell.
pub fn encoded_size(head: &[u8]) -> Result<Option<usize>, CardDataError> {
    let (_, tag_len) = match read_tag(head) {
        Ok(found) => found,
        Err(CardDataError::Truncated) => return Ok(None),
        Err(other) => return Err(other),
    };
    let rest = head.get(tag_len..).unwrap_or_default();
    match read_length(rest) {
        Ok((length, length_len)) => Ok(Some(tag_len + length_len + length)),
        Err(CardDataError::Truncated) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Splits a run of BER-TLV objects into (tag, value) pairs.
pub fn parse_tlvs(mut bytes: &[u8]) -> Result<Vec<(u16, &[u8])>, CardDataError> {
    let mut objects = Vec::new();
    while !bytes.is_empty() {
        let (tag, tag_len) = read_tag(bytes)?;
        let rest = bytes.get(tag_len..).ok_or(CardDataError::Truncated)?;
        let (length, length_len) = read_length(rest)?;
        let value = rest
            .get(length_len..length_len + length)
            .ok_or(CardDataError::Truncated)?;
        objects.push((tag, value));
        bytes = rest
            .get(length_len + length..)
            .ok_or(CardDataError::Truncated)?;
    }
    Ok(objects)
}

/// The photo (DF27, JPEG 2000) of a 券面AP record `FF 20 { DF21 … DF2A }`; `None` when the
/// record has no photo or an empty one (cards of children under 1).
pub fn card_face_photo(record: &[u8]) -> Result<Option<Vec<u8>>, CardDataError> {
    let outer = parse_tlvs(record)?;
    let (tag, template) = outer.first().ok_or(CardDataError::Truncated)?;
    if *tag != 0xFF20 {
        return Err(CardDataError::UnexpectedTemplate(*tag));
    }
    let photo = parse_tlvs(template)?
        .into_iter()
        .find(|(tag, _)| *tag == TAG_PHOTO)
        .map(|(_, value)| value.to_vec())
        .filter(|value| !value.is_empty());
    Ok(photo)
}

/// The SHA-256 DigestInfo (PKCS#1 v1.5) of `message`, as the card's COMPUTE DIGITAL SIGNATURE takes it.
pub fn sha256_digest_info(message: &[u8]) -> Vec<u8> {
    const PREFIX: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let mut info = PREFIX.to_vec();
    info.extend_from_slice(&Sha256::digest(message));
    info
}

/// A Japanese era (元号) and the day it began.
const ERAS: [(&str, i32, u32, u32); 5] = [
    ("令和", 2019, 5, 1),
    ("平成", 1989, 1, 8),
    ("昭和", 1926, 12, 25),
    ("大正", 1912, 7, 30),
    ("明治", 1868, 1, 25),
];

/// A date in 和暦 (Japanese era calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarekiDate {
    /// The era's name (令和, 平成, 昭和, 大正, 明治).
    pub era: &'static str,
    /// Year of the era (1 = 元年).
    pub year: u32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
}

impl WarekiDate {
    /// The 和暦 date of a Gregorian date; `None` before 明治.
    pub fn from_gregorian(date: NaiveDate) -> Option<Self> {
        ERAS.iter().find_map(|(era, year, month, day)| {
            let start = NaiveDate::from_ymd_opt(*year, *month, *day)?;
            (date >= start).then(|| Self {
                era,
                year: u32::try_from(date.year() - year + 1).unwrap_or(0),
                month: date.month(),
                day: date.day(),
            })
        })
    }

    /// YYMMDD as printed in 照合番号B (era year in two digits).
    pub fn yymmdd(self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }
}

/// The 4-digit security code (セキュリティコード) printed on the card face. Debug is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityCode(Zeroizing<String>);

impl SecurityCode {
    /// A security code of exactly four ASCII digits.
    pub fn new(code: &str) -> Option<Self> {
        (code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(Zeroizing::new(code.to_owned())))
    }
}

impl std::fmt::Debug for SecurityCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecurityCode(****)")
    }
}

/// What the reader's optical scan reads off the printed card face (券面): enough to make
/// 照合番号B (birth date in 和暦 YYMMDD + expiry year + security code).
#[derive(Clone, PartialEq, Eq)]
pub struct PrintedCardFace {
    /// 生年月日 as printed (Gregorian here; the reader converts it to 和暦).
    pub birth_date: NaiveDate,
    /// The year of the card's 有効期限.
    pub expiry_year: i32,
    /// セキュリティコード.
    pub security_code: SecurityCode,
}

impl std::fmt::Debug for PrintedCardFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrintedCardFace(**)")
    }
}

impl PrintedCardFace {
    /// 照合番号B: 和暦 YYMMDD of the birth date + expiry year (4 digits) + security code, ASCII.
    /// `None` when the birth date is before 明治 or the expiry year is not four digits.
    pub fn collation_number_b(&self) -> Option<Zeroizing<Vec<u8>>> {
        let birth = WarekiDate::from_gregorian(self.birth_date)?;
        if !(1000..=9999).contains(&self.expiry_year) {
            return None;
        }
        let text = Zeroizing::new(format!(
            "{}{}{}",
            birth.yymmdd(),
            self.expiry_year,
            self.security_code.0.as_str()
        ));
        Some(Zeroizing::new(text.as_bytes().to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn wareki_boundaries() {
        let w = WarekiDate::from_gregorian(date(1989, 1, 7)).unwrap();
        assert_eq!(
            (w.era, w.year, w.yymmdd()),
            ("昭和", 64, "640107".to_owned())
        );
        let w = WarekiDate::from_gregorian(date(1989, 1, 8)).unwrap();
        assert_eq!((w.era, w.year), ("平成", 1));
        let w = WarekiDate::from_gregorian(date(2019, 4, 30)).unwrap();
        assert_eq!((w.era, w.year), ("平成", 31));
        let w = WarekiDate::from_gregorian(date(2024, 3, 9)).unwrap();
        assert_eq!((w.era, w.yymmdd()), ("令和", "060309".to_owned()));
        let w = WarekiDate::from_gregorian(date(1985, 11, 2)).unwrap();
        assert_eq!((w.era, w.yymmdd()), ("昭和", "601102".to_owned()));
        assert_eq!(WarekiDate::from_gregorian(date(1860, 1, 1)), None);
    }

    #[test]
    fn collation_number_b_concatenates_birth_expiry_and_code() {
        let face = PrintedCardFace {
            birth_date: date(1985, 11, 2),
            expiry_year: 2034,
            security_code: SecurityCode::new("4821").unwrap(),
        };
        assert_eq!(
            face.collation_number_b().unwrap().as_slice(),
            b"60110220344821"
        );
        assert!(!format!("{face:?}").contains("4821"));
        assert_eq!(SecurityCode::new("48a1"), None);
        assert_eq!(SecurityCode::new("12345"), None);
    }

    #[test]
    fn tlv_record_with_and_without_photo() {
        let record = [
            0xFF, 0x20, 0x0A, 0xDF, 0x21, 0x01, 0x00, 0xDF, 0x27, 0x03, 0xAA, 0xBB, 0xCC, 0x00,
        ];
        // Trailing padding byte 00 is a one-byte tag with... no length: truncated.
        assert_eq!(card_face_photo(&record), Err(CardDataError::Truncated));
        assert_eq!(
            card_face_photo(&record[..13]).unwrap(),
            Some(vec![0xAA, 0xBB, 0xCC])
        );
        let empty_photo = [0xFF, 0x20, 0x06, 0xDF, 0x21, 0x00, 0xDF, 0x27, 0x00];
        assert_eq!(card_face_photo(&empty_photo).unwrap(), None);
        let no_photo = [0xFF, 0x20, 0x03, 0xDF, 0x21, 0x00];
        assert_eq!(card_face_photo(&no_photo).unwrap(), None);
        assert_eq!(
            card_face_photo(&[0x30, 0x00]),
            Err(CardDataError::UnexpectedTemplate(0x30))
        );
    }

    #[test]
    fn long_lengths_and_sizes() {
        let mut big = vec![0xFF, 0x20, 0x82, 0x01, 0x05, 0xDF, 0x27, 0x82, 0x01, 0x00];
        big.extend(std::iter::repeat_n(7u8, 256));
        assert_eq!(encoded_size(&big[..4]), Ok(None));
        assert_eq!(encoded_size(&big[..5]), Ok(Some(5 + 0x105)));
        assert_eq!(card_face_photo(&big).unwrap().map(|p| p.len()), Some(256));
        assert_eq!(encoded_size(&[0x30, 0x82, 0x04, 0x00]), Ok(Some(4 + 1024)));
        assert_eq!(encoded_size(&[0x30, 0x84]), Err(CardDataError::Unsupported));
        assert_eq!(encoded_size(&[]), Ok(None));
    }

    #[test]
    fn digest_info_has_sha256_prefix() {
        let info = sha256_digest_info(b"abc");
        assert_eq!(info.len(), 51);
        assert_eq!(&info[..4], [0x30, 0x31, 0x30, 0x0D]);
        assert_eq!(&info[19..23], [0xBA, 0x78, 0x16, 0xBF]);
    }
}
