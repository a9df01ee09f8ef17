//! Finding the face in a frame: exposure, skin region, print detection, the facial features
//! (holes in the skin region), the eyes and the eye pair, a face cut off by the frame, a covered
//! lower face; a found face is handed to [`super::features`] to be described.

use image::RgbImage;

use super::features::{describe, FaceObservation, FoundFace};
use super::planes::{components, EyeFrame, Planes, Region};
use super::tuning::{EyeTuning, MatcherTuning};

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

/// A blob that looks like an eye (frame pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EyeBlob {
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) area: f32,
}

/// Cost, eye centres (left, right) and sizes (left w, h, right w, h) of a candidate pair.
pub(crate) type EyePair = (f32, [(f32, f32); 2], [f32; 4]);

/// The face region of a frame with its features, before any eye pair is chosen.
pub(crate) struct FaceRegion {
    /// Skin mask of the whole frame.
    pub(crate) skin: Vec<bool>,
    /// The largest skin region.
    pub(crate) face: Region,
    /// Mean |Y − 4-neighbour mean| over the face region.
    pub(crate) high_freq: f32,
    /// Face features: non-skin, much darker or bright neutral holes inside the region, fragments
    /// merged.
    pub(crate) clusters: Vec<Region>,
    /// Clusters that look like an open eye.
    pub(crate) eyes: Vec<EyeBlob>,
}

impl FaceRegion {
    /// Width of the face region's box.
    pub(crate) fn width(&self) -> f32 {
        (self.face.x1 - self.face.x0 + 1) as f32
    }
}

/// Analyses one frame (or the card photo) with the given tuning.
pub fn analyse_frame(img: &RgbImage, tuning: &MatcherTuning) -> FrameFinding {
    analyse_planes(&Planes::new(img), tuning)
}

/// Exposure checks: a finding when the frame cannot be used at all.
pub(crate) fn exposure_problem(planes: &Planes, tuning: &MatcherTuning) -> Option<FrameFinding> {
    let t = &tuning.exposure;
    let n = planes.w * planes.h;
    if n < 64 {
        return Some(FrameFinding::NoSkin);
    }
    let mean = planes.y_raw.iter().sum::<f32>() / n as f32;
    let var = planes
        .y_raw
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum::<f32>()
        / n as f32;
    if mean < t.dark_mean && var.sqrt() < t.dark_sd {
        return Some(FrameFinding::Dark);
    }
    let saturated = planes
        .y_raw
        .iter()
        .filter(|v| **v >= t.saturated_level)
        .count() as f32
        / n as f32;
    if saturated > t.saturated_fraction {
        let mut rest: Vec<f32> = planes
            .y_raw
            .iter()
            .copied()
            .filter(|v| *v < t.saturated_level)
            .collect();
        rest.sort_by(f32::total_cmp);
        let median = rest.get(rest.len() / 2).copied().unwrap_or(255.0);
        if median < t.backlit_rest_median || saturated > t.saturated_fraction_max {
            return Some(FrameFinding::PoorExposure);
        }
    }
    if !(t.mean_min..=t.mean_max).contains(&mean) {
        return Some(FrameFinding::PoorExposure);
    }
    None
}

/// The largest skin region and its features; a finding when there is no usable face region.
pub(crate) fn face_region(
    planes: &Planes,
    tuning: &MatcherTuning,
) -> Result<FaceRegion, FrameFinding> {
    let (w, h) = (planes.w, planes.h);
    let n = w * h;
    // Skin segmentation and the largest skin region.
    let skin = planes.skin_mask(&tuning.skin);
    let regions = components(&skin, w, (0, 0, w, h));
    let Some(face) = regions.into_iter().max_by_key(|r| r.pixels.len()) else {
        return Err(FrameFinding::NoSkin);
    };
    if face.pixels.len() < n / tuning.skin.face_area_divisor.max(1) {
        return Err(FrameFinding::NoSkin);
    }
    let face_w = (face.x1 - face.x0 + 1) as f32;
    // Halftone print: strong pixel-to-pixel variation across the skin region.
    let high_freq = planes.high_frequency(&face.pixels);
    if high_freq > tuning.skin.halftone_limit {
        return Err(FrameFinding::Halftone { high_freq });
    }
    let t = &tuning.eyes;
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
            !skin[i]
                || raw < t.feature_dark_factor * face_y
                || (raw > face_y + t.feature_bright_offset && chroma < t.feature_bright_chroma_max)
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
            (hx - cx).abs() < t.merge_dx * face_w && (hy - cy).abs() < t.merge_dy * face_w
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
    let eyes = eye_blobs(planes, &clusters, face_w, skin_y, t);
    Ok(FaceRegion {
        skin,
        face,
        high_freq,
        clusters,
        eyes,
    })
}

/// The clusters that look like an open eye.
fn eye_blobs(
    planes: &Planes,
    clusters: &[Region],
    face_w: f32,
    skin_y: f32,
    t: &EyeTuning,
) -> Vec<EyeBlob> {
    let w = planes.w;
    let mut eyes: Vec<EyeBlob> = Vec::new();
    let area_min = (t.area_min_fraction * face_w * face_w).max(t.area_min_pixels);
    let area_max = t.area_max_fraction * face_w * face_w;
    for hole in clusters {
        let area = hole.pixels.len() as f32;
        if area < area_min || area > area_max {
            continue;
        }
        let bright = hole
            .pixels
            .iter()
            .filter(|&&i| planes.y_raw[i] > skin_y + t.white_offset)
            .count();
        let dark = hole
            .pixels
            .iter()
            .filter(|&&i| planes.y_raw[i] < skin_y * t.dark_factor)
            .count();
        let bw = (hole.x1 - hole.x0 + 1) as f32;
        let bh = (hole.y1 - hole.y0 + 1) as f32;
        // An iris: a dark pixel with white of the eye left and right of it on the same row.
        let rows = hole.y1 - hole.y0 + 1;
        let mut white_span = vec![(usize::MAX, 0usize); rows];
        for &i in &hole.pixels {
            if planes.y_raw[i] > skin_y + t.white_offset {
                let (x, r) = (i % w, i / w - hole.y0);
                if let Some(span) = white_span.get_mut(r) {
                    span.0 = span.0.min(x);
                    span.1 = span.1.max(x);
                }
            }
        }
        let iris = hole.pixels.iter().any(|&i| {
            let (x, r) = (i % w, i / w - hole.y0);
            planes.y_raw[i] < skin_y * t.dark_factor
                && white_span.get(r).is_some_and(|&(lo, hi)| lo < x && x < hi)
        });
        // An eye: white and dark parts, the dark between whites, wider than tall (a patch or a
        // bandage edge is not).
        if bright >= t.white_pixels_min
            && dark >= t.dark_pixels_min
            && iris
            && bw >= bh * t.aspect_min
        {
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
    eyes
}

/// The best pair: level, plausibly spaced, centred on the region, highest up.
pub(crate) fn best_eye_pair(region: &FaceRegion, t: &EyeTuning) -> Option<EyePair> {
    let face = &region.face;
    let eyes = &region.eyes;
    let face_w = region.width();
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
            if dx < t.spacing_min * face_w || dx > t.spacing_max * face_w || dy > t.level_max * dx {
                continue;
            }
            // Two eyes of one face have about the same size.
            let ratio = ea.width.max(eb.width) / ea.width.min(eb.width).max(1.0);
            let area_ratio = ea.area.max(eb.area) / ea.area.min(eb.area).max(1.0);
            if ratio > t.width_ratio_max || area_ratio > t.area_ratio_max {
                continue;
            }
            let off = ((a.0 + b.0) / 2.0 - cx).abs() / face_w;
            let cost = off + dy / dx;
            if best.is_none_or(|(c, _, _)| cost < c) {
                best = Some((cost, [a, b], [ea.width, ea.height, eb.width, eb.height]));
            }
        }
    }
    best
}

/// Whether the expected face extent (from the eyes) leaves the frame.
pub(crate) fn face_leaves_frame(frame: EyeFrame, w: usize, h: usize) -> bool {
    [
        (0.0, 1.6),
        (-1.0, 1.2),
        (1.0, 1.2),
        (-1.1, 0.0),
        (1.1, 0.0),
        (0.0, -0.8),
    ]
    .into_iter()
    .any(|(a, b)| {
        let (x, y) = frame.at(a, b);
        x < 0.0 || y < 0.0 || x >= w as f32 || y >= h as f32
    })
}

/// Skin samples and all samples inside the frame on a grid over the lower face (nose to chin).
pub(crate) fn lower_face_skin(
    skin: &[bool],
    frame: EyeFrame,
    w: usize,
    h: usize,
) -> (usize, usize) {
    let mut total = 0usize;
    let mut skin_count = 0usize;
    for bi in 0..8 {
        for ai in 0..8 {
            let a = -0.5 + ai as f32 / 7.0;
            let b = 0.55 + 0.6 * bi as f32 / 7.0;
            let (x, y) = frame.at(a, b);
            let (xi, yi) = (x as usize, y as usize);
            if xi < w && yi < h {
                total += 1;
                if skin[yi * w + xi] {
                    skin_count += 1;
                }
            }
        }
    }
    (skin_count, total)
}

pub(crate) fn analyse_planes(planes: &Planes, tuning: &MatcherTuning) -> FrameFinding {
    let (w, h) = (planes.w, planes.h);
    if let Some(problem) = exposure_problem(planes, tuning) {
        return problem;
    }
    let region = match face_region(planes, tuning) {
        Ok(region) => region,
        Err(finding) => return finding,
    };
    let Some((_, [le, re], eye_sizes)) = best_eye_pair(&region, &tuning.eyes) else {
        let face = &region.face;
        // A face-sized skin region low in the frame touching the bottom edge: cut off.
        if face.y1 + 1 >= h && face.y0 as f32 > h as f32 * tuning.eyes.cut_start_fraction {
            return FrameFinding::Cut;
        }
        return FrameFinding::EyesMissing {
            eyes: region.eyes.len().min(1),
        };
    };
    // Expected face extent from the eyes; it must be inside the frame.
    let frame = EyeFrame::from_eyes(le, re);
    if face_leaves_frame(frame, w, h) {
        return FrameFinding::Cut;
    }
    // Lower face: mostly skin (with lips) unless covered.
    let (skin_count, total) = lower_face_skin(&region.skin, frame, w, h);
    if total == 0 || (skin_count as f32) < tuning.occlusion.lower_face_skin_min * total as f32 {
        return FrameFinding::LowerFaceCovered;
    }
    FrameFinding::Face(Box::new(describe(
        &FoundFace {
            planes,
            skin: &region.skin,
            face: &region.face,
            clusters: &region.clusters,
            frame,
            eye_sizes,
            eyes: [le, re],
            high_freq: region.high_freq,
        },
        &tuning.score,
    )))
}
