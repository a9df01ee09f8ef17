//! Staff at the terminal desk: log in, open 顔認証付きカードリーダー操作, switch modes, check the
//! card photo, tick 目視で本人確認完了.

use anyhow::bail;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};

use super::StepResult;
use harness_face::staff_check::StaffVerdict;

use crate::facility::StaffJudgement;
use crate::features::params::{Account, Judgement, Mode, Quoted};
use crate::features::world::FacilityWorld;

#[when(expr = "職員が{account}アカウントで資格確認端末にログインする")]
fn staff_login(w: &mut FacilityWorld, step: &Step, account: Account) -> StepResult {
    let password = FacilityWorld::password(account.0);
    w.facility()?.staff().login(account.0, &password)?;
    w.checkpoint(step)
}

#[when(expr = "職員が「顔認証付きカードリーダー操作」を押す")]
fn open_reader_screen(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.facility()?.staff().open_reader_screen()?;
    w.checkpoint(step)
}

#[when(expr = "職員がカードリーダー「{text}」の「{mode}」を押す")]
fn press_mode(w: &mut FacilityWorld, step: &Step, reader: Quoted, mode: Mode) -> StepResult {
    w.facility()?.staff().press_mode(&reader.0, mode.0)?;
    w.checkpoint(step)
}

#[when(expr = "職員がカードリーダー「{text}」の「{mode}」を押して切替の確認で取り消す")]
fn press_mode_cancel(w: &mut FacilityWorld, step: &Step, reader: Quoted, mode: Mode) -> StepResult {
    w.facility()?
        .staff()
        .press_mode_and_cancel(&reader.0, mode.0)?;
    w.checkpoint(step)
}

#[when(expr = "患者がカード券面の顔写真を職員に提示する")]
async fn show_card_photo(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    w.drive(move |f| f.staff().look_at_card_photo(at).map(drop))
        .await?;
    w.checkpoint(step)
}

#[when(expr = "職員は券面の顔写真と患者を見比べて{judgement}と判断する")]
fn staff_judges(w: &mut FacilityWorld, step: &Step, judgement: Judgement) -> StepResult {
    let at = w.patient_reader();
    w.facility()?.staff().judge(at, judgement.0)?;
    w.checkpoint(step)
}

#[then(expr = "画素による参考判定も{judgement}を示す")]
fn reference_verdict(w: &mut FacilityWorld, step: &Step, expected: Judgement) -> StepResult {
    let at = w.patient_reader();
    let verdict = w.facility()?.staff().reference_verdict(at);
    let matches = matches!(
        (verdict, expected.0),
        (Some(StaffVerdict::SamePerson), StaffJudgement::SamePerson)
            | (
                Some(StaffVerdict::DifferentPerson),
                StaffJudgement::DifferentPerson
            )
    );
    if !matches {
        bail!("画素による参考判定は {verdict:?} でした");
    }
    w.checkpoint(step)
}

#[then(expr = "職員は「目視で本人確認完了」にチェックを入れられない")]
async fn staff_cannot_tick(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let reader = w.patient_reader_name()?;
    let today = w.facility()?.now().date().format("%Y/%m/%d").to_string();
    let ticked = w
        .facility()?
        .staff()
        .tick_visual_confirmation(&reader, &today);
    if ticked.is_ok() {
        bail!("別人と判断した職員がチェックを入れました");
    }
    w.checkpoint(step)
}

#[when(expr = "職員が資格確認日「{text}」で「目視で本人確認完了」にチェックを入れる")]
fn tick_with_date(w: &mut FacilityWorld, step: &Step, date: Quoted) -> StepResult {
    let reader = w.patient_reader_name()?;
    w.facility()?
        .staff()
        .tick_visual_confirmation(&reader, &date.0)?;
    w.checkpoint(step)
}

#[when(expr = "職員が資格確認日を空のまま「目視で本人確認完了」にチェックを入れる")]
fn tick_without_date(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let reader = w.patient_reader_name()?;
    w.facility()?
        .staff()
        .tick_visual_confirmation(&reader, "")?;
    w.checkpoint(step)
}

#[given(expr = "職員が患者「{text}」を目視確認モードで受け付けた")]
async fn visual_visit(w: &mut FacilityWorld, step: &Step, name: Quoted) -> StepResult {
    w.visual_visit(&name.0).await?;
    w.checkpoint(step)
}
