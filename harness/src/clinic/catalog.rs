//! What can be put in front of a reader: the camera conditions (by kebab-case name, with a
//! Japanese label) and the card wallet (every fixture card, with what is special about it).

use chrono::NaiveDate;
use harness_face::camera::{DeviceFault, Scene};
use virtual_card::profile::LoadedProfile;
use virtual_card::{CardKind, PinId};

use super::error::ClinicError;
use crate::facility::{CameraCondition, Directory};

/// Age shown for the grown-up scene offered in the chooser.
const GROWN_UP_AGE: u8 = 7;

/// Every camera condition offered, in chooser order: the holder, each cause of the procedure
/// sheet, another person, a printed photo, the other scenes, then the device faults.
pub fn camera_choices() -> Vec<CameraCondition> {
    let scenes = [
        Scene::CardHolder,
        Scene::Injured,
        Scene::Bandage,
        Scene::Eyepatch,
        Scene::GrownUp {
            age_years: GROWN_UP_AGE,
        },
        Scene::BelowFrame,
        Scene::AnotherPerson,
        Scene::PrintedPhoto,
        Scene::Mask,
        Scene::Backlight,
        Scene::Nobody,
    ];
    scenes
        .into_iter()
        .map(CameraCondition::Scene)
        .chain(DeviceFault::ALL.into_iter().map(CameraCondition::Fault))
        .collect()
}

/// The kebab-case name of a camera condition (API and forms).
pub fn camera_name(camera: CameraCondition) -> String {
    match camera {
        CameraCondition::Scene(scene) => scene.name(),
        CameraCondition::Fault(fault) => fault.name().to_owned(),
    }
}

/// Parses a camera condition name (a scene such as `bandage` or `grown-up-7`, or a fault such
/// as `black-frames`).
pub fn parse_camera(name: &str) -> Result<CameraCondition, ClinicError> {
    if let Ok(scene) = name.parse::<Scene>() {
        return Ok(CameraCondition::Scene(scene));
    }
    name.parse::<DeviceFault>()
        .map(CameraCondition::Fault)
        .map_err(|_| ClinicError::UnknownCamera(name.to_owned()))
}

/// What the camera shows, in Japanese (the sheet's words where it has them).
pub fn camera_label(camera: CameraCondition) -> String {
    match camera {
        CameraCondition::Scene(scene) => match scene {
            Scene::CardHolder => "本人".into(),
            Scene::Injured => "顔面の外傷で顔貌が変わった本人".into(),
            Scene::Bandage => "包帯を巻いた本人".into(),
            Scene::Eyepatch => "眼帯をした本人".into(),
            Scene::GrownUp { age_years } => format!("{age_years}歳に成長した本人"),
            Scene::BelowFrame => "カメラの高さまで顔を上げられない本人（車いす）".into(),
            Scene::AnotherPerson => "別人".into(),
            Scene::PrintedPhoto => "本人の印刷写真".into(),
            Scene::Mask => "マスクをした本人".into(),
            Scene::Backlight => "逆光の本人".into(),
            Scene::Nobody => "誰も映らない".into(),
        },
        CameraCondition::Fault(fault) => match fault {
            DeviceFault::Missing => "カメラ故障: 接続されていない".into(),
            DeviceFault::BlackFrames => "カメラ故障: 黒い画像しか出さない".into(),
            DeviceFault::FrozenFrame => "カメラ故障: 同じ画像で止まる".into(),
            DeviceFault::NoFrames => "カメラ故障: 画像を出さない".into(),
        },
    }
}

/// One card of the wallet.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WalletCard {
    /// The holder's id (fixtures/people.toml).
    pub holder: String,
    /// The holder's name.
    pub name: String,
    /// What is special about the card, in Japanese.
    pub label: String,
}

/// Every person's card, in people.toml order.
pub fn wallet(directory: &Directory, today: NaiveDate) -> anyhow::Result<Vec<WalletCard>> {
    directory
        .people()
        .iter()
        .map(|person| {
            let card = directory.card_of(&person.id)?;
            Ok(WalletCard {
                holder: person.id.clone(),
                name: person.name.clone(),
                label: card_label(&card.loaded, today),
            })
        })
        .collect()
}

/// What is special about a card (kind, locked PIN, expired or revoked certificate).
fn card_label(card: &LoadedProfile, today: NaiveDate) -> String {
    let profile = &card.profile;
    let mut notes = vec![match profile.kind {
        CardKind::Standard => "通常のカード",
        CardKind::FaceOnly => "顔認証マイナンバーカード（暗証番号なし）",
        CardKind::Infant => "乳児のカード（顔写真なし・暗証番号のみ）",
    }
    .to_owned()];
    if profile.tries_left.get(&PinId::JpkiAuth) == Some(&0) {
        notes.push("暗証番号ロック済み".into());
    }
    if profile
        .certificate
        .auth_not_after
        .is_some_and(|last| last < today)
    {
        notes.push("利用者証明用電子証明書の期限切れ".into());
    }
    if profile.certificate.revoked {
        notes.push("利用者証明用電子証明書の失効".into());
    }
    if profile.expiry < today {
        notes.push("カードの有効期限切れ".into());
    }
    notes.join("・")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_round_trips_through_its_name() {
        let choices = camera_choices();
        assert_eq!(choices.len(), 15);
        for choice in choices {
            assert_eq!(parse_camera(&camera_name(choice)).unwrap(), choice);
            assert!(!camera_label(choice).is_empty());
        }
        assert!(matches!(
            parse_camera("blurry"),
            Err(ClinicError::UnknownCamera(_))
        ));
    }

    #[test]
    fn the_wallet_names_what_is_special_about_each_card() {
        let fixtures = crate::config::workspace_root().join("fixtures");
        let directory = Directory::load(&fixtures).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let wallet = wallet(&directory, today).unwrap();
        let label = |id: &str| {
            wallet
                .iter()
                .find(|c| c.holder == id)
                .map(|c| c.label.clone())
                .unwrap()
        };
        assert!(label("sato-hanako").contains("顔認証マイナンバーカード"));
        assert!(label("suzuki-haruto").contains("乳児"));
        assert!(label("takahashi-kenji").contains("ロック"));
        assert!(label("tanaka-yuki").contains("期限切れ"));
        assert!(label("ito-makoto").contains("失効"));
        assert_eq!(label("yamada-taro"), "通常のカード");
    }
}
