//! `harness clinic`: the live simulated clinic.
pub mod api;
pub mod audit_feed;
pub mod catalog;
pub mod drills;
pub mod error;
pub mod host;
pub mod patient;
pub mod practice;
pub mod results;
pub mod token;
