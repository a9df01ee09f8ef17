//! Camera emulator, synthetic faces and face matching for the mock reader.
//!
//! Frames are real pixels (`image::RgbImage`). The matcher finds the face, normalises it and compares
//! it with the card photo; every failure comes from what is in the frame, never from a flag.

pub mod camera;
pub mod comparison;
pub mod match_report;
pub mod matching;
pub mod parallel;
pub mod people;
pub mod photo;
pub mod raster;
pub mod staff_check;
pub mod synth;

pub use camera::{Camera, CameraError, CameraSetup, DeviceFault, Scene, Subject, Viewpoint};
pub use comparison::{comparison_image, comparison_png};
pub use match_report::{FaceMatcher, MatchDecision, MatchReport};
pub use matching::{analyse_frame, FrameFinding, LbpMatcher, MatcherTuning};
pub use photo::{decode_card_photo, encode_card_photo, render_card_photo, PhotoError};
pub use staff_check::{StaffCheckReport, StaffPhotoCheck, StaffVerdict};
pub use synth::{Alteration, FaceIdentity, Lighting, Pose, Sex};
