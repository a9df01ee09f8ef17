//! Compound steps of the procedure sheet's own case (face auth fails AND the PIN cannot be used),
//! and the counters that 目視確認 must leave as they were.

use anyhow::{anyhow, bail, ensure};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use harness_reader::{CheckOutcome, FailureReason, PatientScreen, PinFailure};

use super::{patient_screen, StepResult};
use crate::facility::CameraCondition;
use crate::features::params::{CameraFault, CameraScene, Quoted};
use crate::features::world::FacilityWorld;

#[given(expr = "カメラは「{text}」の状態である")]
fn camera_state(w: &mut FacilityWorld, step: &Step, state: Quoted) -> StepResult {
    let condition = match state.0.parse::<CameraScene>() {
        Ok(scene) => CameraCondition::Scene(scene.0),
        Err(_) => CameraCondition::Fault(
            state
                .0
                .parse::<CameraFault>()
                .map_err(|_| anyhow!("カメラの状態「{}」を知りません", state.0))?
                .0,
        ),
    };
    let at = w.patient_reader();
    w.facility()?.patient(at)?.set_camera(condition)?;
    w.checkpoint(step)
}

#[when(expr = "患者は顔認証を試みるが本人確認できない")]
async fn face_attempt_fails(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    let screen = w
        .drive(move |facility| {
            if facility.reader(at)?.screen().button("顔認証").is_some() {
                facility.patient(at)?.press("顔認証")?;
            }
            Ok(facility.reader(at)?.screen().clone())
        })
        .await?;
    ensure!(
        matches!(
            screen,
            PatientScreen::FaceNotRecognised { .. }
                | PatientScreen::FaceUnavailable { .. }
                | PatientScreen::Failed { .. }
        ),
        "顔認証で本人確認できてしまいました:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[when(expr = "患者は暗証番号で本人確認できない（{text}）")]
async fn pin_unusable(w: &mut FacilityWorld, step: &Step, cause: Quoted) -> StepResult {
    let at = w.patient_reader();
    match cause.0.as_str() {
        "顔認証マイナンバーカード" => {
            let screen = patient_screen(w)?;
            ensure!(
                screen.button("暗証番号").is_none() && screen.button("暗証番号で認証").is_none(),
                "顔認証マイナンバーカードで暗証番号が選べます:\n{}",
                screen.render()
            );
        }
        "暗証番号を忘れた" => {
            let result = w
                .drive(move |facility| {
                    let screen = facility.reader(at)?.screen().clone();
                    let label = ["暗証番号", "暗証番号で認証"]
                        .into_iter()
                        .find(|label| screen.button(label).is_some())
                        .ok_or_else(|| anyhow!("暗証番号を選べません:\n{}", screen.render()))?;
                    facility.patient(at)?.press(label)?;
                    for wrong in ["9999", "9998", "9997"] {
                        facility.patient(at)?.enter_pin(wrong)?;
                    }
                    facility
                        .reader(at)?
                        .history()
                        .results
                        .last()
                        .cloned()
                        .ok_or_else(|| anyhow!("受付が終わっていません"))
                })
                .await?;
            ensure!(
                matches!(
                    result.outcome,
                    CheckOutcome::Failed(FailureReason::Pin(PinFailure::Locked))
                ),
                "暗証番号がロックされていません: {:?}",
                result.outcome
            );
        }
        other => bail!("暗証番号が使えない理由「{other}」を知りません"),
    }
    w.checkpoint(step)
}

#[when(expr = "カードの顔認証失敗回数と暗証番号の残り回数を控える")]
async fn note_counters(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let counters = w.card_counters().await?;
    w.remember_counters(counters);
    w.checkpoint(step)
}

#[then(expr = "カードの顔認証失敗回数と暗証番号の残り回数は控えたときのままである")]
async fn counters_unchanged(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let now = w.card_counters().await?;
    let noted = w
        .remembered_counters()
        .ok_or_else(|| anyhow!("回数を控えていません"))?;
    ensure!(
        now == noted,
        "顔認証失敗回数・暗証番号の残り回数が {noted:?} から {now:?} に変わりました"
    );
    w.checkpoint(step)
}

#[then(expr = "カードの顔認証の連続失敗回数は「{int}」である")]
fn face_failures(w: &mut FacilityWorld, step: &Step, expected: u32) -> StepResult {
    let holder = w.patient_card_holder()?;
    let count = w.facility()?.face_failures_of(&holder)?;
    ensure!(count == expected, "顔認証の連続失敗回数は {count} です");
    w.checkpoint(step)
}

#[when(expr = "患者はカードリーダー「{text}」で顔認証に{int}回失敗する")]
async fn fail_face_times(
    w: &mut FacilityWorld,
    step: &Step,
    reader: Quoted,
    times: u32,
) -> StepResult {
    let at = w.patient_goes_to(&reader.0)?;
    let holder = w.patient_card_holder()?;
    w.drive_async(move |facility| {
        Box::pin(async move {
            let start = facility.face_failures_of(&holder)?;
            // Bounded: at most two touches per failure, plus a new visit when the reader ends one.
            for _ in 0..times * 4 {
                if facility.face_failures_of(&holder)? >= start + times {
                    break;
                }
                let reader_view = facility.reader(at)?;
                let screen = reader_view.screen().clone();
                let has_card = reader_view.has_card();
                if screen.button("もう一度").is_some() {
                    facility.patient(at)?.press("もう一度")?;
                } else if screen.button("顔認証").is_some() {
                    facility.patient(at)?.press("顔認証")?;
                } else if has_card {
                    facility.patient(at)?.remove_card().await?;
                } else {
                    facility.patient(at)?.place_card().await?;
                }
            }
            let now = facility.face_failures_of(&holder)?;
            ensure!(
                now == start + times,
                "顔認証の失敗は {} 回でした（{times} 回のはず）",
                now - start
            );
            if facility.reader(at)?.has_card() {
                facility.patient(at)?.remove_card().await?;
            }
            Ok(())
        })
    })
    .await?;
    w.checkpoint(step)
}

#[then(expr = "患者画面に顔認証のロックが表示される")]
fn face_locked_shown(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let text = patient_screen(w)?.render();
    ensure!(
        text.contains("顔認証") && text.contains("ロック"),
        "顔認証のロックが表示されていません:\n{text}"
    );
    w.checkpoint(step)
}

#[then(expr = "患者画面に同意の選択が表示される")]
fn consent_choice_shown(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        matches!(
            screen,
            PatientScreen::ConsentChoice | PatientScreen::ConsentItem { .. }
        ),
        "同意の選択が表示されていません:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}
