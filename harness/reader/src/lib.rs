//! The mock face-recognition card reader (顔認証付きカードリーダー): a sans-IO state machine.
//! Inputs (card, camera frames, patient touches, mode changes, the clock) in; outputs (APDUs,
//! patient screens, eligibility requests, results) out. No sleeps, threads or sockets inside.

pub mod mode;

pub use mode::ReaderMode;
