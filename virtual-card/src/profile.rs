//! Card profiles: one TOML file per card under `fixtures/cards/<person-id>.toml`, referring to a
//! person in `fixtures/people.toml`, a face photo (`fixtures/faces/<person-id>.jp2`) and the test
//! PKI (`fixtures/pki`). See `fixtures/cards/README.md` for the format.
//!
//! Parsing ([`CardProfile::from_toml_str`], [`People::from_toml_str`], [`CardProfile::validate`])
//! is pure; [`load`] reads the files and builds [`CardData`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rsa::pkcs8::DecodePrivateKey;

use crate::atr::Atr;
use crate::card::Card;
use crate::card_state::CardState;
use crate::model::{CardData, CardKind, Holder, IssuedPins, KeyMaterial, PinFormat, PinId, Sex};
use crate::pki_paths::PkiPaths;
use crate::secret::{MyNumber, Secret};

/// Errors of card profiles, people and the files they name.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not valid TOML of the expected shape.
    #[error("{what} is not valid: {message}")]
    Syntax {
        /// Which file or text.
        what: String,
        /// The parser's message.
        message: String,
    },
    /// The profile names a person not in people.toml.
    #[error("unknown person {0:?} (not in people.toml)")]
    UnknownPerson(String),
    /// A field has a value the card cannot have.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// The profile names a photo file that does not exist.
    #[error("photo {0} is missing (faces are made by the face fixtures command)")]
    PhotoMissing(PathBuf),
    /// A PKI file is missing or bad.
    #[error("PKI file {path}: {reason} (run `virtual-card mint`)")]
    Pki {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

fn invalid(field: &str, reason: impl Into<String>) -> ProfileError {
    ProfileError::Invalid {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// A person of `fixtures/people.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Person {
    /// Identifier used by every other fixture.
    pub id: String,
    /// Name with a full-width space.
    pub name: String,
    /// Name in katakana.
    pub kana: String,
    /// Birth date.
    pub birth: NaiveDate,
    /// "male" or "female".
    pub sex: PersonSex,
    /// Postal code 123-4567.
    pub post_code: String,
    /// Address.
    pub address: String,
    /// 個人番号, 12 digits (redacted in Debug).
    pub my_number: MyNumber,
    /// Seed of the synthetic face.
    pub face_seed: u64,
    /// Age shown on the card photo, if not the current age.
    #[serde(default)]
    pub photo_age_years: Option<u32>,
}

/// Sex in people.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonSex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl From<PersonSex> for Sex {
    fn from(s: PersonSex) -> Sex {
        match s {
            PersonSex::Male => Sex::Male,
            PersonSex::Female => Sex::Female,
        }
    }
}

/// `fixtures/people.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct People {
    /// Every person.
    #[serde(rename = "person", default)]
    pub people: Vec<Person>,
}

impl People {
    /// Parses people.toml's text.
    pub fn from_toml_str(text: &str) -> Result<People, ProfileError> {
        toml::from_str(text).map_err(|e| ProfileError::Syntax {
            what: "people.toml".into(),
            message: e.to_string(),
        })
    }

    /// Reads a people.toml file.
    pub fn load(path: &Path) -> Result<People, ProfileError> {
        People::from_toml_str(&read_text(path)?)
    }

    /// The person with this id.
    pub fn get(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }
}

/// The PINs a profile sets (all absent on a face-only card).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePins {
    /// JPKI user-auth PIN, 4 digits.
    pub auth: Option<Secret>,
    /// JPKI signature password, 6–16 of A–Z0–9.
    pub sign: Option<Secret>,
    /// 入力補助AP PIN, 4 digits.
    pub text: Option<Secret>,
}

/// How the test PKI issues this card's certificates (read by `virtual-card mint`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificatePlan {
    /// Last day the user-auth certificate is valid, if not the card's expiry (an expired cert).
    #[serde(default, deserialize_with = "de_opt_date")]
    pub auth_not_after: Option<NaiveDate>,
    /// True if the user-auth certificate is on the auth CA's CRL.
    #[serde(default)]
    pub revoked: bool,
}

/// A date written either as a TOML date (`2024-04-01`) or as a string (`"2024-04-01"`).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum DateRepr {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateRepr {
    fn to_date(&self) -> Result<NaiveDate, String> {
        match self {
            DateRepr::Toml(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                        .ok_or_else(|| format!("{dt} is not a date"))
                }
                _ => Err(format!("{dt}: expected a date without a time")),
            },
            DateRepr::Text(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| format!("{s:?} is not a YYYY-MM-DD date: {e}")),
        }
    }
}

fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let repr = <DateRepr as serde::Deserialize>::deserialize(d)?;
    repr.to_date().map_err(serde::de::Error::custom)
}

fn de_opt_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    de_date(d).map(Some)
}

/// One card profile file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardProfile {
    /// Person id in people.toml.
    pub person: String,
    /// Kind of card.
    pub kind: CardKind,
    /// Date the card was issued (start of the certificates' validity).
    #[serde(deserialize_with = "de_date")]
    pub issued: NaiveDate,
    /// Card expiry date (有効期限).
    #[serde(deserialize_with = "de_date")]
    pub expiry: NaiveDate,
    /// Security code printed on the card (4 digits).
    pub security_code: Secret,
    /// Face photo (JPEG 2000), relative to the profile file; absent for an infant's card.
    #[serde(default)]
    pub photo: Option<PathBuf>,
    /// Test PKI root folder, relative to the profile file (default `../pki`).
    #[serde(default)]
    pub pki: Option<PathBuf>,
    /// people.toml, relative to the profile file (default `../people.toml`).
    #[serde(default)]
    pub people: Option<PathBuf>,
    /// PINs as issued.
    #[serde(default)]
    pub pins: ProfilePins,
    /// Tries left at issue where lower than the maximum (e.g. `jpki-auth = 0`: already locked).
    #[serde(default)]
    pub tries_left: BTreeMap<PinId, u8>,
    /// Certificate plan for the test PKI.
    #[serde(default)]
    pub certificate: CertificatePlan,
    /// The answer to reset: a variant name (`contactless`, the default; `contact`; `contact-c5`;
    /// `contactless-f5`) or hex bytes. See [`crate::atr`].
    #[serde(default)]
    pub atr: Atr,
    /// Free text about the card.
    #[serde(default)]
    pub note: Option<String>,
}

impl CardProfile {
    /// Parses a profile's text (pure; does not look at other files). Also validates it.
    pub fn from_toml_str(text: &str) -> Result<CardProfile, ProfileError> {
        let profile: CardProfile = toml::from_str(text).map_err(|e| ProfileError::Syntax {
            what: "card profile".into(),
            message: e.to_string(),
        })?;
        profile.validate()?;
        Ok(profile)
    }

    /// Checks the fields against each other and the card's formats.
    pub fn validate(&self) -> Result<(), ProfileError> {
        if self.person.is_empty() {
            return Err(invalid("person", "empty"));
        }
        if self.expiry <= self.issued {
            return Err(invalid("expiry", "not after the issue date"));
        }
        if !PinFormat::Digits(4).accepts(self.security_code.expose().as_bytes()) {
            return Err(invalid("security_code", "must be 4 digits"));
        }
        let pins = [
            ("pins.auth", &self.pins.auth, PinId::JpkiAuth),
            ("pins.sign", &self.pins.sign, PinId::JpkiSign),
            ("pins.text", &self.pins.text, PinId::TextPin),
        ];
        match self.kind {
            CardKind::FaceOnly => {
                for (field, value, _) in &pins {
                    if value.is_some() {
                        return Err(invalid(field, "a face-only card has no PINs"));
                    }
                }
            }
            CardKind::Standard | CardKind::Infant => {
                for (field, value, pin) in &pins {
                    match value {
                        None => return Err(invalid(field, "required on this kind of card")),
                        Some(v) if !pin.format().accepts(v.expose().as_bytes()) => {
                            let reason = match pin.format() {
                                PinFormat::Digits(n) => format!("must be {n} digits"),
                                PinFormat::SignPassword => "must be 6–16 of A–Z and 0–9".to_owned(),
                            };
                            return Err(invalid(field, reason));
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        match (self.kind, &self.photo) {
            (CardKind::Infant, Some(_)) => {
                return Err(invalid("photo", "an infant's card has no photo"))
            }
            (CardKind::Standard | CardKind::FaceOnly, None) => {
                return Err(invalid("photo", "required on this kind of card"))
            }
            _ => {}
        }
        for (pin, tries) in &self.tries_left {
            if *tries > pin.max_tries() {
                return Err(invalid(
                    "tries_left",
                    format!("{pin:?}: {tries} is above the maximum {}", pin.max_tries()),
                ));
            }
            if self.kind == CardKind::FaceOnly
                && matches!(pin, PinId::JpkiAuth | PinId::JpkiSign | PinId::TextPin)
            {
                return Err(invalid("tries_left", "a face-only card has no PINs"));
            }
        }
        if let Some(not_after) = self.certificate.auth_not_after {
            if not_after <= self.issued {
                return Err(invalid(
                    "certificate.auth_not_after",
                    "not after the issue date",
                ));
            }
        }
        Ok(())
    }

    /// Reads and parses a profile file.
    pub fn load(path: &Path) -> Result<CardProfile, ProfileError> {
        CardProfile::from_toml_str(&read_text(path)?).map_err(|e| match e {
            ProfileError::Syntax { message, .. } => ProfileError::Syntax {
                what: path.display().to_string(),
                message,
            },
            other => other,
        })
    }

    /// The test PKI root, resolved against the profile's folder.
    pub fn pki_root(&self, profile_dir: &Path) -> PathBuf {
        profile_dir.join(self.pki.clone().unwrap_or_else(|| PathBuf::from("../pki")))
    }

    /// people.toml, resolved against the profile's folder.
    pub fn people_path(&self, profile_dir: &Path) -> PathBuf {
        profile_dir.join(
            self.people
                .clone()
                .unwrap_or_else(|| PathBuf::from("../people.toml")),
        )
    }

    /// The initial state: counters as the profile says.
    pub fn initial_state(&self) -> CardState {
        CardState::with_tries_left(&self.tries_left)
    }
}

/// A profile loaded with everything it names.
#[derive(Debug, Clone)]
pub struct LoadedProfile {
    /// The profile.
    pub profile: CardProfile,
    /// The person.
    pub person: Person,
    /// What the card is built from.
    pub data: CardData,
    /// The state as issued (a state file, if any, overrides it).
    pub initial_state: CardState,
}

fn read_text(path: &Path) -> Result<String, ProfileError> {
    std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ProfileError> {
    std::fs::read(path).map_err(|source| ProfileError::Pki {
        path: path.to_path_buf(),
        reason: source.to_string(),
    })
}

fn read_key(path: &Path) -> Result<rsa::PrivateKey, ProfileError> {
    let pem = read_text(path).map_err(|e| ProfileError::Pki {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    rsa::PrivateKey::from_pkcs8_pem(&pem).map_err(|e| ProfileError::Pki {
        path: path.to_path_buf(),
        reason: format!("not an RSA PKCS#8 PEM key: {e}"),
    })
}

/// Largest photo a profile may name: READ BINARY addresses the 券面AP record with 15-bit offsets,
/// so the whole record (photo plus about 1 KiB of other items) must stay below 32 KiB.
pub const MAX_PHOTO_BYTES: usize = 30_000;

/// Loads a card profile and every file it names: the person, the photo and the PKI.
pub fn load(path: &Path) -> Result<LoadedProfile, ProfileError> {
    let profile = CardProfile::load(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let people = People::load(&profile.people_path(dir))?;
    load_with_people(profile, dir, &people)
}

/// Builds a loaded profile from an already parsed profile (relative paths against `profile_dir`).
pub fn load_with_people(
    profile: CardProfile,
    profile_dir: &Path,
    people: &People,
) -> Result<LoadedProfile, ProfileError> {
    let person = people
        .get(&profile.person)
        .cloned()
        .ok_or_else(|| ProfileError::UnknownPerson(profile.person.clone()))?;
    if !person.my_number.is_well_formed() {
        return Err(invalid("person.my_number", "must be 12 digits"));
    }
    let photo = match &profile.photo {
        None => None,
        Some(rel) => {
            let path = profile_dir.join(rel);
            if !path.is_file() {
                return Err(ProfileError::PhotoMissing(path));
            }
            let bytes = std::fs::read(&path).map_err(|source| ProfileError::Io { path, source })?;
            if bytes.len() > MAX_PHOTO_BYTES {
                return Err(invalid(
                    "photo",
                    format!(
                        "{} bytes; at most {MAX_PHOTO_BYTES} fit the 券面AP record",
                        bytes.len()
                    ),
                ));
            }
            Some(bytes)
        }
    };
    let pki = PkiPaths::new(profile.pki_root(profile_dir), &profile.person);
    let auth = KeyMaterial {
        cert_der: read_bytes(&pki.auth_cert())?,
        ca_cert_der: read_bytes(&pki.auth_ca_cert())?,
        key: read_key(&pki.auth_key())?,
    };
    let sign = match profile.kind {
        CardKind::FaceOnly => None,
        CardKind::Standard | CardKind::Infant => Some(KeyMaterial {
            cert_der: read_bytes(&pki.sign_cert())?,
            ca_cert_der: read_bytes(&pki.sign_ca_cert())?,
            key: read_key(&pki.sign_key())?,
        }),
    };
    let data = CardData {
        kind: profile.kind,
        holder: Holder {
            my_number: person.my_number.clone(),
            name: person.name.clone(),
            address: person.address.clone(),
            birth: person.birth,
            sex: person.sex.into(),
        },
        expiry: profile.expiry,
        security_code: profile.security_code.clone(),
        photo,
        auth,
        sign,
        pins: IssuedPins {
            auth: profile.pins.auth.clone(),
            sign: profile.pins.sign.clone(),
            text: profile.pins.text.clone(),
        },
        atr: profile.atr.clone(),
    };
    let initial_state = profile.initial_state();
    Ok(LoadedProfile {
        profile,
        person,
        data,
        initial_state,
    })
}

impl Card {
    /// Loads the card described by the profile at `path`, with its issued state (no state file).
    /// For a card whose state persists, use [`crate::state::PersistentCard::open`].
    pub fn load(path: &Path) -> Result<Card, ProfileError> {
        let loaded = load(path)?;
        Ok(Card::with_state(&loaded.data, loaded.initial_state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STANDARD: &str = r#"
person = "yamada-taro"
kind = "standard"
issued = "2024-04-01"
expiry = "2034-04-01"
security_code = "1234"
photo = "../faces/yamada-taro.jp2"

[pins]
auth = "1234"
sign = "YAMADA2024"
text = "1234"
"#;

    #[test]
    fn parses_a_standard_profile() {
        let p = CardProfile::from_toml_str(STANDARD).unwrap();
        assert_eq!(p.kind, CardKind::Standard);
        assert!(!format!("{p:?}").contains("YAMADA2024"));
    }

    #[test]
    fn rejects_bad_profiles() {
        let cases = [
            (
                STANDARD.replace("auth = \"1234\"", "auth = \"12345\""),
                "pins.auth",
            ),
            (
                STANDARD.replace("sign = \"YAMADA2024\"", "sign = \"abc\""),
                "pins.sign",
            ),
            (
                STANDARD.replace("kind = \"standard\"", "kind = \"face-only\""),
                "pins.auth",
            ),
            (
                STANDARD.replace("kind = \"standard\"", "kind = \"infant\""),
                "photo",
            ),
            (
                STANDARD.replace("security_code = \"1234\"", "security_code = \"12\""),
                "security_code",
            ),
            (
                STANDARD.replace("expiry = \"2034-04-01\"", "expiry = \"2020-04-01\""),
                "expiry",
            ),
            (
                format!("{STANDARD}\n[tries_left]\njpki-auth = 4\n"),
                "tries_left",
            ),
        ];
        for (text, field) in cases {
            match CardProfile::from_toml_str(&text) {
                Err(ProfileError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        assert!(matches!(
            CardProfile::from_toml_str("person = 3"),
            Err(ProfileError::Syntax { .. })
        ));
        assert!(matches!(
            CardProfile::from_toml_str(&format!("{STANDARD}\nunknown = 1\n")),
            Err(ProfileError::Syntax { .. })
        ));
    }

    #[test]
    fn atr_is_a_name_or_hex_and_defaults_to_contactless() {
        let p = CardProfile::from_toml_str(STANDARD).unwrap();
        assert_eq!(p.atr, Atr::Contactless);
        let text = format!("atr = \"contact\"\n{STANDARD}");
        assert_eq!(CardProfile::from_toml_str(&text).unwrap().atr, Atr::Contact);
        let text = format!("atr = \"3B 80 80 01 01\"\n{STANDARD}");
        assert_eq!(
            CardProfile::from_toml_str(&text).unwrap().atr.bytes(),
            [0x3B, 0x80, 0x80, 0x01, 0x01]
        );
        for bad in ["newest", "3B 80 80 01 02"] {
            let text = format!("atr = {bad:?}\n{STANDARD}");
            assert!(
                matches!(
                    CardProfile::from_toml_str(&text),
                    Err(ProfileError::Syntax { .. })
                ),
                "{bad}"
            );
        }
    }
}
