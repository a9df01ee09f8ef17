//! Staff at the terminal desk: log in, open 顔認証付きカードリーダー操作, switch modes, check the
//! card photo, tick 目視で本人確認完了.

use anyhow::bail;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};

use super::StepResult;
use crate::features::params::{Account, Mode, Quoted};
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

#[when(expr = "患者がカード券面の顔写真を職員に提示する")]
fn show_card_photo(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    w.facility()?.staff().look_at_card_photo(at)?;
    w.checkpoint(step)
}

#[then(expr = "職員は券面の顔写真が患者本人であると確認できる")]
fn staff_can_check_photo(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    let judged = w.facility()?.staff().judge_card_photo(at)?;
    if !judged {
        bail!("職員は券面の顔写真を患者本人と判断しませんでした");
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
