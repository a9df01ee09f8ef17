//! The counter: readers connected, their modes, the terminal's settings, time passing.

use std::time::Duration;

use cucumber::gherkin::Step;
use cucumber::{given, when};
use harness_terminal::config::AutoReturnPolicy;

use super::StepResult;
use crate::features::params::{Mode, Quoted};
use crate::features::world::FacilityWorld;

#[given(expr = "資格確認端末にカードリーダー「{text}」がつながっている")]
fn reader_connected(w: &mut FacilityWorld, step: &Step, name: Quoted) -> StepResult {
    w.connect_reader(&name.0)?;
    w.checkpoint(step)
}

#[given(expr = "カードリーダーは「{mode}」モードである")]
fn readers_in_mode(w: &mut FacilityWorld, step: &Step, mode: Mode) -> StepResult {
    w.set_all_modes(mode.0)?;
    w.checkpoint(step)
}

#[given(expr = "端末は目視確認の患者1人のあと自動で無人運転に戻す設定である（ハーネス拡張）")]
fn auto_return_after_patient(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.set_auto_return(AutoReturnPolicy::AfterPatient)?;
    w.checkpoint(step)
}

#[given(expr = "端末は目視確認から{int}分たつと自動で無人運転に戻す設定である（ハーネス拡張）")]
fn auto_return_after_minutes(w: &mut FacilityWorld, step: &Step, minutes: u32) -> StepResult {
    w.set_auto_return(AutoReturnPolicy::AfterMinutes(minutes))?;
    w.checkpoint(step)
}

#[given(expr = "端末は無人運転への戻し忘れを警告する（ハーネス拡張）")]
fn switch_back_warning_on(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.enable_switch_back_warning()?;
    w.checkpoint(step)
}

#[given(expr = "カードリーダーは{int}年{int}月{int}日時点の同意画面を表示する")]
fn consent_screens_of(w: &mut FacilityWorld, step: &Step, y: i32, m: u32, d: u32) -> StepResult {
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| anyhow::anyhow!("{y}年{m}月{d}日は日付ではありません"))?;
    w.set_consent_screens_of(date)?;
    w.checkpoint(step)
}

#[when(expr = "{int}分が経過する")]
fn minutes_pass(w: &mut FacilityWorld, step: &Step, minutes: u64) -> StepResult {
    w.facility()?.advance(Duration::from_secs(minutes * 60))?;
    w.checkpoint(step)
}
