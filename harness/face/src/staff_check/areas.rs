//! The face areas staff compare, the eye-aligned samples of a face with its colours and what
//! covers it, and the similarity of one area between the card photo and the person.

use crate::matching::features::uniform_table;
use crate::matching::planes::{EyeFrame, Planes};

use super::tuning::StaffCheckTuning;

/// Width of the eye-aligned sample grid.
pub(crate) const GRID_W: usize = 64;
/// Height of the eye-aligned sample grid.
pub(crate) const GRID_H: usize = 80;
/// Eye distance in grid cells.
pub(crate) const GRID_EYE_DIST: f32 = 24.0;
/// Row of the eyes in the grid.
pub(crate) const GRID_EYE_Y: f32 = 28.0;

/// A part of the face that staff look at. Left and right are as seen in the picture (the
/// person's right is on the picture's left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaceArea {
    /// Forehead and hairline (額・髪の生え際).
    Forehead,
    /// Eye and brow on the picture's left (目・眉).
    LeftEye,
    /// Eye and brow on the picture's right.
    RightEye,
    /// Nose (鼻).
    Nose,
    /// Cheek on the picture's left (頬).
    LeftCheek,
    /// Cheek on the picture's right.
    RightCheek,
    /// Mouth (口).
    Mouth,
    /// Chin and jaw line (顎).
    Chin,
}

impl FaceArea {
    /// Every area.
    pub const ALL: [FaceArea; 8] = [
        FaceArea::Forehead,
        FaceArea::LeftEye,
        FaceArea::RightEye,
        FaceArea::Nose,
        FaceArea::LeftCheek,
        FaceArea::RightCheek,
        FaceArea::Mouth,
        FaceArea::Chin,
    ];

    /// The area in eye-aligned coordinates (a across, b down, in eye distances from the eye
    /// midpoint): a0, a1, b0, b1.
    pub fn bounds(self) -> (f32, f32, f32, f32) {
        match self {
            FaceArea::Forehead => (-0.85, 0.85, -1.05, -0.5),
            FaceArea::LeftEye => (-1.0, -0.1, -0.5, 0.22),
            FaceArea::RightEye => (0.1, 1.0, -0.5, 0.22),
            FaceArea::Nose => (-0.3, 0.3, 0.1, 0.75),
            FaceArea::LeftCheek => (-1.0, -0.32, 0.22, 0.95),
            FaceArea::RightCheek => (0.32, 1.0, 0.22, 0.95),
            FaceArea::Mouth => (-0.6, 0.6, 0.75, 1.3),
            FaceArea::Chin => (-0.7, 0.7, 1.3, 1.7),
        }
    }

    /// Short upper-case label for the report picture (its font has no kana).
    pub fn label(self) -> &'static str {
        match self {
            FaceArea::Forehead => "FOREHEAD",
            FaceArea::LeftEye => "EYE L",
            FaceArea::RightEye => "EYE R",
            FaceArea::Nose => "NOSE",
            FaceArea::LeftCheek => "CHEEK L",
            FaceArea::RightCheek => "CHEEK R",
            FaceArea::Mouth => "MOUTH",
            FaceArea::Chin => "CHIN",
        }
    }

    /// Japanese name for reports.
    pub fn name_ja(self) -> &'static str {
        match self {
            FaceArea::Forehead => "額・生え際",
            FaceArea::LeftEye => "目・眉（写真の左）",
            FaceArea::RightEye => "目・眉（写真の右）",
            FaceArea::Nose => "鼻",
            FaceArea::LeftCheek => "頬（写真の左）",
            FaceArea::RightCheek => "頬（写真の右）",
            FaceArea::Mouth => "口",
            FaceArea::Chin => "顎",
        }
    }

    /// Whether the area is an eye area.
    pub fn is_eye(self) -> bool {
        matches!(self, FaceArea::LeftEye | FaceArea::RightEye)
    }

    /// Grid cells of the area.
    pub(crate) fn cells(self) -> impl Iterator<Item = usize> {
        let (a0, a1, b0, b1) = self.bounds();
        let u0 = (GRID_W as f32 / 2.0 + a0 * GRID_EYE_DIST).round().max(0.0) as usize;
        let u1 = ((GRID_W as f32 / 2.0 + a1 * GRID_EYE_DIST).round() as usize).min(GRID_W);
        let v0 = (GRID_EYE_Y + b0 * GRID_EYE_DIST).round().max(0.0) as usize;
        let v1 = ((GRID_EYE_Y + b1 * GRID_EYE_DIST).round() as usize).min(GRID_H);
        (v0..v1).flat_map(move |v| (u0..u1).map(move |u| v * GRID_W + u))
    }
}

/// A face sampled on the eye-aligned grid.
pub(crate) struct AlignedFace {
    /// Smoothed luma.
    pub(crate) y: Vec<f32>,
    pub(crate) cb: Vec<f32>,
    pub(crate) cr: Vec<f32>,
    /// Skin colour at the sample.
    pub(crate) skin: Vec<bool>,
    /// Covered by something on the face (bandage, eyepatch, mask): a large patch of bright
    /// colourless or bluish material.
    pub(crate) covered: Vec<bool>,
    /// Uniform LBP label per sample (computed on the luma normalised over the uncovered samples).
    pub(crate) lbp: Vec<u8>,
}

/// Marks the frame pixels that belong to large patches of covering material: bright and nearly
/// colourless (gauze, a patch, a white mask) or bluish (a blue mask). Skin always has Cr well
/// above Cb and a clear chroma; the whites of the eyes are colourless too but small.
pub(crate) fn cover_mask(
    planes: &Planes,
    skin_luma: f32,
    min_area: usize,
    t: &StaffCheckTuning,
) -> Vec<bool> {
    let n = planes.w * planes.h;
    let material: Vec<bool> = (0..n)
        .map(|i| {
            let (cb, cr) = (planes.cb[i] - 128.0, planes.cr[i] - 128.0);
            let chroma = (cb * cb + cr * cr).sqrt();
            let bright = planes.y[i] > skin_luma * t.cover_luma_factor;
            (bright && chroma < t.cover_chroma_max)
                || (cb > t.cover_blue_cb && cr < 0.0 && planes.y[i] > skin_luma * 0.7)
        })
        .collect();
    let mut out = vec![false; n];
    for region in
        crate::matching::planes::components(&material, planes.w, (0, 0, planes.w, planes.h))
    {
        if region.pixels.len() >= min_area {
            for i in region.pixels {
                out[i] = true;
            }
        }
    }
    out
}

/// Samples a face on the eye-aligned grid.
pub(crate) fn align(
    planes: &Planes,
    skin: &[bool],
    covered: &[bool],
    frame: EyeFrame,
    t: &StaffCheckTuning,
) -> AlignedFace {
    let (w, h) = (planes.w, planes.h);
    let n = GRID_W * GRID_H;
    let mut face = AlignedFace {
        y: vec![0.0; n],
        cb: vec![0.0; n],
        cr: vec![0.0; n],
        skin: vec![false; n],
        covered: vec![false; n],
        lbp: vec![0; n],
    };
    let k = frame.d / GRID_EYE_DIST;
    for v in 0..GRID_H {
        for u in 0..GRID_W {
            let a = (u as f32 - GRID_W as f32 / 2.0) * k;
            let b = (v as f32 - GRID_EYE_Y) * k;
            let x = frame.mid.0 + frame.u.0 * a + frame.v.0 * b;
            let y = frame.mid.1 + frame.u.1 * a + frame.v.1 * b;
            let i = v * GRID_W + u;
            face.y[i] = Planes::sample(&planes.y, w, h, x, y);
            face.cb[i] = Planes::sample(&planes.cb, w, h, x, y);
            face.cr[i] = Planes::sample(&planes.cr, w, h, x, y);
            let inside = x >= 0.0 && y >= 0.0 && (x as usize) < w && (y as usize) < h;
            let p = if inside {
                (y as usize) * w + x as usize
            } else {
                0
            };
            face.skin[i] = inside && skin.get(p).copied().unwrap_or(false);
            // Outside the frame counts as covered: nothing to compare there.
            face.covered[i] = !inside || covered.get(p).copied().unwrap_or(true);
        }
    }
    face.lbp = lbp_labels(&face.y, &face.covered, t.lbp_margin);
    face
}

/// Uniform LBP labels (radius 2) of the grid, the luma normalised over the uncovered samples.
fn lbp_labels(y: &[f32], covered: &[bool], margin: f32) -> Vec<u8> {
    let vis: Vec<f32> = y
        .iter()
        .zip(covered)
        .filter(|(_, c)| !**c)
        .map(|(v, _)| *v)
        .collect();
    let n = vis.len().max(1) as f32;
    let mean = vis.iter().sum::<f32>() / n;
    let sd = (vis.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n)
        .sqrt()
        .max(1e-3);
    let table = uniform_table();
    let r = 2isize;
    let offsets: [(isize, isize); 8] = [
        (-r, -r),
        (0, -r),
        (r, -r),
        (r, 0),
        (r, r),
        (0, r),
        (-r, r),
        (-r, 0),
    ];
    let mut out = vec![0u8; y.len()];
    for yy in 0..GRID_H as isize {
        for xx in 0..GRID_W as isize {
            let c = y[(yy as usize) * GRID_W + xx as usize];
            let mut code = 0u8;
            for (bit, (dx, dy)) in offsets.iter().enumerate() {
                let nx = (xx + dx).clamp(0, GRID_W as isize - 1) as usize;
                let ny = (yy + dy).clamp(0, GRID_H as isize - 1) as usize;
                if y[ny * GRID_W + nx] >= c + margin * sd {
                    code |= 1 << bit;
                }
            }
            out[(yy as usize) * GRID_W + xx as usize] = table[usize::from(code)];
        }
    }
    out
}

/// How one area compares, with the raw measures (for tuning and reports).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaSimilarity {
    /// Normalised cross-correlation of the luma over the samples seen in both, -1..=1.
    pub correlation: f32,
    /// LBP histogram agreement (1 − χ²/2), 0..=1.
    pub texture: f32,
    /// Skin-colour agreement exp(−|ΔCbCr| / scale), 0..=1 (1 when the area shows no skin).
    pub tone: f32,
    /// Combined 0..=1.
    pub score: f32,
    /// Samples compared.
    pub samples: usize,
}

/// Compares `area` of the card face with the person's; None when too little of it is visible.
pub(crate) fn compare_area(
    card: &AlignedFace,
    person: &AlignedFace,
    area: FaceArea,
    t: &StaffCheckTuning,
) -> Option<AreaSimilarity> {
    let cells: Vec<usize> = area.cells().collect();
    let total = cells.len();
    let seen: Vec<usize> = cells
        .iter()
        .copied()
        .filter(|&i| !person.covered[i] && !card.covered[i])
        .collect();
    if total == 0 || (seen.len() as f32) < t.area_visible_min * total as f32 {
        return None;
    }
    let n = seen.len() as f32;
    let mean = |v: &[f32]| seen.iter().map(|&i| v[i]).sum::<f32>() / n;
    let (ma, mb) = (mean(&card.y), mean(&person.y));
    let (mut sab, mut saa, mut sbb) = (0.0f32, 0.0f32, 0.0f32);
    for &i in &seen {
        let (da, db) = (card.y[i] - ma, person.y[i] - mb);
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    let correlation = sab / (saa * sbb).sqrt().max(1e-6);
    let mut ha = [0.0f32; 59];
    let mut hb = [0.0f32; 59];
    for &i in &seen {
        ha[usize::from(card.lbp[i]).min(58)] += 1.0 / n;
        hb[usize::from(person.lbp[i]).min(58)] += 1.0 / n;
    }
    let chi2: f32 = ha
        .iter()
        .zip(&hb)
        .map(|(p, q)| {
            if p + q > 0.0 {
                (p - q) * (p - q) / (p + q)
            } else {
                0.0
            }
        })
        .sum();
    let texture = (1.0 - chi2 / 2.0).clamp(0.0, 1.0);
    let skin_both: Vec<usize> = seen
        .iter()
        .copied()
        .filter(|&i| card.skin[i] && person.skin[i])
        .collect();
    let tone = if skin_both.len() < 8 {
        1.0
    } else {
        let k = skin_both.len() as f32;
        let m = |v: &[f32]| skin_both.iter().map(|&i| v[i]).sum::<f32>() / k;
        let d =
            ((m(&card.cb) - m(&person.cb)).powi(2) + (m(&card.cr) - m(&person.cr)).powi(2)).sqrt();
        (-d / t.tone_scale).exp()
    };
    let score = (t.correlation_weight * (correlation.max(0.0))
        + t.texture_weight * texture
        + t.tone_weight * tone)
        / (t.correlation_weight + t.texture_weight + t.tone_weight);
    Some(AreaSimilarity {
        correlation,
        texture,
        tone,
        score,
        samples: seen.len(),
    })
}
