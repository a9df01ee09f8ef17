//! `harness clinic`: the live simulated clinic — the same facility engine as the features
//! ([`crate::facility`]), driven on wall-clock time from a browser and a JSON API.
//!
//! - [`host::ClinicHost`]: the engine behind an async mutex; the terminal's web UI runs on it
//!   ([`harness_terminal::web::TerminalHost`]), so a mode switched on the operator screen
//!   reaches the reader.
//! - [`patient`]: what a patient does at a reader ([`host::ClinicHost::act`]), one route for the
//!   pages and the API; [`pages`]: the patient side per reader and the drills, in Japanese.
//! - [`drills`]: the drill catalogue and the pure checker; [`practice`] runs drills on the host.
//! - [`api`]: `/api/…` with a bearer token ([`token`]); [`error`]: one error type, one mapping.
//! - [`serve`]: building the clinic, the router, the 250 ms ticker and the `req/` poller.

pub mod api;
mod api_auth;
pub mod audit_feed;
pub mod catalog;
pub mod drills;
pub mod error;
pub mod host;
mod journal;
pub mod pages;
pub mod patient;
pub mod practice;
pub mod results;
pub mod serve;
pub mod token;

pub use host::ClinicHost;
pub use serve::{router, CardSource, Clinic, ClinicSetup, DEFAULT_READERS};
pub use token::ApiToken;
