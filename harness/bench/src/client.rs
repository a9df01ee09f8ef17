//! The serial edge of the fixture protocol: a [`Session`] over a port (serialport), with every
//! wait bounded by the request's timeout. After a protocol error, a timeout, a lost port or an
//! `ERR` that leaves the fixture's state unknown, the client refuses further requests until
//! [`FixtureClient::recover`] (discard input, `RESET`) succeeds (docs/bench-fixture-protocol.md
//! §5, §7). Every line sent and received can be written to a serial log.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crate::answers::{Identity, SensorReading};
use crate::config::{DataBits, FlowControl, Parity, SerialSettings, StopBits};
use crate::protocol::{
    Display, Event, Fields, FixtureFailure, Power, Request, Slot, Station, Timeouts,
    PROTOCOL_VERSION,
};
use crate::session::{Incoming, ProtocolError, Session};

/// Longest single blocking read: the clock is looked at at least this often.
const READ_SLICE: Duration = Duration::from_millis(50);

/// The time source (tests give one that jumps, so timeouts need no real waiting).
pub trait Clock: Send {
    /// Now.
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A byte pipe to the fixture.
pub trait FixturePort: Send {
    /// Writes all bytes.
    fn write_all_bytes(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what is there, waiting at most `wait`: `Ok(None)` when nothing came, `Ok(Some(0))`
    /// when the other end is gone.
    fn read_some(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<Option<usize>>;
    /// Throws away received bytes not read yet.
    fn discard_input(&mut self) -> io::Result<()>;
}

impl<P: serialport::SerialPort + ?Sized> FixturePort for Box<P> {
    fn write_all_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)?;
        self.flush()
    }

    fn read_some(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<Option<usize>> {
        self.set_timeout(wait.max(Duration::from_millis(1)))
            .map_err(io::Error::from)?;
        match self.read(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(None)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.clear(serialport::ClearBuffer::Input)
            .map_err(io::Error::from)
    }
}

/// Errors talking to the fixture.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The port could not be opened.
    #[error("cannot open the fixture's port {port}: {message}")]
    Open {
        /// The port.
        port: String,
        /// Why.
        message: String,
    },
    /// The port went away (closed, unplugged, pseudo-terminal closed).
    #[error("the fixture's port {port} is gone: {message}")]
    Disconnected {
        /// The port.
        port: String,
        /// What the system said.
        message: String,
    },
    /// A protocol error (garbage, wrong id, timeout).
    #[error("fixture on {port}: {source}")]
    Protocol {
        /// The port.
        port: String,
        /// The error.
        source: ProtocolError,
    },
    /// The fixture answered `ERR`.
    #[error("fixture refused `{request}`: {failure}")]
    Refused {
        /// The request.
        request: String,
        /// The answer.
        failure: FixtureFailure,
    },
    /// An `OK` whose fields do not say what they must.
    #[error("fixture answered `{request}` without a valid `{field}` field")]
    BadAnswer {
        /// The request.
        request: String,
        /// The field.
        field: &'static str,
    },
    /// The fixture speaks another protocol version.
    #[error("fixture speaks protocol {0}, this harness {PROTOCOL_VERSION}")]
    Incompatible(u32),
    /// The fixture restarted mid-run (`EVT BOOT`).
    #[error("the fixture restarted (EVT BOOT) during the run")]
    Rebooted,
    /// An earlier error left the fixture's state unknown; `RESET` it first.
    #[error("fixture unusable until RESET after: {0}")]
    Unusable(String),
}

/// One fixture on one port.
pub struct FixtureClient<C: Clock = SystemClock> {
    port: Box<dyn FixturePort>,
    port_name: String,
    session: Session,
    clock: C,
    events: Vec<Event>,
    log: Option<Box<dyn Write + Send>>,
    started: Instant,
    unusable: Option<String>,
    answered_once: bool,
}

impl<C: Clock> std::fmt::Debug for FixtureClient<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureClient")
            .field("port", &self.port_name)
            .field("unusable", &self.unusable)
            .finish_non_exhaustive()
    }
}

/// Opens a serial port with the bench file's settings (raw 8N1 etc., exclusive on Unix).
pub fn open_serial(settings: &SerialSettings) -> Result<Box<dyn FixturePort>, FixtureError> {
    let port = serialport::new(&settings.port, settings.baud)
        .data_bits(match settings.data_bits {
            DataBits::Five => serialport::DataBits::Five,
            DataBits::Six => serialport::DataBits::Six,
            DataBits::Seven => serialport::DataBits::Seven,
            DataBits::Eight => serialport::DataBits::Eight,
        })
        .parity(match settings.parity {
            Parity::None => serialport::Parity::None,
            Parity::Odd => serialport::Parity::Odd,
            Parity::Even => serialport::Parity::Even,
        })
        .stop_bits(match settings.stop_bits {
            StopBits::One => serialport::StopBits::One,
            StopBits::Two => serialport::StopBits::Two,
        })
        .flow_control(match settings.flow_control {
            FlowControl::None => serialport::FlowControl::None,
            FlowControl::Software => serialport::FlowControl::Software,
            FlowControl::Hardware => serialport::FlowControl::Hardware,
        })
        .timeout(READ_SLICE)
        .open()
        .map_err(|e| FixtureError::Open {
            port: settings.port.clone(),
            message: e.to_string(),
        })?;
    Ok(Box::new(port))
}

impl FixtureClient<SystemClock> {
    /// Opens the port, waits the settle time, throws away what arrived.
    pub fn open(settings: &SerialSettings, timeouts: Timeouts) -> Result<Self, FixtureError> {
        let mut port = open_serial(settings)?;
        if !settings.open_settle.is_zero() {
            // Only for boards that reset when the port opens (protocol §1); never in tests.
            std::thread::sleep(settings.open_settle);
        }
        port.discard_input()
            .map_err(|e| FixtureError::Disconnected {
                port: settings.port.clone(),
                message: e.to_string(),
            })?;
        Ok(Self::new(port, &settings.port, timeouts, SystemClock))
    }
}

impl<C: Clock> FixtureClient<C> {
    /// A client over any port and clock.
    pub fn new(port: Box<dyn FixturePort>, port_name: &str, timeouts: Timeouts, clock: C) -> Self {
        let started = clock.now();
        Self {
            port,
            port_name: port_name.into(),
            session: Session::new(timeouts),
            clock,
            events: Vec::new(),
            log: None,
            started,
            unusable: None,
            answered_once: false,
        }
    }

    /// Writes every line sent (`>`), received (`<`) and every error (`!`) with the time since
    /// the client started.
    pub fn with_log(mut self, log: Box<dyn Write + Send>) -> Self {
        self.log = Some(log);
        self
    }

    /// The port's name.
    pub fn port_name(&self) -> &str {
        &self.port_name
    }

    fn log_line(&mut self, direction: &str, text: &str) {
        let elapsed = self.clock.now().saturating_duration_since(self.started);
        if let Some(log) = &mut self.log {
            // A failing log must not fail the bench; it is reported once by dropping it.
            if writeln!(log, "{:>10.3} {direction} {text}", elapsed.as_secs_f64()).is_err() {
                self.log = None;
            }
        }
    }

    fn fail(&mut self, error: FixtureError) -> FixtureError {
        self.log_line("!", &error.to_string());
        self.unusable = Some(error.to_string());
        error
    }

    fn disconnected(&mut self, error: &io::Error) -> FixtureError {
        let error = FixtureError::Disconnected {
            port: self.port_name.clone(),
            message: error.to_string(),
        };
        self.fail(error)
    }

    fn protocol(&mut self, source: ProtocolError) -> FixtureError {
        let error = FixtureError::Protocol {
            port: self.port_name.clone(),
            source,
        };
        self.fail(error)
    }

    /// Events received so far (taken out).
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// True while an earlier error keeps the client from sending anything but `RESET`.
    pub fn unusable(&self) -> Option<&str> {
        self.unusable.as_deref()
    }

    /// Sends a request and waits (bounded by its class's timeout) for its answer.
    pub fn call(&mut self, request: Request) -> Result<Fields, FixtureError> {
        if let Some(cause) = &self.unusable {
            return Err(FixtureError::Unusable(cause.clone()));
        }
        self.exchange(request)
    }

    fn exchange(&mut self, request: Request) -> Result<Fields, FixtureError> {
        let body = request.body();
        let outgoing = match self.session.start(request, self.clock.now()) {
            Ok(outgoing) => outgoing,
            Err(error) => return Err(self.protocol(error)),
        };
        self.log_line(">", &outgoing.line);
        if let Err(error) = self.port.write_all_bytes(&outgoing.bytes) {
            return Err(self.disconnected(&error));
        }
        let mut buf = [0u8; 256];
        loop {
            while let Some(incoming) = self.session.next_incoming() {
                match incoming {
                    Ok(Incoming::Reply(reply)) => {
                        self.log_line("<", &reply_line(reply.id, &reply.outcome));
                        self.answered_once = true;
                        return match reply.outcome {
                            Ok(fields) => Ok(fields),
                            Err(failure) if failure.code.leaves_state_unknown() => {
                                Err(self.fail(FixtureError::Refused {
                                    request: body,
                                    failure,
                                }))
                            }
                            Err(failure) => Err(FixtureError::Refused {
                                request: body,
                                failure,
                            }),
                        };
                    }
                    Ok(Incoming::Event(event)) => {
                        self.log_line("<", &event.line());
                        let rebooted = matches!(event, Event::Boot(_)) && self.answered_once;
                        self.events.push(event);
                        if rebooted {
                            self.session.clear();
                            return Err(self.fail(FixtureError::Rebooted));
                        }
                    }
                    Ok(Incoming::Note(note)) => self.log_line("<", &format!("# {note}")),
                    Err(error) => {
                        self.session.clear();
                        return Err(self.protocol(error));
                    }
                }
            }
            let now = self.clock.now();
            if let Err(error) = self.session.check_timeout(now) {
                return Err(self.protocol(error));
            }
            let wait = self
                .session
                .deadline()
                .map_or(READ_SLICE, |deadline| {
                    deadline.saturating_duration_since(now)
                })
                .min(READ_SLICE);
            match self.port.read_some(&mut buf, wait) {
                Ok(None) => {}
                Ok(Some(0)) => {
                    let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "end of file");
                    return Err(self.disconnected(&eof));
                }
                Ok(Some(n)) => self.session.feed(buf.get(..n).unwrap_or_default()),
                Err(error) => return Err(self.disconnected(&error)),
            }
        }
    }

    /// After an error: throws away pending input and state, sends `RESET` (reset timeout).
    pub fn recover(&mut self) -> Result<(), FixtureError> {
        self.session.clear();
        if let Err(error) = self.port.discard_input() {
            return Err(self.disconnected(&error));
        }
        self.log_line("!", "recovering: input discarded, RESET");
        self.exchange(Request::Reset)?;
        self.unusable = None;
        Ok(())
    }

    /// `ID`; refuses another protocol version.
    pub fn identify(&mut self) -> Result<Identity, FixtureError> {
        let fields = self.call(Request::Identify)?;
        let identity = Identity::from_fields(&fields).map_err(|field| FixtureError::BadAnswer {
            request: "ID".into(),
            field,
        })?;
        if identity.protocol != PROTOCOL_VERSION {
            return Err(self.fail(FixtureError::Incompatible(identity.protocol)));
        }
        Ok(identity)
    }

    /// `PING`.
    pub fn ping(&mut self) -> Result<(), FixtureError> {
        self.call(Request::Ping).map(drop)
    }

    /// `PING` if the heartbeat is due (idle for the interval); true if it pinged.
    pub fn heartbeat(&mut self) -> Result<bool, FixtureError> {
        if self.session.heartbeat_due(self.clock.now()) {
            self.ping()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// `SENSORS station`.
    pub fn sensors(&mut self, station: Station) -> Result<SensorReading, FixtureError> {
        let fields = self.call(Request::Sensors { station })?;
        SensorReading::from_fields(&fields).map_err(|field| FixtureError::BadAnswer {
            request: format!("SENSORS {station}"),
            field,
        })
    }

    /// `PLACE slot station`: returns when the fixture says the card lies on the reader.
    pub fn place(&mut self, slot: Slot, station: Station) -> Result<(), FixtureError> {
        self.call(Request::Place { slot, station }).map(drop)
    }

    /// `REMOVE station`: the slot the card went back to (`None`: the reader was empty).
    pub fn remove(&mut self, station: Station) -> Result<Option<Slot>, FixtureError> {
        let fields = self.call(Request::Remove { station })?;
        match fields.get("slot") {
            Some("none") => Ok(None),
            Some(n) => crate::protocol::parse_decimal(n)
                .map(Some)
                .ok_or(FixtureError::BadAnswer {
                    request: format!("REMOVE {station}"),
                    field: "slot",
                }),
            None => Err(FixtureError::BadAnswer {
                request: format!("REMOVE {station}"),
                field: "slot",
            }),
        }
    }

    /// `CAMERA ON|OFF station`.
    pub fn camera(&mut self, station: Station, power: Power) -> Result<(), FixtureError> {
        self.call(Request::Camera { power, station }).map(drop)
    }

    /// `SHOW … station`.
    pub fn show(&mut self, station: Station, display: Display) -> Result<(), FixtureError> {
        self.call(Request::Show { display, station }).map(drop)
    }

    /// `RESET`.
    pub fn reset(&mut self) -> Result<(), FixtureError> {
        self.call(Request::Reset).map(drop)
    }

    /// Session start (protocol §8): `ID`, `RESET`; returns the identity.
    pub fn start(&mut self) -> Result<Identity, FixtureError> {
        let identity = self.identify()?;
        self.reset()?;
        Ok(identity)
    }
}

fn reply_line(id: u16, outcome: &Result<Fields, FixtureFailure>) -> String {
    crate::protocol::Response {
        id,
        outcome: outcome.clone(),
    }
    .line()
}
