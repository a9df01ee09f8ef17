//! The file edge of the card state: the state file that holds a [`CardState`], and
//! [`PersistentCard`], a card that saves its state before each answer that changed it.
//!
//! The file is TOML, written atomically: a temporary file in the same folder, fsync, rename over
//! the old file, fsync of the folder. A reader sees either the old or the new state, never half of
//! one; after a crash (even SIGKILL) right after [`PersistentCard::exchange`] returned, the new
//! state is on disk.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::card::Card;
use crate::card_state::{CardState, StateFormatError};
use crate::model::CardData;
use crate::profile::ProfileError;

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
    /// The file is not a valid state, or the state cannot be written as text.
    #[error(transparent)]
    Format(#[from] StateFormatError),
    /// The state file belongs to another card.
    #[error("state file is for card {found:?}, not {expected:?}")]
    WrongCard {
        /// The card being opened.
        expected: String,
        /// The card named in the file.
        found: String,
    },
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
            Ok(text) => Ok(Some(CardState::from_toml(&text)?)),
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
    use crate::card_state::PinRecord;
    use crate::model::PinId;

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
