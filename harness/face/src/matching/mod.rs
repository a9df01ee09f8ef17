//! Face matching on pixels: find the face (skin segmentation, connected components, eye blobs),
//! check exposure and occlusion, align on the eyes, describe with feature geometry, LBP histograms
//! and a low-resolution appearance vector, compare with the card photo, and check liveness across
//! the burst.
//!
//! Nothing here knows which scene produced the frames: every decision comes from the pixels.
//!
//! Parts, each importing only the ones before it:
//! - [`tuning`]: [`MatcherTuning`], every threshold, weight and spread;
//! - [`planes`]: luma/chroma planes, skin mask, regions, eye-aligned frame and crop;
//! - [`features`]: geometry, LBP, appearance, and the similarity of two described faces;
//! - [`detection`]: exposure, face region, eyes, cut-off and covered faces → [`FrameFinding`];
//! - [`judgement`]: the burst decision with liveness ([`LbpMatcher`]).

pub mod detection;
pub mod features;
pub mod judgement;
pub mod planes;
pub mod tuning;

pub use detection::{analyse_frame, FrameFinding};
pub use features::{
    geometry_similarity, similarity, FaceObservation, Similarity, GEOMETRY_FEATURES, LBP_BINS,
};
pub use judgement::{BurstAnalysis, BurstObservation, LbpMatcher};
pub use planes::{skin_mask_image, EyeFrame, CROP_EYE_DIST, CROP_EYE_Y, CROP_H, CROP_W};
pub use tuning::{
    ExposureTuning, EyeTuning, LivenessTuning, MatcherTuning, OcclusionTuning, ScoreTuning,
    SkinTuning,
};
