//! Face description and comparison: feature geometry in eye-distance units, uniform LBP
//! histograms on a grid of the normalised crop, a low-resolution appearance vector, and the score
//! that combines them.

use super::planes::{
    aligned_crop, normalise, EyeFrame, Planes, Region, CROP_EYE_DIST, CROP_EYE_Y, CROP_H, CROP_W,
};
use super::tuning::ScoreTuning;

/// LBP cell size.
const CELL: usize = 8;
/// Uniform LBP labels (58 uniform patterns + 1 for the rest).
pub const LBP_BINS: usize = 59;

/// A face found in one frame, normalised and described.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceObservation {
    /// Eye centres in frame pixels (left of the image first).
    pub eyes: [(f32, f32); 2],
    /// Face box in frame pixels: x0, y0, x1, y1.
    pub face_box: (u32, u32, u32, u32),
    /// Normalised grey crop (CROP_W × CROP_H), zero mean / unit variance.
    pub crop: Vec<f32>,
    /// Uniform LBP histograms per cell, each normalised to sum 1.
    pub lbp: Vec<f32>,
    /// Low-resolution appearance vector (unit length).
    pub appearance: Vec<f32>,
    /// Mean (Cb, Cr) of the cheeks.
    pub tone: (f32, f32),
    /// Mean absolute high-frequency energy on skin (halftone print shows a lot).
    pub high_freq: f32,
    /// Feature geometry in eye-distance units (NaN where a feature was not found), see
    /// [`GEOMETRY_FEATURES`].
    pub geometry: Vec<f32>,
}

/// Similarity components between two faces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub lbp: f32,
    /// Agreement of the feature geometry, 0..=1.
    pub geometry: f32,
    pub appearance: f32,
    pub tone: f32,
    /// Combined score 0..=1.
    pub score: f32,
}

/// Names of the geometry measurements, in eye-distance units from the eye midpoint
/// (a: to the right, b: down the face).
pub const GEOMETRY_FEATURES: [&str; 15] = [
    "mouth_b",
    "mouth_w",
    "nose_b",
    "nose_mouth",
    "brow_b",
    "brow_w",
    "eye_w",
    "eye_h",
    "face_width",
    "jaw_taper",
    "hair_b_0",
    "hair_b_side",
    "brow_gap",
    "eye_tilt",
    "brow_tilt",
];

/// Measures feature positions and sizes in eye-distance units.
fn measure_geometry(
    planes: &Planes,
    skin: &[bool],
    face: &Region,
    clusters: &[Region],
    frame: EyeFrame,
    eye_sizes: [f32; 4],
) -> Vec<f32> {
    let (w, h) = (planes.w, planes.h);
    let d = frame.d;
    // Each cluster in face coordinates: centre and extent along a.
    struct Blob {
        a: f32,
        b: f32,
        width: f32,
        area: f32,
        /// Orientation of the long axis (radians, towards +b from +a).
        tilt: f32,
    }
    let blobs: Vec<Blob> = clusters
        .iter()
        .map(|c| {
            let (cx, cy) = c.centroid(w);
            let (a, b) = frame.face_coords(cx, cy);
            let (mut amin, mut amax) = (f32::MAX, f32::MIN);
            let (mut saa, mut sbb, mut sab) = (0.0f32, 0.0f32, 0.0f32);
            for &i in &c.pixels {
                let (pa, pb) = frame.face_coords((i % w) as f32 + 0.5, (i / w) as f32 + 0.5);
                amin = amin.min(pa);
                amax = amax.max(pa);
                saa += (pa - a) * (pa - a);
                sbb += (pb - b) * (pb - b);
                sab += (pa - a) * (pb - b);
            }
            Blob {
                a,
                b,
                width: amax - amin,
                area: c.pixels.len() as f32 / (d * d),
                tilt: 0.5 * (2.0 * sab).atan2(saa - sbb),
            }
        })
        .collect();
    let nan = f32::NAN;
    // Mouth: the widest blob on the midline below the nose.
    let mouth = blobs
        .iter()
        .filter(|m| (0.5..1.5).contains(&m.b) && m.a.abs() < 0.3 && m.width > 0.2)
        .max_by(|x, y| x.width.total_cmp(&y.width));
    let (mouth_b, mouth_w) = mouth.map_or((nan, nan), |m| (m.b, m.width));
    // Nostrils: a level pair either side of the midline above the mouth.
    let mut nose = (nan, nan);
    let nostrils: Vec<&Blob> = blobs
        .iter()
        .filter(|n| {
            (0.25..1.1).contains(&n.b)
                && (0.03..0.4).contains(&n.a.abs())
                && n.width < 0.25
                && n.b < mouth_b.min(2.0) - 0.1
        })
        .collect();
    let mut best_pair = f32::MAX;
    for l in nostrils.iter().filter(|n| n.a < 0.0) {
        for r in nostrils.iter().filter(|n| n.a > 0.0) {
            let cost = (l.b - r.b).abs() + (l.a + r.a).abs();
            if cost < best_pair && (l.b - r.b).abs() < 0.1 {
                best_pair = cost;
                nose = ((l.b + r.b) / 2.0, r.a - l.a);
            }
        }
    }
    // Brows: the largest blob above each eye.
    let brow = |side: f32| {
        blobs
            .iter()
            .filter(|b| (-0.9..-0.12).contains(&b.b) && (0.15..0.95).contains(&(b.a * side)))
            .max_by(|x, y| x.area.total_cmp(&y.area))
    };
    let (brow_b, brow_w) = match (brow(-1.0), brow(1.0)) {
        (Some(l), Some(r)) => ((l.b + r.b) / 2.0, (l.width + r.width) / 2.0),
        (Some(x), None) | (None, Some(x)) => (x.b, x.width),
        (None, None) => (nan, nan),
    };
    // Tilts, mirrored so that both sides tilting outwards-up count alike.
    let brow_tilt = match (brow(-1.0), brow(1.0)) {
        (Some(l), Some(r)) => (r.tilt - l.tilt) / 2.0,
        _ => nan,
    };
    let eye = |side: f32| {
        blobs
            .iter()
            .find(|e| (e.a - side * 0.5).abs() < 0.15 && e.b.abs() < 0.12)
    };
    let eye_tilt = match (eye(-1.0), eye(1.0)) {
        (Some(l), Some(r)) => (r.tilt - l.tilt) / 2.0,
        _ => nan,
    };
    let is_skin = |a: f32, b: f32| {
        let (x, y) = frame.pixel_coords(a, b);
        if x < 0.0 || y < 0.0 {
            return false;
        }
        let (xi, yi) = (x as usize, y as usize);
        xi < w && yi < h && skin[yi * w + xi] && xi >= face.x0 && xi <= face.x1
    };
    // Face width at a given depth: walk out from the midline until skin ends (small gaps skipped).
    let width_at = |b: f32| {
        let mut total = 0.0;
        for side in [-1.0f32, 1.0] {
            let mut last = 0.0f32;
            let mut a = 0.0f32;
            while a < 2.0 {
                if is_skin(side * a, b) {
                    last = a;
                } else if a - last > 0.12 {
                    break;
                }
                a += 0.01;
            }
            total += last;
        }
        total
    };
    // Hairline: walk up from the brows until skin ends.
    let hair_at = |a: f32| {
        let mut last = -0.3f32;
        let mut b = -0.3f32;
        while b > -2.0 {
            if is_skin(a, b) {
                last = b;
            } else if last - b > 0.1 {
                break;
            }
            b -= 0.01;
        }
        last
    };
    let eye_w = (eye_sizes[0] + eye_sizes[2]) / 2.0 / d;
    let (w05, w08, w11) = (width_at(0.5), width_at(0.8), width_at(1.1));
    // (The curvature w08 - (w05 + w11) / 2 was measured too and did not tell people apart.)
    let eye_h = (eye_sizes[1] + eye_sizes[3]) / 2.0 / d;
    vec![
        mouth_b,
        mouth_w,
        nose.0,
        nose.1,
        brow_b,
        brow_w,
        eye_w,
        eye_h,
        // Light from one side shifts all widths together (the shaded edge leaves the skin mask):
        // keep the mean width apart from the shape (taper and curvature), which that cancels.
        (w05 + w08 + w11) / 3.0,
        w05 - w11,
        hair_at(0.0),
        (hair_at(-0.45) + hair_at(0.45)) / 2.0,
        nose.0 - brow_b,
        eye_tilt,
        brow_tilt,
    ]
}

/// Mouth depth, mouth width and nose depth (eye-distance units) from the aligned crop: the lip line
/// and the shadow under the nose are the darkest rows on the midline below the eyes.
fn profile_features(crop: &[f32]) -> (f32, f32, f32) {
    let to_v = |b: f32| CROP_EYE_Y + b * CROP_EYE_DIST;
    let to_b = |v: f32| (v - CROP_EYE_Y) / CROP_EYE_DIST;
    let mid = CROP_W / 2;
    let row_mean = |v: usize, u0: usize, u1: usize| {
        let mut sum = 0.0;
        for u in u0..u1 {
            sum += crop.get(v * CROP_W + u).copied().unwrap_or(0.0);
        }
        sum / (u1 - u0).max(1) as f32
    };
    let raw: Vec<f32> = (0..CROP_H).map(|v| row_mean(v, mid - 4, mid + 4)).collect();
    let profile: Vec<f32> = (0..CROP_H)
        .map(|v| {
            let a = raw[v.saturating_sub(1)];
            let c = raw[(v + 1).min(CROP_H - 1)];
            (a + 2.0 * raw[v] + c) / 4.0
        })
        .collect();
    // The two deepest local minima below the eyes: nose shadow above, lip line below.
    let v0 = (to_v(0.3).max(2.0)) as usize;
    let v1 = (to_v(1.5) as usize).min(CROP_H - 3);
    let mut minima: Vec<(f32, usize)> = Vec::new();
    for v in v0..=v1 {
        let c = profile[v];
        if c <= profile[v - 1] && c < profile[v + 1] {
            let around = (v.saturating_sub(4)..=(v + 4).min(CROP_H - 1))
                .map(|k| profile[k])
                .fold(f32::MIN, f32::max);
            minima.push((around - c, v));
        }
    }
    minima.sort_by(|a, b| b.0.total_cmp(&a.0));
    minima.truncate(2);
    if minima.len() < 2 {
        return (f32::NAN, f32::NAN, f32::NAN);
    }
    let refine = |v: usize| {
        let (l, c, r) = (profile[v - 1], profile[v], profile[v + 1]);
        let denom = l - 2.0 * c + r;
        let off = if denom.abs() > 1e-6 {
            (0.5 * (l - r) / denom).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        v as f32 + off
    };
    let (upper, lower) = (minima[0].1.min(minima[1].1), minima[0].1.max(minima[1].1));
    let mouth_v = refine(lower);
    let nose_v = Some(refine(upper));
    // Mouth width: how far the lip line stays darker than the skin beside it.
    let mv = mouth_v.round() as usize;
    let line: Vec<f32> = (0..CROP_W)
        .map(|u| {
            (mv.saturating_sub(1)..=(mv + 1).min(CROP_H - 1))
                .map(|v| crop[v * CROP_W + u])
                .sum::<f32>()
                / 3.0
        })
        .collect();
    let skin_level = (row_mean(mv.saturating_sub(5), mid - 4, mid + 4)
        + row_mean((mv + 5).min(CROP_H - 1), mid - 4, mid + 4))
        / 2.0;
    let threshold = (line[mid] + skin_level) / 2.0;
    let mut left = mid;
    while left > 0 && line[left - 1] < threshold {
        left -= 1;
    }
    let mut right = mid;
    while right + 1 < CROP_W && line[right + 1] < threshold {
        right += 1;
    }
    let mouth_w = (right - left + 1) as f32 / CROP_EYE_DIST;
    (to_b(mouth_v), mouth_w, nose_v.map_or(f32::NAN, to_b))
}

/// Uniform LBP code table (59 labels: 58 uniform patterns + 1 for the rest).
pub(crate) fn uniform_table() -> [u8; 256] {
    let mut table = [58u8; 256];
    let mut next = 0u8;
    for (code, slot) in table.iter_mut().enumerate() {
        let c = code as u8;
        let transitions = (c ^ c.rotate_left(1)).count_ones();
        if transitions <= 2 {
            *slot = next;
            next += 1;
        }
    }
    table
}

/// Uniform LBP (radius 2) histograms per cell of the crop, each normalised to sum 1; a neighbour
/// sets its bit when it exceeds the centre by `margin`.
fn lbp_histograms(crop: &[f32], margin: f32) -> Vec<f32> {
    let table = uniform_table();
    let cols = CROP_W / CELL;
    let rows = CROP_H / CELL;
    let mut hist = vec![0.0f32; cols * rows * LBP_BINS];
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
    let t = margin;
    for y in 0..CROP_H as isize {
        for x in 0..CROP_W as isize {
            let c = crop[(y as usize) * CROP_W + x as usize];
            let mut code = 0u8;
            for (bit, (dx, dy)) in offsets.iter().enumerate() {
                let nx = (x + dx).clamp(0, CROP_W as isize - 1) as usize;
                let ny = (y + dy).clamp(0, CROP_H as isize - 1) as usize;
                if crop[ny * CROP_W + nx] >= c + t {
                    code |= 1 << bit;
                }
            }
            let cell = (y as usize / CELL) * cols + x as usize / CELL;
            hist[cell * LBP_BINS + usize::from(table[usize::from(code)])] += 1.0;
        }
    }
    let per_cell = (CELL * CELL) as f32;
    for v in hist.iter_mut() {
        *v /= per_cell;
    }
    hist
}

/// 16×18 block means with the best-fit plane removed (lighting gradient), unit length.
fn appearance_vector(crop: &[f32]) -> Vec<f32> {
    let (bw, bh) = (CROP_W / 4, CROP_H / 4);
    let mut v = vec![0.0f32; bw * bh];
    for y in 0..CROP_H {
        for x in 0..CROP_W {
            v[(y / 4) * bw + x / 4] += crop[y * CROP_W + x] / 16.0;
        }
    }
    // Remove the best-fit plane a + b·x + c·y (coordinates centred, so the terms separate).
    let n = v.len() as f32;
    let mean = v.iter().sum::<f32>() / n;
    let (mut sxx, mut syy, mut sxv, mut syv) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for (i, val) in v.iter().enumerate() {
        let x = (i % bw) as f32 - (bw as f32 - 1.0) / 2.0;
        let y = (i / bw) as f32 - (bh as f32 - 1.0) / 2.0;
        sxx += x * x;
        syy += y * y;
        sxv += x * (val - mean);
        syv += y * (val - mean);
    }
    let (gx, gy) = (sxv / sxx.max(1e-6), syv / syy.max(1e-6));
    for (i, val) in v.iter_mut().enumerate() {
        let x = (i % bw) as f32 - (bw as f32 - 1.0) / 2.0;
        let y = (i / bw) as f32 - (bh as f32 - 1.0) / 2.0;
        *val -= mean + gx * x + gy * y;
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
    for x in v.iter_mut() {
        *x /= norm;
    }
    v
}

/// Geometry agreement: squared z-scores against the per-feature spreads, the worst
/// `geometry_dropped` dropped (a feature can be mismeasured), mean of the rest mapped to 0..=1.
pub fn geometry_similarity(a: &[f32], b: &[f32], t: &ScoreTuning) -> f32 {
    let mut z2: Vec<f32> = a
        .iter()
        .zip(b)
        .zip(t.geometry_sigma)
        .filter_map(|((x, y), s)| {
            let z = (x - y) / s;
            (!z.is_nan()).then(|| (z * z).min(t.geometry_z2_cap))
        })
        .collect();
    if z2.len() < t.geometry_features_min.max(t.geometry_dropped + 1) {
        return 0.0;
    }
    z2.sort_by(f32::total_cmp);
    z2.truncate(z2.len() - t.geometry_dropped);
    let mean = z2.iter().sum::<f32>() / z2.len() as f32;
    (-mean / 2.0).exp()
}

/// Compares two observed faces.
pub fn similarity(a: &FaceObservation, b: &FaceObservation, t: &ScoreTuning) -> Similarity {
    let cells = (a.lbp.len() / LBP_BINS).max(1) as f32;
    let chi2: f32 = a
        .lbp
        .iter()
        .zip(&b.lbp)
        .map(|(p, q)| {
            let s = p + q;
            if s > 0.0 {
                (p - q) * (p - q) / s
            } else {
                0.0
            }
        })
        .sum::<f32>()
        / cells;
    let lbp = (1.0 - chi2 / 2.0).clamp(0.0, 1.0);
    let cos: f32 = a
        .appearance
        .iter()
        .zip(&b.appearance)
        .map(|(p, q)| p * q)
        .sum();
    let appearance = ((cos + 1.0) / 2.0).clamp(0.0, 1.0);
    let dt = ((a.tone.0 - b.tone.0).powi(2) + (a.tone.1 - b.tone.1).powi(2)).sqrt();
    let tone = (-dt / t.tone_scale).exp();
    let geometry = geometry_similarity(&a.geometry, &b.geometry, t);
    let score =
        (t.geometry_weight * geometry + t.lbp_weight * lbp + t.appearance_weight * appearance)
            .clamp(0.0, 1.0);
    Similarity {
        lbp,
        appearance,
        tone,
        geometry,
        score,
    }
}

/// What the detector hands over for a found face: where it is and what its holes are.
pub(crate) struct FoundFace<'a> {
    pub(crate) planes: &'a Planes,
    pub(crate) skin: &'a [bool],
    pub(crate) face: &'a Region,
    pub(crate) clusters: &'a [Region],
    pub(crate) frame: EyeFrame,
    /// Eye sizes in pixels: left width, height, right width, height.
    pub(crate) eye_sizes: [f32; 4],
    pub(crate) eyes: [(f32, f32); 2],
    pub(crate) high_freq: f32,
}

/// Normalises and describes a found face.
pub(crate) fn describe(found: &FoundFace<'_>, t: &ScoreTuning) -> FaceObservation {
    let FoundFace {
        planes,
        skin,
        face,
        clusters,
        frame,
        eye_sizes,
        eyes,
        high_freq,
    } = *found;
    let (w, h) = (planes.w, planes.h);
    let mut geometry = measure_geometry(planes, skin, face, clusters, frame, eye_sizes);
    // Normalise: crop aligned on the eyes.
    let (mut crop, tone) = aligned_crop(planes, frame);
    normalise(&mut crop);
    let (mouth_b, mouth_w, nose_b) = profile_features(&crop);
    geometry[0] = mouth_b;
    geometry[1] = mouth_w;
    geometry[2] = nose_b;
    geometry[3] = mouth_b - nose_b;
    geometry[12] = nose_b - geometry[4];
    let lbp = lbp_histograms(&crop, t.lbp_margin);
    let appearance = appearance_vector(&crop);

    let at = |a: f32, b: f32| frame.at(a, b);
    let fx0 = at(-0.9, 0.0).0.min(at(-0.9, 1.2).0).max(0.0) as u32;
    let fx1 = (at(0.9, 0.0).0.max(at(0.9, 1.2).0).max(0.0) as u32).min(w as u32 - 1);
    let fy0 = at(0.0, -0.6).1.max(0.0) as u32;
    let fy1 = (at(0.0, 1.4).1.max(0.0) as u32).min(h as u32 - 1);
    FaceObservation {
        eyes,
        face_box: (fx0, fy0, fx1, fy1),
        crop,
        lbp,
        appearance,
        tone,
        high_freq,
        geometry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_lbp_has_59_labels() {
        let table = uniform_table();
        let max = table.iter().copied().max().unwrap_or(0);
        assert_eq!(max, 58);
        assert_eq!(table.iter().filter(|l| **l < 58).count(), 58);
    }

    #[test]
    fn identical_faces_score_one_and_geometry_tolerates_missing_features() {
        let t = ScoreTuning::default();
        let g: Vec<f32> = (0..GEOMETRY_FEATURES.len())
            .map(|i| i as f32 * 0.1)
            .collect();
        assert!((geometry_similarity(&g, &g, &t) - 1.0).abs() < 1e-6);
        let mut missing = g.clone();
        missing[0] = f32::NAN;
        missing[1] = f32::NAN;
        assert!((geometry_similarity(&g, &missing, &t) - 1.0).abs() < 1e-6);
        let far: Vec<f32> = g.iter().map(|v| v + 1.0).collect();
        assert!(geometry_similarity(&g, &far, &t) < 0.01);
        let too_few = vec![f32::NAN; GEOMETRY_FEATURES.len()];
        assert_eq!(geometry_similarity(&g, &too_few, &t), 0.0);
    }
}
