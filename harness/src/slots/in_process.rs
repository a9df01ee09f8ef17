//! Cards inside the harness process: no pcscd needed.

use std::path::{Path, PathBuf};

use anyhow::bail;
use harness_transport::{CardChannel, InProcessCard};

use super::card_state::state_file;
use crate::facility::{CardRef, CardSlot};

/// A reader whose card runs in-process.
pub struct InProcessSlot {
    work_dir: PathBuf,
    card: Option<CardRef>,
}

impl InProcessSlot {
    /// Cards whose state files live in `work_dir` (shared by every reader of the facility).
    pub fn new(work_dir: &Path) -> Self {
        Self {
            work_dir: work_dir.to_path_buf(),
            card: None,
        }
    }

    fn open(&self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        let Some(card) = &self.card else {
            bail!("カードリーダーにカードがありません");
        };
        let opened = InProcessCard::open(&card.profile, Some(&state_file(&self.work_dir, card)))?;
        Ok(Some(Box::new(opened)))
    }
}

impl CardSlot for InProcessSlot {
    fn insert(&mut self, card: &CardRef) -> anyhow::Result<()> {
        self.card = Some(card.clone());
        Ok(())
    }

    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        self.open()
    }

    fn remove(&mut self) {
        self.card = None;
    }

    fn poll_removed(&mut self) -> bool {
        self.card.is_none()
    }

    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        // A second card object on the same state file: it sees every stored PIN counter.
        self.open()
    }

    fn has_card(&self) -> bool {
        self.card.is_some()
    }
}
