//! Every number the staff photo check decides with ([`StaffCheckTuning`]).
//!
//! Chosen on a generated tuning population (face seeds 100000.., `examples/staff_tune.rs`) and
//! reported on a held-out one (500000..) by `cargo bench -p harness-face --bench staff_check`.

/// Thresholds and weights of [`super::StaffPhotoCheck`]. `Default` is the tuned set.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffCheckTuning {
    /// Judged the holder when the score is at least this.
    pub threshold: f32,
    /// A sample is covering material when its luma exceeds this fraction of the mean skin luma…
    pub cover_luma_factor: f32,
    /// …and its chroma (distance from grey in CbCr) is under this…
    pub cover_chroma_max: f32,
    /// …or when it is bluish (Cb − 128 above this, Cr under 128).
    pub cover_blue_cb: f32,
    /// A patch of material covers the face only when it is at least this fraction of the squared
    /// face width (the whites of the eyes are colourless too, but small).
    pub cover_area_min: f32,
    /// An area is compared only when at least this fraction of it is seen in both faces.
    pub area_visible_min: f32,
    /// At least this many areas must be compared…
    pub areas_min: usize,
    /// …one of them an eye.
    pub eye_required: bool,
    /// With at least this many areas compared, the worst is set aside (a changed part of the face:
    /// a swelling, a scar).
    pub trim_from: usize,
    /// Weight of the luma correlation in an area's score.
    pub correlation_weight: f32,
    /// Weight of the LBP texture agreement.
    pub texture_weight: f32,
    /// Weight of the skin-colour agreement.
    pub tone_weight: f32,
    /// Skin-colour distance (CbCr units) that lowers the tone agreement to 1/e.
    pub tone_scale: f32,
    /// LBP neighbour margin, in standard deviations of the face's luma.
    pub lbp_margin: f32,
    /// Weight of an eye area relative to the others.
    pub eye_weight: f32,
    /// Weight of the feature geometry in the score (the rest is the areas' appearance).
    pub geometry_weight: f32,
    /// Geometry counts only with at least this many features measured on both faces.
    pub geometry_features_min: usize,
    /// An eye pair tilted more than this (|dy| / dx) is not level: one side of the face may be
    /// changed, so single-eye alignments are tried too.
    pub level_tilt_max: f32,
    /// A mouth is at least this many times wider than tall.
    pub mouth_aspect_min: f32,
    /// Eye distance, in widths of the visible eye, allowed for a single-eye alignment.
    pub eye_distance_in_eye_widths: (f32, f32),
    /// Mouth depth below the eyes (eye distances) allowed for a single-eye alignment.
    pub mouth_depth: (f32, f32),
    /// Mouth width (eye distances) allowed for a single-eye alignment.
    pub mouth_width: (f32, f32),
}

impl Default for StaffCheckTuning {
    fn default() -> Self {
        Self {
            threshold: 0.72,
            cover_luma_factor: 0.85,
            cover_chroma_max: 18.0,
            cover_blue_cb: 8.0,
            cover_area_min: 0.02,
            area_visible_min: 0.6,
            areas_min: 3,
            eye_required: true,
            trim_from: 5,
            correlation_weight: 1.0,
            texture_weight: 1.0,
            tone_weight: 0.5,
            tone_scale: 8.0,
            lbp_margin: 0.04,
            eye_weight: 1.5,
            geometry_weight: 0.5,
            geometry_features_min: 6,
            level_tilt_max: 0.12,
            mouth_aspect_min: 1.8,
            eye_distance_in_eye_widths: (1.5, 4.0),
            mouth_depth: (0.5, 1.4),
            mouth_width: (0.35, 1.1),
        }
    }
}
