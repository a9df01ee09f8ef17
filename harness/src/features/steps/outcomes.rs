//! What the scenario expects: face verdicts, patient screens, visit outcomes, modes, refusals.

use anyhow::{anyhow, bail, ensure};
use cucumber::gherkin::Step;
use cucumber::then;
use harness_reader::{
    Availability, CheckOutcome, FaceFailure, FailureReason, PatientScreen, PinFailure,
};
use harness_terminal::TerminalError;

use super::{last_result, patient_screen, StepResult};
use crate::features::params::{Decision, Mode, Quoted};
use crate::features::snapshots::screens_snapshot;
use crate::features::world::FacilityWorld;

#[then(expr = "顔認証は「{decision}」で失敗する")]
fn face_failed(w: &mut FacilityWorld, step: &Step, expected: Decision) -> StepResult {
    let at = w.patient_reader();
    let reader = w.facility()?.reader(at)?;
    let report = reader.history().face_reports.last().ok_or_else(|| {
        anyhow!(
            "no face comparison was made (screen: {})",
            reader.screen().render()
        )
    })?;
    ensure!(
        report.decision == expected.0,
        "face decision was {:?} (score {:.3}, threshold {:.3}), expected {:?}",
        report.decision,
        report.score,
        report.threshold,
        expected.0
    );
    w.checkpoint(step)
}

fn pin_offered(screen: &PatientScreen) -> bool {
    match screen {
        PatientScreen::ChooseMethod { pin, .. } => *pin == Availability::Offered,
        PatientScreen::CardFaceUnreadable { pin_offered, .. }
        | PatientScreen::FaceNotRecognised { pin_offered, .. } => *pin_offered,
        PatientScreen::FaceUnavailable { .. } | PatientScreen::EnterPin { .. } => true,
        _ => false,
    }
}

#[then(expr = "患者画面に暗証番号での本人確認が案内される")]
fn pin_is_offered(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        pin_offered(&screen),
        "the PIN is not offered:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[then(expr = "患者画面に暗証番号での本人確認は案内されない")]
fn pin_not_offered(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        !pin_offered(&screen),
        "the PIN is offered:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[then(expr = "患者画面に職員への声かけが案内される")]
fn ask_staff(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        screen.render().contains("受付にお声かけください"),
        "the screen does not send the patient to staff:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[then(expr = "患者画面に職員の確認待ちが表示される")]
fn waiting_for_staff(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        screen == PatientScreen::VisualWaitingForStaff,
        "expected the 目視確認 waiting screen:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[then(expr = "患者画面に暗証番号の残り回数「{int}」が表示される")]
fn pin_tries_shown(w: &mut FacilityWorld, step: &Step, tries: u8) -> StepResult {
    match patient_screen(w)? {
        PatientScreen::EnterPin { tries_left, .. } if tries_left == tries => {}
        other => bail!(
            "expected the PIN pad with {tries} tries left:\n{}",
            other.render()
        ),
    }
    w.checkpoint(step)
}

#[then(expr = "患者画面で「顔認証」か「暗証番号」を選べる")]
fn method_choice_shown(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        matches!(
            screen,
            PatientScreen::ChooseMethod {
                face: Availability::Offered,
                pin: Availability::Offered
            }
        ),
        "患者画面に顔認証と暗証番号の選択が出ていません:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[then(expr = "患者画面で「顔認証」も「暗証番号」も選べない")]
fn no_method_selectable(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        !matches!(screen, PatientScreen::ChooseMethod { .. }) && !pin_offered(&screen),
        "the patient can choose a method:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[then(expr = "顔認証はカードに顔写真がないため使えない")]
fn face_no_photo(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        matches!(
            screen,
            PatientScreen::FaceUnavailable {
                failure: FaceFailure::NoPhoto
            }
        ),
        "expected face auth to be unavailable for want of a photo:\n{}",
        screen.render()
    );
    let at = w.patient_reader();
    let compared = !w.facility()?.reader(at)?.history().face_reports.is_empty();
    ensure!(
        !compared,
        "a face was compared although the card has no photo"
    );
    w.checkpoint(step)
}

#[then(regex = r"^本人確認は「(暗証番号が設定されていない|暗証番号がロックされている)」で終わる$")]
fn identity_failed(w: &mut FacilityWorld, step: &Step, why: String) -> StepResult {
    let expected = if why == "暗証番号が設定されていない" {
        PinFailure::NotSet
    } else {
        PinFailure::Locked
    };
    let pin = match last_result(w)?.outcome {
        CheckOutcome::Failed(FailureReason::Pin(p)) => p,
        CheckOutcome::Failed(FailureReason::NoMethodAvailable { pin, .. }) => pin,
        other => bail!("the visit ended with {other:?}"),
    };
    ensure!(
        pin == expected,
        "PIN failure was {pin:?}, expected {expected:?}"
    );
    w.checkpoint(step)
}

#[then(expr = "受付は「{text}」で中止される")]
fn visit_aborted(w: &mut FacilityWorld, step: &Step, label: Quoted) -> StepResult {
    match last_result(w)?.outcome {
        CheckOutcome::Failed(reason) if reason.label() == label.0 => {}
        other => bail!("the visit ended with {other:?}, expected {}", label.0),
    }
    w.checkpoint(step)
}

#[then(expr = "顔認証はカメラが使えないため使えない")]
fn face_camera_unavailable(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        matches!(
            screen,
            PatientScreen::FaceUnavailable {
                failure: FaceFailure::Camera(_)
            }
        ),
        "expected face auth to be unavailable for a camera fault:\n{}",
        screen.render()
    );
    w.checkpoint(step)
}

#[then(expr = "カードの暗証番号の残り回数は「{int}」である")]
async fn card_tries(w: &mut FacilityWorld, step: &Step, tries: u8) -> StepResult {
    let at = w.patient_reader();
    let left = w.facility()?.patient(at)?.card_auth_tries_left().await?;
    ensure!(
        left == tries,
        "the card says {left} tries left, expected {tries}"
    );
    w.checkpoint(step)
}

#[then(expr = "資格確認の結果は「{text}」で本人確認方法は「{text}」である")]
fn result_with_method(
    w: &mut FacilityWorld,
    step: &Step,
    label: Quoted,
    method: Quoted,
) -> StepResult {
    let outcome = last_outcome_label(w)?;
    ensure!(outcome == label.0, "the service answered {outcome}");
    let result = last_result(w)?;
    ensure!(
        result.is_completed(),
        "the visit ended with {:?}",
        result.outcome
    );
    ensure!(
        result.method_label() == method.0,
        "identity was confirmed by {}",
        result.method_label()
    );
    w.checkpoint(step)
}

#[then(regex = r"^資格確認の結果は「([^」]+)」である$")]
fn result_label(w: &mut FacilityWorld, step: &Step, label: String) -> StepResult {
    let outcome = last_outcome_label(w)?;
    ensure!(outcome == label, "the service answered {outcome}");
    w.checkpoint(step)
}

fn last_outcome_label(w: &mut FacilityWorld) -> anyhow::Result<String> {
    let at = w.patient_reader();
    w.facility()?
        .reader(at)?
        .history()
        .outcomes
        .last()
        .map(|o| o.label().to_owned())
        .ok_or_else(|| anyhow!("no check reached the eligibility service"))
}

#[then(expr = "資格確認の結果はまだない")]
fn no_result_yet(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let at = w.patient_reader();
    let facility = w.facility()?;
    ensure!(
        facility.reader(at)?.history().outcomes.is_empty(),
        "a check was already made"
    );
    ensure!(
        facility.face_folder_files()?.is_empty(),
        "a result file was already written"
    );
    w.checkpoint(step)
}

#[then(expr = "カードリーダー「{text}」の選択中のモードは「{mode}」である")]
fn selected_mode(w: &mut FacilityWorld, step: &Step, reader: Quoted, expected: Mode) -> StepResult {
    let facility = w.facility()?;
    let on_terminal = facility.terminal_mode(&reader.0)?;
    let index = facility.reader_index(&reader.0)?;
    let on_reader = facility.reader(index)?.mode();
    ensure!(
        on_terminal == expected.0 && on_reader == expected.0,
        "terminal shows {}, reader is in {}, expected {}",
        on_terminal.label(),
        on_reader.label(),
        expected.0.label()
    );
    w.checkpoint(step)
}

#[then(expr = "操作は権限がないため拒否される")]
fn refused_not_admin(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let refusal = w.facility()?.staff().last_refusal().cloned();
    ensure!(
        matches!(refusal, Some(TerminalError::NotAdmin { .. })),
        "expected a refusal for the general account, got {refusal:?}"
    );
    w.checkpoint(step)
}

#[then(expr = "操作は資格確認日が必須のため拒否される")]
fn refused_no_date(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let refusal = w.facility()?.staff().last_refusal().cloned();
    ensure!(
        matches!(refusal, Some(TerminalError::ConfirmationDateMissing)),
        "expected 資格確認日 to be required, got {refusal:?}"
    );
    w.checkpoint(step)
}

#[then(regex = r"^端末画面に無人運転への戻し忘れの警告(が表示される|は表示されない)$")]
fn switch_back_warning(w: &mut FacilityWorld, step: &Step, shown: String) -> StepResult {
    let expected = shown == "が表示される";
    let warned = w.facility()?.staff().switch_back_warning_shown()?;
    ensure!(
        warned == expected,
        "warning shown: {warned}, expected {expected}"
    );
    w.checkpoint(step)
}

#[then(expr = "端末画面が「{text}」の画面として記録される")]
fn operator_screen_named(w: &mut FacilityWorld, step: &Step, label: Quoted) -> StepResult {
    let text = w
        .facility()?
        .staff()
        .screen_text()
        .ok_or_else(|| anyhow!("no operator screen is open"))?;
    w.assert_named_snapshot(&format!("端末 {}", label.0), &text);
    w.checkpoint(step)
}

#[then(expr = "患者画面が「{text}」の画面として記録される")]
fn patient_screen_named(w: &mut FacilityWorld, step: &Step, label: Quoted) -> StepResult {
    let text = patient_screen(w)?.render();
    w.assert_named_snapshot(
        &format!("患者 {}", label.0),
        &screens_snapshot(None, Some(&text)),
    );
    w.checkpoint(step)
}
