//! Step definitions: each is a few lines of glue into [`crate::facility::Facility`].
//!
//! Every step ends with [`FacilityWorld::checkpoint`], which records the operator and patient
//! screens and checks them against the step's snapshot.

use std::time::Duration;

use anyhow::{anyhow, bail, ensure};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use harness_face::camera::{DeviceFault, Scene};
use harness_face::MatchDecision;
use harness_reader::io::Touch;
use harness_reader::result::{CheckOutcome, FaceFailure, FailureReason, PinFailure};
use harness_reader::screen::{Availability, PatientScreen};
use harness_reader::ReaderMode;
use harness_terminal::config::AutoReturnPolicy;
use harness_terminal::terminal::TerminalError;

use crate::facility::CameraCondition;
use crate::world::{screens_snapshot, FacilityWorld};

type StepResult = anyhow::Result<()>;

/// The patient uses the first reader of the counter.
const PATIENT_READER: usize = 0;

fn mode(label: &str) -> anyhow::Result<ReaderMode> {
    ReaderMode::ALL
        .into_iter()
        .find(|m| m.label() == label)
        .ok_or_else(|| anyhow!("unknown mode {label:?} (無人運転, 暗証番号認証固定, 目視確認)"))
}

fn scene(text: &str) -> anyhow::Result<Scene> {
    Ok(match text {
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
    })
}

fn fault(text: &str) -> anyhow::Result<DeviceFault> {
    Ok(match text {
        "黒い画像しか出さない" => DeviceFault::BlackFrames,
        "同じ画像で止まる" => DeviceFault::FrozenFrame,
        "接続されていない" => DeviceFault::Missing,
        "画像を出さない" => DeviceFault::NoFrames,
        other => bail!("unknown camera fault {other:?}"),
    })
}

fn decision(text: &str) -> anyhow::Result<MatchDecision> {
    Ok(match text {
        "一致" => MatchDecision::Match,
        "不一致" => MatchDecision::NoMatch,
        "顔が見つからない" => MatchDecision::NoFace,
        "顔が隠れている" => MatchDecision::Occluded,
        "画像が不鮮明" => MatchDecision::PoorImage,
        "なりすまし" => MatchDecision::NotLive,
        other => bail!("unknown face decision {other:?}"),
    })
}

fn consent_answer(text: &str) -> anyhow::Result<bool> {
    match text {
        "同意する" => Ok(true),
        "同意しない" => Ok(false),
        other => bail!("consent answer {other:?} is neither 同意する nor 同意しない"),
    }
}

// ---- the counter ------------------------------------------------------------------------

#[given(regex = r"^資格確認端末にカードリーダー「(.+)」がつながっている$")]
fn reader_connected(w: &mut FacilityWorld, step: &Step, name: String) -> StepResult {
    w.connect_reader(&name)?;
    w.checkpoint(step);
    Ok(())
}

#[given(regex = r"^カードリーダーは「(.+)」モードである$")]
fn readers_in_mode(w: &mut FacilityWorld, step: &Step, label: String) -> StepResult {
    w.set_all_modes(mode(&label)?)?;
    w.checkpoint(step);
    Ok(())
}

#[given(regex = r"^端末は目視確認の患者1人のあと自動で無人運転に戻す設定である$")]
fn auto_return_after_patient(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.set_auto_return(AutoReturnPolicy::AfterPatient)?;
    w.checkpoint(step);
    Ok(())
}

#[given(regex = r"^端末は目視確認から(\d+)分たつと自動で無人運転に戻す設定である$")]
fn auto_return_after_minutes(w: &mut FacilityWorld, step: &Step, minutes: u32) -> StepResult {
    w.set_auto_return(AutoReturnPolicy::AfterMinutes(minutes))?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^(\d+)分が経過する$")]
fn minutes_pass(w: &mut FacilityWorld, step: &Step, minutes: u64) -> StepResult {
    w.facility()?.advance(Duration::from_secs(minutes * 60))?;
    w.checkpoint(step);
    Ok(())
}

// ---- the patient ------------------------------------------------------------------------

#[given(regex = r"^患者「(.+)」がマイナンバーカードを持っている$")]
fn patient_has_card(w: &mut FacilityWorld, step: &Step, name: String) -> StepResult {
    w.facility()?.patient_arrives(&name)?;
    w.checkpoint(step);
    Ok(())
}

#[given(regex = r"^カメラには「(.+)」が映る$")]
fn camera_shows(w: &mut FacilityWorld, step: &Step, what: String) -> StepResult {
    let condition = CameraCondition::Scene(scene(&what)?);
    w.facility()?.set_camera(PATIENT_READER, condition);
    w.checkpoint(step);
    Ok(())
}

#[given(regex = r"^カメラは「(.+)」故障をしている$")]
fn camera_broken(w: &mut FacilityWorld, step: &Step, what: String) -> StepResult {
    let condition = CameraCondition::Fault(fault(&what)?);
    w.facility()?.set_camera(PATIENT_READER, condition);
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者がカードをカードリーダーに置く$")]
async fn place_card(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.facility()?.place_card(PATIENT_READER).await?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者がカードをカードリーダーから取る$")]
async fn remove_card(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.facility()?.remove_card(PATIENT_READER).await?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者が「(顔認証|暗証番号)」を選ぶ$")]
fn choose_method(w: &mut FacilityWorld, step: &Step, method: String) -> StepResult {
    let touch = if method == "顔認証" {
        Touch::ChooseFace
    } else {
        Touch::ChoosePin
    };
    w.facility()?.touch(PATIENT_READER, touch)?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者が「もう一度」を押す$")]
fn retry(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.facility()?.touch(PATIENT_READER, Touch::Retry)?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者が暗証番号「(\d*)」を入力する$")]
fn enter_pin(w: &mut FacilityWorld, step: &Step, pin: String) -> StepResult {
    w.facility()?.enter_pin(PATIENT_READER, &pin)?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者がすべての同意項目で「(同意する|同意しない)」を選ぶ$")]
fn consent_all(w: &mut FacilityWorld, step: &Step, answer: String) -> StepResult {
    let given = consent_answer(&answer)?;
    w.facility()?.answer_consents(PATIENT_READER, [given; 4])?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者が同意を選ぶ:$")]
fn consent_table(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| anyhow!("a table of 項目 and 回答 is needed"))?;
    let mut answers = [None; 4];
    for row in table.rows.iter().skip(1) {
        let [item, answer] = row.as_slice() else {
            bail!("each row needs 項目 and 回答");
        };
        let index = harness_reader::io::ConsentItem::ALL
            .iter()
            .position(|i| i.label() == item.trim())
            .ok_or_else(|| anyhow!("unknown consent item {item:?}"))?;
        answers[index] = Some(consent_answer(answer.trim())?);
    }
    let answers = answers.map(|a| a.ok_or_else(|| anyhow!("every consent item needs an answer")));
    let [a, b, c, d] = answers;
    w.facility()?
        .answer_consents(PATIENT_READER, [a?, b?, c?, d?])?;
    w.checkpoint(step);
    Ok(())
}

// ---- staff --------------------------------------------------------------------------------

#[when(regex = r"^職員が(管理|一般)アカウントで資格確認端末にログインする$")]
fn staff_login(w: &mut FacilityWorld, step: &Step, kind: String) -> StepResult {
    w.facility()?.login(kind == "管理")?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^職員が「顔認証付きカードリーダー操作」を押す$")]
fn open_reader_screen(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.facility()?.open_reader_screen()?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^職員がカードリーダー「(.+)」の「(.+)」を押す$")]
fn press_mode(w: &mut FacilityWorld, step: &Step, reader: String, label: String) -> StepResult {
    let mode = mode(&label)?;
    w.facility()?.press_mode(&reader, mode)?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^患者がカード券面の顔写真を職員に提示する$")]
fn show_card_photo(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.facility()?.show_card_photo_to_staff()?;
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^職員は券面の顔写真が患者本人であると確認できる$")]
fn staff_can_check_photo(w: &mut FacilityWorld, step: &Step) -> StepResult {
    w.facility()?.staff_check_photo()?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^職員が資格確認日「(.+)」で「目視で本人確認完了」にチェックを入れる$")]
fn tick_with_date(w: &mut FacilityWorld, step: &Step, date: String) -> StepResult {
    tick(w, &date)?;
    w.checkpoint(step);
    Ok(())
}

#[when(regex = r"^職員が資格確認日を空のまま「目視で本人確認完了」にチェックを入れる$")]
fn tick_without_date(w: &mut FacilityWorld, step: &Step) -> StepResult {
    tick(w, "")?;
    w.checkpoint(step);
    Ok(())
}

fn tick(w: &mut FacilityWorld, date: &str) -> StepResult {
    let f = w.facility()?;
    let reader = f
        .stations
        .get(PATIENT_READER)
        .map(|s| s.name.clone())
        .ok_or_else(|| anyhow!("no reader"))?;
    f.tick_visual_confirmation(&reader, date)
}

#[given(regex = r"^職員が患者「(.+)」を目視確認モードで受け付けた$")]
async fn visual_visit(w: &mut FacilityWorld, step: &Step, name: String) -> StepResult {
    let f = w.facility()?;
    f.patient_arrives(&name)?;
    f.visual_visit(PATIENT_READER).await?;
    w.checkpoint(step);
    Ok(())
}

// ---- outcomes -----------------------------------------------------------------------------

#[then(regex = r"^顔認証は「(.+)」で失敗する$")]
fn face_failed(w: &mut FacilityWorld, step: &Step, text: String) -> StepResult {
    let expected = decision(&text)?;
    let f = w.facility()?;
    let station = &f.stations[PATIENT_READER];
    let report = station.face_reports.last().ok_or_else(|| {
        anyhow!(
            "no face comparison was made (screen: {})",
            station.reader.screen().render()
        )
    })?;
    ensure!(
        report.decision == expected,
        "face decision was {:?} (score {:.3}, threshold {:.3}), expected {expected:?}",
        report.decision,
        report.score,
        report.threshold
    );
    w.checkpoint(step);
    Ok(())
}

fn patient_screen(w: &mut FacilityWorld) -> anyhow::Result<PatientScreen> {
    Ok(w.facility()?.stations[PATIENT_READER]
        .reader
        .screen()
        .clone())
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

#[then(regex = r"^患者画面に暗証番号での本人確認が案内される$")]
fn pin_is_offered(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        pin_offered(&screen),
        "the PIN is not offered:\n{}",
        screen.render()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^患者画面に暗証番号での本人確認は案内されない$")]
fn pin_not_offered(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        !pin_offered(&screen),
        "the PIN is offered:\n{}",
        screen.render()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^患者画面に職員への声かけが案内される$")]
fn ask_staff(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        screen.render().contains("受付にお声かけください"),
        "the screen does not send the patient to staff:\n{}",
        screen.render()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^患者画面に職員の確認待ちが表示される$")]
fn waiting_for_staff(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        screen == PatientScreen::VisualWaitingForStaff,
        "expected the 目視確認 waiting screen:\n{}",
        screen.render()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^患者画面に暗証番号の残り回数「(\d+)」が表示される$")]
fn pin_tries_shown(w: &mut FacilityWorld, step: &Step, tries: u8) -> StepResult {
    let screen = patient_screen(w)?;
    match screen {
        PatientScreen::EnterPin { tries_left, .. } if tries_left == tries => {}
        other => bail!(
            "expected the PIN pad with {tries} tries left:\n{}",
            other.render()
        ),
    }
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^患者画面で「顔認証」も「暗証番号」も選べない$")]
fn no_method_selectable(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let screen = patient_screen(w)?;
    ensure!(
        !matches!(screen, PatientScreen::ChooseMethod { .. }) && !pin_offered(&screen),
        "the patient can choose a method:\n{}",
        screen.render()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^顔認証はカードに顔写真がないため使えない$")]
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
    let compared = !w.facility()?.stations[PATIENT_READER]
        .face_reports
        .is_empty();
    ensure!(
        !compared,
        "a face was compared although the card has no photo"
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^本人確認は「(暗証番号が設定されていない|暗証番号がロックされている)」で終わる$")]
fn identity_failed(w: &mut FacilityWorld, step: &Step, why: String) -> StepResult {
    let expected = if why == "暗証番号が設定されていない" {
        PinFailure::NotSet
    } else {
        PinFailure::Locked
    };
    let f = w.facility()?;
    let result = f
        .last_result(PATIENT_READER)
        .ok_or_else(|| anyhow!("the visit has not ended"))?;
    let pin = match &result.outcome {
        CheckOutcome::Failed(FailureReason::Pin(p)) => *p,
        CheckOutcome::Failed(FailureReason::NoMethodAvailable { pin, .. }) => *pin,
        other => bail!("the visit ended with {other:?}"),
    };
    ensure!(
        pin == expected,
        "PIN failure was {pin:?}, expected {expected:?}"
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^受付は「(.+)」で中止される$")]
fn visit_aborted(w: &mut FacilityWorld, step: &Step, label: String) -> StepResult {
    let f = w.facility()?;
    let result = f
        .last_result(PATIENT_READER)
        .ok_or_else(|| anyhow!("the visit has not ended"))?;
    match &result.outcome {
        CheckOutcome::Failed(reason) if reason.label() == label => {}
        other => bail!("the visit ended with {other:?}, expected {label}"),
    }
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^顔認証はカメラが使えないため使えない$")]
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
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^カードの暗証番号の残り回数は「(\d+)」である$")]
async fn card_tries(w: &mut FacilityWorld, step: &Step, tries: u8) -> StepResult {
    let left = w.facility()?.card_auth_tries_left().await?;
    ensure!(
        left == tries,
        "the card says {left} tries left, expected {tries}"
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^資格確認の結果は「(.+)」で本人確認方法は「(.+)」である$")]
fn result_with_method(
    w: &mut FacilityWorld,
    step: &Step,
    label: String,
    method: String,
) -> StepResult {
    let f = w.facility()?;
    let outcome = f
        .last_outcome(PATIENT_READER)
        .ok_or_else(|| anyhow!("no check reached the eligibility service"))?;
    ensure!(
        outcome.label() == label,
        "the service answered {}",
        outcome.label()
    );
    let result = f
        .last_result(PATIENT_READER)
        .ok_or_else(|| anyhow!("the visit has not ended"))?;
    ensure!(
        result.is_completed(),
        "the visit ended with {:?}",
        result.outcome
    );
    ensure!(
        result.method_label() == method,
        "identity was confirmed by {}",
        result.method_label()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^資格確認の結果は「([^」]+)」である$")]
fn result_label(w: &mut FacilityWorld, step: &Step, label: String) -> StepResult {
    let f = w.facility()?;
    let outcome = f
        .last_outcome(PATIENT_READER)
        .ok_or_else(|| anyhow!("no check reached the eligibility service"))?;
    ensure!(
        outcome.label() == label,
        "the service answered {}",
        outcome.label()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^資格確認の結果はまだない$")]
fn no_result_yet(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let f = w.facility()?;
    ensure!(
        f.last_outcome(PATIENT_READER).is_none(),
        "a check was already made"
    );
    ensure!(
        f.face_folder_files()?.is_empty(),
        "a result file was already written"
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^カードリーダー「(.+)」の選択中のモードは「(.+)」である$")]
fn selected_mode(w: &mut FacilityWorld, step: &Step, reader: String, label: String) -> StepResult {
    let expected = mode(&label)?;
    let f = w.facility()?;
    let on_terminal = f.terminal_mode(&reader)?;
    let index = f.station_index(&reader)?;
    let on_reader = f.stations[index].reader.mode();
    ensure!(
        on_terminal == expected && on_reader == expected,
        "terminal shows {}, reader is in {}, expected {}",
        on_terminal.label(),
        on_reader.label(),
        expected.label()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^操作は権限がないため拒否される$")]
fn refused_not_admin(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let f = w.facility()?;
    ensure!(
        matches!(f.last_terminal_error, Some(TerminalError::NotAdmin { .. })),
        "expected a refusal for the general account, got {:?}",
        f.last_terminal_error
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^操作は資格確認日が必須のため拒否される$")]
fn refused_no_date(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let f = w.facility()?;
    ensure!(
        matches!(
            f.last_terminal_error,
            Some(TerminalError::ConfirmationDateMissing)
        ),
        "expected 資格確認日 to be required, got {:?}",
        f.last_terminal_error
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^端末画面に無人運転への戻し忘れの警告(が表示される|は表示されない)$")]
fn switch_back_warning(w: &mut FacilityWorld, step: &Step, shown: String) -> StepResult {
    let expected = shown == "が表示される";
    let warned = w.facility()?.switch_back_warning_shown()?;
    ensure!(
        warned == expected,
        "warning shown: {warned}, expected {expected}"
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^端末画面が「(.+)」の画面として記録される$")]
fn operator_screen_named(w: &mut FacilityWorld, step: &Step, label: String) -> StepResult {
    let text = w
        .facility()?
        .operator_screen_text()
        .ok_or_else(|| anyhow!("no operator screen is open"))?;
    w.assert_named_snapshot(&format!("端末 {label}"), &text);
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^患者画面が「(.+)」の画面として記録される$")]
fn patient_screen_named(w: &mut FacilityWorld, step: &Step, label: String) -> StepResult {
    let text = patient_screen(w)?.render();
    w.assert_named_snapshot(
        &format!("患者 {label}"),
        &screens_snapshot(None, Some(&text)),
    );
    w.checkpoint(step);
    Ok(())
}

// ---- result files -------------------------------------------------------------------------

#[then(regex = r"^レセコンの face フォルダに結果ファイルが(\d+)件届く$")]
fn result_files_arrived(w: &mut FacilityWorld, step: &Step, count: usize) -> StepResult {
    let files = w.facility()?.face_folder_files()?;
    ensure!(
        files.len() == count,
        "{} result files: {files:?}",
        files.len()
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^結果ファイルの「(\w+)」は「(.*)」である$")]
fn result_element(
    w: &mut FacilityWorld,
    step: &Step,
    element: String,
    value: String,
) -> StepResult {
    let xml = w.facility()?.last_result_file()?;
    let found = xml.elements(&element);
    ensure!(
        found.iter().any(|v| v == &value),
        "{element} is {found:?}, expected {value:?}"
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^結果ファイルの「InsuredBranchNumber」は先頭のゼロを保っている$")]
fn branch_number_zero(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let xml = w.facility()?.last_result_file()?;
    let found = xml.elements("InsuredBranchNumber");
    ensure!(
        found.iter().any(|v| v.len() == 2 && v.starts_with('0')),
        "InsuredBranchNumber is {found:?}"
    );
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^結果ファイルに本人確認の方法は書かれていない$")]
fn no_method_in_file(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let xml = w.facility()?.last_result_file()?;
    for word in [
        "顔認証",
        "暗証番号",
        "目視",
        "IdentityMethod",
        "Face",
        "Pin",
        "Visual",
    ] {
        ensure!(
            !xml.text.contains(word),
            "the result file mentions {word:?}"
        );
    }
    w.checkpoint(step);
    Ok(())
}

#[then(regex = r"^結果ファイルは ResultList を持つ$")]
fn has_result_list(w: &mut FacilityWorld, step: &Step) -> StepResult {
    let xml = w.facility()?.last_result_file()?;
    ensure!(
        xml.has_element("ResultList"),
        "no ResultList in the result file"
    );
    w.checkpoint(step);
    Ok(())
}
