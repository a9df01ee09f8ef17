//! Card slots (the facility's [`crate::facility::CardSlot`] port): cards in the harness process,
//! or `virtual-card serve` processes linked to pcscd's vpcd readers. The bench's slot (a fixture
//! laying physical cards on physical readers) lives in the harness-bench crate.

mod in_process;
mod pcsc_pool;

use std::path::{Path, PathBuf};

pub use in_process::InProcessSlot;
pub use pcsc_pool::{PcscReaderPool, PcscSlot};

use crate::facility::CardRef;

/// The card's state file in this scenario's folder: PIN counters survive taking the card off and
/// putting it back (on any reader), and start fresh in every scenario.
fn state_file(work_dir: &Path, card: &CardRef) -> PathBuf {
    work_dir.join(format!("{}.card-state", card.holder_id))
}
