//! A My Number card (マイナンバーカード) emulator at the APDU level (ISO 7816-4).
//!
//! The engine is pure: command bytes in, response bytes out, no I/O. Profiles describe one card each
//! (`fixtures/cards/*.toml`); the vpcd codec and the `virtual-card` binary link a card to pcscd.
//!
//! Module owners during the first build-out: `apdu`, `card`, `profile`, `state`, `pki` (engine side);
//! `vpcd`, `link` (pcscd side).

pub mod apdu;
pub mod card;
pub mod link;
pub mod pki;
pub mod profile;
pub mod state;
pub mod vpcd;
