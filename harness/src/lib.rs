//! Hardware-in-the-loop harness for the face-recognition card reader (顔認証付きカードリーダー).
//!
//! [`facility`] is the one engine (terminal, readers, eligibility service, result folder, one
//! clock input); its drivers are [`features`] (the Gherkin features on scenario time), the live
//! clinic and the bench. [`slots`] are the ways a card reaches a reader; [`report`] renders runs.

pub mod bench;
pub mod card_queries;
pub mod clinic;
pub mod config;
pub mod facility;
pub mod features;
pub mod report;
pub mod slots;
