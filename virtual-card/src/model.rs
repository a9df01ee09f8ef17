//! The card's data model: what a card is built from (a loaded profile plus its PKI files), and the
//! reference data (PINs, 照合番号) it checks. Facts from DESIGN.md §2: tries (user-auth PIN and
//! text PIN 3, signature password 5), formats (4 digits; 6–16 of A–Z0–9), 照合番号A = the My
//! Number, 照合番号B = birth date in 和暦 YYMMDD + expiry year YYYY + security code. 照合番号A/B
//! have 10 tries (assumed: not documented publicly).

use chrono::{Datelike, NaiveDate};
use rsa::PrivateKey;

use crate::atr::Atr;
use crate::secret::{MyNumber, Secret};

/// Every piece of reference data (PIN or 照合番号) the card checks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum PinId {
    /// JPKI user-auth PIN (利用者証明用電子証明書の暗証番号), EF 0018.
    JpkiAuth,
    /// JPKI signature password (署名用電子証明書の暗証番号), EF 001B.
    JpkiSign,
    /// 入力補助AP PIN (券面事項入力補助用暗証番号), EF 0011.
    TextPin,
    /// 入力補助AP 照合番号A (the My Number), EF 0014.
    TextMatchA,
    /// 入力補助AP 照合番号B (birth 和暦 YYMMDD + expiry YYYY + security code), EF 0015.
    TextMatchB,
    /// 券面AP 照合番号A, EF 0013.
    FaceMatchA,
    /// 券面AP 照合番号B, EF 0012.
    FaceMatchB,
}

/// The format a PIN must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinFormat {
    /// Exactly this many ASCII digits.
    Digits(usize),
    /// 6–16 of A–Z and 0–9 (the signature password).
    SignPassword,
}

impl PinFormat {
    /// True if `value` has this format.
    pub fn accepts(self, value: &[u8]) -> bool {
        match self {
            PinFormat::Digits(n) => value.len() == n && value.iter().all(u8::is_ascii_digit),
            PinFormat::SignPassword => {
                (6..=16).contains(&value.len())
                    && value
                        .iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            }
        }
    }
}

impl PinId {
    /// All of them.
    pub const ALL: [PinId; 7] = [
        PinId::JpkiAuth,
        PinId::JpkiSign,
        PinId::TextPin,
        PinId::TextMatchA,
        PinId::TextMatchB,
        PinId::FaceMatchA,
        PinId::FaceMatchB,
    ];

    /// Tries of a fresh (or reset) counter.
    pub fn max_tries(self) -> u8 {
        match self {
            PinId::JpkiAuth | PinId::TextPin => 3,
            PinId::JpkiSign => 5,
            PinId::TextMatchA | PinId::TextMatchB | PinId::FaceMatchA | PinId::FaceMatchB => 10,
        }
    }

    /// The format of its value.
    pub fn format(self) -> PinFormat {
        match self {
            PinId::JpkiAuth | PinId::TextPin => PinFormat::Digits(4),
            PinId::JpkiSign => PinFormat::SignPassword,
            PinId::TextMatchA | PinId::FaceMatchA => PinFormat::Digits(12),
            PinId::TextMatchB | PinId::FaceMatchB => PinFormat::Digits(14),
        }
    }

    /// True if the holder can change it with CHANGE REFERENCE DATA (照合番号 cannot).
    pub fn changeable(self) -> bool {
        matches!(self, PinId::JpkiAuth | PinId::JpkiSign | PinId::TextPin)
    }
}

/// Kind of card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardKind {
    /// A standard card with PINs and both certificates.
    Standard,
    /// 顔認証マイナンバーカード: no PINs set, no signature certificate.
    FaceOnly,
    /// An infant's card (under 1 year): no photo; PIN only.
    Infant,
}

/// Sex as the card stores it (DF25 of the basic four: 1 male, 2 female, 9 not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sex {
    /// 男, code 1.
    Male,
    /// 女, code 2.
    Female,
    /// 適用不能, code 9.
    NotApplicable,
}

impl Sex {
    /// The ASCII code on the card.
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => b'1',
            Sex::Female => b'2',
            Sex::NotApplicable => b'9',
        }
    }
}

/// The card holder as the card face shows them.
#[derive(Debug, Clone)]
pub struct Holder {
    /// 個人番号 (12 digits); redacted in Debug.
    pub my_number: MyNumber,
    /// Name (氏名), UTF-8 with a full-width space.
    pub name: String,
    /// Address (住所).
    pub address: String,
    /// Birth date (生年月日).
    pub birth: NaiveDate,
    /// Sex (性別).
    pub sex: Sex,
}

/// A certificate with its CA certificate and the private key (never readable from the card).
#[derive(Clone)]
pub struct KeyMaterial {
    /// Certificate (DER).
    pub cert_der: Vec<u8>,
    /// Its issuing CA's certificate (DER).
    pub ca_cert_der: Vec<u8>,
    /// The RSA-2048 private key.
    pub key: PrivateKey,
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyMaterial")
            .field("cert_der_len", &self.cert_der.len())
            .field("ca_cert_der_len", &self.ca_cert_der.len())
            .field("key", &"***")
            .finish()
    }
}

/// The holder's PINs as issued; `None` where not set (face-only card).
#[derive(Debug, Clone, Default)]
pub struct IssuedPins {
    /// JPKI user-auth PIN (4 digits).
    pub auth: Option<Secret>,
    /// JPKI signature password (6–16 of A–Z0–9).
    pub sign: Option<Secret>,
    /// 入力補助AP PIN (4 digits).
    pub text: Option<Secret>,
}

/// Everything a card is built from (a loaded profile plus its PKI files).
#[derive(Clone)]
pub struct CardData {
    /// Kind of card.
    pub kind: CardKind,
    /// The holder.
    pub holder: Holder,
    /// Card expiry date (有効期限), printed on the card.
    pub expiry: NaiveDate,
    /// 4-digit security code printed on the card (セキュリティコード).
    pub security_code: Secret,
    /// Face photo, JPEG 2000; `None` for an infant's card.
    pub photo: Option<Vec<u8>>,
    /// User-auth certificate, its CA and key.
    pub auth: KeyMaterial,
    /// Signature certificate, its CA and key; `None` on a face-only card.
    pub sign: Option<KeyMaterial>,
    /// PINs as issued.
    pub pins: IssuedPins,
    /// The answer to reset the card presents.
    pub atr: Atr,
}

impl std::fmt::Debug for CardData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardData")
            .field("kind", &self.kind)
            .field("holder", &self.holder)
            .field("expiry", &self.expiry)
            .field("security_code", &self.security_code)
            .field("photo_len", &self.photo.as_ref().map(Vec::len))
            .field("auth", &self.auth)
            .field("sign", &self.sign)
            .field("pins", &self.pins)
            .field("atr", &self.atr)
            .finish()
    }
}

impl CardData {
    /// 照合番号B: birth date in 和暦 YYMMDD + expiry year YYYY + security code (14 digits).
    pub fn match_number_b(&self) -> String {
        format!(
            "{}{:04}{}",
            wareki_yymmdd(self.holder.birth),
            self.expiry.year(),
            self.security_code.expose()
        )
    }

    /// The value of a piece of reference data as issued; `None` when not set.
    pub fn issued_value(&self, pin: PinId) -> Option<Secret> {
        match pin {
            PinId::JpkiAuth => self.pins.auth.clone(),
            PinId::JpkiSign => self.sign.as_ref().and(self.pins.sign.clone()),
            PinId::TextPin => self.pins.text.clone(),
            PinId::TextMatchA | PinId::FaceMatchA => {
                Some(Secret::new(self.holder.my_number.expose().to_owned()))
            }
            PinId::TextMatchB | PinId::FaceMatchB => Some(Secret::new(self.match_number_b())),
        }
    }
}

/// A date in 和暦 as YYMMDD (era year, month, day): 令和 from 2019-05-01, 平成 from 1989-01-08,
/// 昭和 from 1926-12-25, 大正 from 1912-07-30, 明治 before.
pub fn wareki_yymmdd(date: NaiveDate) -> String {
    let eras = [
        (2019, 5, 1),
        (1989, 1, 8),
        (1926, 12, 25),
        (1912, 7, 30),
        (1868, 1, 25),
    ];
    let mut era_start_year = 1868;
    for (y, m, d) in eras {
        if let Some(start) = NaiveDate::from_ymd_opt(y, m, d) {
            if date >= start {
                era_start_year = y;
                break;
            }
        }
    }
    let era_year = (date.year() - era_start_year + 1).rem_euclid(100);
    format!("{:02}{:02}{:02}", era_year, date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wareki() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(wareki_yymmdd(d(1980, 4, 1)), "550401");
        assert_eq!(wareki_yymmdd(d(1989, 1, 7)), "640107");
        assert_eq!(wareki_yymmdd(d(1989, 1, 8)), "010108");
        assert_eq!(wareki_yymmdd(d(2019, 4, 30)), "310430");
        assert_eq!(wareki_yymmdd(d(2019, 5, 5)), "010505");
        assert_eq!(wareki_yymmdd(d(2026, 3, 1)), "080301");
    }

    #[test]
    fn format_checks() {
        assert!(PinFormat::Digits(4).accepts(b"1234"));
        assert!(!PinFormat::Digits(4).accepts(b"12345"));
        assert!(!PinFormat::Digits(4).accepts(b"12a4"));
        assert!(PinFormat::SignPassword.accepts(b"ABC123"));
        assert!(!PinFormat::SignPassword.accepts(b"abc123"));
        assert!(!PinFormat::SignPassword.accepts(b"AB12"));
    }
}
