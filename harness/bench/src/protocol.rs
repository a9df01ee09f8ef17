//! Messages of the fixture protocol (docs/bench-fixture-protocol.md §3–§7): requests, responses,
//! events, error codes, and the typed answers of `ID` and `SENSORS`. Both sides use it: the host
//! (session, client) formats requests and parses fixture lines; the simulated fixture the reverse.

use std::fmt;
use std::time::Duration;

/// Protocol version of docs/bench-fixture-protocol.md.
pub const PROTOCOL_VERSION: u32 = 1;

/// A request id: 1–65535 from the host; 0 only in a fixture's answer to an unreadable line.
pub type RequestId = u16;

/// Why a line is not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The line starts with neither an id, `EVT` nor `#`.
    #[error("neither a response, an event nor a note: {0:?}")]
    Unrecognised(String),
    /// The id is not a decimal 0–65535 without leading zeros.
    #[error("bad id in {0:?}")]
    BadId(String),
    /// After the id: neither `OK` nor `ERR code name`.
    #[error("bad status in {0:?}")]
    BadStatus(String),
    /// A field is not `name=value`, or a value is out of range.
    #[error("bad field {field:?} in {line:?}")]
    BadField {
        /// The field.
        field: String,
        /// The whole line.
        line: String,
    },
    /// A request line (fixture side) the grammar does not allow.
    #[error("bad request {0:?}")]
    BadRequest(String),
    /// Wrong arguments to a known verb (fixture side).
    #[error("bad arguments in {0:?}")]
    BadArgument(String),
}

/// Timeout class of a request (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandClass {
    /// `ID`, `PING`, `SENSORS`, `CAMERA`, `SHOW`.
    Quick,
    /// `PLACE`, `REMOVE`.
    Motion,
    /// `RESET`.
    Reset,
}

/// Host-side timeouts per class, and the heartbeat interval (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Quick requests.
    pub quick: Duration,
    /// `PLACE`, `REMOVE`.
    pub motion: Duration,
    /// `RESET`.
    pub reset: Duration,
    /// `PING` after this long without a request.
    pub heartbeat: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            quick: Duration::from_secs(2),
            motion: Duration::from_secs(15),
            reset: Duration::from_secs(30),
            heartbeat: Duration::from_secs(2),
        }
    }
}

impl Timeouts {
    /// How long the host waits for a request of `class`.
    pub fn for_class(&self, class: CommandClass) -> Duration {
        match class {
            CommandClass::Quick => self.quick,
            CommandClass::Motion => self.motion,
            CommandClass::Reset => self.reset,
        }
    }
}

/// A fixture slot (a card's place in the magazine), from 1.
pub type Slot = u8;
/// A station (reader, camera, display), from 1.
pub type Station = u8;

/// Camera power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    /// Powered.
    On,
    /// Cut.
    Off,
}

/// What a station's display shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Display {
    /// Black.
    Blank,
    /// A stored image by name (1–32 of `a-z 0-9 - _ .`).
    Scene(String),
    /// A stored frame by number.
    Frame(u16),
}

impl Display {
    /// True if `name` is a valid scene name (§4).
    pub fn valid_scene_name(name: &str) -> bool {
        (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
    }

    /// The `display=` value: `blank`, `scene:NAME`, `frame:N`.
    pub fn field_value(&self) -> String {
        match self {
            Display::Blank => "blank".into(),
            Display::Scene(name) => format!("scene:{name}"),
            Display::Frame(n) => format!("frame:{n}"),
        }
    }

    /// Parses a `display=` value.
    pub fn parse_field(value: &str) -> Option<Display> {
        match value.split_once(':') {
            None if value == "blank" => Some(Display::Blank),
            Some(("scene", name)) if Display::valid_scene_name(name) => {
                Some(Display::Scene(name.into()))
            }
            Some(("frame", n)) => parse_decimal(n).map(Display::Frame),
            _ => None,
        }
    }
}

/// A request from host to fixture (§4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `ID`.
    Identify,
    /// `PING`.
    Ping,
    /// `SENSORS station`.
    Sensors {
        /// Station.
        station: Station,
    },
    /// `PLACE slot station`.
    Place {
        /// The card's slot.
        slot: Slot,
        /// The reader.
        station: Station,
    },
    /// `REMOVE station`.
    Remove {
        /// The reader.
        station: Station,
    },
    /// `CAMERA ON|OFF station`.
    Camera {
        /// The power wanted.
        power: Power,
        /// The reader whose camera.
        station: Station,
    },
    /// `SHOW SCENE name|FRAME n|BLANK station`.
    Show {
        /// What to show.
        display: Display,
        /// The display's station.
        station: Station,
    },
    /// `RESET`.
    Reset,
}

impl Request {
    /// The timeout class.
    pub fn class(&self) -> CommandClass {
        match self {
            Request::Place { .. } | Request::Remove { .. } => CommandClass::Motion,
            Request::Reset => CommandClass::Reset,
            _ => CommandClass::Quick,
        }
    }

    /// The verb and arguments, without the id (always with the station).
    pub fn body(&self) -> String {
        match self {
            Request::Identify => "ID".into(),
            Request::Ping => "PING".into(),
            Request::Sensors { station } => format!("SENSORS {station}"),
            Request::Place { slot, station } => format!("PLACE {slot} {station}"),
            Request::Remove { station } => format!("REMOVE {station}"),
            Request::Camera { power, station } => match power {
                Power::On => format!("CAMERA ON {station}"),
                Power::Off => format!("CAMERA OFF {station}"),
            },
            Request::Show { display, station } => match display {
                Display::Blank => format!("SHOW BLANK {station}"),
                Display::Scene(name) => format!("SHOW SCENE {name} {station}"),
                Display::Frame(n) => format!("SHOW FRAME {n} {station}"),
            },
            Request::Reset => "RESET".into(),
        }
    }

    /// The whole line content: `id body`.
    pub fn line(&self, id: RequestId) -> String {
        format!("{id} {}", self.body())
    }

    /// Parses a request line (the fixture's side). On failure also returns the id when it was
    /// readable, so the fixture can answer under it (else id 0). A line starting with a space
    /// has no id. A well-formed slot or station number naming none (0, above 255) parses as 0,
    /// which the fixture answers with `no-such-slot` / `no-such-station`, not `bad-argument`.
    pub fn parse_line(line: &str) -> Result<(RequestId, Request), (RequestId, MessageError)> {
        let mut words = line.split_ascii_whitespace();
        let id = words
            .next()
            .filter(|_| !line.starts_with(' '))
            .and_then(parse_decimal::<u16>)
            .filter(|id| *id != 0)
            .ok_or_else(|| (0, MessageError::BadRequest(line.into())))?;
        let verb = words
            .next()
            .ok_or_else(|| (id, MessageError::BadRequest(line.into())))?;
        let args: Vec<&str> = words.collect();
        let bad_arg = || (id, MessageError::BadArgument(line.into()));
        let number = |s: &str| parse_decimal::<u8>(s).or_else(|| is_decimal(s).then_some(0));
        // Optional trailing station (default 1).
        let station = |rest: &[&str]| match rest {
            [] => Some(1),
            [s] => number(s),
            _ => None,
        };
        let request = match verb {
            "ID" if args.is_empty() => Request::Identify,
            "PING" if args.is_empty() => Request::Ping,
            "RESET" if args.is_empty() => Request::Reset,
            "SENSORS" => Request::Sensors {
                station: station(&args).ok_or_else(bad_arg)?,
            },
            "REMOVE" => Request::Remove {
                station: station(&args).ok_or_else(bad_arg)?,
            },
            "PLACE" => match args.split_first() {
                Some((slot, rest)) => Request::Place {
                    slot: number(slot).ok_or_else(bad_arg)?,
                    station: station(rest).ok_or_else(bad_arg)?,
                },
                None => return Err(bad_arg()),
            },
            "CAMERA" => {
                let (power, rest) = match args.split_first() {
                    Some((&"ON", rest)) => (Power::On, rest),
                    Some((&"OFF", rest)) => (Power::Off, rest),
                    _ => return Err(bad_arg()),
                };
                Request::Camera {
                    power,
                    station: station(rest).ok_or_else(bad_arg)?,
                }
            }
            "SHOW" => {
                let (display, rest) = match args.as_slice() {
                    ["BLANK", rest @ ..] => (Display::Blank, rest),
                    ["SCENE", name, rest @ ..] if Display::valid_scene_name(name) => {
                        (Display::Scene((*name).into()), rest)
                    }
                    ["FRAME", n, rest @ ..] => {
                        (Display::Frame(parse_decimal(n).ok_or_else(bad_arg)?), rest)
                    }
                    _ => return Err(bad_arg()),
                };
                Request::Show {
                    display,
                    station: station(rest).ok_or_else(bad_arg)?,
                }
            }
            "ID" | "PING" | "RESET" => return Err(bad_arg()),
            _ => return Err((id, MessageError::BadRequest(line.into()))),
        };
        Ok((id, request))
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.body())
    }
}

/// Error codes of `ERR` answers (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 1: not a request.
    BadRequest,
    /// 2: wrong arguments.
    BadArgument,
    /// 3: line too long.
    LineTooLong,
    /// 4: another request is running.
    Busy,
    /// 5: capability missing.
    NotSupported,
    /// 6: slot out of range.
    NoSuchSlot,
    /// 7: station out of range.
    NoSuchStation,
    /// 8: the slot's card is not there.
    SlotEmpty,
    /// 9: a card already lies on the reader.
    StationOccupied,
    /// 10: lid open.
    LidOpen,
    /// 11: mechanics failed; card position unknown.
    MotionFailed,
    /// 12: relay, display or sensor failure.
    HardwareFault,
    /// 13: homing.
    NotReady,
    /// 14: unknown scene or frame.
    NoSuchScene,
    /// A code this host does not know (treated like a hardware fault).
    Unknown(u16),
}

impl ErrorCode {
    const TABLE: [(ErrorCode, u16, &'static str); 14] = [
        (ErrorCode::BadRequest, 1, "bad-request"),
        (ErrorCode::BadArgument, 2, "bad-argument"),
        (ErrorCode::LineTooLong, 3, "line-too-long"),
        (ErrorCode::Busy, 4, "busy"),
        (ErrorCode::NotSupported, 5, "not-supported"),
        (ErrorCode::NoSuchSlot, 6, "no-such-slot"),
        (ErrorCode::NoSuchStation, 7, "no-such-station"),
        (ErrorCode::SlotEmpty, 8, "slot-empty"),
        (ErrorCode::StationOccupied, 9, "station-occupied"),
        (ErrorCode::LidOpen, 10, "lid-open"),
        (ErrorCode::MotionFailed, 11, "motion-failed"),
        (ErrorCode::HardwareFault, 12, "hardware-fault"),
        (ErrorCode::NotReady, 13, "not-ready"),
        (ErrorCode::NoSuchScene, 14, "no-such-scene"),
    ];

    /// The number.
    pub fn number(self) -> u16 {
        match self {
            ErrorCode::Unknown(n) => n,
            known => Self::TABLE
                .iter()
                .find(|(c, _, _)| *c == known)
                .map_or(0, |(_, n, _)| *n),
        }
    }

    /// The fixed name.
    pub fn name(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or("unknown", |(_, _, name)| name)
    }

    /// The code for a number.
    pub fn from_number(number: u16) -> ErrorCode {
        Self::TABLE
            .iter()
            .find(|(_, n, _)| *n == number)
            .map_or(ErrorCode::Unknown(number), |(c, _, _)| *c)
    }

    /// True if after this error the fixture's state is unknown (`RESET` needed).
    pub fn leaves_state_unknown(self) -> bool {
        matches!(
            self,
            ErrorCode::MotionFailed | ErrorCode::HardwareFault | ErrorCode::Unknown(_)
        )
    }
}

/// `name=value` fields of an `OK` answer or event, in the order received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The value of `name` (the first one).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Adds a field (fixture side).
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// Every field.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    fn parse<'a>(words: impl Iterator<Item = &'a str>, line: &str) -> Result<Fields, MessageError> {
        let mut fields = Vec::new();
        for word in words {
            let bad = || MessageError::BadField {
                field: word.into(),
                line: line.into(),
            };
            let (name, value) = word.split_once('=').ok_or_else(bad)?;
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !name_ok || value.is_empty() || value.len() > 40 || value.contains('=') {
                return Err(bad());
            }
            fields.push((name.into(), value.into()));
        }
        Ok(Fields(fields))
    }

    fn render(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!(" {n}={v}"))
            .collect::<String>()
    }
}

/// An `ERR` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureFailure {
    /// The code.
    pub code: ErrorCode,
    /// The name the fixture sent (should be the code's fixed name).
    pub name: String,
    /// Free text.
    pub detail: String,
}

impl fmt::Display for FixtureFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ERR {} {}", self.code.number(), self.name)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// A response line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The request's id.
    pub id: RequestId,
    /// `OK` with its fields, or `ERR`.
    pub outcome: Result<Fields, FixtureFailure>,
}

impl Response {
    /// `id OK fields`.
    pub fn ok(id: RequestId, fields: Fields) -> Self {
        Self {
            id,
            outcome: Ok(fields),
        }
    }

    /// `id ERR code name detail`.
    pub fn err(id: RequestId, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            id,
            outcome: Err(FixtureFailure {
                code,
                name: code.name().into(),
                detail: detail.into(),
            }),
        }
    }

    /// The line content (fixture side). An `ERR` detail is cut to fit the maximum line length;
    /// `OK` fields are never cut (the fixture must keep them short enough).
    pub fn line(&self) -> String {
        match &self.outcome {
            Ok(fields) => format!("{} OK{}", self.id, fields.render()),
            Err(failure) => {
                let mut line =
                    format!("{} ERR {} {}", self.id, failure.code.number(), failure.name);
                if !failure.detail.is_empty() {
                    line.push(' ');
                    line.extend(failure.detail.chars().map(|c| {
                        if c == ' ' || c.is_ascii_graphic() {
                            c
                        } else {
                            '?'
                        }
                    }));
                }
                // Every character is ASCII here, so truncating cannot split one.
                line.truncate(crate::line::MAX_LINE);
                line
            }
        }
    }
}

/// An unsolicited event (§7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `EVT BOOT …`: the fixture (re)started.
    Boot(Fields),
    /// `EVT CARD PRESENT station=n`.
    CardPresent(Station),
    /// `EVT CARD ABSENT station=n`.
    CardAbsent(Station),
    /// `EVT LID OPEN`.
    LidOpen,
    /// `EVT LID CLOSED`.
    LidClosed,
    /// `EVT FAULT code name [detail]`.
    Fault(FixtureFailure),
    /// An event kind this host does not know (ignored, logged): the line after `EVT `.
    Other(String),
}

impl Event {
    /// The line content (fixture side).
    pub fn line(&self) -> String {
        match self {
            Event::Boot(fields) => format!("EVT BOOT{}", fields.render()),
            Event::CardPresent(station) => format!("EVT CARD PRESENT station={station}"),
            Event::CardAbsent(station) => format!("EVT CARD ABSENT station={station}"),
            Event::LidOpen => "EVT LID OPEN".into(),
            Event::LidClosed => "EVT LID CLOSED".into(),
            Event::Fault(failure) => format!(
                "EVT FAULT {} {} {}",
                failure.code.number(),
                failure.name,
                failure.detail
            )
            .trim_end()
            .to_owned(),
            Event::Other(rest) => format!("EVT {rest}"),
        }
    }
}

/// A line from the fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureLine {
    /// A response.
    Response(Response),
    /// An event.
    Event(Event),
    /// A `#` note.
    Note(String),
}

impl FixtureLine {
    /// Parses a (framing-valid) line from the fixture.
    pub fn parse(line: &str) -> Result<FixtureLine, MessageError> {
        if let Some(note) = line.strip_prefix('#') {
            return Ok(FixtureLine::Note(note.trim().into()));
        }
        let mut words = line.split_ascii_whitespace();
        let first = words.next().unwrap_or_default();
        if line.starts_with(' ') {
            return Err(MessageError::Unrecognised(line.into()));
        }
        if first == "EVT" {
            return parse_event(words, line).map(FixtureLine::Event);
        }
        if !first.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            return Err(MessageError::Unrecognised(line.into()));
        }
        let id = parse_decimal::<u16>(first).ok_or_else(|| MessageError::BadId(line.into()))?;
        let outcome = match words.next() {
            Some("OK") => Ok(Fields::parse(words, line)?),
            Some("ERR") => {
                let code = words
                    .next()
                    .and_then(parse_decimal::<u16>)
                    .ok_or_else(|| MessageError::BadStatus(line.into()))?;
                let name = words
                    .next()
                    .ok_or_else(|| MessageError::BadStatus(line.into()))?;
                Err(FixtureFailure {
                    code: ErrorCode::from_number(code),
                    name: name.into(),
                    detail: words.collect::<Vec<_>>().join(" "),
                })
            }
            _ => return Err(MessageError::BadStatus(line.into())),
        };
        Ok(FixtureLine::Response(Response { id, outcome }))
    }
}

fn parse_event<'a>(
    mut words: impl Iterator<Item = &'a str>,
    line: &str,
) -> Result<Event, MessageError> {
    let rest = line.get(4..).unwrap_or_default().to_owned();
    let station = |fields: &Fields| -> Result<Station, MessageError> {
        fields
            .get("station")
            .and_then(parse_decimal::<u8>)
            .ok_or_else(|| MessageError::BadField {
                field: "station".into(),
                line: line.into(),
            })
    };
    Ok(match words.next() {
        Some("BOOT") => Event::Boot(Fields::parse(words, line)?),
        Some("CARD") => match words.next() {
            Some("PRESENT") => Event::CardPresent(station(&Fields::parse(words, line)?)?),
            Some("ABSENT") => Event::CardAbsent(station(&Fields::parse(words, line)?)?),
            _ => Event::Other(rest),
        },
        Some("LID") => match words.next() {
            Some("OPEN") => Event::LidOpen,
            Some("CLOSED") => Event::LidClosed,
            _ => Event::Other(rest),
        },
        Some("FAULT") => {
            let code = words
                .next()
                .and_then(parse_decimal::<u16>)
                .ok_or_else(|| MessageError::BadStatus(line.into()))?;
            let name = words.next().unwrap_or("unknown").to_owned();
            Event::Fault(FixtureFailure {
                code: ErrorCode::from_number(code),
                name,
                detail: words.collect::<Vec<_>>().join(" "),
            })
        }
        Some(_) => Event::Other(rest),
        None => return Err(MessageError::Unrecognised(line.into())),
    })
}

/// Parses a decimal number without sign or leading zeros ("0" itself is allowed).
pub fn parse_decimal<T: std::str::FromStr>(s: &str) -> Option<T> {
    (is_decimal(s) && s.len() <= 10)
        .then(|| s.parse().ok())
        .flatten()
}

/// True if `s` is a decimal number of any size without sign or leading zeros.
pub fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && !(s.len() > 1 && s.starts_with('0'))
}

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
