//! Things put on a face, drawn over one pixel of it: gauze bandage, eyepatch and surgical mask
//! ([`Alteration`]; an injury changes the face itself and is drawn in `render`).

use super::conditions::{Alteration, Lighting};
use super::identity::FaceIdentity;
use super::layout::{head_sd, Layout};
use crate::raster::{
    coverage, ellipse_sd, mix, round_box_sd, scale, segment_dist, value_noise, Color,
};

/// The colour `c` of the pixel at head coordinates (`x`, `y`) with `alteration` drawn over it;
/// `s` is pixels per head unit, `yaw` shifts the features sideways as in the face.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_alteration(
    c: Color,
    x: f32,
    y: f32,
    id: &FaceIdentity,
    lay: &Layout,
    alteration: Alteration,
    s: f32,
    light: &Lighting,
    yaw: f32,
) -> Color {
    let aa = |d: f32| coverage(d * s);
    let lit = |col: Color, shade: f32| -> Color {
        [
            col[0] * shade * light.tint[0],
            col[1] * shade * light.tint[1],
            col[2] * shade * light.tint[2],
        ]
    };
    let shade = light.ambient + light.diffuse * 0.8;
    let fx = x - yaw * 0.35;
    match alteration {
        Alteration::None | Alteration::Injury { .. } => c,
        Alteration::Bandage { right_eye } => {
            let side = if right_eye { 1.0 } else { -1.0 };
            let ex = side * id.eye_half_spacing;
            // A band from the top of the head diagonally over one eye to below the ear.
            let ang: f32 = side * 0.75;
            let (sa, ca) = ang.sin_cos();
            let rx = fx - ex;
            let ry = y - lay.eye_y;
            let across = rx * ca - ry * sa;
            let d_band = across.abs() - 0.3;
            // And a band round the forehead.
            let d_fore = (y - (lay.brow_y - 0.25)).abs() - 0.14;
            let inside = head_sd(x, y, lay.a * 1.06, lay.b * 1.02, id.jaw_taper);
            let d = d_band.min(d_fore).max(inside);
            if d < 1.0 / s {
                let weave = 0.93
                    + 0.04 * ((x * 70.0).sin() * (y * 70.0).sin())
                    + 0.03 * value_noise(id.seed ^ 0xBA, x * 20.0, y * 20.0);
                // Gauze edges are a little darker than its middle.
                let edge = 0.92 + 0.08 * (-d * 10.0).clamp(0.0, 1.0);
                mix(
                    c,
                    lit(scale([242.0, 240.0, 232.0], weave * edge), shade),
                    aa(d),
                )
            } else {
                c
            }
        }
        Alteration::Eyepatch { right_eye } => {
            let side = if right_eye { 1.0 } else { -1.0 };
            let ex = side * id.eye_half_spacing;
            let d_patch = ellipse_sd(
                fx - ex,
                y - lay.eye_y - 0.02,
                id.eye_half_width * 1.55,
                id.eye_half_height * 2.0 + 0.12,
            );
            // Strap from the patch to the side of the head.
            let d_strap =
                segment_dist(fx, y, ex, lay.eye_y, side * lay.a * 1.05, lay.eye_y - 0.35) - 0.02;
            let mut out = c;
            if d_strap < 1.0 / s {
                out = mix(out, lit([200.0, 190.0, 175.0], shade), aa(d_strap));
            }
            if d_patch < 1.0 / s {
                let quilt = 0.95 + 0.05 * value_noise(id.seed ^ 0xEE, x * 30.0, y * 30.0);
                out = mix(
                    out,
                    lit(scale([236.0, 228.0, 212.0], quilt), shade),
                    aa(d_patch),
                );
            }
            out
        }
        Alteration::Mask { light_blue } => {
            let top = lay.nose_y - 0.22;
            let bottom = lay.b * 0.98;
            let cy = (top + bottom) / 2.0;
            let hy = (bottom - top) / 2.0;
            let d_mask = round_box_sd(x, y - cy, lay.a * 0.86, hy, 0.22).max(head_sd(
                x,
                y,
                lay.a * 1.02,
                lay.b * 1.06,
                id.jaw_taper,
            ));
            let mut out = c;
            // Ear loops.
            for side in [-1.0f32, 1.0] {
                let d_loop = segment_dist(
                    x,
                    y,
                    side * lay.a * 0.86,
                    top + 0.05,
                    side * lay.a * 0.97,
                    lay.eye_y + 0.1,
                )
                .min(segment_dist(
                    x,
                    y,
                    side * lay.a * 0.86,
                    bottom - 0.15,
                    side * lay.a * 0.97,
                    lay.eye_y + 0.25,
                )) - 0.012;
                out = mix(out, lit([230.0, 230.0, 230.0], shade), aa(d_loop));
            }
            if d_mask < 1.0 / s {
                let base = if light_blue {
                    [188.0, 214.0, 236.0]
                } else {
                    [240.0, 241.0, 242.0]
                };
                let pleat = 1.0
                    - 0.06
                        * (((y - top) / (hy * 2.0) * 3.0 * std::f32::consts::TAU).sin() > 0.85)
                            as u8 as f32;
                let curve = 0.92 + 0.08 * (1.0 - (x / lay.a).powi(2)).max(0.0);
                out = mix(out, lit(scale(base, pleat * curve), shade), aa(d_mask));
            }
            out
        }
    }
}
