//! Messages of the fixture protocol (docs/bench-fixture-protocol.md §3–§7): requests, responses,
//! events, error codes, and the typed answers of `ID` and `SENSORS`. Both sides use it: the host
//! (session, client) formats requests and parses fixture lines; the simulated fixture the reverse.
//!
//! The parts, re-exported here: `numbers` (version, ids, slots, stations, decimal numbers),
//! `requests` (host to fixture, timeouts), `responses` (fixture to host: responses, events,
//! notes) and `errors` (unreadable messages, error codes, failures).

mod errors;
mod numbers;
mod requests;
mod responses;

pub use errors::{ErrorCode, FixtureFailure, MessageError};
pub use numbers::{is_decimal, parse_decimal, RequestId, Slot, Station, PROTOCOL_VERSION};
pub use requests::{CommandClass, Display, Power, Request, Timeouts};
pub use responses::{Event, Fields, FixtureLine, Response};

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
