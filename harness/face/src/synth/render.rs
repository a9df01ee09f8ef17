//! Drawing a face into a frame ([`render_face`]): shoulders, hair, neck and ears behind the head,
//! then the head with its shading, features, wrinkles, injuries and front hair, pixel by pixel
//! with anti-aliased shapes; things put on the face come from `alteration`.

use super::alteration::apply_alteration;
use super::conditions::{Alteration, Lighting, Pose};
use super::identity::FaceIdentity;
use super::layout::{head_sd, layout};
use crate::raster::{
    coverage, ellipse_sd, mix, rot_ellipse_sd, round_box_sd, scale, segment_dist, splitmix,
    value_noise, Canvas, Color,
};

/// Renders `id` (already aged with [`FaceIdentity::at_age`]) onto `canvas`.
/// `texture_seed` varies skin/hair texture noise (fixed per person so the texture is part of them).
pub fn render_face(
    canvas: &mut Canvas,
    id: &FaceIdentity,
    age_years: f32,
    pose: &Pose,
    light: &Lighting,
    alteration: Alteration,
) {
    let lay = layout(id);
    let (a, b) = (lay.a, lay.b);
    let s = pose.scale.max(1.0);
    let px_unit = 1.0 / s;
    let (sin_r, cos_r) = pose.roll.sin_cos();
    // Bounding box in pixels: head, hair, neck, shoulders.
    let reach = 3.2 * s;
    let x0 = (pose.cx - reach).floor().max(0.0) as u32;
    let x1 = ((pose.cx + reach).ceil().max(0.0) as u32).min(canvas.width);
    let y0 = (pose.cy - 1.8 * s).floor().max(0.0) as u32;
    let y1 = canvas.height;
    let tex = splitmix(id.seed ^ 0x7E47);
    let lnorm = {
        let (lx, ly) = light.dir;
        let lz = 1.0f32;
        let n = (lx * lx + ly * ly + lz * lz).sqrt();
        (lx / n, ly / n, lz / n)
    };
    let old = ((age_years - 55.0) / 25.0).clamp(0.0, 1.0);
    let skin_base = id.skin;
    let yaw = pose.yaw;

    // Injury parameters.
    let (inj_side, inj_seed) = match alteration {
        Alteration::Injury { seed } => (if seed % 2 == 0 { 1.0 } else { -1.0 }, seed),
        _ => (1.0, 0),
    };
    let swell_c = (inj_side * 0.55, lay.nose_y + 0.05);
    let swell_r = 0.5;

    for py in y0..y1 {
        for px in x0..x1 {
            let dxp = px as f32 + 0.5 - pose.cx;
            let dyp = py as f32 + 0.5 - pose.cy;
            let mut x = (dxp * cos_r + dyp * sin_r) * px_unit;
            let mut y = (-dxp * sin_r + dyp * cos_r) * px_unit;
            let mut c = canvas.get(px, py);
            let lit = |col: Color, shade: f32| -> Color {
                [
                    col[0] * shade * light.tint[0],
                    col[1] * shade * light.tint[1],
                    col[2] * shade * light.tint[2],
                ]
            };
            let aa = |d: f32| coverage(d * s);

            // Clothing / shoulders.
            let sh_cy = b + 1.4;
            let d_sh = if y > sh_cy {
                x.abs() - 2.3
            } else {
                ellipse_sd(x, y - sh_cy, 2.3, 1.0)
            };
            if d_sh < px_unit {
                let fold = 0.9 + 0.1 * value_noise(tex ^ 5, x * 3.0, y * 6.0);
                let shade = light.ambient + light.diffuse * 0.6;
                c = mix(c, lit(scale(id.clothing, fold), shade), aa(d_sh));
            }
            // Long hair behind the head.
            if id.long_hair > 0.01 {
                let hy = -0.3 + 0.9 * id.long_hair;
                let d_back = round_box_sd(x, y - hy * 0.5 + 0.2, a * 1.18, b * 0.6 + hy, 0.5);
                if d_back < px_unit {
                    let strands = 0.8 + 0.3 * value_noise(tex ^ 9, x * 40.0, y * 3.0);
                    c = mix(
                        c,
                        lit(scale(id.hair, strands), light.ambient + 0.2),
                        aa(d_back),
                    );
                }
            }
            // Neck.
            let d_neck = round_box_sd(x, y - (b * 0.85 + 0.3), 0.45 * a, 0.45, 0.15);
            if d_neck < px_unit {
                let shade = (light.ambient + light.diffuse * 0.5) * 0.8;
                c = mix(c, lit(skin_base, shade), aa(d_neck));
            }
            // Ears.
            for side in [-1.0f32, 1.0] {
                let d_ear = ellipse_sd(
                    x - side * a * 0.97,
                    y - (lay.eye_y + 0.12),
                    0.11 * id.ear_size,
                    0.21 * id.ear_size,
                );
                if d_ear < px_unit {
                    let shade = light.ambient + light.diffuse * 0.55 * (0.5 + 0.5 * side * lnorm.0);
                    c = mix(c, lit(scale(skin_base, 0.93), shade), aa(d_ear));
                }
            }

            // Hair volume around the top of the head (under the head layer, whose hair cap
            // continues it).
            {
                let hl = id.hairline + 0.55 * (x / a).powi(4) * 1.4;
                let d_vol = head_sd(x, y + 0.04, a * 1.05, b * 1.03, 0.0).max(y - hl);
                if d_vol < px_unit {
                    let strands = 0.8 + 0.35 * value_noise(tex ^ 11, x * 45.0, y * 5.0);
                    c = mix(
                        c,
                        lit(scale(id.hair, strands), light.ambient + 0.2),
                        aa(d_vol),
                    );
                }
            }

            // Swelling warps the features on one side (the head outline bulges too).
            if inj_seed != 0 {
                let dx = x - swell_c.0;
                let dy = y - swell_c.1;
                let r = (dx * dx + dy * dy).sqrt() / swell_r;
                if r < 1.0 {
                    let f = 0.42 + 0.58 * r;
                    x = swell_c.0 + dx * f;
                    y = swell_c.1 + dy * f;
                }
                // The injured side sags and is pushed outwards (fracture / tissue change).
                let t = ((x * inj_side) / 0.35).clamp(0.0, 1.0);
                let t = t * t * (3.0 - 2.0 * t);
                y -= 0.18 * t;
                x -= inj_side * 0.1 * t;
            }

            // Head.
            let d_head = head_sd(x, y, a, b, id.jaw_taper);
            if d_head < px_unit {
                let nx = (x / a).clamp(-1.0, 1.0);
                let ny = (y / b).clamp(-1.0, 1.0);
                let nz = (1.0 - (nx * nx + ny * ny).min(0.98)).sqrt();
                let ndotl = (nx * lnorm.0 + ny * lnorm.1 + nz * lnorm.2).max(0.0);
                let mut shade = light.ambient + light.diffuse * ndotl;
                let mottle = 0.96 + 0.08 * value_noise(tex, x * 14.0, y * 14.0);
                let mut skin = scale(skin_base, mottle);
                // Cheeks: blush.
                for side in [-1.0f32, 1.0] {
                    let dc = ellipse_sd(x - side * 0.5, y - (lay.nose_y - 0.05), 0.25, 0.18);
                    let blush = (-dc * 4.0).clamp(0.0, 1.0) * (0.1 + 0.12 * id.cheek);
                    skin = mix(skin, [220.0, 120.0, 110.0], blush * 0.5);
                }

                let fx = x - yaw * 0.35;
                // Eye sockets: slightly darker.
                for side in [-1.0f32, 1.0] {
                    let ex = side * id.eye_half_spacing;
                    let d = ellipse_sd(
                        fx - ex,
                        y - lay.eye_y,
                        id.eye_half_width * 1.5,
                        id.eye_half_height * 2.6,
                    );
                    shade *= 1.0 - 0.09 * (-d * 6.0).clamp(0.0, 1.0);
                }
                // Nose sides and tip.
                let nfx = x - yaw * 0.55;
                for side in [-1.0f32, 1.0] {
                    let d = segment_dist(
                        nfx,
                        y,
                        side * id.nose_half_width * 0.45,
                        lay.eye_y + 0.1,
                        side * id.nose_half_width * 0.9,
                        lay.nose_y - 0.03,
                    );
                    let side_light = 0.5 - 0.5 * side * lnorm.0;
                    shade *= 1.0 - (0.07 + 0.06 * side_light) * (1.0 - d / 0.06).clamp(0.0, 1.0);
                }
                let tip = ellipse_sd(nfx, y - (lay.nose_y - 0.05), id.nose_half_width * 0.6, 0.06);
                shade *= 1.0 + 0.05 * (-tip * 12.0).clamp(0.0, 1.0);
                // Under-nose and under-lip shadows.
                let under = ellipse_sd(nfx, y - (lay.nose_y + 0.04), id.nose_half_width, 0.03);
                shade *= 1.0 - 0.12 * (-under * 20.0).clamp(0.0, 1.0);
                // Wrinkles for the elderly.
                if old > 0.0 {
                    for k in 0..3 {
                        let wy = lay.brow_y - 0.14 - k as f32 * 0.09;
                        let d = (y - wy - 0.03 * (x * 3.0).sin()).abs();
                        if x.abs() < 0.5 && d < 0.012 {
                            shade *= 1.0 - 0.12 * old;
                        }
                    }
                    for side in [-1.0f32, 1.0] {
                        let d = segment_dist(
                            fx,
                            y,
                            side * (id.nose_half_width + 0.06),
                            lay.nose_y - 0.05,
                            side * (id.mouth_half_width + 0.05),
                            lay.mouth_y + 0.08,
                        );
                        if d < 0.015 {
                            shade *= 1.0 - 0.15 * old;
                        }
                    }
                }
                let mut face = lit(skin, shade);

                // Mole.
                if let Some((mx, my)) = id.mole {
                    let d = ellipse_sd(fx - mx * a * 0.8, y - my, 0.025, 0.025);
                    face = mix(face, lit([90.0, 60.0, 50.0], shade), aa(d));
                }
                // Nostrils.
                for side in [-1.0f32, 1.0] {
                    let d = rot_ellipse_sd(
                        nfx,
                        y,
                        side * id.nose_half_width * 0.55,
                        lay.nose_y,
                        0.05,
                        0.025,
                        side * 0.3,
                    );
                    face = mix(face, lit(scale(skin_base, 0.35), shade), aa(d));
                }
                // Mouth.
                let mx = fx;
                let mw = id.mouth_half_width;
                let lt = id.lip_thickness;
                let mut mouth_y = lay.mouth_y;
                if inj_seed != 0 {
                    mouth_y += 0.05 * inj_side * mx.clamp(-0.3, 0.3);
                }
                let d_upper =
                    ellipse_sd(mx, (y - mouth_y).min(0.0), mw, lt * 0.8).max(y - mouth_y - px_unit);
                let d_lower = ellipse_sd(mx * 1.08, (y - mouth_y).max(0.0), mw, lt * 1.1)
                    .max(mouth_y - y - px_unit);
                let d_lip = d_upper.min(d_lower);
                if d_lip < px_unit {
                    let lip_shade = shade * if y > mouth_y { 1.05 } else { 0.9 };
                    face = mix(face, lit(id.lip, lip_shade), aa(d_lip));
                }
                let d_line = (y - mouth_y - 0.01 * (1.0 - (mx / mw).powi(2)))
                    .abs()
                    .max(mx.abs() - mw * 0.95);
                face = mix(
                    face,
                    lit([70.0, 30.0, 30.0], shade),
                    aa(d_line - 0.01) * 0.85,
                );

                // Eyes.
                for side in [-1.0f32, 1.0] {
                    let ex = side * id.eye_half_spacing;
                    let (st, ct) = (side * id.eye_tilt).sin_cos();
                    let ux = fx - ex;
                    let uy = y - lay.eye_y;
                    let eu = ux * ct + uy * st;
                    let ev = -ux * st + uy * ct;
                    let ew = id.eye_half_width;
                    let eh = id.eye_half_height * pose.eye_open.clamp(0.0, 1.0);
                    if pose.eye_open > 0.15 {
                        let d_sclera = ellipse_sd(eu, ev, ew, eh);
                        if d_sclera < px_unit {
                            let cov = aa(d_sclera);
                            face = mix(face, lit([238.0, 234.0, 228.0], shade * 1.05), cov);
                            let ir = id.iris_radius;
                            let d_iris =
                                ellipse_sd(eu - pose.gaze.0 - yaw * 0.1, ev - pose.gaze.1, ir, ir)
                                    .max(d_sclera);
                            face = mix(face, lit(id.iris, shade), aa(d_iris));
                            let d_pupil = ellipse_sd(
                                eu - pose.gaze.0 - yaw * 0.1,
                                ev - pose.gaze.1,
                                ir * 0.45,
                                ir * 0.45,
                            )
                            .max(d_sclera);
                            face = mix(face, [12.0, 10.0, 10.0], aa(d_pupil));
                            // Catch-light.
                            let d_cl = ellipse_sd(eu - ir * 0.35, ev + ir * 0.35, 0.015, 0.015);
                            face = mix(face, [250.0, 250.0, 250.0], aa(d_cl) * 0.8);
                        }
                        // Upper lid line (lashes).
                        if eu.abs() < ew * 1.05 {
                            let rim = eh * (1.0 - (eu / ew).powi(2)).max(0.0).sqrt();
                            let d_lid = (ev + rim).abs() - 0.014;
                            face = mix(face, lit([35.0, 28.0, 26.0], shade), aa(d_lid));
                        }
                    } else {
                        // Closed: a lash line with a lid fold above.
                        if eu.abs() < ew {
                            let curve = 0.02 * (1.0 - (eu / ew).powi(2));
                            let d_lid = (ev - curve).abs() - 0.013;
                            face = mix(face, lit([40.0, 30.0, 28.0], shade), aa(d_lid));
                        }
                    }
                }
                // Brows.
                for side in [-1.0f32, 1.0] {
                    let bx = side * id.eye_half_spacing * 1.02;
                    let d = rot_ellipse_sd(
                        fx,
                        y,
                        bx,
                        lay.brow_y,
                        id.brow_half_width,
                        id.brow_thickness,
                        side * id.brow_tilt,
                    );
                    if d < px_unit {
                        let hairs = 0.75 + 0.35 * value_noise(tex ^ 3, x * 60.0, y * 12.0);
                        let faint = if age_years < 4.0 { 0.45 } else { 0.92 };
                        face = mix(face, lit(scale(id.hair, hairs), shade), aa(d) * faint);
                    }
                }
                // Injury: bruise and a stitched scar.
                if inj_seed != 0 {
                    let bd = ellipse_sd(x - swell_c.0, y - swell_c.1 + 0.05, 0.45, 0.36);
                    let bruise = (-bd * 3.0).clamp(0.0, 1.0)
                        * (0.55 + 0.2 * value_noise(inj_seed, x * 9.0, y * 9.0));
                    face = mix(face, lit([120.0, 62.0, 96.0], shade), bruise * 0.75);
                    let sx0 = -inj_side * 0.15;
                    let (ax, ay, bx2, by2) =
                        (sx0, lay.brow_y - 0.15, sx0 + inj_side * 0.55, lay.mouth_y);
                    let d = segment_dist(x, y, ax, ay, bx2, by2);
                    face = mix(face, lit([125.0, 38.0, 40.0], shade), aa(d - 0.022));
                    // Stitches across the scar.
                    let len = ((bx2 - ax).powi(2) + (by2 - ay).powi(2)).sqrt();
                    let (tx, ty) = ((bx2 - ax) / len, (by2 - ay) / len);
                    let along = (x - ax) * tx + (y - ay) * ty;
                    let across = -(x - ax) * ty + (y - ay) * tx;
                    if (0.0..len).contains(&along) && across.abs() < 0.07 {
                        let m = (along / 0.09).fract();
                        if !(0.15..=0.85).contains(&m) {
                            face = mix(face, [30.0, 20.0, 40.0], 0.9);
                        }
                    }
                }

                // Front hair: the cap above the hairline, down the sides.
                let hl = id.hairline
                    + 0.55 * (x / a).powi(4) * 1.4
                    + id.fringe * (1.0 - (x / (0.6 * a)).powi(2)).max(0.0)
                    + 0.03 * (x * 9.0).sin() * id.fringe;
                let d_hair = (y - hl).max(head_sd(x, y + 0.04, a * 1.05, b * 1.03, 0.0));
                if d_hair < px_unit {
                    let strands = 0.8 + 0.35 * value_noise(tex ^ 11, x * 45.0, y * 5.0);
                    let hs = light.ambient + light.diffuse * 0.7 * ndotl;
                    face = mix(face, lit(scale(id.hair, strands), hs), aa(d_hair));
                }
                c = mix(c, face, aa(d_head));
            }

            // Things put on the face.
            c = apply_alteration(c, x, y, id, &lay, alteration, s, light, yaw);
            if let Some(p) = canvas
                .pixels
                .get_mut((py as usize) * (canvas.width as usize) + px as usize)
            {
                *p = c;
            }
        }
    }
}
