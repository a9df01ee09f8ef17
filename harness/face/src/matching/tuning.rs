//! Every number the matcher decides with, in one place ([`MatcherTuning`]).
//!
//! The defaults were chosen on a generated tuning population (face seeds 100000.., see
//! `examples/tune.rs`), checked on a second one (300000..), and are reported on a held-out third
//! one (500000..) by `cargo bench -p harness-face --bench far_frr`. Changing a value changes the
//! FAR/FRR table in the README: rerun the bench.
//!
//! Fixed sizes (the normalised crop, the LBP grid) are constants in [`super::planes`] and
//! [`super::features`]; the windows where a feature is looked for relative to the eyes are part
//! of the feature's definition and stay beside its code.

/// All thresholds, weights and spreads of the matcher. `Default` is the tuned set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatcherTuning {
    /// When a frame is too dark, too bright or backlit to use.
    pub exposure: ExposureTuning,
    /// Which pixels are skin and how big a face region must be.
    pub skin: SkinTuning,
    /// What counts as an eye and as a pair of eyes.
    pub eyes: EyeTuning,
    /// When the lower face counts as covered.
    pub occlusion: OcclusionTuning,
    /// How two described faces are scored, and the accept threshold.
    pub score: ScoreTuning,
    /// What a live face must show across a burst.
    pub liveness: LivenessTuning,
}

impl MatcherTuning {
    /// The accept threshold on the combined score (shorthand for `score.threshold`).
    pub fn threshold(&self) -> f32 {
        self.score.threshold
    }
}

/// Exposure checks on the raw luma (0..=255) of a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposureTuning {
    /// A frame whose mean luma is under this…
    pub dark_mean: f32,
    /// …and whose luma standard deviation is under this is black (no signal).
    pub dark_sd: f32,
    /// Luma at or above which a pixel is saturated.
    pub saturated_level: f32,
    /// With more than this fraction of saturated pixels the frame may be backlit…
    pub saturated_fraction: f32,
    /// …and is, when the median of the unsaturated rest is under this (a dark subject)…
    pub backlit_rest_median: f32,
    /// …or when more than this fraction is saturated (nothing but glare).
    pub saturated_fraction_max: f32,
    /// A usable frame's mean luma is at least this…
    pub mean_min: f32,
    /// …and at most this.
    pub mean_max: f32,
}

impl Default for ExposureTuning {
    fn default() -> Self {
        Self {
            dark_mean: 16.0,
            dark_sd: 10.0,
            saturated_level: 245.0,
            saturated_fraction: 0.25,
            backlit_rest_median: 90.0,
            saturated_fraction_max: 0.85,
            mean_min: 40.0,
            mean_max: 235.0,
        }
    }
}

/// Skin segmentation on the 3×3-smoothed frame (YCbCr, JPEG/BT.601 full range) and the face region.
#[derive(Debug, Clone, PartialEq)]
pub struct SkinTuning {
    /// Skin is brighter than this luma.
    pub luma_min: f32,
    /// Skin's Cb lies in this range (inclusive)…
    pub cb_min: f32,
    pub cb_max: f32,
    /// …its Cr in this one…
    pub cr_min: f32,
    pub cr_max: f32,
    /// …and Cr exceeds Cb by more than this.
    pub cr_minus_cb_min: f32,
    /// The largest skin region must hold at least 1/`face_area_divisor` of the frame's pixels.
    pub face_area_divisor: usize,
    /// Mean |Y − mean of 4 neighbours| on the skin region above which it is a halftone print
    /// (live skin with sensor noise stays well under 10).
    pub halftone_limit: f32,
}

impl Default for SkinTuning {
    fn default() -> Self {
        Self {
            luma_min: 50.0,
            cb_min: 78.0,
            cb_max: 126.0,
            cr_min: 134.0,
            cr_max: 173.0,
            cr_minus_cb_min: 12.0,
            face_area_divisor: 100,
            halftone_limit: 15.0,
        }
    }
}

/// Facial features (holes in the face region) and eyes.
#[derive(Debug, Clone, PartialEq)]
pub struct EyeTuning {
    /// A pixel darker than this fraction of the face's mean luma belongs to a feature
    /// (iris, lashes, brows, nostrils, lip line).
    pub feature_dark_factor: f32,
    /// A pixel this much brighter than the face's mean luma…
    pub feature_bright_offset: f32,
    /// …with a chroma under this belongs to a feature (the whites of the eyes).
    pub feature_bright_chroma_max: f32,
    /// Fragments closer than this fraction of the face width horizontally…
    pub merge_dx: f32,
    /// …and this fraction vertically are one feature.
    pub merge_dy: f32,
    /// An eye's area is at least this fraction of the squared face width…
    pub area_min_fraction: f32,
    /// …and at least this many pixels…
    pub area_min_pixels: f32,
    /// …and at most this fraction of the squared face width.
    pub area_max_fraction: f32,
    /// An eye-white pixel is this much brighter than the mean skin luma.
    pub white_offset: f32,
    /// An iris/lash pixel is darker than this fraction of the mean skin luma.
    pub dark_factor: f32,
    /// An eye has at least this many white pixels…
    pub white_pixels_min: usize,
    /// …at least this many dark ones…
    pub dark_pixels_min: usize,
    /// …and is at least this many times wider than tall.
    pub aspect_min: f32,
    /// The eyes of a pair are at least this fraction of the face width apart…
    pub spacing_min: f32,
    /// …at most this fraction…
    pub spacing_max: f32,
    /// …level within this fraction of their distance…
    pub level_max: f32,
    /// …with widths within this ratio…
    pub width_ratio_max: f32,
    /// …and areas within this ratio.
    pub area_ratio_max: f32,
    /// A skin region without eyes that starts below this fraction of the frame height and touches
    /// its bottom edge is a face cut off by the frame (below the camera).
    pub cut_start_fraction: f32,
}

impl Default for EyeTuning {
    fn default() -> Self {
        Self {
            feature_dark_factor: 0.62,
            feature_bright_offset: 10.0,
            feature_bright_chroma_max: 14.0,
            merge_dx: 0.1,
            merge_dy: 0.035,
            area_min_fraction: 0.0015,
            area_min_pixels: 6.0,
            area_max_fraction: 0.06,
            white_offset: 6.0,
            dark_factor: 0.5,
            white_pixels_min: 3,
            dark_pixels_min: 2,
            aspect_min: 1.3,
            spacing_min: 0.22,
            spacing_max: 0.7,
            level_max: 0.3,
            width_ratio_max: 1.6,
            area_ratio_max: 2.2,
            cut_start_fraction: 0.5,
        }
    }
}

/// Occlusion of the lower face (a mask).
#[derive(Debug, Clone, PartialEq)]
pub struct OcclusionTuning {
    /// The lower face (sampled on a grid below the nose) is covered when less than this fraction
    /// of the samples is skin.
    pub lower_face_skin_min: f32,
}

impl Default for OcclusionTuning {
    fn default() -> Self {
        Self {
            lower_face_skin_min: 0.35,
        }
    }
}

/// Comparison of two described faces.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreTuning {
    /// Accept when the combined score is at least this.
    pub threshold: f32,
    /// Weight of the geometry agreement in the score.
    pub geometry_weight: f32,
    /// Weight of the LBP histogram similarity.
    pub lbp_weight: f32,
    /// Weight of the appearance (cosine) similarity.
    pub appearance_weight: f32,
    /// Expected within-person spread of each geometry feature (eye-distance units), in the order
    /// of [`super::features::GEOMETRY_FEATURES`], from within-person differences on the tuning
    /// population (examples/tune.rs).
    pub geometry_sigma: [f32; 15],
    /// The worst this many geometry features are dropped (a feature can be mismeasured).
    pub geometry_dropped: usize,
    /// Fewer measured geometry features than this: no geometry agreement (0).
    pub geometry_features_min: usize,
    /// Cap on one feature's squared z-score.
    pub geometry_z2_cap: f32,
    /// A neighbour counts as brighter in the LBP code when it exceeds the centre by this
    /// (normalised crop units).
    pub lbp_margin: f32,
    /// Cheek tone distance (CbCr units) that lowers the tone agreement to 1/e (reported, not scored).
    pub tone_scale: f32,
}

impl Default for ScoreTuning {
    fn default() -> Self {
        Self {
            threshold: 0.775,
            geometry_weight: 0.45,
            lbp_weight: 0.35,
            appearance_weight: 0.2,
            geometry_sigma: [
                0.03, 0.045, 0.025, 0.012, 0.02, 0.08, 0.045, 0.04, 0.16, 0.075, 0.05, 0.05, 0.03,
                0.05, 0.05,
            ],
            geometry_dropped: 2,
            geometry_features_min: 8,
            geometry_z2_cap: 16.0,
            lbp_margin: 0.04,
            tone_scale: 15.0,
        }
    }
}

/// Liveness across a burst.
#[derive(Debug, Clone, PartialEq)]
pub struct LivenessTuning {
    /// Minimum inter-frame change (mean |ΔY| of smoothed face pixels) for a live face.
    pub motion_min: f32,
}

impl Default for LivenessTuning {
    fn default() -> Self {
        Self { motion_min: 2.5 }
    }
}
