//! The bench card slot: a card is placed on a physical (or vpcd) reader by the fixture, and its
//! arrival and departure are seen through PC/SC status changes — never assumed from the
//! fixture's answer. Every wait is bounded; every failure is a typed [`BenchError`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use harness_transport::{CardChannel, TransportError};

use crate::answers::Sensed;
use crate::client::{Clock, FixtureClient, FixtureError, SystemClock};
use crate::config::{BenchCard, ResolvedReader};
use crate::presence::{ReaderPresence, ReaderWatch};
use crate::protocol::{Display, Power, Slot};

/// Longest single wait inside a poll: polls return quickly, deadlines are kept across polls.
const POLL_SLICE: Duration = Duration::from_millis(50);

/// A card a scenario puts on a reader: the person (id in fixtures/people.toml) and the card
/// profile the scenario expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRef {
    /// Person id.
    pub person_id: String,
    /// Card profile path.
    pub card_profile: PathBuf,
}

/// The slot port of the facility engine, one per reader (the shape of the engine's `CardSlot`).
pub trait BenchCardSlot: Send {
    /// Starts putting the card on the reader.
    fn insert(&mut self, card: &CardRef) -> anyhow::Result<()>;
    /// The card's channel once the reader sees it; `None` while not yet.
    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>>;
    /// Starts taking the card off.
    fn remove(&mut self);
    /// True once the card is off (and seen off).
    fn poll_removed(&mut self) -> bool;
    /// A second channel to the card on the reader (for checks beside the reader's own).
    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>>;
    /// True between insert and remove.
    fn has_card(&self) -> bool;
}

/// Failures of the bench slot.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The scenario wants a person's card the bench does not have.
    #[error("no card for {person} on the bench (add a [[card]] with person = \"{person}\")")]
    NoCardFor {
        /// The person.
        person: String,
    },
    /// The bench card stands for another profile than the scenario's.
    #[error("slot {slot} stands for {bench}, the scenario wants {wanted}")]
    ProfileMismatch {
        /// The slot.
        slot: Slot,
        /// The bench file's profile.
        bench: PathBuf,
        /// The scenario's.
        wanted: PathBuf,
    },
    /// A card is already on (or going onto) the reader.
    #[error("a card is already on {reader}")]
    Occupied {
        /// The reader.
        reader: String,
    },
    /// The fixture failed.
    #[error("{reader}: {source}")]
    Fixture {
        /// The reader.
        reader: String,
        /// The cause.
        source: FixtureError,
    },
    /// PC/SC did not show the expected state in time.
    #[error("{reader}: the fixture {action} (its card sensor: {sensor}) but pcscd still shows {seen:?} after {} ms", waited.as_millis())]
    PresenceTimeout {
        /// The reader.
        reader: String,
        /// What the fixture did ("placed slot 2", "removed the card").
        action: String,
        /// The fixture's own sensor, if it could be read.
        sensor: String,
        /// What PC/SC showed last.
        seen: ReaderPresence,
        /// How long the slot waited.
        waited: Duration,
    },
    /// The reader disappeared from pcscd.
    #[error("reader {reader} vanished from pcscd")]
    ReaderVanished {
        /// The reader.
        reader: String,
    },
    /// PC/SC failed (pcscd gone, connect failed).
    #[error(transparent)]
    Pcsc(#[from] TransportError),
}

/// The fixture, shared by the slots of its stations (one request at a time on its line).
pub type SharedFixture<C = SystemClock> = Arc<Mutex<FixtureClient<C>>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Empty,
    Placing { slot: Slot, since: Instant },
    Present { slot: Slot },
    Removing { since: Instant },
    Failed,
}

/// One reader of the bench with the fixture station in front of it.
pub struct BenchSlot<C: Clock = SystemClock> {
    fixture: SharedFixture<C>,
    reader: ResolvedReader,
    cards: Vec<BenchCard>,
    watch: Box<dyn ReaderWatch>,
    clock: Box<dyn Clock>,
    phase: Phase,
    /// Why the slot stopped, for the calls that cannot return an error.
    fault: Option<String>,
}

impl<C: Clock> BenchSlot<C> {
    /// A slot for `reader` (resolved from the bench file), its cards, its PC/SC watch.
    pub fn new(
        fixture: SharedFixture<C>,
        reader: ResolvedReader,
        cards: Vec<BenchCard>,
        watch: Box<dyn ReaderWatch>,
        clock: Box<dyn Clock>,
    ) -> Self {
        Self {
            fixture,
            reader,
            cards,
            watch,
            clock,
            phase: Phase::Empty,
            fault: None,
        }
    }

    /// The reader.
    pub fn reader(&self) -> &ResolvedReader {
        &self.reader
    }

    /// The bench card on the reader (for the PIN lock guard).
    pub fn card_on_reader(&self) -> Option<&BenchCard> {
        let slot = match self.phase {
            Phase::Placing { slot, .. } | Phase::Present { slot } => slot,
            _ => return None,
        };
        self.cards.iter().find(|c| c.slot == slot)
    }

    /// Why the slot stopped (`remove` and `poll_removed` cannot return an error): the engine
    /// reports it when `poll_removed` stays false.
    pub fn fault(&self) -> Option<&str> {
        self.fault.as_deref()
    }

    fn with_fixture<T>(
        &self,
        work: impl FnOnce(&mut FixtureClient<C>) -> Result<T, FixtureError>,
    ) -> Result<T, BenchError> {
        let mut fixture = self.fixture.lock().unwrap_or_else(PoisonError::into_inner);
        work(&mut fixture).map_err(|source| BenchError::Fixture {
            reader: self.reader.name.clone(),
            source,
        })
    }

    /// Switches the camera of this reader (CAMERA ON|OFF).
    pub fn camera(&self, power: Power) -> Result<(), BenchError> {
        let station = self.reader.station;
        self.with_fixture(|f| f.camera(station, power))
    }

    /// Whether the camera has power, from the fixture's sensors: the engine's camera emulator
    /// reports a missing device (`DeviceFault::Missing`) when it does not.
    pub fn camera_powered(&self) -> Result<Sensed, BenchError> {
        let station = self.reader.station;
        self.with_fixture(|f| f.sensors(station))
            .map(|reading| reading.camera_powered)
    }

    /// Shows a scene or frame on the display in front of the camera.
    pub fn show(&self, display: Display) -> Result<(), BenchError> {
        let station = self.reader.station;
        self.with_fixture(|f| f.show(station, display))
    }

    /// After a failure: `RESET` the fixture (every card back in its slot) and wait, bounded by
    /// the presence timeout, until PC/SC shows the reader empty.
    pub fn recover(&mut self) -> Result<(), BenchError> {
        self.with_fixture(|f| f.recover())?;
        let since = self.clock.now();
        loop {
            if self.look()? == ReaderPresence::Empty {
                self.phase = Phase::Empty;
                self.fault = None;
                return Ok(());
            }
            let waited = self.clock.now().saturating_duration_since(since);
            if waited >= self.reader.presence_timeout {
                return Err(BenchError::PresenceTimeout {
                    reader: self.reader.name.clone(),
                    action: "was reset".into(),
                    sensor: self.sensor_text(),
                    seen: ReaderPresence::Present,
                    waited,
                });
            }
        }
    }

    fn sensor_text(&self) -> String {
        let station = self.reader.station;
        match self.with_fixture(|f| f.sensors(station)) {
            Ok(reading) => match reading.card {
                Sensed::Yes => "present".into(),
                Sensed::No => "absent".into(),
                Sensed::Unknown => "none".into(),
            },
            Err(error) => format!("unreadable: {error}"),
        }
    }

    fn fail(&mut self, error: BenchError) -> BenchError {
        self.phase = Phase::Failed;
        self.fault = Some(error.to_string());
        error
    }

    /// Waits one slice for PC/SC; a vanished reader is an error.
    fn look(&mut self) -> Result<ReaderPresence, BenchError> {
        match self.watch.wait_change(POLL_SLICE)? {
            ReaderPresence::Gone => Err(BenchError::ReaderVanished {
                reader: self.reader.name.clone(),
            }),
            presence => Ok(presence),
        }
    }

    fn connect(&mut self) -> Result<Box<dyn CardChannel>, BenchError> {
        Ok(self.watch.connect()?)
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

impl<C: Clock + 'static> BenchCardSlot for BenchSlot<C> {
    fn insert(&mut self, card: &CardRef) -> anyhow::Result<()> {
        if self.phase != Phase::Empty {
            return Err(BenchError::Occupied {
                reader: self.reader.name.clone(),
            }
            .into());
        }
        let bench_card = self
            .cards
            .iter()
            .find(|c| c.person == card.person_id)
            .ok_or_else(|| BenchError::NoCardFor {
                person: card.person_id.clone(),
            })?;
        if let Some(profile) = &bench_card.profile {
            if !same_file(profile, &card.card_profile) {
                return Err(BenchError::ProfileMismatch {
                    slot: bench_card.slot,
                    bench: profile.clone(),
                    wanted: card.card_profile.clone(),
                }
                .into());
            }
        }
        let (slot, station) = (bench_card.slot, self.reader.station);
        // Bounded by the fixture's motion timeout.
        if let Err(error) = self.with_fixture(|f| f.place(slot, station)) {
            return Err(self.fail(error).into());
        }
        self.fault = None;
        self.phase = Phase::Placing {
            slot,
            since: self.clock.now(),
        };
        Ok(())
    }

    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        match self.phase {
            Phase::Placing { slot, since } => match self.look() {
                Err(error) => Err(self.fail(error).into()),
                Ok(ReaderPresence::Present) => {
                    self.phase = Phase::Present { slot };
                    Ok(Some(self.connect()?))
                }
                Ok(seen) => {
                    let waited = self.clock.now().saturating_duration_since(since);
                    if waited < self.reader.presence_timeout {
                        return Ok(None);
                    }
                    let error = BenchError::PresenceTimeout {
                        reader: self.reader.name.clone(),
                        action: format!("placed slot {slot}"),
                        sensor: self.sensor_text(),
                        seen,
                        waited,
                    };
                    Err(self.fail(error).into())
                }
            },
            Phase::Present { .. } => Ok(Some(self.connect()?)),
            Phase::Failed => Err(anyhow::anyhow!(
                "{}: {}",
                self.reader.name,
                self.fault.as_deref().unwrap_or("bench slot failed")
            )),
            Phase::Empty | Phase::Removing { .. } => Ok(None),
        }
    }

    fn remove(&mut self) {
        if !matches!(self.phase, Phase::Placing { .. } | Phase::Present { .. }) {
            return;
        }
        let station = self.reader.station;
        match self.with_fixture(|f| f.remove(station)) {
            Ok(_) => {
                self.phase = Phase::Removing {
                    since: self.clock.now(),
                }
            }
            Err(error) => {
                self.fail(error);
            }
        }
    }

    fn poll_removed(&mut self) -> bool {
        let Phase::Removing { since } = self.phase else {
            return self.phase == Phase::Empty;
        };
        match self.look() {
            Ok(ReaderPresence::Empty) => {
                self.phase = Phase::Empty;
                true
            }
            Ok(seen) => {
                let waited = self.clock.now().saturating_duration_since(since);
                if waited >= self.reader.presence_timeout {
                    let error = BenchError::PresenceTimeout {
                        reader: self.reader.name.clone(),
                        action: "removed the card".into(),
                        sensor: self.sensor_text(),
                        seen,
                        waited,
                    };
                    self.fail(error);
                }
                false
            }
            Err(error) => {
                self.fail(error);
                false
            }
        }
    }

    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        match self.look() {
            Ok(ReaderPresence::Present) => Ok(Some(self.connect()?)),
            Ok(_) => Ok(None),
            Err(error) => Err(self.fail(error).into()),
        }
    }

    fn has_card(&self) -> bool {
        matches!(self.phase, Phase::Placing { .. } | Phase::Present { .. })
    }
}

#[cfg(test)]
#[path = "slot_tests.rs"]
mod tests;
