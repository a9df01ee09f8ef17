//! Consecutive face-authentication failures per card, kept by the facility for every reader and
//! across reader restarts, where the real system keeps them per card: public reporting (TBS
//! citing 厚生労働省, see harness/reader/src/vocab.rs) says 10 consecutive failures lock face
//! authentication for that card until the municipality unlocks it, and switching to 目視確認
//! resets neither this count nor the PIN counter. Persisted like the card's PIN counter: a file
//! beside the card state, written whole (temporary file, then rename) on every change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use harness_reader::CardKey;

/// The store: card → consecutive face failures.
#[derive(Debug)]
pub struct FaceFailureStore {
    path: Option<PathBuf>,
    counts: BTreeMap<String, u32>,
}

fn key_text(card: &CardKey) -> String {
    card.0.iter().map(|b| format!("{b:02x}")).collect()
}

impl FaceFailureStore {
    /// A store kept only in memory.
    pub fn in_memory() -> Self {
        Self {
            path: None,
            counts: BTreeMap::new(),
        }
    }

    /// A store persisted at `path` (read now if it exists; a damaged file is an error, never a
    /// silent zero).
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let counts = match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).with_context(|| {
                format!("顔認証の失敗回数ファイル {} が壊れています", path.display())
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e).with_context(|| format!("{} を読めません", path.display())),
        };
        Ok(Self {
            path: Some(path.to_path_buf()),
            counts,
        })
    }

    /// The card's consecutive failures.
    pub fn count(&self, card: &CardKey) -> u32 {
        self.counts.get(&key_text(card)).copied().unwrap_or(0)
    }

    /// Stores the card's count and writes the file.
    pub fn set(&mut self, card: &CardKey, count: u32) -> anyhow::Result<()> {
        self.counts.insert(key_text(card), count);
        let Some(path) = &self.path else {
            return Ok(());
        };
        let text = toml::to_string(&self.counts).context("顔認証の失敗回数を書けません")?;
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, text)
            .with_context(|| format!("{} を書けません", temporary.display()))?;
        std::fs::rename(&temporary, path)
            .with_context(|| format!("{} を置き換えられません", path.display()))
    }
}
