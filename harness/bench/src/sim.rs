//! The simulated fixture's core: the fixture side of docs/bench-fixture-protocol.md as a pure
//! state machine. Lines in, lines out; moving a card is delegated to a [`CardMover`] (the
//! `fixture-sim` binary starts and stops `virtual-card serve` processes; `--dry` records what it
//! would do). Faults are injected only when asked for ([`FaultPlan`]).

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::answers::{FixtureCaps, Identity, Sensed, SensorReading};
use crate::line::LineError;
use crate::protocol::{
    Display, ErrorCode, Event, Fields, Power, Request, RequestId, Response, Slot, Station,
    PROTOCOL_VERSION,
};

/// What moves cards for the simulated fixture.
pub trait CardMover {
    /// Lays the card of `slot` on `station`'s reader. `Err` is a hardware fault (its text).
    fn place(&mut self, slot: Slot, station: Station) -> Result<(), String>;
    /// Takes the card of `slot` off `station`'s reader.
    fn remove(&mut self, slot: Slot, station: Station) -> Result<(), String>;
    /// True while the card placed on `station` is still there (its process alive).
    fn still_present(&mut self, station: Station) -> bool;
}

/// A fault to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with a garbage line (non-ASCII bytes) instead of the response.
    Garbage,
    /// Answer nothing.
    Silent,
    /// Close the port and exit.
    Vanish,
}

/// When to inject it: after answering `after` requests normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultPlan {
    /// The fault.
    pub kind: FaultKind,
    /// Requests answered normally first.
    pub after: u32,
}

impl FromStr for FaultPlan {
    type Err = String;
    /// `garbage`, `silent`, `vanish` (from the first request), or `KIND-after=N`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, after) = match s.split_once("-after=") {
            Some((kind, n)) => (
                kind,
                n.parse::<u32>()
                    .map_err(|_| format!("bad count in fault {s:?}"))?,
            ),
            None => (s, 0),
        };
        let kind = match kind {
            "garbage" => FaultKind::Garbage,
            "silent" => FaultKind::Silent,
            "vanish" => FaultKind::Vanish,
            _ => {
                return Err(format!(
                    "unknown fault {s:?} (garbage, silent, vanish, KIND-after=N)"
                ))
            }
        };
        Ok(FaultPlan { kind, after })
    }
}

/// What the edge must do after a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimOutput {
    /// Send this line (CR LF added by the edge).
    Line(String),
    /// Send these raw bytes (garbage).
    Raw(Vec<u8>),
    /// Close the port and stop.
    Vanish,
}

/// The garbage line the fault sends: bytes no valid line may contain.
pub const GARBAGE: &[u8] = b"\x15\xFE?? 1 0K \x00\xFF\r\n";

#[derive(Debug, Clone)]
struct StationState {
    card: Option<Slot>,
    camera: Power,
    display: Display,
}

/// The simulated fixture.
#[derive(Debug)]
pub struct SimFixture {
    slots: BTreeMap<Slot, Option<Station>>,
    stations: Vec<StationState>,
    fault: Option<FaultPlan>,
    answered: u32,
}

impl SimFixture {
    /// A fixture with cards in `slots` (each in its magazine place) and `stations` readers.
    pub fn new(
        slots: impl IntoIterator<Item = Slot>,
        stations: u8,
        fault: Option<FaultPlan>,
    ) -> Self {
        Self {
            slots: slots.into_iter().map(|slot| (slot, None)).collect(),
            stations: (0..stations)
                .map(|_| StationState {
                    card: None,
                    camera: Power::On,
                    display: Display::Blank,
                })
                .collect(),
            fault,
            answered: 0,
        }
    }

    /// What `ID` says.
    pub fn identity(&self) -> Identity {
        Identity {
            maker: "kao-harness".into(),
            model: "fixture-sim".into(),
            firmware: env!("CARGO_PKG_VERSION").into(),
            protocol: PROTOCOL_VERSION,
            slots: self.slots.keys().max().copied().unwrap_or(0),
            stations: u8::try_from(self.stations.len()).unwrap_or(u8::MAX),
            caps: FixtureCaps {
                place: true,
                camera: true,
                display: true,
                card_sensor: true,
                lid: true,
            },
        }
    }

    /// The line sent once at start.
    pub fn boot_line(&self) -> String {
        Event::Boot(Fields::default().with("proto", PROTOCOL_VERSION.to_string())).line()
    }

    /// The card of `station`, if one lies there.
    pub fn card_on(&self, station: Station) -> Option<Slot> {
        self.station(station).and_then(|s| s.card)
    }

    /// The camera power of `station`.
    pub fn camera(&self, station: Station) -> Option<Power> {
        self.station(station).map(|s| s.camera)
    }

    fn station(&self, station: Station) -> Option<&StationState> {
        self.stations.get(usize::from(station).checked_sub(1)?)
    }

    fn station_mut(&mut self, station: Station) -> Option<&mut StationState> {
        self.stations.get_mut(usize::from(station).checked_sub(1)?)
    }

    /// Handles one received line.
    pub fn handle(
        &mut self,
        line: Result<String, LineError>,
        mover: &mut dyn CardMover,
    ) -> Vec<SimOutput> {
        if let Some(fault) = self.fault {
            if self.answered >= fault.after {
                return match fault.kind {
                    FaultKind::Garbage => vec![SimOutput::Raw(GARBAGE.to_vec())],
                    FaultKind::Silent => Vec::new(),
                    FaultKind::Vanish => vec![SimOutput::Vanish],
                };
            }
        }
        self.answered += 1;
        let response = match line {
            Err(LineError::TooLong { .. }) => Response::err(0, ErrorCode::LineTooLong, ""),
            Err(LineError::BadByte { .. }) => {
                Response::err(0, ErrorCode::BadRequest, "invalid byte")
            }
            Ok(line) => match Request::parse_line(&line) {
                Err((id, crate::protocol::MessageError::BadArgument(_))) => {
                    Response::err(id, ErrorCode::BadArgument, "")
                }
                Err((id, _)) => Response::err(id, ErrorCode::BadRequest, ""),
                Ok((id, request)) => return self.execute(id, request, mover),
            },
        };
        vec![SimOutput::Line(response.line())]
    }

    fn execute(
        &mut self,
        id: RequestId,
        request: Request,
        mover: &mut dyn CardMover,
    ) -> Vec<SimOutput> {
        let station_of = |request: &Request| match request {
            Request::Sensors { station }
            | Request::Place { station, .. }
            | Request::Remove { station }
            | Request::Camera { station, .. }
            | Request::Show { station, .. } => Some(*station),
            _ => None,
        };
        if let Some(station) = station_of(&request) {
            if self.station(station).is_none() {
                let line = Response::err(id, ErrorCode::NoSuchStation, "").line();
                return vec![SimOutput::Line(line)];
            }
        }
        let mut out = Vec::new();
        let response = match request {
            Request::Identify => Response::ok(id, self.identity().to_fields()),
            Request::Ping => Response::ok(id, Fields::default()),
            Request::Sensors { station } => Response::ok(id, self.reading(station).to_fields()),
            Request::Place { slot, station } => match self.place(slot, station, mover) {
                Ok(()) => {
                    out.push(SimOutput::Line(Event::CardPresent(station).line()));
                    Response::ok(id, placed(slot, station))
                }
                Err((code, detail)) => Response::err(id, code, detail),
            },
            Request::Remove { station } => match self.remove(station, mover) {
                Ok(Some(slot)) => {
                    out.push(SimOutput::Line(Event::CardAbsent(station).line()));
                    Response::ok(id, placed(slot, station))
                }
                Ok(None) => Response::ok(
                    id,
                    Fields::default()
                        .with("slot", "none")
                        .with("station", station.to_string()),
                ),
                Err(detail) => Response::err(id, ErrorCode::MotionFailed, detail),
            },
            Request::Camera { power, station } => {
                if let Some(state) = self.station_mut(station) {
                    state.camera = power;
                }
                let value = if power == Power::On { "on" } else { "off" };
                Response::ok(id, Fields::default().with("camera", value))
            }
            Request::Show { display, station } => {
                let value = display.field_value();
                if let Some(state) = self.station_mut(station) {
                    state.display = display;
                }
                Response::ok(id, Fields::default().with("display", value))
            }
            Request::Reset => {
                let mut failures = Vec::new();
                for station in 1..=u8::try_from(self.stations.len()).unwrap_or(u8::MAX) {
                    if let Err(detail) = self.remove(station, mover) {
                        failures.push(detail);
                    }
                    if let Some(state) = self.station_mut(station) {
                        state.camera = Power::On;
                        state.display = Display::Blank;
                    }
                }
                match failures.first() {
                    None => Response::ok(id, Fields::default()),
                    Some(detail) => Response::err(id, ErrorCode::MotionFailed, detail.clone()),
                }
            }
        };
        out.push(SimOutput::Line(response.line()));
        out
    }

    fn reading(&self, station: Station) -> SensorReading {
        let state = self.station(station);
        SensorReading {
            station,
            card: if state.and_then(|s| s.card).is_some() {
                Sensed::Yes
            } else {
                Sensed::No
            },
            slot: state.and_then(|s| s.card),
            lid_closed: Sensed::Yes,
            camera_powered: match state.map(|s| s.camera) {
                Some(Power::On) => Sensed::Yes,
                Some(Power::Off) => Sensed::No,
                None => Sensed::Unknown,
            },
            display: state.map(|s| s.display.clone()),
        }
    }

    fn place(
        &mut self,
        slot: Slot,
        station: Station,
        mover: &mut dyn CardMover,
    ) -> Result<(), (ErrorCode, String)> {
        match self.slots.get(&slot) {
            None => return Err((ErrorCode::NoSuchSlot, String::new())),
            Some(Some(on)) => {
                return Err((ErrorCode::SlotEmpty, format!("its card is on station {on}")))
            }
            Some(None) => {}
        }
        if let Some(other) = self.card_on(station) {
            return Err((
                ErrorCode::StationOccupied,
                format!("card from slot {other} lies there"),
            ));
        }
        mover
            .place(slot, station)
            .map_err(|detail| (ErrorCode::HardwareFault, detail))?;
        self.slots.insert(slot, Some(station));
        if let Some(state) = self.station_mut(station) {
            state.card = Some(slot);
        }
        Ok(())
    }

    fn remove(
        &mut self,
        station: Station,
        mover: &mut dyn CardMover,
    ) -> Result<Option<Slot>, String> {
        let Some(slot) = self.card_on(station) else {
            return Ok(None);
        };
        mover.remove(slot, station)?;
        self.slots.insert(slot, None);
        if let Some(state) = self.station_mut(station) {
            state.card = None;
        }
        Ok(Some(slot))
    }

    /// Looks whether placed cards are still there (a card process that died is a card that
    /// fell off): `EVT CARD ABSENT` for each that is gone; the card counts as back in its slot.
    pub fn check_cards(&mut self, mover: &mut dyn CardMover) -> Vec<SimOutput> {
        let mut out = Vec::new();
        for station in 1..=u8::try_from(self.stations.len()).unwrap_or(u8::MAX) {
            if let Some(slot) = self.card_on(station) {
                if !mover.still_present(station) {
                    self.slots.insert(slot, None);
                    if let Some(state) = self.station_mut(station) {
                        state.card = None;
                    }
                    out.push(SimOutput::Line(Event::CardAbsent(station).line()));
                }
            }
        }
        out
    }
}

fn placed(slot: Slot, station: Station) -> Fields {
    Fields::default()
        .with("slot", slot.to_string())
        .with("station", station.to_string())
}

#[cfg(test)]
#[path = "sim_tests.rs"]
mod tests;
