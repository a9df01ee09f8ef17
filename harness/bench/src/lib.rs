//! Bench mode: the same features against physical PC/SC readers and a serial bench fixture.
//!
//! - [`line`], [`protocol`], [`session`]: the fixture protocol (docs/bench-fixture-protocol.md)
//!   as pure code: framing, messages, and the host's sans-IO state machine; [`answers`]: the
//!   typed answers of `ID` and `SENSORS`.
//! - [`client`]: the thin serial edge (serialport) with bounded timeouts.
//! - [`config`] (types) and [`bench_file`] (reading, validation): the bench file (TOML): readers,
//!   fixture port, cards (and which to enrol), the CA of their certificates (`[eligibility]`),
//!   capabilities, safety limits. Example: fixtures/bench/example.toml.
//! - [`guard`]: the PIN lock guard for physical cards.
//! - [`sim`]: the simulated fixture's pure core; [`sim_cards`] moves cards (card processes or
//!   `--dry`), [`sim_serve`] runs it on a port; `fixture-sim` is its binary.
//! - [`presence`]: a reader's card presence through PC/SC (`SCardGetStatusChange`).
//! - [`slot`]: the bench card slot: cards placed by the fixture, seen through PC/SC.

pub mod answers;
pub mod bench_file;
pub mod client;
pub mod config;
pub mod guard;
pub mod line;
pub mod presence;
pub mod protocol;
pub mod session;
pub mod sim;
pub mod sim_cards;
pub mod sim_serve;
pub mod slot;
