//! Where the features of an aged identity sit on the head, in head units ([`Layout`]), and the
//! signed distance to the head outline ([`head_sd`]). Shared by the face drawing and the
//! alterations.

use super::identity::FaceIdentity;
use crate::raster::ellipse_sd;

/// Positions on the head of one aged identity, in head units: half-axes `a` (width) and `b`
/// (height), and the heights of the eyes, brows, nose tip and mouth.
pub(super) struct Layout {
    pub(super) a: f32,
    pub(super) b: f32,
    pub(super) eye_y: f32,
    pub(super) brow_y: f32,
    pub(super) nose_y: f32,
    pub(super) mouth_y: f32,
}

/// The layout of `id` (already aged).
pub(super) fn layout(id: &FaceIdentity) -> Layout {
    let a = id.head_width;
    let b = id.head_height;
    let eye_y = id.eye_y;
    let nose_y = eye_y + id.nose_length;
    Layout {
        a,
        b,
        eye_y,
        brow_y: eye_y - id.brow_gap,
        nose_y,
        mouth_y: nose_y + id.mouth_gap,
    }
}

/// Signed distance (head units) to the head outline: an ellipse whose lower half narrows to the chin.
pub(super) fn head_sd(x: f32, y: f32, a: f32, b: f32, taper: f32) -> f32 {
    let t = if y > 0.0 { (y / b).min(1.0) } else { 0.0 };
    let squeeze = 1.0 - taper * t * t;
    ellipse_sd(x / squeeze, y, a, b) * squeeze.max(0.5)
}
