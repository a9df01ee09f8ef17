//! Who a synthetic person is: [`Sex`] and [`FaceIdentity`], drawn from a seed
//! ([`FaceIdentity::from_seed`]) and aged ([`FaceIdentity::at_age`]) from a baby's face to grey
//! hair. Everything here stays the same from frame to frame.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::raster::{mix, splitmix, Color};

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
