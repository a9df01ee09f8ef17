//! Hardware-in-the-loop harness for the face-recognition card reader (顔認証付きカードリーダー):
//! the simulated counter, the cucumber world and steps, the runner and the HTML report.
//!
//! `facility` wires card → reader → terminal → eligibility; `steps` are glue into it; `runner`
//! runs the features for both `cargo test` and `harness run`.

pub mod config;
pub mod facility;
pub mod report;
pub mod runner;
pub mod slots;
pub mod steps;
pub mod world;
