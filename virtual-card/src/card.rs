//! The pure card engine: command bytes in, response bytes out, no I/O.
//!
//! A [`Card`] is built from [`CardData`] (what a profile and the test PKI describe) and a
//! [`CardState`] (PIN counters and changed PINs, which the edge persists). [`Card::exchange`]
//! answers one APDU and says whether the persistent state changed, so the edge can save it
//! before the response goes out.
//!
//! Choices where the real card is not documented (see also DESIGN.md §2):
//! - A PIN that is not set (the face-only card, 顔認証マイナンバーカード) answers VERIFY (also the
//!   retry query) and CHANGE REFERENCE DATA with **6A88** (referenced data not found), distinct
//!   from 6984 (blocked). Its signature certificate, signature key and signature password EFs do
//!   not exist (SELECT → 6A82); its user-auth certificate and CA are readable as usual.
//! - An infant's card without a photo keeps DF27 in the 券面AP record, with length 0.
//! - 照合番号A/B have 10 tries (assumed).
//! - Security status is forgotten when another DF is selected, on reset, and for a PIN whose
//!   VERIFY fails.
//! - READ BINARY / VERIFY on a key EF, or READ BINARY on a PIN EF → 6982 (never readable).
//! - JPKI EF 0008 (certificate presence): byte 0 = user-auth cert, byte 1 = signature cert
//!   (8F present, 00 absent), byte 2 = 00; `8F 8F 00` when both are present.
//! - 券面AP DF24 holds the card's user-auth public key (SubjectPublicKeyInfo DER) and DF28 the
//!   card's RSA PKCS#1 v1.5 SHA-256 signature with that key over the values of DF22, DF23,
//!   DF25, DF26, DF27, DF29 and DF2A concatenated. DF25/DF26/DF2A (name, address and security
//!   code images) are blank 1×1 PNGs: the text itself is in the 入力補助AP.
//! - DF21 of both records holds the 2-byte big-endian offset, from the start of the file, of
//!   each following TLV's tag.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};

use crate::apdu::{
    ChangeReferenceData, Command, CommandApdu, ComputeDigitalSignature, FileId, KeyTarget,
    PinTarget, ReadBinary, ReadTarget, ResponseApdu, Select, StatusWord, Verify,
};
use crate::profile::Secret;
use crate::state::{CardState, PinRecord};

/// ATR of a contactless My Number card as pcsc-tools lists it.
pub const CONTACTLESS_ATR: [u8; 13] = [
    0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05, 0xE0, 0xB3, 0x81, 0xA1, 0x00, 0x7F,
];

/// Application identifiers (DF names).
pub mod aid {
    /// JPKI AP (公的個人認証AP).
    pub const JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
    /// 券面事項入力補助AP (text of the card face: My Number, basic four).
    pub const TEXT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
    /// 券面AP (card-face images and photo).
    pub const FACE: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];
    /// 住基AP (resident registry; selectable, no files modelled).
    pub const JUKI: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01];
}

/// File identifiers of the EFs.
pub mod fid {
    use crate::apdu::FileId;
    /// JPKI: signature certificate (needs the signature password).
    pub const JPKI_SIGN_CERT: FileId = 0x0001;
    /// JPKI: CA certificate of the signature certificate.
    pub const JPKI_SIGN_CA_CERT: FileId = 0x0002;
    /// JPKI: token info (160 bytes).
    pub const JPKI_TOKEN_INFO: FileId = 0x0006;
    /// JPKI: certificate presence.
    pub const JPKI_CERT_PRESENCE: FileId = 0x0008;
    /// JPKI: user-auth certificate (利用者証明用電子証明書).
    pub const JPKI_AUTH_CERT: FileId = 0x000A;
    /// JPKI: CA certificate of the user-auth certificate.
    pub const JPKI_AUTH_CA_CERT: FileId = 0x000B;
    /// JPKI: user-auth private key.
    pub const JPKI_AUTH_KEY: FileId = 0x0017;
    /// JPKI: user-auth PIN (4 digits, 3 tries).
    pub const JPKI_AUTH_PIN: FileId = 0x0018;
    /// JPKI: signature private key.
    pub const JPKI_SIGN_KEY: FileId = 0x001A;
    /// JPKI: signature password (6–16 of A–Z0–9, 5 tries).
    pub const JPKI_SIGN_PIN: FileId = 0x001B;
    /// 入力補助AP: My Number (個人番号).
    pub const TEXT_MY_NUMBER: FileId = 0x0001;
    /// 入力補助AP: basic four (基本4情報).
    pub const TEXT_BASIC_FOUR: FileId = 0x0002;
    /// 入力補助AP: PIN.
    pub const TEXT_PIN: FileId = 0x0011;
    /// 入力補助AP: 照合番号A (the My Number).
    pub const TEXT_MATCH_A: FileId = 0x0014;
    /// 入力補助AP: 照合番号B.
    pub const TEXT_MATCH_B: FileId = 0x0015;
    /// 券面AP: card-face record (with the photo).
    pub const FACE_RECORD: FileId = 0x0002;
    /// 券面AP: 照合番号B.
    pub const FACE_MATCH_B: FileId = 0x0012;
    /// 券面AP: 照合番号A.
    pub const FACE_MATCH_A: FileId = 0x0013;
}

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
    pub my_number: Secret,
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
            PinId::TextMatchA | PinId::FaceMatchA => Some(self.holder.my_number.clone()),
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

/// Who may read an EF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone.
    Always,
    /// After any one of these PINs is verified in this session.
    AnyOf(&'static [PinId]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyId {
    Auth,
    Sign,
}

impl KeyId {
    fn pin(self) -> PinId {
        match self {
            KeyId::Auth => PinId::JpkiAuth,
            KeyId::Sign => PinId::JpkiSign,
        }
    }
}

#[derive(Debug, Clone)]
enum Ef {
    Binary { data: Vec<u8>, access: Access },
    Pin(PinId),
    Key(KeyId),
}

#[derive(Debug, Clone)]
struct Application {
    aid: [u8; 10],
    files: Vec<(FileId, Ef)>,
}

impl Application {
    fn file(&self, fid: FileId) -> Option<&Ef> {
        self.files.iter().find(|(f, _)| *f == fid).map(|(_, ef)| ef)
    }
}

const TEXT_ACCESS: Access = Access::AnyOf(&[PinId::TextPin, PinId::TextMatchA, PinId::TextMatchB]);
const FACE_ACCESS: Access = Access::AnyOf(&[PinId::FaceMatchA, PinId::FaceMatchB]);

/// The answer to one command, and whether the persistent state (PIN counters, changed PINs)
/// changed: if so the edge must persist [`Card::state`] before sending `response`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Response data and SW1 SW2.
    pub response: Vec<u8>,
    /// True if [`Card::state`] changed while answering.
    pub state_changed: bool,
}

/// A virtual My Number card. Pure: no I/O. Cloning gives an independent card in the same state.
#[derive(Clone)]
pub struct Card {
    apps: Vec<Application>,
    auth_key: PrivateKey,
    sign_key: Option<PrivateKey>,
    issued: BTreeMap<PinId, Option<Secret>>,
    state: CardState,
    state_generation: u64,
    current_app: Option<usize>,
    current_ef: Option<FileId>,
    verified: BTreeSet<PinId>,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("state", &self.state)
            .field("state_generation", &self.state_generation)
            .field("current_app", &self.current_app)
            .field("current_ef", &self.current_ef)
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

impl Card {
    /// Builds a card from its data with the state as issued ([`CardState::issued`]).
    pub fn new(data: &CardData) -> Card {
        Card::with_state(data, CardState::issued())
    }

    /// Builds a card from its data and a saved state (PIN counters, changed PINs).
    pub fn with_state(data: &CardData, state: CardState) -> Card {
        let issued = PinId::ALL
            .iter()
            .map(|p| (*p, data.issued_value(*p)))
            .collect();
        Card {
            apps: build_applications(data),
            auth_key: data.auth.key.clone(),
            sign_key: data.sign.as_ref().map(|s| s.key.clone()),
            issued,
            state,
            state_generation: 0,
            current_app: None,
            current_ef: None,
            verified: BTreeSet::new(),
        }
    }

    /// The answer to reset (contactless My Number card).
    pub fn atr(&self) -> &[u8] {
        &CONTACTLESS_ATR
    }

    /// Warm reset: forgets the selection and every verified PIN. Counters stay.
    pub fn reset(&mut self) {
        self.current_app = None;
        self.current_ef = None;
        self.verified.clear();
    }

    /// The persistent state (PIN counters and changed PINs).
    pub fn state(&self) -> &CardState {
        &self.state
    }

    /// Counts changes of [`Card::state`] since the card was built.
    pub fn state_generation(&self) -> u64 {
        self.state_generation
    }

    /// Tries left for a piece of reference data (as stored; a PIN never used has its maximum).
    pub fn tries_left(&self, pin: PinId) -> u8 {
        self.record(pin).tries_left
    }

    /// True if the PIN is verified in this session.
    pub fn is_verified(&self, pin: PinId) -> bool {
        self.verified.contains(&pin)
    }

    /// Answers one command APDU (response data and SW1 SW2). Use [`Card::exchange`] at an edge
    /// that persists the state.
    pub fn execute(&mut self, command: &[u8]) -> Vec<u8> {
        self.exchange(command).response
    }

    /// Answers one command APDU and says whether the persistent state changed.
    pub fn exchange(&mut self, command: &[u8]) -> Exchange {
        let before = self.state_generation;
        let response = match CommandApdu::parse(command) {
            Err(e) => ResponseApdu::status(e.status_word()),
            Ok(apdu) => match Command::parse(&apdu) {
                Err(sw) => ResponseApdu::status(sw),
                Ok(cmd) => self.dispatch(cmd),
            },
        };
        Exchange {
            response: response.to_bytes(),
            state_changed: self.state_generation != before,
        }
    }

    fn dispatch(&mut self, cmd: Command) -> ResponseApdu {
        let result = match cmd {
            Command::Select(c) => self.select(c),
            Command::ReadBinary(c) => self.read_binary(c),
            Command::Verify(c) => self.verify(c),
            Command::ChangeReferenceData(c) => self.change_reference_data(c),
            Command::ComputeDigitalSignature(c) => self.compute_digital_signature(c),
        };
        match result {
            Ok(resp) => resp,
            Err(sw) => ResponseApdu::status(sw),
        }
    }

    fn app(&self) -> Option<&Application> {
        self.current_app.and_then(|i| self.apps.get(i))
    }

    fn record(&self, pin: PinId) -> PinRecord {
        self.state.pins.get(&pin).cloned().unwrap_or(PinRecord {
            tries_left: pin.max_tries(),
            changed_value: None,
        })
    }

    fn set_record(&mut self, pin: PinId, record: PinRecord) {
        if self.state.pins.get(&pin) != Some(&record) {
            // A record equal to the issued default is stored too: the state file then says so.
            self.state.pins.insert(pin, record);
            self.state_generation += 1;
        }
    }

    fn current_value(&self, pin: PinId) -> Option<Secret> {
        let record = self.record(pin);
        match record.changed_value {
            Some(v) => Some(v),
            None => self.issued.get(&pin).cloned().flatten(),
        }
    }

    fn select(&mut self, select: Select) -> Result<ResponseApdu, StatusWord> {
        match select {
            Select::DfByName(name) => {
                let index = self
                    .apps
                    .iter()
                    .position(|a| a.aid.as_slice() == name.as_slice())
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                if self.current_app != Some(index) {
                    self.verified.clear();
                }
                self.current_app = Some(index);
                self.current_ef = None;
            }
            Select::MasterFile => {
                if self.current_app.is_some() {
                    self.verified.clear();
                }
                self.current_app = None;
                self.current_ef = None;
            }
            Select::EfById(fid) => {
                let app = self.app().ok_or(StatusWord::FILE_NOT_FOUND)?;
                app.file(fid).ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.current_ef = Some(fid);
            }
        }
        Ok(ResponseApdu::status(StatusWord::OK))
    }

    fn short_ef(&self, sfi: u8) -> Result<(FileId, &Ef), StatusWord> {
        let app = self.app().ok_or(StatusWord::FILE_NOT_FOUND)?;
        let fid = FileId::from(sfi);
        app.file(fid)
            .map(|ef| (fid, ef))
            .ok_or(StatusWord::FILE_NOT_FOUND)
    }

    fn current(&self) -> Result<&Ef, StatusWord> {
        let fid = self.current_ef.ok_or(StatusWord::NO_CURRENT_EF)?;
        self.app()
            .and_then(|a| a.file(fid))
            .ok_or(StatusWord::NO_CURRENT_EF)
    }

    fn read_binary(&mut self, read: ReadBinary) -> Result<ResponseApdu, StatusWord> {
        let ef = match read.target {
            ReadTarget::CurrentEf => self.current()?,
            ReadTarget::ShortEf(sfi) => {
                let (fid, _) = self.short_ef(sfi)?;
                self.current_ef = Some(fid);
                self.current()?
            }
        };
        let (data, access) = match ef {
            Ef::Binary { data, access } => (data, *access),
            Ef::Pin(_) | Ef::Key(_) => return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
        };
        if let Access::AnyOf(pins) = access {
            if !pins.iter().any(|p| self.verified.contains(p)) {
                return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
            }
        }
        if read.offset >= data.len() {
            return Err(StatusWord::OFFSET_OUTSIDE_EF);
        }
        let end = read.offset.saturating_add(read.le).min(data.len());
        let chunk = data
            .get(read.offset..end)
            .ok_or(StatusWord::OFFSET_OUTSIDE_EF)?;
        Ok(ResponseApdu::new(chunk.to_vec(), StatusWord::OK))
    }

    fn pin_of(&self, target: PinTarget) -> Result<PinId, StatusWord> {
        let ef = match target {
            PinTarget::CurrentEf => self.current()?,
            PinTarget::ShortEf(ef) => self
                .short_ef(ef)
                .map(|(_, ef)| ef)
                .map_err(|_| StatusWord::REFERENCED_DATA_NOT_FOUND)?,
        };
        match ef {
            Ef::Pin(pin) => Ok(*pin),
            Ef::Key(_) => Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
            Ef::Binary { .. } => Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
        }
    }

    fn verify(&mut self, verify: Verify) -> Result<ResponseApdu, StatusWord> {
        let pin = self.pin_of(verify.target)?;
        let expected = self
            .current_value(pin)
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        let record = self.record(pin);
        let Some(given) = verify.pin else {
            // Retry-counter query: always 63Cx, also right after a success and when blocked.
            return Err(StatusWord::verify_failed(record.tries_left));
        };
        if record.tries_left == 0 {
            self.verified.remove(&pin);
            return Err(StatusWord::REFERENCE_DATA_NOT_USABLE);
        }
        if constant_time_eq(expected.expose().as_bytes(), &given.0) {
            self.set_record(
                pin,
                PinRecord {
                    tries_left: pin.max_tries(),
                    changed_value: record.changed_value,
                },
            );
            self.verified.insert(pin);
            Ok(ResponseApdu::status(StatusWord::OK))
        } else {
            let tries_left = record.tries_left.saturating_sub(1);
            self.set_record(
                pin,
                PinRecord {
                    tries_left,
                    changed_value: record.changed_value,
                },
            );
            self.verified.remove(&pin);
            Err(StatusWord::verify_failed(tries_left))
        }
    }

    fn change_reference_data(
        &mut self,
        change: ChangeReferenceData,
    ) -> Result<ResponseApdu, StatusWord> {
        let pin = self.pin_of(change.target)?;
        if self.current_value(pin).is_none() {
            return Err(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        if !pin.changeable() {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let record = self.record(pin);
        if record.tries_left == 0 {
            return Err(StatusWord::REFERENCE_DATA_NOT_USABLE);
        }
        if !self.verified.contains(&pin) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        if !pin.format().accepts(&change.new_pin.0) {
            return Err(StatusWord::WRONG_DATA);
        }
        let new_value =
            String::from_utf8(change.new_pin.0.clone()).map_err(|_| StatusWord::WRONG_DATA)?;
        self.set_record(
            pin,
            PinRecord {
                tries_left: pin.max_tries(),
                changed_value: Some(Secret::new(new_value)),
            },
        );
        Ok(ResponseApdu::status(StatusWord::OK))
    }

    fn compute_digital_signature(
        &mut self,
        cds: ComputeDigitalSignature,
    ) -> Result<ResponseApdu, StatusWord> {
        let ef = match cds.target {
            KeyTarget::CurrentEf => self.current()?,
            KeyTarget::ShortEf(ef) => self
                .short_ef(ef)
                .map(|(_, ef)| ef)
                .map_err(|_| StatusWord::REFERENCED_DATA_NOT_FOUND)?,
        };
        let key_id = match ef {
            Ef::Key(k) => *k,
            Ef::Pin(_) | Ef::Binary { .. } => return Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
        };
        if !self.verified.contains(&key_id.pin()) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let key = match key_id {
            KeyId::Auth => Some(&self.auth_key),
            KeyId::Sign => self.sign_key.as_ref(),
        }
        .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        // PKCS#1 v1.5 type 1 needs 11 bytes of padding: at most 245 bytes of DigestInfo.
        if cds.digest_info.len() + 11 > key.size() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let signature = key
            .sign(Pkcs1v15Sign::new_unprefixed(), &cds.digest_info)
            .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
        Ok(ResponseApdu::new(signature, StatusWord::OK))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A blank 1×1 white PNG (stand-in for the card's text images).
const BLANK_PNG: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0x0F, 0x00, 0x01,
    0x01, 0x01, 0x00, 0xB1, 0x38, 0xF6, 0x14, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// BER length octets.
pub fn ber_length(len: usize) -> Vec<u8> {
    match len {
        0..=0x7F => vec![len as u8],
        0x80..=0xFF => vec![0x81, len as u8],
        0x100..=0xFFFF => vec![0x82, (len >> 8) as u8, len as u8],
        _ => vec![0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8],
    }
}

fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    out.extend(ber_length(value.len()));
    out.extend_from_slice(value);
    out
}

/// `FF 20 L { DF21 offsets, items... }`: DF21 holds the 2-byte offset of each item's tag.
fn ff20_record(items: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let encoded: Vec<Vec<u8>> = items.iter().map(|(t, v)| tlv(&[0xDF, *t], v)).collect();
    let offsets_len = 2 * items.len();
    let df21_len = tlv(&[0xDF, 0x21], &vec![0; offsets_len]).len();
    let content_len = df21_len + encoded.iter().map(Vec::len).sum::<usize>();
    let header_len = 2 + ber_length(content_len).len();
    let mut offsets = Vec::with_capacity(offsets_len);
    let mut at = header_len + df21_len;
    for e in &encoded {
        offsets.extend_from_slice(&(at.min(0xFFFF) as u16).to_be_bytes());
        at += e.len();
    }
    let mut content = tlv(&[0xDF, 0x21], &offsets);
    for e in encoded {
        content.extend(e);
    }
    tlv(&[0xFF, 0x20], &content)
}

fn token_info() -> Vec<u8> {
    let mut info = b"JPKIAPICCTOKEN2".to_vec();
    info.resize(160, b' ');
    info
}

fn build_applications(data: &CardData) -> Vec<Application> {
    let mut jpki = vec![
        (
            fid::JPKI_TOKEN_INFO,
            Ef::Binary {
                data: token_info(),
                access: Access::Always,
            },
        ),
        (
            fid::JPKI_CERT_PRESENCE,
            Ef::Binary {
                data: vec![0x8F, if data.sign.is_some() { 0x8F } else { 0x00 }, 0x00],
                access: Access::Always,
            },
        ),
        (
            fid::JPKI_AUTH_CERT,
            Ef::Binary {
                data: data.auth.cert_der.clone(),
                access: Access::Always,
            },
        ),
        (
            fid::JPKI_AUTH_CA_CERT,
            Ef::Binary {
                data: data.auth.ca_cert_der.clone(),
                access: Access::Always,
            },
        ),
        (fid::JPKI_AUTH_KEY, Ef::Key(KeyId::Auth)),
        (fid::JPKI_AUTH_PIN, Ef::Pin(PinId::JpkiAuth)),
    ];
    if let Some(sign) = &data.sign {
        jpki.push((
            fid::JPKI_SIGN_CERT,
            Ef::Binary {
                data: sign.cert_der.clone(),
                access: Access::AnyOf(&[PinId::JpkiSign]),
            },
        ));
        jpki.push((
            fid::JPKI_SIGN_CA_CERT,
            Ef::Binary {
                data: sign.ca_cert_der.clone(),
                access: Access::Always,
            },
        ));
        jpki.push((fid::JPKI_SIGN_KEY, Ef::Key(KeyId::Sign)));
        jpki.push((fid::JPKI_SIGN_PIN, Ef::Pin(PinId::JpkiSign)));
    }

    let mut my_number = vec![0xFF, 0x10, 0x0C];
    my_number.extend_from_slice(data.holder.my_number.expose().as_bytes());
    my_number.extend_from_slice(&[0xFF, 0xFF]);
    let birth = data.holder.birth.format("%Y%m%d").to_string().into_bytes();
    let basic_four = ff20_record(&[
        (0x22, data.holder.name.as_bytes().to_vec()),
        (0x23, data.holder.address.as_bytes().to_vec()),
        (0x24, birth.clone()),
        (0x25, vec![data.holder.sex.code()]),
    ]);
    let text = vec![
        (
            fid::TEXT_MY_NUMBER,
            Ef::Binary {
                data: my_number,
                access: TEXT_ACCESS,
            },
        ),
        (
            fid::TEXT_BASIC_FOUR,
            Ef::Binary {
                data: basic_four,
                access: TEXT_ACCESS,
            },
        ),
        (fid::TEXT_PIN, Ef::Pin(PinId::TextPin)),
        (fid::TEXT_MATCH_A, Ef::Pin(PinId::TextMatchA)),
        (fid::TEXT_MATCH_B, Ef::Pin(PinId::TextMatchB)),
    ];

    let face = vec![
        (
            fid::FACE_RECORD,
            Ef::Binary {
                data: face_record(data, birth),
                access: FACE_ACCESS,
            },
        ),
        (fid::FACE_MATCH_B, Ef::Pin(PinId::FaceMatchB)),
        (fid::FACE_MATCH_A, Ef::Pin(PinId::FaceMatchA)),
    ];

    vec![
        Application {
            aid: aid::JPKI,
            files: jpki,
        },
        Application {
            aid: aid::TEXT,
            files: text,
        },
        Application {
            aid: aid::FACE,
            files: face,
        },
        Application {
            aid: aid::JUKI,
            files: Vec::new(),
        },
    ]
}

fn face_record(data: &CardData, birth: Vec<u8>) -> Vec<u8> {
    let public_key = {
        use rsa::pkcs8::EncodePublicKey;
        data.auth
            .key
            .to_public_key()
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    };
    let sex = vec![data.holder.sex.code()];
    let photo = data.photo.clone().unwrap_or_default();
    let expiry = data.expiry.format("%Y%m%d").to_string().into_bytes();
    let signed: [&[u8]; 7] = [
        &birth, &sex, &BLANK_PNG, &BLANK_PNG, &photo, &expiry, &BLANK_PNG,
    ];
    let mut hasher = Sha256::new();
    for part in signed {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let signature = data
        .auth
        .key
        .sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
        .unwrap_or_default();
    ff20_record(&[
        (0x22, birth),
        (0x23, sex),
        (0x24, public_key),
        (0x25, BLANK_PNG.to_vec()),
        (0x26, BLANK_PNG.to_vec()),
        (0x27, photo),
        (0x28, signature),
        (0x29, expiry),
        (0x2A, BLANK_PNG.to_vec()),
    ])
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
    fn ber_lengths() {
        assert_eq!(ber_length(5), vec![5]);
        assert_eq!(ber_length(200), vec![0x81, 200]);
        assert_eq!(ber_length(0x1234), vec![0x82, 0x12, 0x34]);
    }

    #[test]
    fn record_offsets_point_at_tags() {
        let rec = ff20_record(&[(0x22, vec![1; 3]), (0x23, vec![2; 300])]);
        // FF 20 82 LL LL, DF21 04 o1 o1 o2 o2
        assert_eq!(&rec[..2], &[0xFF, 0x20]);
        let o1 = usize::from(u16::from_be_bytes([rec[8], rec[9]]));
        let o2 = usize::from(u16::from_be_bytes([rec[10], rec[11]]));
        assert_eq!(&rec[o1..o1 + 2], &[0xDF, 0x22]);
        assert_eq!(&rec[o2..o2 + 2], &[0xDF, 0x23]);
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
