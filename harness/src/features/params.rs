//! Typed parameters of the steps (cucumber `Parameter`s): the Japanese words of the features
//! become values once, here.

use std::str::FromStr;

use anyhow::{anyhow, bail};
use cucumber::Parameter;
use harness_face::camera::{DeviceFault, Scene};
use harness_face::MatchDecision;
use harness_reader::ReaderMode;
use harness_terminal::account::AccountKind;

/// 無人運転 / 暗証番号認証固定 / 目視確認.
#[derive(Debug, Clone, Copy, Parameter)]
#[param(name = "mode", regex = "無人運転|暗証番号認証固定|目視確認")]
pub struct Mode(pub ReaderMode);

impl FromStr for Mode {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        ReaderMode::ALL
            .into_iter()
            .find(|m| m.label() == s)
            .map(Mode)
            .ok_or_else(|| anyhow!("unknown mode {s:?}"))
    }
}

/// What the camera shows (the procedure sheet's causes and the field's).
#[derive(Debug, Clone, Copy, Parameter)]
#[param(
    name = "scene",
    regex = "本人|別人|外傷で顔貌が変わった本人|包帯を巻いた本人|眼帯をした本人|マスクをした本人|カメラの高さより低い位置の本人|逆光の本人|本人の印刷写真|誰も映らない"
)]
pub struct CameraScene(pub Scene);

impl FromStr for CameraScene {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        Ok(Self(match s {
            "本人" => Scene::CardHolder,
            "別人" => Scene::AnotherPerson,
            "外傷で顔貌が変わった本人" => Scene::Injured,
            "包帯を巻いた本人" => Scene::Bandage,
            "眼帯をした本人" => Scene::Eyepatch,
            "マスクをした本人" => Scene::Mask,
            "カメラの高さより低い位置の本人" => Scene::BelowFrame,
            "逆光の本人" => Scene::Backlight,
            "本人の印刷写真" => Scene::PrintedPhoto,
            "誰も映らない" => Scene::Nobody,
            other => bail!("unknown camera scene {other:?}"),
        }))
    }
}

/// A camera device fault.
#[derive(Debug, Clone, Copy, Parameter)]
#[param(
    name = "fault",
    regex = "黒い画像しか出さない|同じ画像で止まる|接続されていない|画像を出さない"
)]
pub struct CameraFault(pub DeviceFault);

impl FromStr for CameraFault {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        Ok(Self(match s {
            "黒い画像しか出さない" => DeviceFault::BlackFrames,
            "同じ画像で止まる" => DeviceFault::FrozenFrame,
            "接続されていない" => DeviceFault::Missing,
            "画像を出さない" => DeviceFault::NoFrames,
            other => bail!("unknown camera fault {other:?}"),
        }))
    }
}

/// The face matcher's verdict.
#[derive(Debug, Clone, Copy, Parameter)]
#[param(
    name = "decision",
    regex = "一致|不一致|顔が見つからない|顔が隠れている|画像が不鮮明|なりすまし"
)]
pub struct Decision(pub MatchDecision);

impl FromStr for Decision {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        Ok(Self(match s {
            "一致" => MatchDecision::Match,
            "不一致" => MatchDecision::NoMatch,
            "顔が見つからない" => MatchDecision::NoFace,
            "顔が隠れている" => MatchDecision::Occluded,
            "画像が不鮮明" => MatchDecision::PoorImage,
            "なりすまし" => MatchDecision::NotLive,
            other => bail!("unknown face decision {other:?}"),
        }))
    }
}

/// 同意する / 同意しない.
#[derive(Debug, Clone, Copy, Parameter)]
#[param(name = "answer", regex = "同意する|同意しない")]
pub struct ConsentAnswer(pub bool);

impl FromStr for ConsentAnswer {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "同意する" => Ok(Self(true)),
            "同意しない" => Ok(Self(false)),
            other => bail!("consent answer {other:?} is neither 同意する nor 同意しない"),
        }
    }
}

/// 管理 / 一般 (the terminal's account kinds).
#[derive(Debug, Clone, Copy, Parameter)]
#[param(name = "account", regex = "管理|一般")]
pub struct Account(pub AccountKind);

impl FromStr for Account {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "管理" => Ok(Self(AccountKind::Admin)),
            "一般" => Ok(Self(AccountKind::General)),
            other => bail!("unknown account kind {other:?}"),
        }
    }
}

/// Text between 「」 (a reader's PC/SC name, a person's name, a label).
#[derive(Debug, Clone, Parameter)]
#[param(name = "text", regex = "[^「」]*")]
pub struct Quoted(pub String);

impl FromStr for Quoted {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// 本人 / 別人 (what staff decide at step ④).
#[derive(Debug, Clone, Copy, Parameter)]
#[param(name = "judgement", regex = "本人|別人")]
pub struct Judgement(pub crate::facility::StaffJudgement);

impl FromStr for Judgement {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        use crate::facility::StaffJudgement;
        match s {
            "本人" => Ok(Self(StaffJudgement::SamePerson)),
            "別人" => Ok(Self(StaffJudgement::DifferentPerson)),
            other => bail!("unknown judgement {other:?}"),
        }
    }
}
