//! The live clinic's control API and pages, in-process (`tower::ServiceExt::oneshot` over the
//! router, the real engine on in-process cards): bad input of every kind gets a clear error and
//! changes nothing; every drill of the seed's causes is walked to success through the API (the
//! patient) and the terminal's own routes (the staff); a drill left in 目視確認 fails.

mod clinic_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use clinic_support::*;
use harness::clinic::drills::{PinCause, DRILLS};
use harness::facility::{CardRef, CardSlot};
use harness::slots::InProcessSlot;
use harness_transport::CardChannel;
use serde_json::{json, Value};

/// Everything the API shows of every reader (to compare before and after a refused request).
async fn state(api: &mut Client) -> Value {
    let reply = api.get("/api/readers").await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()
}

fn error_code(reply: &Reply) -> String {
    reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_request_without_the_token_gets_401_and_changes_nothing() {
    let t = clinic(2);
    let mut api = Client::api(&t.app);
    let before = state(&mut api).await;
    let mut anonymous = Client::anonymous(&t.app);
    let mut wrong = Client::with_token(&t.app, "clinic-test-token-0123456788");
    for client in [&mut anonymous, &mut wrong] {
        for reply in [
            client.get("/api/readers").await,
            client.place(0, "yamada-taro").await,
            client.touch(0, "顔認証").await,
            client.get("/api/results").await,
            client.get("/api/terminal/screen").await,
            client
                .post_json("/api/drills/bandage-face-only/start", json!({"reader": 0}))
                .await,
        ] {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
            assert_eq!(error_code(&reply), "unauthorized");
        }
    }
    assert_eq!(state(&mut api).await, before);
    assert!(api.get("/api/drills").await.json()["active"].is_null());
}

#[tokio::test]
async fn unknown_readers_people_cards_and_results_are_404_and_change_nothing() {
    let t = clinic(2);
    let mut api = Client::api(&t.app);
    let before = state(&mut api).await;
    for (reply, code) in [
        (api.place(2, "yamada-taro").await, "unknown_reader"),
        (api.place(99, "yamada-taro").await, "unknown_reader"),
        (api.get("/api/readers/x").await, "unknown_reader"),
        (api.touch(5, "顔認証").await, "unknown_reader"),
        (api.place(0, "no-such-person").await, "unknown_person"),
        (
            api.post_json(
                "/api/readers/0/visitor",
                json!({"person": "yamada-taro", "card_of": "nobody"}),
            )
            .await,
            "unknown_person",
        ),
        (
            api.get("/api/results/OQSsiquc01res_face_x.xml").await,
            "unknown_result",
        ),
        (
            api.get("/api/results/..%2Faudit.jsonl").await,
            "unknown_result",
        ),
        (
            api.post_json("/api/drills/no-such-drill/start", json!({"reader": 0}))
                .await,
            "unknown_drill",
        ),
    ] {
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
        assert_eq!(error_code(&reply), code, "{}", reply.body);
        assert!(!reply.json()["message"].as_str().unwrap().is_empty());
    }
    for (reply, code) in [
        (
            api.post_json("/api/readers/0/camera", json!({"camera": "blurry"}))
                .await,
            "unknown_camera",
        ),
        (
            api.send(
                Method::POST,
                "/api/readers/0/card",
                "application/json",
                "{".into(),
            )
            .await,
            "bad_request",
        ),
        (
            api.post_json("/api/readers/0/card", json!({})).await,
            "bad_request",
        ),
    ] {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert_eq!(error_code(&reply), code);
    }
    assert_eq!(state(&mut api).await, before);
}

#[tokio::test]
async fn a_button_the_screen_does_not_show_is_409_and_changes_nothing() {
    let t = clinic(2);
    let mut api = Client::api(&t.app);
    assert_eq!(api.place(0, "yamada-taro").await.status, StatusCode::OK);
    let before = state(&mut api).await;
    assert_eq!(
        api.buttons(0).await,
        ["顔認証", "暗証番号", "中止"],
        "{before}"
    );
    for label in ["全て同意する", "OK", "もう一度", "", "顔認証 "] {
        let reply = api.touch(0, label).await;
        assert_eq!(
            reply.status,
            StatusCode::CONFLICT,
            "{label}: {}",
            reply.body
        );
        assert_eq!(error_code(&reply), "button_absent");
        assert!(reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("顔認証、暗証番号、中止"));
    }
    let reply = api
        .post_json("/api/readers/0/pin", json!({"pin": "1234"}))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(error_code(&reply), "not_on_pin_screen");
    // The same card cannot be on two readers; another card cannot join it on reader 0.
    let reply = api.place(1, "yamada-taro").await;
    assert_eq!(error_code(&reply), "card_on_another_reader");
    let reply = api.place(0, "sato-hanako").await;
    assert_eq!(error_code(&reply), "card_already_on_reader");
    let reply = api
        .post_json("/api/readers/0/visitor", json!({"person": "sato-hanako"}))
        .await;
    assert_eq!(error_code(&reply), "card_already_on_reader");
    assert_eq!(
        api.delete("/api/readers/1/card").await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(state(&mut api).await, before);
}

/// A slot whose card appears only when the test opens the gate: the card is "being read".
struct GatedSlot {
    inner: InProcessSlot,
    open: Arc<AtomicBool>,
}

impl CardSlot for GatedSlot {
    fn insert(&mut self, card: &CardRef) -> anyhow::Result<()> {
        self.inner.insert(card)
    }
    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        if self.open.load(Ordering::Acquire) {
            self.inner.poll_inserted()
        } else {
            Ok(None)
        }
    }
    fn remove(&mut self) {
        self.inner.remove()
    }
    fn poll_removed(&mut self) -> bool {
        self.inner.poll_removed()
    }
    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>> {
        self.inner.poll_side_channel()
    }
    fn has_card(&self) -> bool {
        self.inner.has_card()
    }
}

#[tokio::test]
async fn a_second_tab_on_a_reader_whose_card_is_being_read_gets_409_and_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let open = Arc::new(AtomicBool::new(false));
    let slots: Vec<Box<dyn CardSlot>> = (0..2)
        .map(|_| {
            Box::new(GatedSlot {
                inner: InProcessSlot::new(work.path()),
                open: open.clone(),
            }) as Box<dyn CardSlot>
        })
        .collect();
    let t = clinic_with_slots(slots);
    let host = t.clinic.host.clone();
    let mut first_tab = Client::api(&t.app);
    let placing = tokio::spawn(async move { first_tab.place(0, "yamada-taro").await });
    while !host.is_busy(0) {
        tokio::task::yield_now().await;
    }
    let mut second_tab = Client::api(&t.app);
    for reply in [
        second_tab.touch(0, "顔認証").await,
        second_tab
            .post_json("/api/readers/0/camera", json!({"camera": "bandage"}))
            .await,
        second_tab.place(0, "sato-hanako").await,
        second_tab.delete("/api/readers/0/card").await,
    ] {
        assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
        assert_eq!(error_code(&reply), "reader_busy");
        assert!(reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("別の画面で操作中"));
    }
    open.store(true, Ordering::Release);
    let placed = placing.await.unwrap();
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    let reader = second_tab.reader(0).await;
    assert_eq!(reader["card_on_reader"], "yamada-taro");
    assert_eq!(
        reader["camera"], "card-holder",
        "the refused camera change did nothing"
    );
    assert_eq!(reader["busy"], false);
}

#[tokio::test]
async fn the_general_account_cannot_switch_and_a_post_without_csrf_is_refused() {
    let t = clinic(2);
    let mut staff = Client::anonymous(&t.app);
    assert_eq!(
        staff.login("staff", STAFF_PW).await.status,
        StatusCode::SEE_OTHER
    );
    let refused = staff.switch_mode(R0, "visual_check").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let mut admin = Client::anonymous(&t.app);
    admin.login("admin", ADMIN_PW).await;
    let reply = admin
        .post_form("/readers/mode", &[("reader", R0), ("mode", "visual_check")])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = admin
        .post_form("/patient/0/card", &[("holder", "yamada-taro")])
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let mut api = Client::api(&t.app);
    let readers = state(&mut api).await;
    for reader in readers.as_array().unwrap() {
        assert_eq!(reader["terminal_mode"], "無人運転");
        assert_eq!(reader["mode"], "無人運転");
        assert!(reader["card_on_reader"].is_null());
    }
    // The patient page needs a login too.
    let page = Client::anonymous(&t.app).get("/patient/0").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_patient_page_acts_through_forms_with_csrf() {
    let t = clinic(2);
    let mut tab = Client::anonymous(&t.app);
    tab.login("staff", STAFF_PW).await;
    let page = tab.get("/patient/1").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "カードリーダーの画面",
        "マイナンバーカードを置いてください",
        "佐藤　花子",
        "顔認証マイナンバーカード",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let csrf = page.csrf();
    let placed = tab
        .post_form(
            "/patient/1/card",
            &[("csrf", &csrf), ("holder", "sato-hanako")],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    let page = tab.get("/patient/1").await;
    assert!(
        page.body.contains(r#"data-label="顔認証""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"data-label="暗証番号""#));
    let refused = tab
        .post_form(
            "/patient/1/touch",
            &[("csrf", &csrf), ("label", "暗証番号")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("［暗証番号］のボタンはありません"));
    let png = tab.get("/patient/1/camera.png").await;
    assert_eq!(png.status, StatusCode::OK);
    let photo = tab.get("/patient/1/card-photo.png").await;
    assert_eq!(photo.status, StatusCode::OK);
    let menu = tab.get("/menu").await;
    assert!(menu.body.contains("/patient/0") && menu.body.contains("/drills"));
}

/// The patient tries what they can at the reader until it asks them to see the staff: face
/// (fails by the drill's cause) and, for a forgotten PIN, three wrong PINs.
async fn patient_fails_at_the_reader(api: &mut Client, n: usize, person: &str, pin: PinCause) {
    let placed = api.place(n, person).await;
    assert_eq!(placed.status, StatusCode::OK, "{}", placed.body);
    let buttons = api.buttons(n).await;
    assert!(buttons.contains(&"顔認証".to_owned()), "{buttons:?}");
    assert_eq!(
        buttons.contains(&"暗証番号".to_owned()),
        pin == PinCause::ForgottenPin,
        "{buttons:?}"
    );
    api.touch(n, "顔認証").await;
    for _ in 0..10 {
        let buttons = api.buttons(n).await;
        if buttons.contains(&"もう一度".to_owned()) {
            api.touch(n, "もう一度").await;
        } else if buttons.contains(&"暗証番号で認証".to_owned()) {
            assert_eq!(pin, PinCause::ForgottenPin);
            api.touch(n, "暗証番号で認証").await;
        } else if buttons.contains(&"OK".to_owned()) {
            let reply = api
                .post_json(&format!("/api/readers/{n}/pin"), json!({"pin": "9999"}))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        } else if buttons.contains(&"中止".to_owned()) {
            assert_eq!(pin, PinCause::FaceOnlyCard, "{buttons:?}");
            api.touch(n, "中止").await;
        } else {
            break;
        }
    }
    let screen = api.reader(n).await["screen"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        screen.contains("受付にお声かけください") || screen.contains("中止しました"),
        "{screen}"
    );
    assert!(!screen.contains("受付が完了しました"), "{screen}");
    assert_eq!(
        api.delete(&format!("/api/readers/{n}/card")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_drill_of_the_seed_is_walked_to_success() {
    for (i, drill) in DRILLS.iter().enumerate() {
        let t = clinic(2);
        let n = i % 2;
        let reader = reader_names(2)[n].clone();
        let mut api = Client::api(&t.app);
        let started = api
            .post_json(
                &format!("/api/drills/{}/start", drill.id),
                json!({"reader": n}),
            )
            .await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.body);
        let at = api.reader(n).await;
        assert_eq!(at["visitor"]["person"], drill.person);
        patient_fails_at_the_reader(&mut api, n, drill.person, drill.pin).await;

        // ① ② as admin, through 切替の確認 and 切替の完了.
        let mut staff = Client::anonymous(&t.app);
        assert_eq!(
            staff.login("admin", ADMIN_PW).await.status,
            StatusCode::SEE_OTHER
        );
        let switched = staff.switch_mode(&reader, "visual_check").await;
        assert!(switched.status.is_redirection(), "{}", switched.body);
        assert_eq!(api.reader(n).await["mode"], "目視確認", "{}", drill.id);
        // ③ ④ the card photo the patient shows; ⑤ the tick.
        let photo = api.get(&format!("/api/readers/{n}/camera.png")).await;
        assert!(photo.status == StatusCode::OK || photo.status == StatusCode::NO_CONTENT);
        let ticked = staff.tick(&reader, &today_jst()).await;
        assert_eq!(ticked.status, StatusCode::OK, "{}", ticked.body);
        // ⑥ card and consents: one result file, 有効.
        assert_eq!(api.place(n, drill.person).await.status, StatusCode::OK);
        let results = api.agree_to_all(n).await;
        assert_eq!(results.len(), 1, "{}: {results:?}", drill.id);
        let file = api.get(&format!("/api/results/{}", results[0])).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(
            file.body
                .contains("<QualificationValidity>1</QualificationValidity>"),
            "{}",
            file.body
        );
        let screen = api.reader(n).await["screen"]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(screen.contains("受付が完了しました"), "{screen}");
        api.delete(&format!("/api/readers/{n}/card")).await;
        // ⑦ back to 無人運転.
        staff.switch_mode(&reader, "unattended").await;
        assert_eq!(api.reader(n).await["mode"], "無人運転");

        let report = api.post_json("/api/drills/finish", json!({})).await;
        assert_eq!(report.status, StatusCode::OK);
        let report = report.json();
        assert_eq!(report["passed"], true, "{}: {report}", drill.id);
        assert_eq!(report["findings"], json!([]), "{}", drill.id);
        let listed = api.get("/api/results").await.json();
        assert!(listed
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == results[0].as_str() && f["folder"] == "face"));
    }
}

#[tokio::test]
async fn a_drill_left_in_visual_check_fails_and_says_so() {
    let t = clinic(2);
    let mut api = Client::api(&t.app);
    api.post_json("/api/drills/bandage-face-only/start", json!({"reader": 1}))
        .await;
    let again = api
        .post_json("/api/drills/injury-face-only/start", json!({"reader": 0}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(error_code(&again), "drill_running");
    let mut staff = Client::anonymous(&t.app);
    staff.login("admin", ADMIN_PW).await;
    // The wrong reader first, then the right one; never switched back.
    staff.switch_mode(R0, "visual_check").await;
    staff.switch_mode(R1, "visual_check").await;
    staff.tick(R1, &today_jst()).await;
    api.place(1, "sato-hanako").await;
    assert_eq!(api.agree_to_all(1).await.len(), 1);
    let report = api.post_json("/api/drills/finish", json!({})).await.json();
    assert_eq!(report["passed"], false, "{report}");
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("患者のいないカードリーダー") && m.contains(R0)),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("目視確認のまま") && m.contains(R1)),
        "{messages:?}"
    );
    // A new drill cannot start while a reader is left in 目視確認.
    let blocked = api
        .post_json("/api/drills/injury-face-only/start", json!({"reader": 0}))
        .await;
    assert_eq!(error_code(&blocked), "reader_not_unattended");
}

#[tokio::test]
async fn the_terminal_screen_and_results_are_readable() {
    let t = clinic(2);
    let mut api = Client::api(&t.app);
    let screen = api.get("/api/terminal/screen").await;
    assert_eq!(screen.status, StatusCode::OK);
    let screen = screen.json();
    assert!(screen["text"].as_str().unwrap().contains(R1), "{screen}");
    assert_eq!(screen["readers"][0]["mode"], "無人運転");
    // A PIN visit gives one result file, listed and readable.
    api.place(0, "yamada-taro").await;
    api.touch(0, "暗証番号").await;
    api.post_json("/api/readers/0/pin", json!({"pin": "1234"}))
        .await;
    let results = api.agree_to_all(0).await;
    assert_eq!(results.len(), 1);
    let listed = api.get("/api/results").await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let raw = api.get(&format!("/api/results/{}", results[0])).await;
    assert!(raw.body.starts_with("<?xml"), "{}", raw.body);
}

#[tokio::test]
async fn requests_in_req_are_answered_in_res_and_listed() {
    use harness_eligibility::{
        render_request_xml, CardSearch, CharacterCode, QualificationRequest,
    };
    let t = clinic(2);
    let request = render_request_xml(&QualificationRequest {
        medical_institution_code: Some("1312345678".into()),
        arbitrary_file_identifier: Some("rq-1".into()),
        qualification_confirmation_date: None,
        character_code: CharacterCode::Utf8,
        limit_application_consent: false,
        arbitrary_identifier: None,
        search: CardSearch {
            insurer_number: "01130012".into(),
            insured_card_symbol: "12345678".into(),
            insured_identification_number: "1001".into(),
            insured_branch_number: "01".into(),
            birth: chrono::NaiveDate::from_ymd_opt(1980, 4, 1).unwrap(),
        },
    });
    let root = t.dir.path().join("oqs");
    std::fs::write(root.join("req/OQSsiquc01req_0001.xml"), request).unwrap();
    let done = t.clinic.answer_requests().await.unwrap();
    assert_eq!(done.len(), 1);
    assert!(!root.join("req/OQSsiquc01req_0001.xml").exists());
    let mut api = Client::api(&t.app);
    let listed = api.get("/api/results").await.json();
    assert_eq!(listed[0]["folder"], "res", "{listed}");
    let answer = api.get("/api/results/OQSsiquc01res_0001.xml").await;
    assert!(
        answer
            .body
            .contains("<QualificationValidity>1</QualificationValidity>"),
        "{}",
        answer.body
    );
}
