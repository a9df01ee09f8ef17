//! The bench file (TOML; commented example in fixtures/bench/example.toml): which PC/SC readers
//! take part and in which role, the fixture's serial port, the cards in the fixture's slots and
//! where their PINs come from (environment variables, never the file), which of them are enrolled
//! in the eligibility service and the CA of their certificates, what the bench can do, and
//! safety limits. Parsed into raw serde structs, then validated into typed ones; every
//! problem found is reported, each as a typed [`Problem`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use virtual_card::PinId;
use virtual_card::Secret;

use crate::protocol::{Slot, Station, Timeouts};

/// Data bits per character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataBits {
    /// 5.
    Five,
    /// 6.
    Six,
    /// 7.
    Seven,
    /// 8 (the protocol's default).
    Eight,
}

/// Parity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Parity {
    /// None (default).
    None,
    /// Odd.
    Odd,
    /// Even.
    Even,
}

/// Stop bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopBits {
    /// 1 (default).
    One,
    /// 2.
    Two,
}

/// Flow control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlowControl {
    /// None (default).
    None,
    /// XON/XOFF.
    Software,
    /// RTS/CTS.
    Hardware,
}

/// Errors loading a bench file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read bench file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not TOML of the expected shape (unknown keys included).
    #[error("bench file {path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// Parsed, but the content is not usable.
    #[error("bench file {path}: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

/// One problem in a bench file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// `[fixture] port` is empty.
    #[error("[fixture] port is empty")]
    EmptyPort,
    /// A speed the protocol does not allow (§1: 9600–921600).
    #[error("[fixture] baud {0} is outside 9600–921600")]
    BadBaud(u32),
    /// `data_bits` other than 5–8 or `stop_bits` other than 1–2.
    #[error("[fixture] {key} = {value} is not allowed")]
    LineSetting {
        /// The key.
        key: &'static str,
        /// The value.
        value: u8,
    },
    /// A timeout of zero.
    #[error("[fixture] {0} must be more than 0")]
    ZeroTimeout(&'static str),
    /// No `[[reader]]`.
    #[error("no [[reader]]")]
    NoReaders,
    /// A reader with both or neither of `name` and `pattern`.
    #[error("reader role {0}: give exactly one of `name` and `pattern`")]
    NameOrPattern(u8),
    /// A glob pattern that does not parse.
    #[error("reader role {role}: bad pattern {pattern:?}: {message}")]
    BadPattern {
        /// The reader's role.
        role: u8,
        /// The pattern.
        pattern: String,
        /// The glob parser's message.
        message: String,
    },
    /// Two readers with the same role.
    #[error("two readers have role {0}")]
    DuplicateRole(u8),
    /// Two readers at the same station, or station 0.
    #[error("station {0} is used twice or is 0 (stations count from 1)")]
    BadStation(Station),
    /// Two cards in one slot, or slot 0.
    #[error("slot {0} is used twice or is 0 (slots count from 1)")]
    BadSlot(Slot),
    /// Two slots for the same person: which card to place would be ambiguous.
    #[error("person {0:?} has more than one card on the bench")]
    DuplicatePerson(String),
    /// A person id that is not a fixture id (lower-case letters, digits, `-`).
    #[error("slot {slot}: person {person:?} is not a person id")]
    BadPerson {
        /// The slot.
        slot: Slot,
        /// The value.
        person: String,
    },
    /// The card profile named for a slot does not load.
    #[error("slot {slot}: card profile {path}: {message}")]
    Profile {
        /// The slot.
        slot: Slot,
        /// The profile path (resolved).
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The profile is another person's.
    #[error("slot {slot}: profile is {profile_person:?}'s, the slot says {person:?}")]
    ProfilePerson {
        /// The slot.
        slot: Slot,
        /// The slot's person.
        person: String,
        /// The profile's person.
        profile_person: String,
    },
    /// A PIN key that is not one a holder enters (jpki-auth, jpki-sign, text-pin).
    #[error(
        "slot {slot}: {pin:?} is not a PIN a card holder enters (jpki-auth, jpki-sign, text-pin)"
    )]
    NotAPin {
        /// The slot.
        slot: Slot,
        /// The key.
        pin: PinId,
    },
    /// A value that looks like a PIN where an environment variable's name belongs.
    #[error("slot {slot}: pin_env.{pin} looks like a PIN itself; write the NAME of an environment variable that holds it (the PIN never goes into the file)")]
    PinInFile {
        /// The slot.
        slot: Slot,
        /// The key.
        pin: String,
    },
    /// Not a valid environment variable name.
    #[error("slot {slot}: pin_env.{pin} = {name:?} is not an environment variable name ([A-Z_][A-Z0-9_]*)")]
    BadEnvName {
        /// The slot.
        slot: Slot,
        /// The key.
        pin: String,
        /// The value.
        name: String,
    },
    /// `min_tries_left_before_wrong_pin` of 0 would allow a step on a locked counter.
    #[error("[safety] min_tries_left_before_wrong_pin must be at least 1")]
    MinTriesZero,
    /// `[eligibility] auth_crl` without `auth_ca`: a CRL is its CA's.
    #[error("[eligibility] auth_crl needs auth_ca (the CA that issued the CRL)")]
    CrlWithoutCa,
    /// A file named in `[eligibility]` cannot be read.
    #[error("[eligibility] {key} = {path}: {message}")]
    EligibilityFile {
        /// The key (`auth_ca`, `auth_crl`).
        key: &'static str,
        /// The path (resolved).
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The bench places cards but has none.
    #[error("[capabilities] place_cards is true but there is no [[card]]")]
    NoCards,
}

/// Serial line settings (docs/bench-fixture-protocol.md §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialSettings {
    /// Device path (`/dev/ttyACM0`, a pseudo-terminal's `/dev/pts/N`).
    pub port: String,
    /// Speed.
    pub baud: u32,
    /// Data bits.
    pub data_bits: DataBits,
    /// Parity.
    pub parity: Parity,
    /// Stop bits.
    pub stop_bits: StopBits,
    /// Flow control.
    pub flow_control: FlowControl,
    /// Wait after opening before the first request (boards that reset on open).
    pub open_settle: Duration,
}

impl SerialSettings {
    /// 115200 8N1, no flow control, no settle time.
    pub fn new(port: impl Into<String>) -> Self {
        Self {
            port: port.into(),
            baud: 115_200,
            data_bits: DataBits::Eight,
            parity: Parity::None,
            stop_bits: StopBits::One,
            flow_control: FlowControl::None,
            open_settle: Duration::ZERO,
        }
    }
}

/// How a bench file names a PC/SC reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderMatch {
    /// The exact PC/SC name.
    Exact(String),
    /// A glob pattern (`*`, `?`, `[…]`) over PC/SC names.
    Pattern(glob::Pattern),
}

impl ReaderMatch {
    /// True if `name` is this reader.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            ReaderMatch::Exact(exact) => exact == name,
            ReaderMatch::Pattern(pattern) => pattern.matches(name),
        }
    }
}

impl fmt::Display for ReaderMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReaderMatch::Exact(name) => write!(f, "{name:?}"),
            ReaderMatch::Pattern(pattern) => write!(f, "pattern {:?}", pattern.as_str()),
        }
    }
}

/// A reader taking part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchReader {
    /// Patient reader number in the scenarios (0 = the seed's "… Reader 0").
    pub role: u8,
    /// How to find it among pcscd's readers.
    pub matcher: ReaderMatch,
    /// The fixture station in front of it.
    pub station: Station,
    /// After the fixture says a card lies on it, PC/SC must show the card within this.
    pub presence_timeout: Duration,
}

/// A card in one of the fixture's slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchCard {
    /// The slot.
    pub slot: Slot,
    /// The person it stands for (id in fixtures/people.toml).
    pub person: String,
    /// The card profile it stands for (resolved against the bench file's folder), if given.
    pub profile: Option<PathBuf>,
    /// A real card (true) or a virtual one behind a simulated fixture: the guard applies to both.
    pub physical: bool,
    /// Steps may lock this card's PINs.
    pub allow_pin_lock: bool,
    /// Before the first scenario its user-auth certificate is read (no PIN) and registered in
    /// the eligibility service for `person` (default: `physical`).
    pub enrol: bool,
    /// Environment variable holding each PIN.
    pub pin_env: BTreeMap<PinId, String>,
}

/// Errors reading a PIN from the environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinSourceError {
    /// The bench file names no variable for this PIN.
    #[error("slot {slot} ({person}): the bench file gives no pin_env.{pin}")]
    NotConfigured {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// The PIN.
        pin: String,
    },
    /// The variable is unset or empty.
    #[error("slot {slot} ({person}): environment variable {var} is not set")]
    Unset {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// The variable.
        var: String,
    },
    /// The value is not of the PIN's format (checked before it ever reaches a card).
    #[error("slot {slot} ({person}): environment variable {var} does not hold a valid {pin}")]
    Format {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// The variable.
        var: String,
        /// The PIN.
        pin: String,
    },
}

/// The bench file's key for a PIN (`pin_env.<key>`).
pub fn pin_key(pin: PinId) -> &'static str {
    match pin {
        PinId::JpkiAuth => "jpki-auth",
        PinId::JpkiSign => "jpki-sign",
        PinId::TextPin => "text-pin",
        PinId::TextMatchA => "text-match-a",
        PinId::TextMatchB => "text-match-b",
        PinId::FaceMatchA => "face-match-a",
        PinId::FaceMatchB => "face-match-b",
    }
}

impl BenchCard {
    /// The PIN from its environment variable, looked up with `env` (e.g. `std::env::var`).
    pub fn pin(
        &self,
        pin: PinId,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Secret, PinSourceError> {
        let var = self
            .pin_env
            .get(&pin)
            .ok_or_else(|| PinSourceError::NotConfigured {
                slot: self.slot,
                person: self.person.clone(),
                pin: pin_key(pin).into(),
            })?;
        let value = env(var)
            .filter(|v| !v.is_empty())
            .map(Secret::new)
            .ok_or_else(|| PinSourceError::Unset {
                slot: self.slot,
                person: self.person.clone(),
                var: var.clone(),
            })?;
        if !pin.format().accepts(value.expose().as_bytes()) {
            return Err(PinSourceError::Format {
                slot: self.slot,
                person: self.person.clone(),
                var: var.clone(),
                pin: pin_key(pin).into(),
            });
        }
        Ok(value)
    }
}

/// What the bench can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// The fixture places and removes cards.
    pub place_cards: bool,
    /// The fixture switches camera power.
    pub camera_power: bool,
    /// A display shows faces to the readers' cameras.
    pub face_display: bool,
}

/// Safety limits for real cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafetyLimits {
    /// Wrong PINs entered into one card over one run, at most.
    pub max_wrong_pins_per_card: u32,
    /// A wrong-PIN step needs at least this many tries left on the card beforehand.
    pub min_tries_left_before_wrong_pin: u8,
}

impl Default for SafetyLimits {
    fn default() -> Self {
        Self {
            max_wrong_pins_per_card: 2,
            min_tries_left_before_wrong_pin: 2,
        }
    }
}

/// `[eligibility]`: the CA that issued the bench cards' user-auth certificates, trusted by the
/// mock eligibility service beside its test CA (paths resolved against the bench file's folder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EligibilitySettings {
    /// The CA's certificate, DER or PEM (`None`: the test CA of fixtures/pki only).
    pub auth_ca: Option<PathBuf>,
    /// Its CRL, DER or PEM (`None`: nothing the CA issued counts as revoked).
    pub auth_crl: Option<PathBuf>,
}

/// A validated bench file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchConfig {
    /// The bench's name (reports).
    pub name: String,
    /// Serial settings of the fixture.
    pub serial: SerialSettings,
    /// Timeouts of fixture requests.
    pub timeouts: Timeouts,
    /// Readers, by role.
    pub readers: Vec<BenchReader>,
    /// Cards, by slot.
    pub cards: Vec<BenchCard>,
    /// What the bench can do.
    pub capabilities: Capabilities,
    /// Safety limits.
    pub safety: SafetyLimits,
    /// The CA of the cards to enrol.
    pub eligibility: EligibilitySettings,
}

/// A reader of the bench file found among pcscd's readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedReader {
    /// Its role.
    pub role: u8,
    /// Its PC/SC name.
    pub name: String,
    /// Its station.
    pub station: Station,
    /// Presence timeout.
    pub presence_timeout: Duration,
}

/// Why the bench file's readers do not match pcscd's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderResolveError {
    /// No reader matches.
    #[error("reader role {role} ({matcher}) is not among pcscd's readers: {available:?}")]
    NotFound {
        /// The role.
        role: u8,
        /// How it was named.
        matcher: String,
        /// What pcscd has.
        available: Vec<String>,
    },
    /// More than one reader matches.
    #[error("reader role {role} ({matcher}) matches several readers: {matches:?}")]
    Ambiguous {
        /// The role.
        role: u8,
        /// How it was named.
        matcher: String,
        /// The matches.
        matches: Vec<String>,
    },
    /// Two roles resolve to one reader.
    #[error("reader {name:?} is matched by roles {first} and {second}")]
    SameReader {
        /// The reader.
        name: String,
        /// One role.
        first: u8,
        /// The other.
        second: u8,
    },
}

impl BenchConfig {
    /// Finds each configured reader among `available` (pcscd's reader names): exactly one
    /// match each, no reader twice.
    pub fn resolve_readers(
        &self,
        available: &[String],
    ) -> Result<Vec<ResolvedReader>, ReaderResolveError> {
        let mut resolved: Vec<ResolvedReader> = Vec::new();
        for reader in &self.readers {
            let matches: Vec<String> = available
                .iter()
                .filter(|name| reader.matcher.matches(name))
                .cloned()
                .collect();
            let name = match matches.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Err(ReaderResolveError::NotFound {
                        role: reader.role,
                        matcher: reader.matcher.to_string(),
                        available: available.to_vec(),
                    })
                }
                _ => {
                    return Err(ReaderResolveError::Ambiguous {
                        role: reader.role,
                        matcher: reader.matcher.to_string(),
                        matches,
                    })
                }
            };
            if let Some(other) = resolved.iter().find(|r| r.name == name) {
                return Err(ReaderResolveError::SameReader {
                    name,
                    first: other.role,
                    second: reader.role,
                });
            }
            resolved.push(ResolvedReader {
                role: reader.role,
                name,
                station: reader.station,
                presence_timeout: reader.presence_timeout,
            });
        }
        Ok(resolved)
    }

    /// The cards whose certificates are enrolled before the first scenario, by slot.
    pub fn cards_to_enrol(&self) -> impl Iterator<Item = &BenchCard> {
        self.cards.iter().filter(|card| card.enrol)
    }

    /// The card standing for `person`.
    pub fn card_for_person(&self, person: &str) -> Option<&BenchCard> {
        self.cards.iter().find(|card| card.person == person)
    }

    /// Why a scenario with these tags (without `@`) cannot run on this bench, if it cannot:
    /// `simulated-only` never runs on a bench; `needs-face-camera` needs a face display;
    /// `needs-camera-power` needs camera power switching; `locks-pin` needs a card that allows
    /// locking (the guard still checks the card the scenario uses).
    pub fn skip_reason(&self, tags: &[&str]) -> Option<String> {
        tags.iter().find_map(|tag| match *tag {
            "simulated-only" => Some("simulated-only: needs the simulated reader".to_owned()),
            "needs-face-camera" if !self.capabilities.face_display => {
                Some("needs-face-camera: the bench has no face display".to_owned())
            }
            "needs-camera-power" if !self.capabilities.camera_power => {
                Some("needs-camera-power: the bench cannot switch camera power".to_owned())
            }
            "locks-pin" if !self.cards.iter().any(|c| c.allow_pin_lock) => {
                Some("locks-pin: no card on the bench has allow_pin_lock = true".to_owned())
            }
            _ => None,
        })
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
