//! What the staff photo check concludes: the verdict, the score, and what was compared.

use crate::matching::planes::EyeFrame;

use super::areas::{AreaSimilarity, FaceArea};

/// The staff's judgement (④ 顔写真を目視で確認し、本人確認を行う).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffVerdict {
    /// 本人と判断: the person at the counter is the card's holder.
    SamePerson,
    /// 別人と判断: the person at the counter is somebody else.
    DifferentPerson,
    /// 判断できない: the pictures do not allow a judgement.
    CannotJudge(CannotJudge),
}

impl StaffVerdict {
    /// The verdict as staff would say it.
    pub fn label_ja(self) -> &'static str {
        match self {
            StaffVerdict::SamePerson => "本人と判断",
            StaffVerdict::DifferentPerson => "別人と判断",
            StaffVerdict::CannotJudge(_) => "判断できない",
        }
    }

    /// Short upper-case label for the report picture (its font has no kana).
    pub fn label(self) -> &'static str {
        match self {
            StaffVerdict::SamePerson => "SAME PERSON",
            StaffVerdict::DifferentPerson => "DIFFERENT PERSON",
            StaffVerdict::CannotJudge(_) => "CANNOT JUDGE",
        }
    }
}

/// Why no judgement could be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannotJudge {
    /// The card has no face photo (cards of children under 1).
    NoCardPhoto,
    /// No face could be found on the card photo.
    NoFaceOnCardPhoto,
    /// No face at the counter (nobody there, or not recognisable as a face).
    NoFaceAtCounter,
    /// Too little of the face is uncovered to compare.
    TooLittleVisible,
}

impl CannotJudge {
    /// The reason in Japanese, for reports.
    pub fn reason_ja(self) -> &'static str {
        match self {
            CannotJudge::NoCardPhoto => "カードに顔写真がない",
            CannotJudge::NoFaceOnCardPhoto => "券面の顔写真から顔が読み取れない",
            CannotJudge::NoFaceAtCounter => "窓口の人物の顔が見えない",
            CannotJudge::TooLittleVisible => "顔の見える部分が少なすぎる",
        }
    }
}

/// What happened to one face area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AreaOutcome {
    /// Compared and counted.
    Used(AreaSimilarity),
    /// Compared, but set aside as the worst (a changed part of the face).
    SetAside(AreaSimilarity),
    /// Covered or outside the picture: not compared.
    Covered,
}

/// How the counter face was aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// On both eyes.
    BothEyes,
    /// On one eye, mirrored across the mouth's midline.
    OneEye,
}

/// The outcome of a staff photo check.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffCheckReport {
    /// The judgement.
    pub verdict: StaffVerdict,
    /// Weighted agreement of the compared areas, 0..=1 (0 when nothing was compared).
    pub score: f32,
    /// The threshold the score was held against.
    pub threshold: f32,
    /// Agreement of the feature geometry measured on the uncovered parts (None when too few
    /// could be measured).
    pub geometry: Option<f32>,
    /// What was done with each area (empty when no face was compared).
    pub areas: Vec<(FaceArea, AreaOutcome)>,
    /// How the counter face was aligned, when it was.
    pub alignment: Option<Alignment>,
    /// The counter face's eye frame (for drawing the areas), when it was aligned.
    pub counter_frame: Option<EyeFrame>,
    /// Which of the counter frames was used.
    pub frame_index: Option<usize>,
}

impl StaffCheckReport {
    pub(crate) fn cannot(reason: CannotJudge, threshold: f32) -> StaffCheckReport {
        StaffCheckReport {
            verdict: StaffVerdict::CannotJudge(reason),
            score: 0.0,
            threshold,
            geometry: None,
            areas: Vec::new(),
            alignment: None,
            counter_frame: None,
            frame_index: None,
        }
    }

    /// The areas that counted.
    pub fn used_areas(&self) -> Vec<FaceArea> {
        self.areas
            .iter()
            .filter(|(_, o)| matches!(o, AreaOutcome::Used(_)))
            .map(|(a, _)| *a)
            .collect()
    }
}
