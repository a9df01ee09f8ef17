//! The bench driver: the same features against physical PC/SC readers, with cards laid on them
//! and lifted off by a serial fixture (docs/bench-fixture-protocol.md) and their presence seen
//! through PC/SC. The engine is the same; only the card slots differ ([`BenchRig::slots`]).
//! A simulated bench (ci/bench-sim.sh: fixture-sim + vpcd readers) takes the same path; only the
//! serial port and the reader names in the bench file differ. Before the first scenario the
//! bench's physical cards are enrolled in the eligibility service ([`BenchRig::enrol_cards`]).

mod clock;
mod enrol;
mod rig;
mod skip;
mod slot;

pub use clock::BenchClock;
pub use enrol::{auth_ca_of, check_enrolment, read_cards};
pub use rig::{serial_log_path, BenchRig, WatchOpener};
pub use skip::skip_reason_ja;
