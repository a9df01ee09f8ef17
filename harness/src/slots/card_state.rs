//! Where a card's state lives between placements (カードの状態ファイル): one file per card in the
//! scenario's folder, shared by every kind of slot.

use std::path::{Path, PathBuf};

use crate::facility::CardRef;

/// The card's state file in this scenario's folder: PIN counters survive taking the card off and
/// putting it back (on any reader), and start fresh in every scenario.
pub(super) fn state_file(work_dir: &Path, card: &CardRef) -> PathBuf {
    work_dir.join(format!("{}.card-state", card.holder_id))
}
