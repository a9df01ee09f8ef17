//! The patient: arrives with a card, places it, touches the reader's screen.

use anyhow::{anyhow, bail};
use cucumber::gherkin::Step;
use cucumber::{given, when};
use harness_reader::{ConsentWishes, Touch};

use super::StepResult;
use crate::facility::CameraCondition;
use crate::features::params::{CameraFault, CameraScene, ConsentAnswer, Quoted};
use crate::features::world::FacilityWorld;

#[given(expr = "患者「{text}」がマイナンバーカードを持っている")]
fn patient_has_card(w: &mut FacilityWorld, step: &Step, name: Quoted) -> StepResult {
    let at = w.patient_reader();
    w.facility()?.patient(at)?.arrive(&name.0)?;
    w.checkpoint(step)
}

#[given(expr = "患者「{text}」が「{text}」のマイナンバーカードを持っている")]
fn patient_has_card_of(
    w: &mut FacilityWorld,
    step: &Step,
    person: Quoted,
    holder: Quoted,
) -> StepResult {
    let at = w.patient_reader();
    w.facility()?
        .patient(at)?
        .arrive_with_card_of(&person.0, &holder.0)?;
    w.checkpoint(step)
}

#[when(expr = "患者がカードリーダー「{text}」の前に移る")]
fn patient_moves(w: &mut FacilityWorld, step: &Step, reader: Quoted) -> StepResult {
    w.patient_goes_to(&reader.0)?;
    w.checkpoint(step)
}

#[when(expr = "患者がカードをカードリーダー「{text}」に置く")]
async fn place_card_on(w: &mut FacilityWorld, step: &Step, reader: Quoted) -> StepResult {
    let at = w.patient_goes_to(&reader.0)?;
    w.drive_async(move |f| Box::pin(async move { f.patient(at)?.place_card().await }))
        .await?;
    w.checkpoint(step)
}

#[given(expr = "カメラには「{scene}」が映る")]
fn camera_shows(w: &mut FacilityWorld, step: &Step, scene: CameraScene) -> StepResult {
    let at = w.patient_reader();
    w.facility()?
        .patient(at)?
        .set_camera(CameraCondition::Scene(scene.0))?;
    w.checkpoint(step)
}

#[given(expr = "カメラは「{fault}」故障をしている")]
fn camera_broken(w: &mut FacilityWorld, step: &Step, fault: CameraFault) -> StepResult {
    let at = w.patient_reader();
    w.facility()?
        .patient(at)?
        .set_camera(CameraCondition::Fault(fault.0))?;
    w.checkpoint(step)
}

#[when(expr = "患者がカードをカードリーダーに置く")]
async fn place_card(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    w.drive_async(move |f| Box::pin(async move { f.patient(at)?.place_card().await }))
        .await?;
    w.checkpoint(step)
}

#[when(expr = "患者がカードをカードリーダーから取る")]
async fn remove_card(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    w.drive_async(move |f| Box::pin(async move { f.patient(at)?.remove_card().await }))
        .await?;
    w.checkpoint(step)
}

#[when(regex = r"^患者が「(顔認証|暗証番号)」を選ぶ$")]
async fn choose_method(w: &mut FacilityWorld, step: &Step, method: String) -> StepResult {
    let touch = if method == "顔認証" {
        Touch::ChooseFace
    } else {
        Touch::ChoosePin
    };
    let at = w.patient_reader();
    w.drive(move |f| f.patient(at)?.touch(touch)).await?;
    w.checkpoint(step)
}

#[when(expr = "患者が「もう一度」を押す")]
async fn retry(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    w.drive(move |f| f.patient(at)?.touch(Touch::Retry)).await?;
    w.checkpoint(step)
}

#[when(regex = r"^患者が暗証番号「(\d*)」を入力する$")]
async fn enter_pin(w: &mut FacilityWorld, step: &Step, pin: String) -> StepResult {
    let at = w.patient_reader();
    w.drive(move |f| f.patient(at)?.enter_pin(&pin)).await?;
    w.checkpoint(step)
}

#[when(expr = "患者がすべての同意項目で「{answer}」を選ぶ")]
async fn consent_all(w: &mut FacilityWorld, step: &Step, answer: ConsentAnswer) -> StepResult {
    let at = w.patient_reader();
    w.drive(move |f| f.patient(at)?.answer_consents(ConsentWishes::all(answer.0)))
        .await?;
    w.checkpoint(step)
}

#[when(expr = "患者が同意を選ぶ:")]
async fn consent_table(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let answers = consent_answers(step)?;
    let at = w.patient_reader();
    w.drive(move |f| f.patient(at)?.answer_consents(answers))
        .await?;
    w.checkpoint(step)
}

/// The table of 項目 and 回答 under a consent step, as the patient's wishes per item (薬剤情報,
/// 特定健診情報, 診療情報, 手術情報 required; 限度額情報 optional, default 同意しない; on the current
/// screens 診療・薬剤情報 is one answer for both).
fn consent_answers(step: &Step) -> anyhow::Result<ConsentWishes> {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| anyhow!("a table of 項目 and 回答 is needed"))?;
    let mut answers: [Option<bool>; 5] = [None; 5];
    for row in table.rows.iter().skip(1) {
        let [item, answer] = row.as_slice() else {
            bail!("each row needs 項目 and 回答");
        };
        let answer: ConsentAnswer = answer.trim().parse()?;
        let slots: &[usize] = match item.trim() {
            "薬剤情報" => &[0],
            "特定健診情報" | "特定健診等情報" => &[1],
            "診療情報" => &[2],
            "手術情報" => &[3],
            "限度額情報" => &[4],
            "診療・薬剤情報" => &[0, 2],
            other => bail!("unknown consent item {other:?}"),
        };
        for slot in slots {
            answers[*slot] = Some(answer.0);
        }
    }
    let need = |i: usize| answers[i].ok_or_else(|| anyhow!("every consent item needs an answer"));
    Ok(ConsentWishes {
        medication: need(0)?,
        health_checkups: need(1)?,
        diagnosis: need(2)?,
        operation: need(3)?,
        limit_application: answers[4].unwrap_or(false),
    })
}
