//! Reading a bench file: the raw TOML shape (unknown keys are errors) and its validation into
//! [`crate::config::BenchConfig`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use virtual_card::profile::CardProfile;
use virtual_card::PinId;

use crate::config::{
    pin_key, BenchCard, BenchConfig, BenchReader, Capabilities, ConfigError, DataBits,
    EligibilitySettings, FlowControl, Parity, Problem, ReaderMatch, SafetyLimits, SerialSettings,
    StopBits,
};
use crate::protocol::{Slot, Timeouts};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBench {
    #[serde(default)]
    bench: RawBenchInfo,
    fixture: RawFixture,
    #[serde(default, rename = "reader")]
    readers: Vec<RawReader>,
    #[serde(default, rename = "card")]
    cards: Vec<RawCard>,
    #[serde(default)]
    capabilities: RawCapabilities,
    #[serde(default)]
    safety: RawSafety,
    #[serde(default)]
    eligibility: RawEligibility,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEligibility {
    auth_ca: Option<PathBuf>,
    auth_crl: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBenchInfo {
    name: Option<String>,
}

fn default_baud() -> u32 {
    115_200
}
fn default_data_bits() -> u8 {
    8
}
fn default_stop_bits() -> u8 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixture {
    port: String,
    #[serde(default = "default_baud")]
    baud: u32,
    #[serde(default = "default_data_bits")]
    data_bits: u8,
    #[serde(default)]
    parity: Option<Parity>,
    #[serde(default = "default_stop_bits")]
    stop_bits: u8,
    #[serde(default)]
    flow_control: Option<FlowControl>,
    #[serde(default)]
    open_settle_ms: u64,
    quick_timeout_ms: Option<u64>,
    motion_timeout_ms: Option<u64>,
    reset_timeout_ms: Option<u64>,
    heartbeat_ms: Option<u64>,
}

fn default_presence_ms() -> u64 {
    5_000
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReader {
    role: u8,
    name: Option<String>,
    pattern: Option<String>,
    station: u8,
    #[serde(default = "default_presence_ms")]
    presence_timeout_ms: u64,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCard {
    slot: u8,
    person: String,
    profile: Option<PathBuf>,
    #[serde(default = "yes")]
    physical: bool,
    #[serde(default)]
    allow_pin_lock: bool,
    enrol: Option<bool>,
    #[serde(default)]
    pin_env: BTreeMap<PinId, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapabilities {
    #[serde(default)]
    place_cards: bool,
    #[serde(default)]
    camera_power: bool,
    #[serde(default)]
    face_display: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSafety {
    max_wrong_pins_per_card: Option<u32>,
    min_tries_left_before_wrong_pin: Option<u8>,
}

impl BenchConfig {
    /// Reads and validates a bench file; relative paths (profiles, `[eligibility]` files) are
    /// taken from its folder.
    pub fn load(path: &Path) -> Result<BenchConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse(&text, base, path)
    }

    /// Parses and validates bench-file text; `base` resolves relative profile paths.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<BenchConfig, ConfigError> {
        Self::parse(text, base, Path::new("<text>"))
    }

    fn parse(text: &str, base: &Path, path: &Path) -> Result<BenchConfig, ConfigError> {
        let raw: RawBench = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        raw.validate(base).map_err(|problems| ConfigError::Invalid {
            path: path.to_path_buf(),
            problems,
        })
    }
}

impl RawBench {
    fn validate(self, base: &Path) -> Result<BenchConfig, Vec<Problem>> {
        let mut problems = Vec::new();
        let serial = self.fixture.serial(&mut problems);
        let timeouts = self.fixture.timeouts(&mut problems);
        let readers = validate_readers(self.readers, &mut problems);
        let cards = validate_cards(self.cards, base, &mut problems);
        let capabilities = Capabilities {
            place_cards: self.capabilities.place_cards,
            camera_power: self.capabilities.camera_power,
            face_display: self.capabilities.face_display,
        };
        if capabilities.place_cards && cards.is_empty() {
            problems.push(Problem::NoCards);
        }
        let defaults = SafetyLimits::default();
        let safety = SafetyLimits {
            max_wrong_pins_per_card: self
                .safety
                .max_wrong_pins_per_card
                .unwrap_or(defaults.max_wrong_pins_per_card),
            min_tries_left_before_wrong_pin: self
                .safety
                .min_tries_left_before_wrong_pin
                .unwrap_or(defaults.min_tries_left_before_wrong_pin),
        };
        if safety.min_tries_left_before_wrong_pin == 0 {
            problems.push(Problem::MinTriesZero);
        }
        let eligibility = self.eligibility.validate(base, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(BenchConfig {
            name: self.bench.name.unwrap_or_else(|| "bench".into()),
            serial,
            timeouts,
            readers,
            cards,
            capabilities,
            safety,
            eligibility,
        })
    }
}

impl RawEligibility {
    /// Paths resolved against `base`; each must be a readable file (its content is checked when
    /// the bench enrols its cards), and a CRL needs its CA.
    fn validate(self, base: &Path, problems: &mut Vec<Problem>) -> EligibilitySettings {
        if self.auth_crl.is_some() && self.auth_ca.is_none() {
            problems.push(Problem::CrlWithoutCa);
        }
        let mut resolve = |key: &'static str, path: Option<PathBuf>| {
            let path = base.join(path?);
            if let Err(error) = std::fs::File::open(&path) {
                problems.push(Problem::EligibilityFile {
                    key,
                    path: path.clone(),
                    message: error.to_string(),
                });
            }
            Some(path)
        };
        EligibilitySettings {
            auth_ca: resolve("auth_ca", self.auth_ca),
            auth_crl: resolve("auth_crl", self.auth_crl),
        }
    }
}

impl RawFixture {
    fn serial(&self, problems: &mut Vec<Problem>) -> SerialSettings {
        if self.port.trim().is_empty() {
            problems.push(Problem::EmptyPort);
        }
        if !(9_600..=921_600).contains(&self.baud) {
            problems.push(Problem::BadBaud(self.baud));
        }
        let data_bits = match self.data_bits {
            5 => DataBits::Five,
            6 => DataBits::Six,
            7 => DataBits::Seven,
            8 => DataBits::Eight,
            value => {
                problems.push(Problem::LineSetting {
                    key: "data_bits",
                    value,
                });
                DataBits::Eight
            }
        };
        let stop_bits = match self.stop_bits {
            1 => StopBits::One,
            2 => StopBits::Two,
            value => {
                problems.push(Problem::LineSetting {
                    key: "stop_bits",
                    value,
                });
                StopBits::One
            }
        };
        SerialSettings {
            port: self.port.clone(),
            baud: self.baud,
            data_bits,
            parity: self.parity.unwrap_or(Parity::None),
            stop_bits,
            flow_control: self.flow_control.unwrap_or(FlowControl::None),
            open_settle: Duration::from_millis(self.open_settle_ms),
        }
    }

    fn timeouts(&self, problems: &mut Vec<Problem>) -> Timeouts {
        let defaults = Timeouts::default();
        let mut pick = |key: &'static str, value: Option<u64>, default: Duration| match value {
            Some(0) => {
                problems.push(Problem::ZeroTimeout(key));
                default
            }
            Some(ms) => Duration::from_millis(ms),
            None => default,
        };
        Timeouts {
            quick: pick("quick_timeout_ms", self.quick_timeout_ms, defaults.quick),
            motion: pick("motion_timeout_ms", self.motion_timeout_ms, defaults.motion),
            reset: pick("reset_timeout_ms", self.reset_timeout_ms, defaults.reset),
            heartbeat: pick("heartbeat_ms", self.heartbeat_ms, defaults.heartbeat),
        }
    }
}

fn validate_readers(raw: Vec<RawReader>, problems: &mut Vec<Problem>) -> Vec<BenchReader> {
    if raw.is_empty() {
        problems.push(Problem::NoReaders);
    }
    let mut roles = BTreeSet::new();
    let mut stations = BTreeSet::new();
    let mut readers = Vec::new();
    for reader in raw {
        if !roles.insert(reader.role) {
            problems.push(Problem::DuplicateRole(reader.role));
        }
        if reader.station == 0 || !stations.insert(reader.station) {
            problems.push(Problem::BadStation(reader.station));
        }
        if reader.presence_timeout_ms == 0 {
            problems.push(Problem::ZeroTimeout("presence_timeout_ms"));
        }
        let matcher = match (reader.name, reader.pattern) {
            (Some(name), None) if !name.is_empty() => ReaderMatch::Exact(name),
            (None, Some(pattern)) => match glob::Pattern::new(&pattern) {
                Ok(glob) => ReaderMatch::Pattern(glob),
                Err(error) => {
                    problems.push(Problem::BadPattern {
                        role: reader.role,
                        pattern,
                        message: error.msg.into(),
                    });
                    continue;
                }
            },
            _ => {
                problems.push(Problem::NameOrPattern(reader.role));
                continue;
            }
        };
        readers.push(BenchReader {
            role: reader.role,
            matcher,
            station: reader.station,
            presence_timeout: Duration::from_millis(reader.presence_timeout_ms),
        });
    }
    readers.sort_by_key(|r| r.role);
    readers
}

fn validate_cards(raw: Vec<RawCard>, base: &Path, problems: &mut Vec<Problem>) -> Vec<BenchCard> {
    let mut slots = BTreeSet::new();
    let mut people = BTreeSet::new();
    let mut cards = Vec::new();
    for card in raw {
        let slot: Slot = card.slot;
        if slot == 0 || !slots.insert(slot) {
            problems.push(Problem::BadSlot(slot));
        }
        let person_ok = !card.person.is_empty()
            && card
                .person
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !person_ok {
            problems.push(Problem::BadPerson {
                slot,
                person: card.person.clone(),
            });
        } else if !people.insert(card.person.clone()) {
            problems.push(Problem::DuplicatePerson(card.person.clone()));
        }
        let profile = card.profile.map(|p| base.join(p));
        if let (Some(path), true) = (&profile, person_ok) {
            problems.extend(profile_problem(slot, &card.person, path));
        }
        for (pin, var) in &card.pin_env {
            let key = pin_key(*pin).to_owned();
            if !pin.changeable() {
                problems.push(Problem::NotAPin { slot, pin: *pin });
            } else if looks_like_pin(var) {
                problems.push(Problem::PinInFile { slot, pin: key });
            } else if !valid_env_name(var) {
                problems.push(Problem::BadEnvName {
                    slot,
                    pin: key,
                    name: var.clone(),
                });
            }
        }
        cards.push(BenchCard {
            slot,
            person: card.person,
            profile,
            physical: card.physical,
            allow_pin_lock: card.allow_pin_lock,
            enrol: card.enrol.unwrap_or(card.physical),
            pin_env: card.pin_env,
        });
    }
    cards.sort_by_key(|c| c.slot);
    cards
}

/// A card profile named by the bench file must load and be the slot's person's.
fn profile_problem(slot: Slot, person: &str, path: &Path) -> Option<Problem> {
    match CardProfile::load(path) {
        Err(error) => Some(Problem::Profile {
            slot,
            path: path.to_path_buf(),
            message: error.to_string(),
        }),
        Ok(profile) if profile.person != person => Some(Problem::ProfilePerson {
            slot,
            person: person.into(),
            profile_person: profile.person,
        }),
        Ok(_) => None,
    }
}

fn valid_env_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// True if a value is digits only: every PIN a holder enters at the reader is 4 digits
/// (DESIGN.md §2), and no environment variable name starts with a digit.
fn looks_like_pin(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}
