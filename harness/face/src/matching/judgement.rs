//! The decision over a burst: what the frames show (faces, occlusion, exposure, prints), liveness
//! (the face must move), and the score of the best frame against the card photo.

use image::RgbImage;

use super::detection::{analyse_planes, FrameFinding};
use super::features::{similarity, FaceObservation, Similarity};
use super::planes::Planes;
use super::tuning::MatcherTuning;
use crate::match_report::{FaceMatcher, MatchDecision, MatchReport};
use crate::parallel::map_frames;

/// The default matcher: LBP histograms over a grid, feature geometry and a low-resolution
/// appearance term, with every number in [`MatcherTuning`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LbpMatcher {
    /// Thresholds, weights and spreads.
    pub tuning: MatcherTuning,
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
    pub fn observe(frames: &[RgbImage], tuning: &MatcherTuning) -> BurstObservation {
        if frames.len() >= 2 && frames.windows(2).all(|p| p[0] == p[1]) {
            let finding = analyse_planes(&Planes::new(&frames[0]), tuning);
            return BurstObservation {
                findings: vec![finding; frames.len()],
                motion: Some(0.0),
                frozen: true,
            };
        }
        let (planes, findings): (Vec<Planes>, Vec<FrameFinding>) = map_frames(frames, |frame| {
            let planes = Planes::new(frame);
            let finding = analyse_planes(&planes, tuning);
            (planes, finding)
        })
        .into_iter()
        .unzip();
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
    /// A matcher with the given tuning.
    pub fn new(tuning: MatcherTuning) -> LbpMatcher {
        LbpMatcher { tuning }
    }

    /// The accept threshold.
    pub fn threshold(&self) -> f32 {
        self.tuning.threshold()
    }

    /// Analyses one frame (or the card photo).
    pub fn analyse_frame(&self, img: &RgbImage) -> FrameFinding {
        analyse_planes(&Planes::new(img), &self.tuning)
    }

    /// Analyses every frame of a burst (oldest first).
    pub fn observe(&self, frames: &[RgbImage]) -> BurstObservation {
        BurstObservation::observe(frames, &self.tuning)
    }

    /// Compares two described faces.
    pub fn similarity(&self, a: &FaceObservation, b: &FaceObservation) -> Similarity {
        similarity(a, b, &self.tuning.score)
    }

    /// Compares and returns the full analysis.
    pub fn analyse(&self, card_photo: &RgbImage, frames: &[RgbImage]) -> BurstAnalysis {
        let card = self.analyse_frame(card_photo);
        self.judge(&card, &self.observe(frames))
    }

    /// Decides from an analysed card photo and an observed burst.
    pub fn judge(&self, card: &FrameFinding, burst: &BurstObservation) -> BurstAnalysis {
        let findings = burst.findings.clone();
        let reject = |decision, findings| BurstAnalysis {
            report: MatchReport {
                decision,
                score: 0.0,
                threshold: self.threshold(),
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
        let similarities: Vec<Similarity> = faces
            .iter()
            .map(|(_, obs)| self.similarity(obs, card))
            .collect();
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
        let moving = burst
            .motion
            .is_some_and(|m| m >= self.tuning.liveness.motion_min);
        let live = halftone == 0 && findings.len() >= 2 && moving;
        let decision = if !live {
            MatchDecision::NotLive
        } else if best_score >= self.threshold() {
            MatchDecision::Match
        } else {
            MatchDecision::NoMatch
        };
        BurstAnalysis {
            report: MatchReport {
                decision,
                score: best_score,
                threshold: self.threshold(),
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
