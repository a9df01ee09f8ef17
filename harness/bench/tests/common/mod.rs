//! Shared by harness-bench's integration tests: the in-process simulated fixture served on one
//! end of a pseudo-terminal pair (no binary, no cards), so a test talks to it on the other end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use harness_bench::client::FixturePort;
use harness_bench::sim::{CardMover, SimFixture};
use harness_bench::sim_serve::{serve, ServeEnd};
use serialport::{SerialPort, TTYPort};

/// Moves no cards: every PLACE and REMOVE succeeds, a placed card stays present.
pub struct NoCards;

impl CardMover for NoCards {
    fn place(&mut self, _: u8, _: u8) -> Result<(), String> {
        Ok(())
    }
    fn remove(&mut self, _: u8, _: u8) -> Result<(), String> {
        Ok(())
    }
    fn still_present(&mut self, _: u8) -> bool {
        true
    }
}

/// `sim` serving the master end of a pseudo-terminal pair in a thread; `path` is the other end.
pub struct SimOnPty {
    /// The pseudo-terminal the test opens.
    pub path: String,
    stop: Arc<AtomicBool>,
    server: Option<JoinHandle<std::io::Result<ServeEnd>>>,
}

impl SimOnPty {
    pub fn start(sim: SimFixture) -> SimOnPty {
        let (master, slave) = TTYPort::pair().expect("pty pair");
        let path = slave.name().expect("slave path");
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let server = std::thread::spawn(move || {
            let _slave = slave;
            let mut sim = sim;
            let mut port: Box<dyn FixturePort> = Box::new(Box::new(master));
            serve(
                port.as_mut(),
                &mut sim,
                &mut NoCards,
                &thread_stop,
                &mut std::io::sink(),
            )
        });
        SimOnPty {
            path,
            stop,
            server: Some(server),
        }
    }

    /// Stops the sim and returns how its serving loop ended (`None` if already stopped).
    pub fn stop(&mut self) -> Option<std::io::Result<ServeEnd>> {
        self.stop.store(true, Ordering::Relaxed);
        self.server
            .take()
            .map(|server| server.join().expect("server thread"))
    }
}
