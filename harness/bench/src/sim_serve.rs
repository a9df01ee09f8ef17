//! The simulated fixture's edge: runs a [`SimFixture`] on a port (the master side of a
//! pseudo-terminal, or a serial device) until told to stop or until a `vanish` fault.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::client::FixturePort;
use crate::line::{self, LineDecoder};
use crate::sim::{CardMover, SimFixture, SimOutput};

/// How often the loop looks at the stop flag and at placed cards.
const TICK: Duration = Duration::from_millis(100);

/// Why [`serve`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeEnd {
    /// The stop flag was set.
    Stopped,
    /// A `vanish` fault: the caller closes the port and exits.
    Vanished,
}

/// Sends one output; false for a `vanish` fault.
fn send(port: &mut dyn FixturePort, log: &mut dyn Write, output: SimOutput) -> io::Result<bool> {
    match output {
        SimOutput::Line(text) => {
            let _ = writeln!(log, "> {text}");
            port.write_all_bytes(&line::frame(&text)).map(|()| true)
        }
        SimOutput::Raw(bytes) => {
            let _ = writeln!(log, "> (garbage) {}", line::escape(&bytes));
            port.write_all_bytes(&bytes).map(|()| true)
        }
        SimOutput::Vanish => {
            let _ = writeln!(log, "! vanishing (fault injection)");
            Ok(false)
        }
    }
}

/// The answer of a motion or `RESET`, held until the motion is over.
struct Held {
    until: Instant,
    outputs: Vec<SimOutput>,
    /// The port was read since the motion began: lines that came during it got `busy`.
    read_since: bool,
}

/// Serves the protocol on `port`: sends `EVT BOOT`, answers every line, reports cards whose
/// process died. A motion or `RESET` answers after [`SimFixture::motion_time`] (and at least
/// one more read of the port); a line received meanwhile is answered at once with `busy`
/// (protocol §3). `log` gets every line received (`<`) and sent (`>`).
pub fn serve(
    port: &mut dyn FixturePort,
    sim: &mut SimFixture,
    mover: &mut dyn CardMover,
    stop: &AtomicBool,
    log: &mut dyn Write,
) -> io::Result<ServeEnd> {
    send(port, log, SimOutput::Line(sim.boot_line()))?;
    let mut decoder = LineDecoder::new();
    let mut buf = [0u8; 256];
    let mut held: Option<Held> = None;
    while !stop.load(Ordering::Relaxed) {
        let wait = held.as_ref().map_or(TICK, |h| {
            h.until.saturating_duration_since(Instant::now()).min(TICK)
        });
        let read = port.read_some(&mut buf, wait)?;
        if let Some(held) = &mut held {
            held.read_since = true;
        }
        match read {
            None => {}
            Some(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the port closed",
                ))
            }
            Some(n) => decoder.feed(buf.get(..n).unwrap_or_default()),
        }
        while let Some(received) = decoder.next_line() {
            let _ = match &received {
                Ok(text) => writeln!(log, "< {text}"),
                Err(error) => writeln!(log, "< (bad line) {error}"),
            };
            if held.is_some() {
                send(port, log, sim.busy(received))?;
                continue;
            }
            let started = Instant::now();
            let outputs = sim.handle(received, mover);
            if sim.moved() {
                held = Some(Held {
                    until: started + sim.motion_time(),
                    outputs,
                    read_since: false,
                });
                continue;
            }
            for output in outputs {
                if !send(port, log, output)? {
                    return Ok(ServeEnd::Vanished);
                }
            }
        }
        match held.take() {
            Some(done) if done.read_since && Instant::now() >= done.until => {
                for output in done.outputs {
                    if !send(port, log, output)? {
                        return Ok(ServeEnd::Vanished);
                    }
                }
            }
            Some(running) => held = Some(running),
            None => {
                for output in sim.check_cards(mover) {
                    send(port, log, output)?;
                }
            }
        }
        let _ = log.flush();
    }
    Ok(ServeEnd::Stopped)
}
