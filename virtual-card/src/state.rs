//! Persistent card state (PIN counters, changed PINs) and its state file.
//!
//! The file is TOML, written atomically: a temporary file in the same folder, fsync, rename over
//! the old file, fsync of the folder. A reader sees either the old or the new state, never half of
//! one; after a crash (even SIGKILL) right after [`PersistentCard::exchange`] returned, the new
//! state is on disk.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::card::{Card, CardData, PinId};
use crate::profile::{ProfileError, Secret};

/// One PIN's persistent record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PinRecord {
    /// Tries left (0 = blocked).
    pub tries_left: u8,
    /// The value set by CHANGE REFERENCE DATA, if it was changed (redacted in Debug).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_value: Option<Secret>,
}

/// The card's persistent state. A PIN without a record has its maximum tries and its issued value.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardState {
    /// Which card this state belongs to (the profile's person id), when known: a state file of
    /// another card is refused at load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// Records by PIN.
    #[serde(default)]
    pub pins: BTreeMap<PinId, PinRecord>,
}

impl CardState {
    /// The state of a fresh card: every PIN at its maximum tries.
    pub fn issued() -> CardState {
        CardState::default()
    }

    /// The state as issued with some counters already lower (e.g. a locked PIN in a profile).
    pub fn with_tries_left(tries_left: &BTreeMap<PinId, u8>) -> CardState {
        CardState {
            card: None,
            pins: tries_left
                .iter()
                .map(|(pin, tries)| {
                    (
                        *pin,
                        PinRecord {
                            tries_left: (*tries).min(pin.max_tries()),
                            changed_value: None,
                        },
                    )
                })
                .collect(),
        }
    }

    /// Parses a state file's text.
    pub fn from_toml(text: &str) -> Result<CardState, StateError> {
        let state: CardState =
            toml::from_str(text).map_err(|e| StateError::Parse(e.to_string()))?;
        for (pin, record) in &state.pins {
            if record.tries_left > pin.max_tries() {
                return Err(StateError::Parse(format!(
                    "{pin:?}: tries_left {} is above the maximum {}",
                    record.tries_left,
                    pin.max_tries()
                )));
            }
        }
        Ok(state)
    }

    /// The state file's text.
    pub fn to_toml(&self) -> Result<String, StateError> {
        toml::to_string(self).map_err(|e| StateError::Serialize(e.to_string()))
    }
}

/// Errors reading or writing a state file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file could not be read or written.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid state.
    #[error("state file is not valid: {0}")]
    Parse(String),
    /// The state file belongs to another card.
    #[error("state file is for card {found:?}, not {expected:?}")]
    WrongCard {
        /// The card being opened.
        expected: String,
        /// The card named in the file.
        found: String,
    },
    /// The state could not be encoded.
    #[error("state could not be encoded: {0}")]
    Serialize(String),
}

/// A state file on disk.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// A state file at `path` (it need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> StateFile {
        StateFile { path: path.into() }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the state; `Ok(None)` when the file does not exist.
    pub fn load(&self) -> Result<Option<CardState>, StateError> {
        match fs::read_to_string(&self.path) {
            Ok(text) => CardState::from_toml(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// Writes the state atomically: temp file in the same folder, fsync, rename, fsync folder.
    pub fn save(&self, state: &CardState) -> Result<(), StateError> {
        let text = state.to_toml()?;
        let io = |source| StateError::Io {
            path: self.path.clone(),
            source,
        };
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".to_owned());
        let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
        let result = (|| {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            drop(file);
            fs::rename(&tmp, &self.path)?;
            fs::File::open(&dir)?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io)
    }
}

/// A card with its state file: the edge object the vpcd link and tests use. Every command that
/// changes the state is persisted before its response is returned.
#[derive(Debug)]
pub struct PersistentCard {
    card: Card,
    file: Option<StateFile>,
}

/// Errors opening a card from its profile and state file.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The profile (or its person, photo or PKI files) is bad.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The state file is bad.
    #[error(transparent)]
    State(#[from] StateError),
}

impl PersistentCard {
    /// Builds a card from its data; loads the state file if given and present, else starts from
    /// the profile's issued state (and writes it at the first change).
    pub fn new(
        data: &CardData,
        initial: CardState,
        file: Option<StateFile>,
    ) -> Result<PersistentCard, StateError> {
        let state = match &file {
            Some(f) => match f.load()? {
                None => initial,
                Some(mut loaded) => {
                    match (&initial.card, &loaded.card) {
                        (Some(expected), Some(found)) if expected != found => {
                            return Err(StateError::WrongCard {
                                expected: expected.clone(),
                                found: found.clone(),
                            })
                        }
                        _ => {}
                    }
                    if loaded.card.is_none() {
                        loaded.card = initial.card;
                    }
                    loaded
                }
            },
            None => initial,
        };
        Ok(PersistentCard {
            card: Card::with_state(data, state),
            file,
        })
    }

    /// Loads the card profile at `profile` (TOML) and the state file, if any.
    pub fn open(profile: &Path, state_file: Option<&Path>) -> Result<PersistentCard, OpenError> {
        let loaded = crate::profile::load(profile)?;
        let mut initial = loaded.initial_state;
        initial.card = Some(loaded.profile.person.clone());
        Ok(PersistentCard::new(
            &loaded.data,
            initial,
            state_file.map(StateFile::new),
        )?)
    }

    /// Answers one command; if the state changed, saves it first. On a save error the response is
    /// withheld (the caller should drop the connection rather than answer).
    pub fn exchange(&mut self, command: &[u8]) -> Result<Vec<u8>, StateError> {
        let exchange = self.card.exchange(command);
        if exchange.state_changed {
            if let Some(file) = &self.file {
                file.save(self.card.state())?;
            }
        }
        Ok(exchange.response)
    }

    /// The card.
    pub fn card(&self) -> &Card {
        &self.card
    }

    /// The card, mutable (for reset; commands should go through [`PersistentCard::exchange`]).
    pub fn card_mut(&mut self) -> &mut Card {
        &mut self.card
    }

    /// The ATR.
    pub fn atr(&self) -> &[u8] {
        self.card.atr()
    }

    /// Warm reset (selection and verified PINs forgotten; counters stay).
    pub fn reset(&mut self) {
        self.card.reset();
    }

    /// The state file, if any.
    pub fn state_file(&self) -> Option<&StateFile> {
        self.file.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trip() {
        let mut state = CardState::issued();
        state.pins.insert(
            PinId::JpkiAuth,
            PinRecord {
                tries_left: 1,
                changed_value: Some(Secret::new("5678".into())),
            },
        );
        state.pins.insert(
            PinId::FaceMatchB,
            PinRecord {
                tries_left: 9,
                changed_value: None,
            },
        );
        let text = state.to_toml().unwrap();
        assert_eq!(CardState::from_toml(&text).unwrap(), state);
        assert!(!format!("{state:?}").contains("5678"));
    }

    #[test]
    fn rejects_bad_state() {
        assert!(CardState::from_toml("[pins.jpki-auth]\ntries_left = 9\n").is_err());
        assert!(CardState::from_toml("[pins.nope]\ntries_left = 1\n").is_err());
        assert!(CardState::from_toml("pins = 3").is_err());
    }

    #[test]
    fn save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("card.state.toml"));
        assert_eq!(file.load().unwrap(), None);
        let mut state = CardState::issued();
        state.pins.insert(
            PinId::TextPin,
            PinRecord {
                tries_left: 2,
                changed_value: None,
            },
        );
        file.save(&state).unwrap();
        assert_eq!(file.load().unwrap(), Some(state));
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }
}
