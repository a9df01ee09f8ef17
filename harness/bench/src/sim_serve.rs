//! The simulated fixture's edge: runs a [`SimFixture`] on a port (the master side of a
//! pseudo-terminal, or a serial device) until told to stop or until a `vanish` fault.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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

/// Serves the protocol on `port`: sends `EVT BOOT`, answers every line, reports cards whose
/// process died. `log` gets every line received (`<`) and sent (`>`).
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
    while !stop.load(Ordering::Relaxed) {
        match port.read_some(&mut buf, TICK)? {
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
            for output in sim.handle(received, mover) {
                if !send(port, log, output)? {
                    return Ok(ServeEnd::Vanished);
                }
            }
        }
        for output in sim.check_cards(mover) {
            send(port, log, output)?;
        }
        let _ = log.flush();
    }
    Ok(ServeEnd::Stopped)
}
