//! The drill catalogue: the procedure sheet's causes and the drills that combine them.

use harness_face::camera::{DeviceFault, Scene};

use crate::facility::CameraCondition;

/// Why face auth fails in a drill (the sheet's 「顔認証」ができない causes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceCause {
    /// 顔貌が大きく変化（顔面に生じた外傷）.
    Injury,
    /// けが等で顔に包帯.
    Bandage,
    /// 眼帯をしており顔が隠れている.
    Eyepatch,
    /// 乳幼児の成長 (the card photo was taken as a baby).
    InfantGrownUp,
    /// 車いす等を利用しており、カードリーダーの高さまで顔を上げられない.
    Wheelchair,
    /// カメラが故障している.
    BrokenCamera,
}

impl FaceCause {
    /// Every cause, in the sheet's order.
    pub const ALL: [FaceCause; 6] = [
        Self::Injury,
        Self::Bandage,
        Self::Eyepatch,
        Self::InfantGrownUp,
        Self::Wheelchair,
        Self::BrokenCamera,
    ];

    /// The cause as the sheet words it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Injury => "顔面の外傷で顔貌が変化",
            Self::Bandage => "けがで顔に包帯",
            Self::Eyepatch => "眼帯で顔が隠れている",
            Self::InfantGrownUp => "乳幼児の成長（カードの顔写真は赤ちゃんのとき）",
            Self::Wheelchair => "車いすでカードリーダーの高さまで顔を上げられない",
            Self::BrokenCamera => "カードリーダーのカメラが故障",
        }
    }

    /// What the camera shows in this drill.
    pub fn camera(self) -> CameraCondition {
        match self {
            Self::Injury => CameraCondition::Scene(Scene::Injured),
            Self::Bandage => CameraCondition::Scene(Scene::Bandage),
            Self::Eyepatch => CameraCondition::Scene(Scene::Eyepatch),
            // The holder as she is today; her card photo shows her at one year old.
            Self::InfantGrownUp => CameraCondition::Scene(Scene::CardHolder),
            Self::Wheelchair => CameraCondition::Scene(Scene::BelowFrame),
            Self::BrokenCamera => CameraCondition::Fault(DeviceFault::BlackFrames),
        }
    }
}

/// Why the PIN cannot be used in a drill (the sheet's 「暗証番号」が入力できない causes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCause {
    /// 顔認証マイナンバーカード: no PIN was set at issue.
    FaceOnlyCard,
    /// 暗証番号を忘れてしまった: wrong PINs lock it after 3 tries.
    ForgottenPin,
}

impl PinCause {
    /// The cause as the sheet words it.
    pub fn label(self) -> &'static str {
        match self {
            Self::FaceOnlyCard => "顔認証マイナンバーカードで暗証番号がない",
            Self::ForgottenPin => "暗証番号を忘れた（3回間違えるとロック）",
        }
    }
}

/// One drill of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drill {
    /// Stable id (URL and API).
    pub id: &'static str,
    /// Who comes to the counter (fixtures/people.toml id), with their own card.
    pub person: &'static str,
    /// Why face auth fails.
    pub face: FaceCause,
    /// Why the PIN cannot be used.
    pub pin: PinCause,
}

impl Drill {
    /// The drill's title.
    pub fn title(&self) -> String {
        format!("{} × {}", self.face.label(), self.pin.label())
    }

    /// What the trainee plays on the patient's side.
    pub fn patient_briefing(&self) -> &'static str {
        match self.pin {
            PinCause::FaceOnlyCard => {
                "患者役: カードを置いて顔認証を試してください。このカードには暗証番号がありません。"
            }
            PinCause::ForgottenPin => {
                "患者役: カードを置いて顔認証を試し、暗証番号は思い出せないので適当な番号を3回入れてください。"
            }
        }
    }
}

/// The drills: every face cause of the sheet at least once, each PIN cause at least twice.
pub const DRILLS: [Drill; 6] = [
    Drill {
        id: "injury-face-only",
        person: "sato-hanako",
        face: FaceCause::Injury,
        pin: PinCause::FaceOnlyCard,
    },
    Drill {
        id: "bandage-face-only",
        person: "sato-hanako",
        face: FaceCause::Bandage,
        pin: PinCause::FaceOnlyCard,
    },
    Drill {
        id: "eyepatch-forgotten-pin",
        person: "yamada-taro",
        face: FaceCause::Eyepatch,
        pin: PinCause::ForgottenPin,
    },
    Drill {
        id: "grown-up-forgotten-pin",
        person: "watanabe-sora",
        face: FaceCause::InfantGrownUp,
        pin: PinCause::ForgottenPin,
    },
    Drill {
        id: "wheelchair-face-only",
        person: "sato-hanako",
        face: FaceCause::Wheelchair,
        pin: PinCause::FaceOnlyCard,
    },
    Drill {
        id: "broken-camera-forgotten-pin",
        person: "yamada-taro",
        face: FaceCause::BrokenCamera,
        pin: PinCause::ForgottenPin,
    },
];

/// A drill by id.
pub fn drill(id: &str) -> Option<&'static Drill> {
    DRILLS.iter().find(|d| d.id == id)
}
