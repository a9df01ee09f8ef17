//! The Gherkin driver of the facility engine: the cucumber World, typed parameters, steps,
//! snapshots and the runner used by `cargo test` and `harness run`.

pub mod artifacts;
pub mod params;
pub mod runner;
pub mod shard;
pub mod snapshots;
mod steps;
pub mod world;
