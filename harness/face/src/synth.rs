//! Parametric synthetic faces (no real person): an identity drawn from a seed, rendered at an age,
//! a pose and a lighting onto a canvas with anti-aliased shapes and skin/hair texture.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::raster::{
    coverage, ellipse_sd, mix, rot_ellipse_sd, round_box_sd, scale, segment_dist, splitmix,
    value_noise, Canvas, Color,
};

/// Sex as written in the people fixtures; it only steers hair style here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

/// The identity of a synthetic person: everything that stays the same from frame to frame.
/// Geometry is in head units (1.0 = half the width of an adult head), y pointing down.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceIdentity {
    pub seed: u64,
    pub sex: Sex,
    pub head_width: f32,
    pub head_height: f32,
    pub jaw_taper: f32,
    pub eye_y: f32,
    pub eye_half_spacing: f32,
    pub eye_half_width: f32,
    pub eye_half_height: f32,
    pub iris_radius: f32,
    pub eye_tilt: f32,
    pub brow_gap: f32,
    pub brow_half_width: f32,
    pub brow_thickness: f32,
    pub brow_tilt: f32,
    pub nose_length: f32,
    pub nose_half_width: f32,
    pub mouth_gap: f32,
    pub mouth_half_width: f32,
    pub lip_thickness: f32,
    pub skin: Color,
    pub lip: Color,
    pub iris: Color,
    pub hair: Color,
    pub hairline: f32,
    pub fringe: f32,
    pub long_hair: f32,
    pub ear_size: f32,
    pub cheek: f32,
    pub mole: Option<(f32, f32)>,
    pub clothing: Color,
}

fn u(rng: &mut ChaCha8Rng, lo: f32, hi: f32) -> f32 {
    rng.random_range(lo..hi)
}

impl FaceIdentity {
    /// Draws an identity from a seed. The same seed always gives the same person.
    pub fn from_seed(seed: u64, sex: Sex) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ 0x00FA_CE5E_ED00));
        let light = u(&mut rng, 0.0, 1.0);
        let red = u(&mut rng, -1.0, 1.0);
        let yellow = u(&mut rng, -1.0, 1.0);
        // Skin: from fair to tan, with redness/yellowness shifts, kept within natural chroma.
        let base = mix([176.0, 124.0, 92.0], [238.0, 196.0, 168.0], light);
        let skin = [
            (base[0] + red * 8.0).min(250.0),
            base[1] + yellow * 6.0 - red * 3.0,
            base[2] - yellow * 8.0 + red * 2.0,
        ];
        let lip = mix(skin, [185.0, 78.0, 82.0], u(&mut rng, 0.55, 0.8));
        let iris = mix(
            [28.0, 20.0, 16.0],
            [92.0, 62.0, 40.0],
            u(&mut rng, 0.0, 1.0),
        );
        let hair_dark = u(&mut rng, 0.0, 1.0);
        let hair = mix([14.0, 12.0, 12.0], [58.0, 40.0, 30.0], hair_dark);
        let clothing_choices: [Color; 6] = [
            [40.0, 60.0, 110.0],
            [70.0, 70.0, 75.0],
            [30.0, 90.0, 70.0],
            [150.0, 155.0, 165.0],
            [20.0, 25.0, 35.0],
            [100.0, 60.0, 120.0],
        ];
        let clothing = clothing_choices[rng.random_range(0..clothing_choices.len())];
        let (hairline, fringe, long_hair) = match sex {
            Sex::Male => (u(&mut rng, -0.78, -0.52), u(&mut rng, 0.0, 0.12), 0.0),
            Sex::Female => (
                u(&mut rng, -0.75, -0.55),
                u(&mut rng, 0.0, 0.3),
                u(&mut rng, 0.3, 1.0),
            ),
        };
        let mole = if rng.random_bool(0.35) {
            Some((u(&mut rng, -0.7, 0.7), u(&mut rng, -0.3, 0.8)))
        } else {
            None
        };
        let mut id = Self {
            seed,
            sex,
            head_width: u(&mut rng, 0.9, 1.1),
            head_height: u(&mut rng, 1.18, 1.42),
            jaw_taper: u(&mut rng, 0.1, 0.5),
            eye_y: u(&mut rng, -0.14, 0.04),
            eye_half_spacing: u(&mut rng, 0.34, 0.47),
            eye_half_width: u(&mut rng, 0.14, 0.21),
            eye_half_height: u(&mut rng, 0.065, 0.1),
            iris_radius: u(&mut rng, 0.055, 0.075),
            eye_tilt: u(&mut rng, -0.16, 0.16),
            brow_gap: u(&mut rng, 0.14, 0.26),
            brow_half_width: u(&mut rng, 0.17, 0.27),
            brow_thickness: u(&mut rng, 0.025, 0.06),
            brow_tilt: u(&mut rng, -0.25, 0.2),
            nose_length: u(&mut rng, 0.34, 0.52),
            nose_half_width: u(&mut rng, 0.1, 0.18),
            mouth_gap: u(&mut rng, 0.18, 0.32),
            mouth_half_width: u(&mut rng, 0.22, 0.36),
            lip_thickness: u(&mut rng, 0.04, 0.085),
            skin,
            lip,
            iris,
            hair,
            hairline,
            fringe,
            long_hair,
            ear_size: u(&mut rng, 0.85, 1.2),
            cheek: u(&mut rng, 0.0, 1.0),
            mole,
            clothing,
        };
        // Brows sit clear of the eyes.
        id.brow_gap = id
            .brow_gap
            .max(id.eye_half_height + id.brow_thickness + 0.1);
        id
    }

    /// The face geometry at `age_years`: babies have round heads, low big eyes, small nose and
    /// mouth and keep only a trace of the adult identity.
    pub fn at_age(&self, age_years: f32) -> FaceIdentity {
        let t = ((age_years - 1.0) / 16.0).clamp(0.0, 1.0);
        let w = t * t * (3.0 - 2.0 * t);
        // How much of the adult identity shows at this age.
        let k = 0.2 + 0.8 * w;
        let baby = FaceIdentity {
            head_width: 1.0,
            head_height: 1.1,
            jaw_taper: 0.04,
            eye_y: 0.14,
            eye_half_spacing: 0.4,
            eye_half_width: 0.16,
            eye_half_height: 0.1,
            iris_radius: 0.08,
            eye_tilt: 0.0,
            brow_gap: 0.22,
            brow_half_width: 0.18,
            brow_thickness: 0.02,
            brow_tilt: -0.1,
            nose_length: 0.22,
            nose_half_width: 0.09,
            mouth_gap: 0.16,
            mouth_half_width: 0.17,
            lip_thickness: 0.06,
            hairline: -0.95,
            fringe: 0.0,
            long_hair: 0.0,
            ear_size: 0.9,
            cheek: 1.0,
            mole: None,
            ..self.clone()
        };
        let adult_mean = FaceIdentity {
            head_width: 1.0,
            head_height: 1.3,
            jaw_taper: 0.3,
            eye_y: -0.05,
            eye_half_spacing: 0.405,
            eye_half_width: 0.175,
            eye_half_height: 0.075,
            iris_radius: 0.065,
            eye_tilt: 0.0,
            brow_gap: 0.2,
            brow_half_width: 0.22,
            brow_thickness: 0.042,
            brow_tilt: -0.025,
            nose_length: 0.43,
            nose_half_width: 0.14,
            mouth_gap: 0.25,
            mouth_half_width: 0.29,
            lip_thickness: 0.062,
            ..self.clone()
        };
        let l = |b: f32, mean: f32, me: f32| b + (mean - b) * w + (me - mean) * k;
        let mut out = self.clone();
        out.head_width = l(baby.head_width, adult_mean.head_width, self.head_width);
        out.head_height = l(baby.head_height, adult_mean.head_height, self.head_height);
        out.jaw_taper = l(baby.jaw_taper, adult_mean.jaw_taper, self.jaw_taper).max(0.0);
        out.eye_y = l(baby.eye_y, adult_mean.eye_y, self.eye_y);
        out.eye_half_spacing = l(
            baby.eye_half_spacing,
            adult_mean.eye_half_spacing,
            self.eye_half_spacing,
        );
        out.eye_half_width = l(
            baby.eye_half_width,
            adult_mean.eye_half_width,
            self.eye_half_width,
        );
        out.eye_half_height = l(
            baby.eye_half_height,
            adult_mean.eye_half_height,
            self.eye_half_height,
        );
        out.iris_radius = l(baby.iris_radius, adult_mean.iris_radius, self.iris_radius);
        out.eye_tilt = l(baby.eye_tilt, adult_mean.eye_tilt, self.eye_tilt);
        out.brow_gap = l(baby.brow_gap, adult_mean.brow_gap, self.brow_gap);
        out.brow_half_width = l(
            baby.brow_half_width,
            adult_mean.brow_half_width,
            self.brow_half_width,
        );
        out.brow_thickness = l(
            baby.brow_thickness,
            adult_mean.brow_thickness,
            self.brow_thickness,
        )
        .max(0.012);
        out.brow_tilt = l(baby.brow_tilt, adult_mean.brow_tilt, self.brow_tilt);
        out.nose_length = l(baby.nose_length, adult_mean.nose_length, self.nose_length);
        out.nose_half_width = l(
            baby.nose_half_width,
            adult_mean.nose_half_width,
            self.nose_half_width,
        );
        out.mouth_gap = l(baby.mouth_gap, adult_mean.mouth_gap, self.mouth_gap);
        out.mouth_half_width = l(
            baby.mouth_half_width,
            adult_mean.mouth_half_width,
            self.mouth_half_width,
        );
        out.lip_thickness = l(
            baby.lip_thickness,
            adult_mean.lip_thickness,
            self.lip_thickness,
        );
        out.hairline = baby.hairline + (self.hairline - baby.hairline) * w;
        out.fringe = self.fringe * w;
        out.long_hair = self.long_hair * w;
        out.ear_size = baby.ear_size + (self.ear_size - baby.ear_size) * w;
        out.cheek = baby.cheek + (self.cheek - baby.cheek) * w;
        out.mole = if w > 0.6 { self.mole } else { None };
        // Grey hair from the late forties.
        let grey = ((age_years - 48.0) / 30.0).clamp(0.0, 0.85);
        out.hair = mix(self.hair, [168.0, 166.0, 164.0], grey);
        // Babies' hair is thin and lighter.
        out.hair = mix([90.0, 70.0, 55.0], out.hair, 0.55 + 0.45 * w);
        out
    }
}

/// Where the face is in the image and how it is held.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// Head centre in pixels.
    pub cx: f32,
    pub cy: f32,
    /// Pixels per head unit (half the head width).
    pub scale: f32,
    /// In-plane rotation, radians.
    pub roll: f32,
    /// Left-right turn, about -0.2..0.2: shifts the features sideways.
    pub yaw: f32,
    /// 1.0 eyes open, 0.0 closed (blink).
    pub eye_open: f32,
    /// Gaze offset of the irises in head units.
    pub gaze: (f32, f32),
}

/// Light on the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lighting {
    /// Direction the light comes from (x right, y down), in the image plane.
    pub dir: (f32, f32),
    pub ambient: f32,
    pub diffuse: f32,
    /// Colour multiplier of the light (white = [1, 1, 1]).
    pub tint: Color,
}

impl Lighting {
    /// Even studio light, as for an ID photo.
    pub fn studio() -> Self {
        Self {
            dir: (0.0, -0.2),
            ambient: 0.62,
            diffuse: 0.4,
            tint: [1.0, 1.0, 1.0],
        }
    }
}

/// Something on or done to the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alteration {
    None,
    /// Swelling, bruise and a stitched scar; `seed` picks the side and the shape.
    Injury {
        seed: u64,
    },
    /// Gauze bandage wrapped over the head and one eye.
    Bandage {
        right_eye: bool,
    },
    /// Eyepatch over one eye.
    Eyepatch {
        right_eye: bool,
    },
    /// Surgical mask over nose, mouth and chin.
    Mask {
        light_blue: bool,
    },
}

struct Layout {
    a: f32,
    b: f32,
    eye_y: f32,
    brow_y: f32,
    nose_y: f32,
    mouth_y: f32,
}

fn layout(id: &FaceIdentity) -> Layout {
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
fn head_sd(x: f32, y: f32, a: f32, b: f32, taper: f32) -> f32 {
    let t = if y > 0.0 { (y / b).min(1.0) } else { 0.0 };
    let squeeze = 1.0 - taper * t * t;
    ellipse_sd(x / squeeze, y, a, b) * squeeze.max(0.5)
}

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

#[allow(clippy::too_many_arguments)]
fn apply_alteration(
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
