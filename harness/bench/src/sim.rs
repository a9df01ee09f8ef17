//! The simulated fixture's core: the fixture side of docs/bench-fixture-protocol.md as a pure
//! state machine. Lines in, lines out; moving a card is delegated to a [`CardMover`] (the
//! `fixture-sim` binary starts and stops `virtual-card serve` processes; `--dry` records what it
//! would do). Faults are injected only when asked for ([`FaultPlan`]).

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::Duration;

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

/// Scenes the simulated fixture stores unless told otherwise (`SHOW SCENE`).
pub const DEFAULT_SCENES: [&str; 3] = ["bandage", "eyepatch", "printed-photo"];
/// Frames it stores unless told otherwise: 0 to this − 1 (`SHOW FRAME`).
pub const DEFAULT_FRAMES: u32 = 100;

/// The simulated fixture.
#[derive(Debug)]
pub struct SimFixture {
    slots: BTreeMap<Slot, Option<Station>>,
    stations: Vec<StationState>,
    fault: Option<FaultPlan>,
    answered: u32,
    caps: FixtureCaps,
    scenes: BTreeSet<String>,
    frames: u32,
    motion_time: Duration,
    /// The last request handled set the mechanics moving (a motion or `RESET`).
    moved: bool,
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
            caps: FixtureCaps::ALL,
            scenes: DEFAULT_SCENES.iter().map(|s| (*s).to_owned()).collect(),
            frames: DEFAULT_FRAMES,
            motion_time: Duration::ZERO,
            moved: false,
        }
    }

    /// The capabilities it announces and has (default: all). Without `card-sensor` it sends no
    /// `EVT CARD` and reads `card=unknown`; without a part, that part reads `unknown`.
    pub fn with_caps(mut self, caps: FixtureCaps) -> Self {
        self.caps = caps;
        self
    }

    /// The scene names it stores (default [`DEFAULT_SCENES`]); others are `no-such-scene`.
    pub fn with_scenes(mut self, scenes: impl IntoIterator<Item = String>) -> Self {
        self.scenes = scenes.into_iter().collect();
        self
    }

    /// The frames it stores: 0 to `frames` − 1 (default [`DEFAULT_FRAMES`]).
    pub fn with_frames(mut self, frames: u32) -> Self {
        self.frames = frames;
        self
    }

    /// How long a motion or `RESET` takes (default zero). [`crate::sim_serve::serve`] holds
    /// its answer that long and answers `busy` to lines received meanwhile.
    pub fn with_motion_time(mut self, time: Duration) -> Self {
        self.motion_time = time;
        self
    }

    /// How long a motion or `RESET` takes.
    pub fn motion_time(&self) -> Duration {
        self.motion_time
    }

    /// True if the last line handled set the mechanics moving (`RESET`, or `PLACE`/`REMOVE`
    /// that got past the checks): its answer comes when the motion is over.
    pub fn moved(&self) -> bool {
        self.moved
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
            caps: self.caps,
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
        self.moved = false;
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
            Err(error) => line_error(&error),
            Ok(line) => match Request::parse_line(&line) {
                Err((id, crate::protocol::MessageError::BadArgument(_))) => {
                    Response::err(id, ErrorCode::BadArgument, "")
                }
                Err((0, _)) => Response::err(0, ErrorCode::BadRequest, "no id"),
                Err((id, _)) if line.split_ascii_whitespace().nth(1).is_none() => {
                    Response::err(id, ErrorCode::BadRequest, "no verb")
                }
                Err((id, _)) => Response::err(id, ErrorCode::BadRequest, "unknown verb"),
                Ok((id, request)) => return self.execute(id, request, mover),
            },
        };
        vec![SimOutput::Line(response.line())]
    }

    /// The answer to a line received while a motion or `RESET` runs (§3): `busy` under its id,
    /// or, without a readable id, the same error as ever.
    pub fn busy(&self, line: Result<String, LineError>) -> SimOutput {
        let response = match line {
            Err(error) => line_error(&error),
            Ok(line) => match Request::parse_line(&line) {
                Ok((id, _)) | Err((id, _)) if id != 0 => {
                    Response::err(id, ErrorCode::Busy, "a motion is running")
                }
                _ => Response::err(0, ErrorCode::BadRequest, "no id"),
            },
        };
        SimOutput::Line(response.line())
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
        let supported = match &request {
            Request::Place { .. } | Request::Remove { .. } => self.caps.place,
            Request::Camera { .. } => self.caps.camera,
            Request::Show { .. } => self.caps.display,
            _ => true,
        };
        let refusal = if !supported {
            Some((ErrorCode::NotSupported, String::new()))
        } else {
            match station_of(&request) {
                Some(station) if self.station(station).is_none() => Some((
                    ErrorCode::NoSuchStation,
                    format!("fixture has {}", counted(self.stations.len(), "station")),
                )),
                _ => match &request {
                    Request::Show { display, .. } if !self.stores(display) => {
                        Some((ErrorCode::NoSuchScene, String::new()))
                    }
                    _ => None,
                },
            }
        };
        if let Some((code, detail)) = refusal {
            return vec![SimOutput::Line(Response::err(id, code, detail).line())];
        }
        let sensor = self.caps.card_sensor;
        let mut out = Vec::new();
        let response = match request {
            Request::Identify => Response::ok(id, self.identity().to_fields()),
            Request::Ping => Response::ok(id, Fields::default()),
            Request::Sensors { station } => Response::ok(id, self.reading(station).to_fields()),
            Request::Place { slot, station } => match self.place(slot, station, mover) {
                Ok(()) => {
                    if sensor {
                        out.push(SimOutput::Line(Event::CardPresent(station).line()));
                    }
                    Response::ok(id, placed(slot, station))
                }
                Err((code, detail)) => Response::err(id, code, detail),
            },
            Request::Remove { station } => match self.remove(station, mover) {
                Ok(Some(slot)) => {
                    if sensor {
                        out.push(SimOutput::Line(Event::CardAbsent(station).line()));
                    }
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
                self.moved = true;
                let mut failures = Vec::new();
                for station in 1..=u8::try_from(self.stations.len()).unwrap_or(u8::MAX) {
                    match self.remove(station, mover) {
                        Ok(Some(_)) if sensor => {
                            out.push(SimOutput::Line(Event::CardAbsent(station).line()));
                        }
                        Ok(_) => {}
                        Err(detail) => failures.push(detail),
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

    fn stores(&self, display: &Display) -> bool {
        match display {
            Display::Blank => true,
            Display::Scene(name) => self.scenes.contains(name),
            Display::Frame(n) => u32::from(*n) < self.frames,
        }
    }

    fn reading(&self, station: Station) -> SensorReading {
        let state = self.station(station);
        let sensed = |has: bool, yes: bool| match (has, yes) {
            (false, _) => Sensed::Unknown,
            (true, true) => Sensed::Yes,
            (true, false) => Sensed::No,
        };
        SensorReading {
            station,
            card: sensed(self.caps.card_sensor, state.and_then(|s| s.card).is_some()),
            slot: state.and_then(|s| s.card),
            lid_closed: sensed(self.caps.lid, true),
            camera_powered: match state.map(|s| s.camera) {
                Some(power) => sensed(self.caps.camera, power == Power::On),
                None => Sensed::Unknown,
            },
            display: state
                .filter(|_| self.caps.display)
                .map(|s| s.display.clone()),
        }
    }

    fn place(
        &mut self,
        slot: Slot,
        station: Station,
        mover: &mut dyn CardMover,
    ) -> Result<(), (ErrorCode, String)> {
        let count = self.identity().slots;
        match self.slots.get(&slot) {
            // Numbered up to the highest loaded slot: a slot in between is empty, not missing.
            None if (1..=count).contains(&slot) => {
                return Err((
                    ErrorCode::SlotEmpty,
                    format!("slot {slot} was never loaded"),
                ))
            }
            None => {
                let detail = format!("fixture has {}", counted(count.into(), "slot"));
                return Err((ErrorCode::NoSuchSlot, detail));
            }
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
        self.moved = true;
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
        self.moved = true;
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
                    if self.caps.card_sensor {
                        out.push(SimOutput::Line(Event::CardAbsent(station).line()));
                    }
                }
            }
        }
        out
    }
}

fn counted(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn line_error(error: &LineError) -> Response {
    match error {
        LineError::TooLong { .. } => Response::err(0, ErrorCode::LineTooLong, ""),
        LineError::BadByte { .. } => Response::err(0, ErrorCode::BadRequest, "invalid byte"),
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
