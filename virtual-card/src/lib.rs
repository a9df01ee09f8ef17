//! A My Number card (マイナンバーカード) emulator at the APDU level (ISO 7816-4).
//!
//! Split the way a card OS is (as vsmartcard's vpicc keeps card OS, file system and SAM apart):
//! - data model: [`model`] (what a card is built from), [`secret`], [`atr`];
//! - file system layout and encoders: [`filesystem`], [`ber`];
//! - OS dispatch and security state: [`card`] (commands parsed with `card_protocol`), `security`;
//! - what persists: [`card_state`] (pure), and its file edge [`state`];
//! - profiles (`fixtures/cards/*.toml`): [`profile`], [`pki_paths`]; the test PKI: [`pki`]
//!   (minting, checks) and [`pki_issue`] (issuing; a test's own CA);
//! - the pcscd side: [`vpcd`] (frame codec) and [`link`] (the `virtual-card serve` edge).
//!
//! The engine is pure: command bytes in, response bytes out, no I/O. The APDU vocabulary (commands,
//! status words, AIDs, FIDs) is the `card-protocol` crate's.

pub mod atr;
pub mod ber;
pub mod card;
pub mod card_state;
pub mod filesystem;
pub mod link;
pub mod model;
pub mod pki;
pub mod pki_issue;
pub mod pki_paths;
pub mod profile;
pub mod secret;
mod security;
pub mod state;
pub mod vpcd;

pub use atr::Atr;
pub use card::{Card, Exchange};
pub use card_state::{CardState, PinRecord};
pub use model::{CardData, CardKind, Holder, IssuedPins, KeyMaterial, PinFormat, PinId, Sex};
pub use secret::{MyNumber, Secret};
pub use state::PersistentCard;
