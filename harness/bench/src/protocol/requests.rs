//! Host to fixture (§4, §5): the [`Request`]s with their arguments ([`Power`], [`Display`]),
//! their lines in both directions, and the timeout class of each ([`CommandClass`], [`Timeouts`]).

use std::fmt;
use std::time::Duration;

use super::errors::MessageError;
use super::numbers::{is_decimal, parse_decimal, RequestId, Slot, Station};

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
