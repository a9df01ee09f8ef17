//! The port through which a card comes to a reader: in-process, a `virtual-card serve` process
//! behind pcscd, or a physical card laid on a physical reader by a bench fixture. One slot per
//! reader. Poll-based, so that the facility awaits (and other scenarios run) while pcscd or a
//! fixture moves a card.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use harness_transport::CardChannel;

/// A card as the facility knows it: whose it is and which profile the virtual card runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRef {
    /// Person id in fixtures/people.toml (the card's holder).
    pub holder_id: String,
    /// Card profile (fixtures/cards/<id>.toml).
    pub profile: PathBuf,
}

/// Puts cards on one reader and takes them off.
pub trait CardSlot: Send {
    /// Starts putting `card` on the reader.
    fn insert(&mut self, card: &CardRef) -> anyhow::Result<()>;
    /// The channel once the card is there (`None`: not yet).
    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>>;
    /// Starts taking the card off.
    fn remove(&mut self);
    /// True once the reader shows no card.
    fn poll_removed(&mut self) -> bool;
    /// A second channel to the card on the reader (a check made beside the reader, e.g. the
    /// PIN retry counter).
    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>>;
    /// True while a card is on the reader.
    fn has_card(&self) -> bool;

    /// The PC/SC name of the device behind this slot, when there is one (timing reports).
    fn device_name(&self) -> Option<String> {
        None
    }

    /// Before the patient enters `digits` as the user-auth PIN of the card on the reader: a slot
    /// holding a physical card checks the card's retry counter and refuses a step that could
    /// lock it (bench safety). Simulated cards have nothing to protect.
    fn before_pin_entry(&mut self, _digits: &str) -> anyhow::Result<()> {
        Ok(())
    }

    /// After the scenario, before the cards are taken off: give back what the scenario spent
    /// (a bench restores the PIN counters of its physical cards).
    fn after_scenario(&mut self) -> anyhow::Result<()> {
        Ok(())
    }

    /// Switches the camera in front of this reader on or off, where the slot has a fixture that
    /// can (`Ok(false)`: nothing to switch here; the camera is emulated).
    fn set_camera_power(&mut self, _on: bool) -> anyhow::Result<bool> {
        Ok(false)
    }

    /// Whether the camera has power, where the slot can sense it (`None`: emulated camera).
    fn camera_powered(&mut self) -> anyhow::Result<Option<bool>> {
        Ok(None)
    }
}

/// How long a card may take to appear or disappear (a pcscd poll is ~0.45 s; a bench fixture's
/// actuator takes seconds).
pub const SLOT_TIMEOUT: Duration = Duration::from_secs(15);
const SLOT_POLL: Duration = Duration::from_millis(10);

/// Polls until `poll` gives a value, at most [`SLOT_TIMEOUT`] (real time: this is the edge where
/// pcscd or a fixture moves a card).
pub async fn await_some<T>(
    what: &str,
    mut poll: impl FnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let deadline = Instant::now() + SLOT_TIMEOUT;
    loop {
        if let Some(value) = poll()? {
            return Ok(value);
        }
        anyhow::ensure!(Instant::now() < deadline, "{what} ({SLOT_TIMEOUT:?})");
        tokio::time::sleep(SLOT_POLL).await;
    }
}

/// Takes the card off `slot` and waits until the reader shows none.
pub async fn take_off(slot: &mut dyn CardSlot) -> anyhow::Result<()> {
    slot.remove();
    await_some(
        "カードがカードリーダーから離れません",
        || Ok(slot.poll_removed().then_some(())),
    )
    .await
}

/// Puts `card` on `slot` and waits for its channel.
pub async fn put_on(
    slot: &mut dyn CardSlot,
    card: &CardRef,
) -> anyhow::Result<Box<dyn CardChannel>> {
    slot.insert(card)?;
    await_some(
        "カードリーダーがカードを検出しません",
        || slot.poll_inserted(),
    )
    .await
}
