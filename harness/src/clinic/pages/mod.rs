//! The clinic's own pages beside the terminal's: the patient side of each reader
//! ([`patient`]) and the drills ([`practice`]). Same login and CSRF as the terminal (the
//! terminal's [`StaffSession`] / [`StaffForm`] extractors), the terminal's page frame, Japanese
//! text. Pages reload themselves when what they show changes: a small script polls a JSON
//! `…/state` endpoint (no framework).

mod layout;
mod patient;
mod practice;
mod routes;

pub use harness_terminal::web::{StaffForm, StaffSession};
pub use layout::SCRIPT_PATH;
pub use routes::routes;
