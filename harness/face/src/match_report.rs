//! What a face comparison concludes: the decision, the score and the threshold, and the
//! [`FaceMatcher`] interface the reader uses.

use image::RgbImage;

/// Why a comparison did not accept the face, or that it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchDecision {
    /// Same person, live.
    Match,
    /// A face was found but it is not the card holder's (or changed too much).
    NoMatch,
    /// No usable face in the frames (nobody there, black frames, face out of the frame).
    NoFace,
    /// A face is there but covered (bandage, eyepatch, mask).
    Occluded,
    /// Frames too dark, too bright or backlit to compare.
    PoorImage,
    /// The face is not live (printed photo, frozen camera).
    NotLive,
}

/// The result of comparing camera frames with the card photo.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchReport {
    /// What the matcher concluded.
    pub decision: MatchDecision,
    /// Similarity of the best frame to the card photo, 0.0..=1.0 (0 when no face was found).
    pub score: f32,
    /// The threshold the score was held against.
    pub threshold: f32,
}

/// Compares a burst of camera frames with the photo from the card's 券面AP.
/// Pure: no I/O, deterministic for the same pixels.
pub trait FaceMatcher: Send + Sync {
    /// Compares `frames` (a short burst from the camera, oldest first) with `card_photo`.
    fn compare(&self, card_photo: &RgbImage, frames: &[RgbImage]) -> MatchReport;
}
