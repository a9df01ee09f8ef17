//! Step ④ of the visual check (目視確認): staff look at the photo printed on the card and at the
//! person at the counter and decide whether that person is the card's holder.
//!
//! The procedure sheet (厚生労働省「顔認証付きカードリーダーで本人確認ができない方がいる場合」別添2,
//! ③–④) has the patient show the card's face photo and staff confirm identity by eye; it warns that
//! the judgement is the staff's own and must not let a third party through
//! (「第三者の利用を防止する上でも本人確認に相違がないよう」). The visual check exists because a person
//! recognises a holder whom the reader's matcher rejects: a bandage, an eyepatch, an injured face,
//! a mask, or a face that cannot reach the reader's camera.
//!
//! # Method
//!
//! [`StaffPhotoCheck::judge`] decides from two pictures only: the card's printed photo and a view of
//! the person at the counter ([`crate::camera::Viewpoint::Counter`]: framed on the person, so a
//! wheelchair user is seen as staff see them).
//!
//! 1. Find the face on the card photo (the matcher's detector: skin region, eye pair) and align it
//!    on the eyes.
//! 2. Find the face at the counter. Its alignment is tried from both eyes when both are seen, and
//!    from each single visible eye mirrored across the mouth's midline (an eyepatch or a bandage
//!    hides the other); the alignment that agrees best is kept, as a person's eye settles on the
//!    fit.
//! 3. Mark what covers the face: large patches of bright colourless or bluish material (gauze, an
//!    eyepatch, a mask). Skin and facial features are never colourless-and-bright in large
//!    patches; the whites of the eyes are, but small.
//! 4. Compare the face [`FaceArea`]s (forehead, each eye with its brow, nose, each cheek, mouth,
//!    chin) one by one, each only on the samples seen in both pictures: luma correlation, LBP
//!    texture and skin colour. An area mostly covered is skipped, not counted against the person.
//! 5. With enough areas the worst is set aside (a swelling or a scar changes one part of a face;
//!    a different person differs everywhere), and the rest are averaged, eyes weighted more.
//! 6. Verdict: [`StaffVerdict::SamePerson`] (本人と判断) at or above the threshold,
//!    [`StaffVerdict::DifferentPerson`] (別人と判断) below it, [`StaffVerdict::CannotJudge`]
//!    (判断できない) when there is no photo, no face on either side, or too little of the face to
//!    compare (fewer than [`StaffCheckTuning::areas_min`] areas or no eye).
//!
//! # Why it is honest
//!
//! The check never sees who is who: no person id, no scene, no card number. It gets pixels and
//! returns a verdict computed from them; the same pixels give the same verdict. Its rates are
//! measured like the matcher's FAR/FRR on a generated population per cause
//! (`cargo bench -p harness-face --bench staff_check`): the holder with each cause must be
//! accepted, another person presenting the card rejected. Where pixels cannot carry the decision —
//! a card photo taken as a baby against the child years later — the check says so (別人 or
//! 判断できない) rather than pretend; real staff then rely on other documents (保険証, 資格確認書,
//! a parent), which is outside this check.

mod areas;
mod picture;
mod report;
mod tuning;

use image::RgbImage;

use crate::matching::detection::{best_eye_pair, exposure_problem, face_region, FaceRegion};
use crate::matching::features::{describe, geometry_similarity, FaceObservation, FoundFace};
use crate::matching::planes::{EyeFrame, Planes};
use crate::matching::MatcherTuning;

pub use areas::{AreaSimilarity, FaceArea};
pub use picture::{staff_check_image, staff_check_png};
pub use report::{Alignment, AreaOutcome, CannotJudge, StaffCheckReport, StaffVerdict};
pub use tuning::StaffCheckTuning;

use areas::{align, compare_area, cover_mask, AlignedFace};

/// The staff's photo check (④): the card's printed photo against the visible parts of the face
/// of the person at the counter. See the module documentation for the method.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaffPhotoCheck {
    /// The check's own thresholds.
    pub tuning: StaffCheckTuning,
    /// The face detector's thresholds (shared with the reader's matcher).
    pub detection: MatcherTuning,
}

/// One way of aligning the counter face: how, the eye frame, the eye centres and the eye sizes
/// (left width, height, right width, height).
struct Hypothesis {
    alignment: Alignment,
    frame: EyeFrame,
    eyes: [(f32, f32); 2],
    eye_sizes: [f32; 4],
}

/// The card photo's face: aligned samples and the matcher's description.
struct CardFace {
    aligned: AlignedFace,
    described: FaceObservation,
}

/// One way of aligning the counter face, scored.
struct Candidate {
    score: f32,
    geometry: Option<f32>,
    areas: Vec<(FaceArea, AreaOutcome)>,
    alignment: Alignment,
    frame: EyeFrame,
    compared: usize,
    eye_seen: bool,
}

impl StaffPhotoCheck {
    /// Judges whether the person at the counter is the holder shown on `card_photo` (None: the
    /// card has no photo). `counter` is a short look at the person (a few frames, oldest first):
    /// like a person who looks again when the patient blinks, the check uses the first frame where
    /// both eyes are seen, else the first where one eye is. Which frame is used never depends on
    /// the card. The report's `frame_index` says which frame it was.
    pub fn judge(&self, card_photo: Option<&RgbImage>, counter: &[RgbImage]) -> StaffCheckReport {
        let t = &self.tuning;
        let Some(card_photo) = card_photo else {
            return StaffCheckReport::cannot(CannotJudge::NoCardPhoto, t.threshold);
        };
        let Some(card) = self.card_face(card_photo) else {
            return StaffCheckReport::cannot(CannotJudge::NoFaceOnCardPhoto, t.threshold);
        };
        let mut chosen: Option<(usize, Planes, FaceRegion, Vec<Hypothesis>)> = None;
        for (index, frame) in counter.iter().enumerate() {
            let planes = Planes::new(frame);
            if exposure_problem(&planes, &self.detection).is_some() {
                continue;
            }
            let Ok(region) = face_region(&planes, &self.detection) else {
                continue;
            };
            let hypotheses = self.alignments(&region);
            let both = hypotheses
                .iter()
                .any(|h| h.alignment == Alignment::BothEyes);
            let better = match &chosen {
                None => !hypotheses.is_empty(),
                Some((_, _, _, hs)) => {
                    both && !hs.iter().any(|h| h.alignment == Alignment::BothEyes)
                }
            };
            if better {
                chosen = Some((index, planes, region, hypotheses));
            }
            if both {
                break;
            }
        }
        let Some((frame_index, planes, region, hypotheses)) = chosen else {
            return StaffCheckReport::cannot(CannotJudge::NoFaceAtCounter, t.threshold);
        };
        let mut report = self.judge_face(&card, &planes, &region, hypotheses);
        report.frame_index = Some(frame_index);
        report
    }

    fn judge_face(
        &self,
        card: &CardFace,
        planes: &Planes,
        region: &FaceRegion,
        hypotheses: Vec<Hypothesis>,
    ) -> StaffCheckReport {
        let t = &self.tuning;
        let face_w = region.width();
        let skin_luma = region.face.pixels.iter().map(|&i| planes.y[i]).sum::<f32>()
            / region.face.pixels.len().max(1) as f32;
        let min_area = (t.cover_area_min * face_w * face_w) as usize;
        let covered = cover_mask(planes, skin_luma, min_area.max(1), t);
        let best = hypotheses
            .into_iter()
            .map(|h| {
                let person = align(planes, &region.skin, &covered, h.frame, t);
                let described = describe(
                    &FoundFace {
                        planes,
                        skin: &region.skin,
                        face: &region.face,
                        clusters: &region.clusters,
                        frame: h.frame,
                        eye_sizes: h.eye_sizes,
                        eyes: h.eyes,
                        high_freq: region.high_freq,
                    },
                    &self.detection.score,
                );
                self.score(card, &person, &described, &h)
            })
            .filter(|c| c.compared >= t.areas_min && (c.eye_seen || !t.eye_required))
            .max_by(|a, b| a.score.total_cmp(&b.score));
        let Some(best) = best else {
            return StaffCheckReport::cannot(CannotJudge::TooLittleVisible, t.threshold);
        };
        let verdict = if best.score >= t.threshold {
            StaffVerdict::SamePerson
        } else {
            StaffVerdict::DifferentPerson
        };
        StaffCheckReport {
            verdict,
            score: best.score,
            threshold: t.threshold,
            geometry: best.geometry,
            areas: best.areas,
            alignment: Some(best.alignment),
            counter_frame: Some(best.frame),
            frame_index: None,
        }
    }

    /// The card photo's face, aligned on both eyes (a card photo is frontal and uncovered).
    fn card_face(&self, photo: &RgbImage) -> Option<CardFace> {
        let planes = Planes::new(photo);
        if exposure_problem(&planes, &self.detection).is_some() {
            return None;
        }
        let region = face_region(&planes, &self.detection).ok()?;
        let (_, [le, re], eye_sizes) = best_eye_pair(&region, &self.detection.eyes)?;
        let frame = EyeFrame::from_eyes(le, re);
        // Nothing covers a card photo: only samples outside the picture are left out.
        let uncovered = vec![false; planes.w * planes.h];
        let aligned = align(&planes, &region.skin, &uncovered, frame, &self.tuning);
        let described = describe(
            &FoundFace {
                planes: &planes,
                skin: &region.skin,
                face: &region.face,
                clusters: &region.clusters,
                frame,
                eye_sizes,
                eyes: [le, re],
                high_freq: region.high_freq,
            },
            &self.detection.score,
        );
        Some(CardFace { aligned, described })
    }

    /// Ways to align the counter face: on the eye pair; and, when there is no level pair (one eye
    /// covered, or one side of the face changed so that the eyes are no longer level), on each
    /// single eye mirrored across the midline of a mouth below it.
    fn alignments(&self, region: &FaceRegion) -> Vec<Hypothesis> {
        let t = &self.tuning;
        let mut out = Vec::new();
        let mut level = false;
        if let Some((_, [le, re], eye_sizes)) = best_eye_pair(region, &self.detection.eyes) {
            let tilt = (re.1 - le.1).abs() / (re.0 - le.0).abs().max(1.0);
            level = tilt <= t.level_tilt_max;
            out.push(Hypothesis {
                alignment: Alignment::BothEyes,
                frame: EyeFrame::from_eyes(le, re),
                eyes: [le, re],
                eye_sizes,
            });
        }
        if level {
            return out;
        }
        for eye in &region.eyes {
            for mouth in &region.clusters {
                let mw = (mouth.x1 - mouth.x0 + 1) as f32;
                let mh = (mouth.y1 - mouth.y0 + 1) as f32;
                if mw < t.mouth_aspect_min * mh {
                    continue;
                }
                let mx = (mouth.x0 + mouth.x1 + 1) as f32 / 2.0;
                let my = (mouth.y0 + mouth.y1 + 1) as f32 / 2.0;
                let half = mx - eye.x;
                let d = 2.0 * half.abs();
                let (r0, r1) = t.eye_distance_in_eye_widths;
                if d < r0 * eye.width || d > r1 * eye.width {
                    continue;
                }
                let depth = (my - eye.y) / d;
                let (m0, m1) = t.mouth_depth;
                let (w0, w1) = t.mouth_width;
                if !(m0..=m1).contains(&depth) || mw < w0 * d || mw > w1 * d {
                    continue;
                }
                let seen = (eye.x, eye.y);
                let other = (eye.x + 2.0 * half, eye.y);
                let size = [eye.width, eye.height, eye.width, eye.height];
                let (le, re) = if half > 0.0 {
                    (seen, other)
                } else {
                    (other, seen)
                };
                out.push(Hypothesis {
                    alignment: Alignment::OneEye,
                    frame: EyeFrame::from_eyes(le, re),
                    eyes: [le, re],
                    eye_sizes: size,
                });
            }
        }
        out
    }

    fn score(
        &self,
        card: &CardFace,
        person: &AlignedFace,
        described: &FaceObservation,
        hypothesis: &Hypothesis,
    ) -> Candidate {
        let t = &self.tuning;
        let mut areas: Vec<(FaceArea, AreaOutcome)> = FaceArea::ALL
            .iter()
            .map(|&area| {
                let outcome = compare_area(&card.aligned, person, area, t)
                    .map_or(AreaOutcome::Covered, AreaOutcome::Used);
                (area, outcome)
            })
            .collect();
        let weight = |area: FaceArea| if area.is_eye() { t.eye_weight } else { 1.0 };
        let compared = areas
            .iter()
            .filter(|(_, o)| matches!(o, AreaOutcome::Used(_)))
            .count();
        if compared >= t.trim_from {
            let worst = areas
                .iter()
                .enumerate()
                .filter_map(|(i, (_, o))| match o {
                    AreaOutcome::Used(s) => Some((i, s.score)),
                    _ => None,
                })
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i);
            if let Some(i) = worst {
                if let AreaOutcome::Used(s) = areas[i].1 {
                    areas[i].1 = AreaOutcome::SetAside(s);
                }
            }
        }
        let (mut sum, mut wsum) = (0.0f32, 0.0f32);
        let mut eye_seen = false;
        for (area, outcome) in &areas {
            if let AreaOutcome::Used(s) = outcome {
                sum += weight(*area) * s.score;
                wsum += weight(*area);
                eye_seen |= area.is_eye();
            }
        }
        let appearance = if wsum > 0.0 { sum / wsum } else { 0.0 };
        // Feature geometry (the matcher's measurements) on the uncovered parts only.
        let seen = |area: FaceArea| {
            areas
                .iter()
                .any(|(a, o)| *a == area && !matches!(o, AreaOutcome::Covered))
        };
        let both_eyes = hypothesis.alignment == Alignment::BothEyes
            && seen(FaceArea::LeftEye)
            && seen(FaceArea::RightEye);
        let any_eye = seen(FaceArea::LeftEye) || seen(FaceArea::RightEye);
        let usable = [
            seen(FaceArea::Mouth),                                   // mouth_b
            seen(FaceArea::Mouth),                                   // mouth_w
            seen(FaceArea::Nose),                                    // nose_b
            seen(FaceArea::Nose) && seen(FaceArea::Mouth),           // nose_mouth
            any_eye,                                                 // brow_b
            any_eye,                                                 // brow_w
            any_eye,                                                 // eye_w
            any_eye,                                                 // eye_h
            seen(FaceArea::LeftCheek) && seen(FaceArea::RightCheek), // face_width
            seen(FaceArea::LeftCheek) && seen(FaceArea::RightCheek), // jaw_taper
            seen(FaceArea::Forehead),                                // hair_b_0
            seen(FaceArea::Forehead),                                // hair_b_side
            seen(FaceArea::Nose) && any_eye,                         // brow_gap
            both_eyes,                                               // eye_tilt
            both_eyes,                                               // brow_tilt
        ];
        let keep = |g: &[f32]| -> Vec<f32> {
            g.iter()
                .zip(usable)
                .map(|(v, ok)| if ok { *v } else { f32::NAN })
                .collect()
        };
        let mut geometry_tuning = self.detection.score.clone();
        geometry_tuning.geometry_features_min = t.geometry_features_min;
        let person_geometry = keep(&described.geometry);
        let measured = person_geometry
            .iter()
            .zip(&card.described.geometry)
            .filter(|(a, b)| !(*a - *b).is_nan())
            .count();
        let geometry = (measured >= t.geometry_features_min).then(|| {
            geometry_similarity(&person_geometry, &card.described.geometry, &geometry_tuning)
        });
        let score = match geometry {
            Some(g) => t.geometry_weight * g + (1.0 - t.geometry_weight) * appearance,
            None => appearance,
        };
        Candidate {
            score,
            geometry,
            areas,
            alignment: hypothesis.alignment,
            frame: hypothesis.frame,
            compared,
            eye_seen,
        }
    }
}
