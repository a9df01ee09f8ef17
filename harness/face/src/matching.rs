//! Face matching on pixels: find the face (skin segmentation, connected components, eye blobs),
//! check exposure and occlusion, align on the eyes, describe with LBP histograms and a low-resolution
//! appearance vector, compare with the card photo, and check liveness across the burst.
//!
//! Nothing here knows which scene produced the frames: every decision comes from the pixels.

use image::RgbImage;

use crate::{FaceMatcher, MatchDecision, MatchReport};

/// Width of the normalised face crop.
pub const CROP_W: usize = 64;
/// Height of the normalised face crop.
pub const CROP_H: usize = 72;
/// Eye distance in the normalised crop.
const CROP_EYE_DIST: f32 = 24.0;
/// Eye row in the normalised crop.
const CROP_EYE_Y: f32 = 22.0;
/// LBP cell size.
const CELL: usize = 8;
const LBP_BINS: usize = 59;
/// Mean |Y − mean of 4 neighbours| on skin above which the region is a halftone print
/// (live skin with sensor noise stays well under 10).
pub const HALFTONE_LIMIT: f32 = 15.0;

/// Why a single frame could not be used, or what was found in it.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameFinding {
    /// No signal: black or nearly black frame.
    Dark,
    /// Bright background with a dark, underexposed subject, or the whole frame too dark/bright.
    PoorExposure,
    /// No face-sized skin region.
    NoSkin,
    /// A face, but cut at the frame edge (the expected face extent leaves the frame).
    Cut,
    /// A face region with fewer than two visible eyes.
    EyesMissing { eyes: usize },
    /// Both eyes, but the lower face (nose, mouth, chin) is covered by a uniform non-skin region.
    LowerFaceCovered,
    /// A face-sized skin region covered in a halftone dot pattern (a print).
    Halftone { high_freq: f32 },
    /// A usable face.
    Face(Box<FaceObservation>),
}

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

/// The default matcher: LBP histograms over a grid plus a low-resolution appearance term.
#[derive(Debug, Clone, PartialEq)]
pub struct LbpMatcher {
    /// Accept when the combined score is at least this.
    pub threshold: f32,
    /// Minimum inter-frame change (mean |ΔY| of smoothed face pixels) for a live face.
    pub motion_min: f32,
}

impl Default for LbpMatcher {
    fn default() -> Self {
        Self {
            threshold: 0.775,
            motion_min: 2.5,
        }
    }
}

/// Planes computed once per frame.
struct Planes {
    w: usize,
    h: usize,
    /// Luma of the raw frame.
    y_raw: Vec<f32>,
    /// Luma and chroma of the smoothed frame.
    y: Vec<f32>,
    cb: Vec<f32>,
    cr: Vec<f32>,
}

fn box_blur(src: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut tmp = vec![0.0f32; src.len()];
    let mut out = vec![0.0f32; src.len()];
    if w == 0 || h == 0 {
        return out;
    }
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let dst = &mut tmp[y * w..(y + 1) * w];
        for x in 0..w {
            let l = row[x.saturating_sub(1)];
            let r = row[(x + 1).min(w - 1)];
            dst[x] = (l + row[x] + r) / 3.0;
        }
    }
    for y in 0..h {
        let up = y.saturating_sub(1) * w;
        let mid = y * w;
        let down = (y + 1).min(h - 1) * w;
        for x in 0..w {
            out[mid + x] = (tmp[up + x] + tmp[mid + x] + tmp[down + x]) / 3.0;
        }
    }
    out
}

impl Planes {
    fn new(img: &RgbImage) -> Planes {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let n = w * h;
        let mut r = Vec::with_capacity(n);
        let mut g = Vec::with_capacity(n);
        let mut b = Vec::with_capacity(n);
        for p in img.pixels() {
            r.push(f32::from(p[0]));
            g.push(f32::from(p[1]));
            b.push(f32::from(p[2]));
        }
        let y_raw: Vec<f32> = (0..n)
            .map(|i| 0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i])
            .collect();
        let (r, g, b) = (box_blur(&r, w, h), box_blur(&g, w, h), box_blur(&b, w, h));
        let mut y = Vec::with_capacity(n);
        let mut cb = Vec::with_capacity(n);
        let mut cr = Vec::with_capacity(n);
        for i in 0..n {
            y.push(0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i]);
            cb.push(128.0 - 0.168_736 * r[i] - 0.331_264 * g[i] + 0.5 * b[i]);
            cr.push(128.0 + 0.5 * r[i] - 0.418_688 * g[i] - 0.081_312 * b[i]);
        }
        Planes {
            w,
            h,
            y_raw,
            y,
            cb,
            cr,
        }
    }

    fn is_skin(&self, i: usize) -> bool {
        let (y, cb, cr) = (self.y[i], self.cb[i], self.cr[i]);
        y > 50.0 && (78.0..=126.0).contains(&cb) && (134.0..=173.0).contains(&cr) && cr - cb > 12.0
    }

    fn sample(plane: &[f32], w: usize, h: usize, x: f32, y: f32) -> f32 {
        if w == 0 || h == 0 {
            return 0.0;
        }
        let x = x.clamp(0.0, (w - 1) as f32);
        let y = y.clamp(0.0, (h - 1) as f32);
        let x0 = x.floor() as usize;
        let y0 = y.floor() as usize;
        let x1 = (x0 + 1).min(w - 1);
        let y1 = (y0 + 1).min(h - 1);
        let fx = x - x0 as f32;
        let fy = y - y0 as f32;
        let a = plane[y0 * w + x0];
        let b = plane[y0 * w + x1];
        let c = plane[y1 * w + x0];
        let d = plane[y1 * w + x1];
        let top = a + (b - a) * fx;
        let bot = c + (d - c) * fx;
        top + (bot - top) * fy
    }
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

/// Eye-aligned coordinate frame.
#[derive(Clone, Copy)]
struct Frame {
    mid: (f32, f32),
    u: (f32, f32),
    v: (f32, f32),
    d: f32,
}

impl Frame {
    fn face_coords(self, x: f32, y: f32) -> (f32, f32) {
        let rx = x - self.mid.0;
        let ry = y - self.mid.1;
        (
            (rx * self.u.0 + ry * self.u.1) / self.d,
            (rx * self.v.0 + ry * self.v.1) / self.d,
        )
    }
    fn pixel_coords(self, a: f32, b: f32) -> (f32, f32) {
        (
            self.mid.0 + (self.u.0 * a + self.v.0 * b) * self.d,
            self.mid.1 + (self.u.1 * a + self.v.1 * b) * self.d,
        )
    }
}

/// Measures feature positions and sizes in eye-distance units.
fn measure_geometry(
    planes: &Planes,
    skin: &[bool],
    face: &Region,
    clusters: &[Region],
    frame: Frame,
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

/// Cost, eye centres (left, right) and sizes (left w, h, right w, h) of a candidate pair.
type EyePair = (f32, [(f32, f32); 2], [f32; 4]);

/// A blob that looks like an eye.
struct EyeBlob {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
    area: f32,
}

/// A connected region.
struct Region {
    pixels: Vec<usize>,
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

impl Region {
    fn centroid(&self, w: usize) -> (f32, f32) {
        let n = self.pixels.len().max(1) as f32;
        let (sx, sy) = self.pixels.iter().fold((0.0f32, 0.0f32), |(sx, sy), &i| {
            (sx + (i % w) as f32, sy + (i / w) as f32)
        });
        (sx / n + 0.5, sy / n + 0.5)
    }
}

/// 4-connected components of `mask` inside the window [x0, x1) × [y0, y1).
fn components(mask: &[bool], w: usize, win: (usize, usize, usize, usize)) -> Vec<Region> {
    let (wx0, wy0, wx1, wy1) = win;
    let mut seen = vec![false; mask.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for sy in wy0..wy1 {
        for sx in wx0..wx1 {
            let start = sy * w + sx;
            if !mask[start] || seen[start] {
                continue;
            }
            seen[start] = true;
            stack.push(start);
            let mut region = Region {
                pixels: Vec::new(),
                x0: sx,
                y0: sy,
                x1: sx,
                y1: sy,
            };
            while let Some(i) = stack.pop() {
                let (x, y) = (i % w, i / w);
                region.pixels.push(i);
                region.x0 = region.x0.min(x);
                region.x1 = region.x1.max(x);
                region.y0 = region.y0.min(y);
                region.y1 = region.y1.max(y);
                let mut push = |j: usize| {
                    if mask[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                };
                if x > wx0 {
                    push(i - 1);
                }
                if x + 1 < wx1 {
                    push(i + 1);
                }
                if y > wy0 {
                    push(i - w);
                }
                if y + 1 < wy1 {
                    push(i + w);
                }
            }
            out.push(region);
        }
    }
    out
}

/// Analyses one frame (or the card photo).
pub fn analyse_frame(img: &RgbImage) -> FrameFinding {
    analyse_planes(&Planes::new(img))
}

fn analyse_planes(planes: &Planes) -> FrameFinding {
    let (w, h) = (planes.w, planes.h);
    let n = w * h;
    if n < 64 {
        return FrameFinding::NoSkin;
    }
    // Exposure.
    let mean = planes.y_raw.iter().sum::<f32>() / n as f32;
    let var = planes
        .y_raw
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum::<f32>()
        / n as f32;
    if mean < 16.0 && var.sqrt() < 10.0 {
        return FrameFinding::Dark;
    }
    let saturated = planes.y_raw.iter().filter(|v| **v >= 245.0).count() as f32 / n as f32;
    if saturated > 0.25 {
        let mut rest: Vec<f32> = planes
            .y_raw
            .iter()
            .copied()
            .filter(|v| *v < 245.0)
            .collect();
        rest.sort_by(f32::total_cmp);
        let median = rest.get(rest.len() / 2).copied().unwrap_or(255.0);
        if median < 90.0 || saturated > 0.85 {
            return FrameFinding::PoorExposure;
        }
    }
    if !(40.0..=235.0).contains(&mean) {
        return FrameFinding::PoorExposure;
    }

    // Skin segmentation and the largest skin region.
    let skin: Vec<bool> = (0..n).map(|i| planes.is_skin(i)).collect();
    let regions = components(&skin, w, (0, 0, w, h));
    let Some(face) = regions.into_iter().max_by_key(|r| r.pixels.len()) else {
        return FrameFinding::NoSkin;
    };
    if face.pixels.len() < n / 100 {
        return FrameFinding::NoSkin;
    }
    let face_w = (face.x1 - face.x0 + 1) as f32;
    // Halftone print: strong pixel-to-pixel variation across the skin region.
    let high_freq = high_frequency(planes, &face.pixels);
    if high_freq > HALFTONE_LIMIT {
        return FrameFinding::Halftone { high_freq };
    }
    let skin_y =
        face.pixels.iter().map(|&i| planes.y_raw[i]).sum::<f32>() / face.pixels.len() as f32;

    // Holes in the face region: non-skin blobs that do not touch the region's box.
    let win = (face.x0, face.y0, face.x1 + 1, face.y1 + 1);
    // Besides non-skin colours, much darker pixels (iris, lashes, brows) and bright neutral ones
    // (the whites of the eyes) belong to the features.
    let face_y = face.pixels.iter().map(|&i| planes.y[i]).sum::<f32>() / face.pixels.len() as f32;
    let not_skin: Vec<bool> = (0..n)
        .map(|i| {
            let chroma = ((planes.cb[i] - 128.0).powi(2) + (planes.cr[i] - 128.0).powi(2)).sqrt();
            let raw = planes.y_raw[i];
            !skin[i] || raw < 0.62 * face_y || (raw > face_y + 10.0 && chroma < 14.0)
        })
        .collect();
    let holes = components(&not_skin, w, win);
    // Fragments of one feature (the iris can split the white of the eye) are merged when close
    // and level.
    let mut clusters: Vec<Region> = Vec::new();
    let mut inner: Vec<Region> = holes
        .into_iter()
        .filter(|hole| {
            hole.x0 != face.x0 && hole.y0 != face.y0 && hole.x1 != face.x1 && hole.y1 != face.y1
        })
        .collect();
    inner.sort_by_key(|r| std::cmp::Reverse(r.pixels.len()));
    for hole in inner {
        let (hx, hy) = hole.centroid(w);
        let near = clusters.iter_mut().find(|c| {
            let (cx, cy) = c.centroid(w);
            (hx - cx).abs() < 0.1 * face_w && (hy - cy).abs() < 0.035 * face_w
        });
        match near {
            Some(c) => {
                c.x0 = c.x0.min(hole.x0);
                c.y0 = c.y0.min(hole.y0);
                c.x1 = c.x1.max(hole.x1);
                c.y1 = c.y1.max(hole.y1);
                c.pixels.extend(hole.pixels);
            }
            None => clusters.push(hole),
        }
    }
    let mut eyes: Vec<EyeBlob> = Vec::new();
    let area_min = (0.0015 * face_w * face_w).max(6.0);
    let area_max = 0.06 * face_w * face_w;
    for hole in &clusters {
        let area = hole.pixels.len() as f32;
        if area < area_min || area > area_max {
            continue;
        }
        let bright = hole
            .pixels
            .iter()
            .filter(|&&i| planes.y_raw[i] > skin_y + 6.0)
            .count();
        let dark = hole
            .pixels
            .iter()
            .filter(|&&i| planes.y_raw[i] < skin_y * 0.5)
            .count();
        let bw = (hole.x1 - hole.x0 + 1) as f32;
        let bh = (hole.y1 - hole.y0 + 1) as f32;
        // An iris: a dark pixel with white of the eye left and right of it on the same row.
        let rows = hole.y1 - hole.y0 + 1;
        let mut white_span = vec![(usize::MAX, 0usize); rows];
        for &i in &hole.pixels {
            if planes.y_raw[i] > skin_y + 6.0 {
                let (x, r) = (i % w, i / w - hole.y0);
                if let Some(span) = white_span.get_mut(r) {
                    span.0 = span.0.min(x);
                    span.1 = span.1.max(x);
                }
            }
        }
        let iris = hole.pixels.iter().any(|&i| {
            let (x, r) = (i % w, i / w - hole.y0);
            planes.y_raw[i] < skin_y * 0.5
                && white_span.get(r).is_some_and(|&(lo, hi)| lo < x && x < hi)
        });
        // An eye: white and dark parts, the dark between whites, wider than tall (a patch or a
        // bandage edge is not).
        if bright >= 3 && dark >= 2 && iris && bw >= bh * 1.3 {
            // Centre of the eye: the middle of its box (the iris moves with the gaze).
            eyes.push(EyeBlob {
                x: (hole.x0 + hole.x1 + 1) as f32 / 2.0,
                y: (hole.y0 + hole.y1 + 1) as f32 / 2.0,
                width: bw,
                height: bh,
                area,
            });
        }
    }
    // The best pair: level, plausibly spaced, centred on the region, highest up.
    let cx = (face.x0 + face.x1) as f32 / 2.0;
    let mut best: Option<EyePair> = None;
    for i in 0..eyes.len() {
        for j in (i + 1)..eyes.len() {
            let (ea, eb) = if eyes[i].x < eyes[j].x {
                (&eyes[i], &eyes[j])
            } else {
                (&eyes[j], &eyes[i])
            };
            let (a, b) = ((ea.x, ea.y), (eb.x, eb.y));
            let dx = b.0 - a.0;
            let dy = (b.1 - a.1).abs();
            if dx < 0.22 * face_w || dx > 0.7 * face_w || dy > 0.3 * dx {
                continue;
            }
            // Two eyes of one face have about the same size.
            let ratio = ea.width.max(eb.width) / ea.width.min(eb.width).max(1.0);
            let area_ratio = ea.area.max(eb.area) / ea.area.min(eb.area).max(1.0);
            if ratio > 1.6 || area_ratio > 2.2 {
                continue;
            }
            let off = ((a.0 + b.0) / 2.0 - cx).abs() / face_w;
            let cost = off + dy / dx;
            if best.is_none_or(|(c, _, _)| cost < c) {
                best = Some((cost, [a, b], [ea.width, ea.height, eb.width, eb.height]));
            }
        }
    }
    let Some((_, [le, re], eye_sizes)) = best else {
        // A face-sized skin region low in the frame touching the bottom edge: cut off.
        if face.y1 + 1 >= h && face.y0 as f32 > h as f32 * 0.5 {
            return FrameFinding::Cut;
        }
        return FrameFinding::EyesMissing {
            eyes: eyes.len().min(1),
        };
    };

    // Expected face extent from the eyes; it must be inside the frame.
    let d = ((re.0 - le.0).powi(2) + (re.1 - le.1).powi(2)).sqrt();
    let (ux, uy) = ((re.0 - le.0) / d, (re.1 - le.1) / d);
    let (vx, vy) = (-uy, ux); // points down the face
    let mid = ((le.0 + re.0) / 2.0, (le.1 + re.1) / 2.0);
    let at = |a: f32, b: f32| {
        (
            mid.0 + ux * a * d + vx * b * d,
            mid.1 + uy * a * d + vy * b * d,
        )
    };
    for (a, b) in [
        (0.0, 1.6),
        (-1.0, 1.2),
        (1.0, 1.2),
        (-1.1, 0.0),
        (1.1, 0.0),
        (0.0, -0.8),
    ] {
        let (x, y) = at(a, b);
        if x < 0.0 || y < 0.0 || x >= w as f32 || y >= h as f32 {
            return FrameFinding::Cut;
        }
    }
    let geometry = measure_geometry(
        planes,
        &skin,
        &face,
        &clusters,
        Frame {
            mid,
            u: (ux, uy),
            v: (vx, vy),
            d,
        },
        eye_sizes,
    );
    // Lower face: mostly skin (with lips) unless covered.
    let mut total = 0usize;
    let mut skin_count = 0usize;
    for bi in 0..8 {
        for ai in 0..8 {
            let a = -0.5 + ai as f32 / 7.0;
            let b = 0.55 + 0.6 * bi as f32 / 7.0;
            let (x, y) = at(a, b);
            let (xi, yi) = (x as usize, y as usize);
            if xi < w && yi < h {
                total += 1;
                if skin[yi * w + xi] {
                    skin_count += 1;
                }
            }
        }
    }
    if total == 0 || (skin_count as f32) < 0.35 * total as f32 {
        return FrameFinding::LowerFaceCovered;
    }

    // Normalise: crop aligned on the eyes.
    let k = d / CROP_EYE_DIST;
    let mut crop = vec![0.0f32; CROP_W * CROP_H];
    let mut cb_sum = 0.0f32;
    let mut cr_sum = 0.0f32;
    let mut tone_n = 0.0f32;
    for v in 0..CROP_H {
        for u in 0..CROP_W {
            let a = (u as f32 - CROP_W as f32 / 2.0) * k;
            let b = (v as f32 - CROP_EYE_Y) * k;
            let x = mid.0 + ux * a + vx * b;
            let y = mid.1 + uy * a + vy * b;
            crop[v * CROP_W + u] = Planes::sample(&planes.y, w, h, x, y);
            // Cheeks: tone.
            let cheek_v = (40..48).contains(&v);
            let cheek_u = (12..20).contains(&u) || (44..52).contains(&u);
            if cheek_v && cheek_u {
                cb_sum += Planes::sample(&planes.cb, w, h, x, y);
                cr_sum += Planes::sample(&planes.cr, w, h, x, y);
                tone_n += 1.0;
            }
        }
    }
    normalise(&mut crop);
    let mut geometry = geometry;
    let (mouth_b, mouth_w, nose_b) = profile_features(&crop);
    geometry[0] = mouth_b;
    geometry[1] = mouth_w;
    geometry[2] = nose_b;
    geometry[3] = mouth_b - nose_b;
    geometry[12] = nose_b - geometry[4];
    let lbp = lbp_histograms(&crop);
    let appearance = appearance_vector(&crop);
    let tone = (cb_sum / tone_n.max(1.0), cr_sum / tone_n.max(1.0));

    let fx0 = at(-0.9, 0.0).0.min(at(-0.9, 1.2).0).max(0.0) as u32;
    let fx1 = (at(0.9, 0.0).0.max(at(0.9, 1.2).0).max(0.0) as u32).min(w as u32 - 1);
    let fy0 = at(0.0, -0.6).1.max(0.0) as u32;
    let fy1 = (at(0.0, 1.4).1.max(0.0) as u32).min(h as u32 - 1);
    FrameFinding::Face(Box::new(FaceObservation {
        eyes: [le, re],
        face_box: (fx0, fy0, fx1, fy1),
        crop,
        lbp,
        appearance,
        tone,
        high_freq,
        geometry,
    }))
}

/// Mean |Y − mean of the 4 neighbours| over the given pixels (borders skipped).
fn high_frequency(planes: &Planes, pixels: &[usize]) -> f32 {
    let (w, h) = (planes.w, planes.h);
    let y = &planes.y_raw;
    let mut sum = 0.0f32;
    let mut n = 0.0f32;
    for &i in pixels {
        let (px, py) = (i % w, i / w);
        if px == 0 || py == 0 || px + 1 >= w || py + 1 >= h {
            continue;
        }
        let local = (y[i - 1] + y[i + 1] + y[i - w] + y[i + w]) / 4.0;
        sum += (y[i] - local).abs();
        n += 1.0;
    }
    sum / n.max(1.0)
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

fn normalise(v: &mut [f32]) {
    let n = v.len().max(1) as f32;
    let mean = v.iter().sum::<f32>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / n;
    let sd = var.sqrt().max(1e-3);
    for x in v.iter_mut() {
        *x = (*x - mean) / sd;
    }
}

/// Uniform LBP code table (59 labels: 58 uniform patterns + 1 for the rest).
fn uniform_table() -> [u8; 256] {
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

fn lbp_histograms(crop: &[f32]) -> Vec<f32> {
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
    let t = 0.04f32;
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

/// Expected measurement spread of each geometry feature for one person (eye-distance units),
/// from the within-person differences on a generated population (examples/tune.rs).
const GEOMETRY_SIGMA: [f32; 15] = [
    0.03, 0.045, 0.025, 0.012, 0.02, 0.08, 0.045, 0.04, 0.16, 0.075, 0.05, 0.05, 0.03, 0.05, 0.05,
];

/// Geometry agreement: squared z-scores, the two worst dropped (a feature can be mismeasured),
/// mean of the rest mapped to 0..=1.
fn geometry_similarity(a: &[f32], b: &[f32]) -> f32 {
    let mut z2: Vec<f32> = a
        .iter()
        .zip(b)
        .zip(GEOMETRY_SIGMA)
        .filter_map(|((x, y), s)| {
            let z = (x - y) / s;
            (!z.is_nan()).then(|| (z * z).min(16.0))
        })
        .collect();
    if z2.len() < 8 {
        return 0.0;
    }
    z2.sort_by(f32::total_cmp);
    z2.truncate(z2.len() - 2);
    let mean = z2.iter().sum::<f32>() / z2.len() as f32;
    (-mean / 2.0).exp()
}

/// Compares two observed faces.
pub fn similarity(a: &FaceObservation, b: &FaceObservation) -> Similarity {
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
    let tone = (-dt / 15.0).exp();
    let geometry = geometry_similarity(&a.geometry, &b.geometry);
    let score = (0.45 * geometry + 0.35 * lbp + 0.2 * appearance).clamp(0.0, 1.0);
    Similarity {
        lbp,
        appearance,
        tone,
        geometry,
        score,
    }
}

/// Mean absolute change of the smoothed luma inside `bx` between two frames.
fn motion(pa: &Planes, pb: &Planes, bx: (u32, u32, u32, u32)) -> f32 {
    if (pa.w, pa.h) != (pb.w, pb.h) {
        return f32::MAX;
    }
    let (x0, y0, x1, y1) = bx;
    let w = pa.w;
    let mut sum = 0.0f32;
    let mut n = 0.0f32;
    for y in y0 as usize..=(y1 as usize).min(pa.h.saturating_sub(1)) {
        for x in x0 as usize..=(x1 as usize).min(w.saturating_sub(1)) {
            sum += (pa.y[y * w + x] - pb.y[y * w + x]).abs();
            n += 1.0;
        }
    }
    sum / n.max(1.0)
}

/// What the matcher saw in a burst, before looking at the card photo.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstObservation {
    /// What was found in each frame.
    pub findings: Vec<FrameFinding>,
    /// Largest inter-frame change of the face region (None with fewer than two frames or no face).
    pub motion: Option<f32>,
    /// Every frame identical (a frozen camera).
    pub frozen: bool,
}

impl BurstObservation {
    /// Analyses every frame of a burst (oldest first).
    pub fn observe(frames: &[RgbImage]) -> BurstObservation {
        if frames.len() >= 2 && frames.windows(2).all(|p| p[0] == p[1]) {
            let finding = analyse_frame(&frames[0]);
            return BurstObservation {
                findings: vec![finding; frames.len()],
                motion: Some(0.0),
                frozen: true,
            };
        }
        let planes: Vec<Planes> = frames.iter().map(Planes::new).collect();
        let findings: Vec<FrameFinding> = planes.iter().map(analyse_planes).collect();
        let first_box = findings.iter().find_map(|f| match f {
            FrameFinding::Face(obs) => Some(obs.face_box),
            _ => None,
        });
        let motion = first_box.and_then(|bx| {
            planes
                .windows(2)
                .map(|pair| motion(&pair[0], &pair[1], bx))
                .reduce(f32::max)
        });
        BurstObservation {
            findings,
            motion,
            frozen: false,
        }
    }

    /// The usable faces with their frame index.
    pub fn faces(&self) -> Vec<(usize, &FaceObservation)> {
        self.findings
            .iter()
            .enumerate()
            .filter_map(|(i, f)| match f {
                FrameFinding::Face(obs) => Some((i, obs.as_ref())),
                _ => None,
            })
            .collect()
    }
}

/// Everything the matcher saw, for reports and tuning.
#[derive(Debug, Clone, PartialEq)]
pub struct BurstAnalysis {
    pub report: MatchReport,
    /// What was found in each frame.
    pub findings: Vec<FrameFinding>,
    /// Similarity of each usable frame to the card photo.
    pub similarities: Vec<Similarity>,
    /// Largest inter-frame change of the face region.
    pub motion: Option<f32>,
    /// Index of the best frame, if any.
    pub best_frame: Option<usize>,
}

impl LbpMatcher {
    /// Compares and returns the full analysis.
    pub fn analyse(&self, card_photo: &RgbImage, frames: &[RgbImage]) -> BurstAnalysis {
        let card = analyse_frame(card_photo);
        self.judge(&card, &BurstObservation::observe(frames))
    }

    /// Decides from an analysed card photo and an observed burst.
    pub fn judge(&self, card: &FrameFinding, burst: &BurstObservation) -> BurstAnalysis {
        let findings = burst.findings.clone();
        let reject = |decision, findings| BurstAnalysis {
            report: MatchReport {
                decision,
                score: 0.0,
                threshold: self.threshold,
            },
            findings,
            similarities: Vec::new(),
            motion: burst.motion,
            best_frame: None,
        };
        if burst.frozen {
            // A frozen camera repeats the very same frame: nothing in front of it is live.
            return reject(MatchDecision::NotLive, findings);
        }
        let faces = burst.faces();
        let count = |pred: fn(&FrameFinding) -> bool| findings.iter().filter(|f| pred(f)).count();
        let occluded = count(|f| {
            matches!(
                f,
                FrameFinding::LowerFaceCovered | FrameFinding::EyesMissing { eyes: 1 }
            )
        });
        let closed_eyes = count(|f| matches!(f, FrameFinding::EyesMissing { eyes: 0 }));
        let poor = count(|f| matches!(f, FrameFinding::PoorExposure));
        let halftone = count(|f| matches!(f, FrameFinding::Halftone { .. }));
        if halftone > 0 && halftone * 2 >= findings.len() {
            // A printed face: halftone dots where skin should be.
            return reject(MatchDecision::NotLive, findings);
        }

        if faces.is_empty() {
            let decision = if occluded > 0
                && (occluded + closed_eyes == findings.len() || occluded * 2 >= findings.len())
            {
                MatchDecision::Occluded
            } else if poor * 2 > findings.len() {
                MatchDecision::PoorImage
            } else if closed_eyes > 0 && closed_eyes == findings.len() {
                // A face region in every frame but never an eye: covered eyes.
                MatchDecision::Occluded
            } else {
                MatchDecision::NoFace
            };
            return reject(decision, findings);
        }
        // Covered in more frames than a face was seen: occluded, whatever the rest shows.
        if occluded > faces.len() {
            return reject(MatchDecision::Occluded, findings);
        }

        let FrameFinding::Face(card) = card else {
            // No usable face on the card photo: nothing can match it.
            return reject(MatchDecision::NoMatch, findings);
        };
        let similarities: Vec<Similarity> =
            faces.iter().map(|(_, obs)| similarity(obs, card)).collect();
        let best = similarities
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.score.total_cmp(&b.1.score))
            .map(|(i, s)| (i, *s));
        let best_score = best.map_or(0.0, |(_, s)| s.score);
        let best_frame = best.and_then(|(i, _)| faces.get(i).map(|(f, _)| *f));

        // Liveness: the face must move between frames (or blink); no frame may be a halftone print.
        // A blink changes the eye region a lot, so it shows up in the motion measure too; a frame
        // without eyes alone is no proof of life (a still picture can lose its eyes to glare).
        let moving = burst.motion.is_some_and(|m| m >= self.motion_min);
        let live = halftone == 0 && findings.len() >= 2 && moving;
        let decision = if !live {
            MatchDecision::NotLive
        } else if best_score >= self.threshold {
            MatchDecision::Match
        } else {
            MatchDecision::NoMatch
        };
        BurstAnalysis {
            report: MatchReport {
                decision,
                score: best_score,
                threshold: self.threshold,
            },
            findings,
            similarities,
            motion: burst.motion,
            best_frame,
        }
    }
}

impl FaceMatcher for LbpMatcher {
    fn compare(&self, card_photo: &RgbImage, frames: &[RgbImage]) -> MatchReport {
        self.analyse(card_photo, frames).report
    }
}

/// The skin mask the matcher uses, as a black/white image (for debugging and the lab).
pub fn skin_mask_image(img: &RgbImage) -> image::GrayImage {
    let planes = Planes::new(img);
    let mut out = image::GrayImage::new(img.width(), img.height());
    for (i, p) in out.pixels_mut().enumerate() {
        p[0] = if planes.is_skin(i) { 255 } else { 0 };
    }
    out
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
        let g: Vec<f32> = (0..GEOMETRY_FEATURES.len())
            .map(|i| i as f32 * 0.1)
            .collect();
        assert!((geometry_similarity(&g, &g) - 1.0).abs() < 1e-6);
        let mut missing = g.clone();
        missing[0] = f32::NAN;
        missing[1] = f32::NAN;
        assert!((geometry_similarity(&g, &missing) - 1.0).abs() < 1e-6);
        let far: Vec<f32> = g.iter().map(|v| v + 1.0).collect();
        assert!(geometry_similarity(&g, &far) < 0.01);
        let too_few = vec![f32::NAN; GEOMETRY_FEATURES.len()];
        assert_eq!(geometry_similarity(&g, &too_few), 0.0);
    }
}
