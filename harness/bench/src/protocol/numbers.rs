//! The numbers of the fixture protocol: its version, request ids, slots and stations, and the
//! strict decimal form every number on the wire takes ([`parse_decimal`]).

/// Protocol version of docs/bench-fixture-protocol.md.
pub const PROTOCOL_VERSION: u32 = 1;

/// A request id: 1–65535 from the host; 0 only in a fixture's answer to an unreadable line.
pub type RequestId = u16;

/// A fixture slot (a card's place in the magazine), from 1.
pub type Slot = u8;
/// A station (reader, camera, display), from 1.
pub type Station = u8;

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
