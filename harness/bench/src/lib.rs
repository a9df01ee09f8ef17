//! Bench mode: the same features against physical PC/SC readers and a serial bench fixture.
//!
//! - [`line`], [`protocol`], [`session`]: the fixture protocol (docs/bench-fixture-protocol.md)
//!   as pure code: framing, messages, and the host's sans-IO state machine.
//! - [`client`]: the thin serial edge (serialport) with bounded timeouts.
//! - [`config`]: the bench file (TOML): readers, fixture port, cards, capabilities, safety limits.
//! - [`guard`]: the PIN lock guard for physical cards.
//! - [`sim`]: the simulated fixture's pure core; `fixture-sim` is its binary.
//! - [`slot`]: the bench card slot: cards placed by the fixture, seen through PC/SC.

pub mod line;
pub mod protocol;
pub mod session;
pub mod bench_file;
pub mod config;
pub mod guard;
pub mod client;
pub mod sim;
pub mod sim_cards;
pub mod sim_serve;
pub mod presence;
pub mod slot;
