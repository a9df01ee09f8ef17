//! Why a scenario is not run on a bench, for the people reading the run's output: the decision
//! is [`BenchConfig::skip_reason`]'s (one home); this only says it in Japanese, tag by tag.
//!
//! The tags (features/*.feature):
//! - `@simulated-only`: needs what only the simulated reader and camera can do (frozen or black
//!   frames, a printed photo held up to the camera).
//! - `@needs-face-camera`: the outcome depends on the face the camera sees; a bench needs a
//!   display in front of the reader's camera for it (`face_display`).
//! - `@needs-camera-power`: a missing camera, made for real by cutting its power (`camera_power`).
//! - `@locks-pin`: can lock a PIN (three wrong PINs, a card already locked); only a card the bench
//!   file allows to lock (`allow_pin_lock`) may take it, and the PIN lock guard still checks it.

use harness_bench::config::BenchConfig;

/// The reason, in Japanese, if `config`'s bench cannot run a scenario with `tags` (without `@`).
pub fn skip_reason_ja(config: &BenchConfig, tags: &[&str]) -> Option<String> {
    tags.iter().find_map(|tag| {
        let english = config.skip_reason(&[tag])?;
        Some(match *tag {
            "simulated-only" => {
                "シミュレーションのカードリーダー・カメラでしかできない手順です（@simulated-only）"
                    .to_owned()
            }
            "needs-face-camera" => {
                "カメラの前に顔を映す表示器がベンチにありません（@needs-face-camera、face_display = false）"
                    .to_owned()
            }
            "needs-camera-power" => {
                "ベンチはカメラの電源を切り替えられません（@needs-camera-power、camera_power = false）"
                    .to_owned()
            }
            "locks-pin" => {
                "暗証番号をロックしてよいカードがベンチにありません（@locks-pin、allow_pin_lock = true のカードなし）"
                    .to_owned()
            }
            _ => format!("ベンチでは実行できません: {english}"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(face_display: bool, camera_power: bool) -> BenchConfig {
        let text = format!(
            r#"
[fixture]
port = "/dev/ttyACM0"
[[reader]]
role = 0
name = "Identiv CLOUD 3701 F Contactless Reader 0"
station = 1
[[card]]
slot = 1
person = "yamada-taro"
[capabilities]
place_cards = true
camera_power = {camera_power}
face_display = {face_display}
"#
        );
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("bench.toml");
        std::fs::write(&path, text).expect("write");
        BenchConfig::load(&path).expect("bench file")
    }

    #[test]
    fn each_tag_the_bench_lacks_is_a_japanese_reason_and_others_run() {
        let bare = config(false, false);
        assert!(skip_reason_ja(&bare, &[]).is_none());
        assert!(skip_reason_ja(&bare, &["pcsc", "wip"]).is_none());
        let reason = skip_reason_ja(&bare, &["needs-face-camera"]).expect("skipped");
        assert!(reason.contains("表示器") && reason.contains("@needs-face-camera"));
        let reason = skip_reason_ja(&bare, &["needs-camera-power"]).expect("skipped");
        assert!(reason.contains("電源"));
        let reason = skip_reason_ja(&bare, &["locks-pin"]).expect("skipped");
        assert!(reason.contains("allow_pin_lock"));

        let full = config(true, true);
        assert!(skip_reason_ja(&full, &["needs-face-camera", "needs-camera-power"]).is_none());
        // Never on any bench.
        let reason = skip_reason_ja(&full, &["needs-face-camera", "simulated-only"])
            .expect("simulated-only");
        assert!(reason.contains("シミュレーション"));
    }
}
