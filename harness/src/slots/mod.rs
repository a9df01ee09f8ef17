//! Card slots (the facility's [`crate::facility::CardSlot`] port): cards in the harness process,
//! or `virtual-card serve` processes linked to pcscd's vpcd readers. The bench's slot (a fixture
//! laying physical cards on physical readers) lives in the harness-bench crate.

mod card_state;
mod in_process;
mod pcsc_pool;

pub use in_process::InProcessSlot;
pub use pcsc_pool::{PcscReaderPool, PcscSlot};
