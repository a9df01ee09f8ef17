use std::path::Path;
use std::time::Duration;

use super::*;
use crate::report::{
    ApduRecord, DeviceRecord, FaceRecord, NotRun, ResultFileRecord, ScenarioArtifacts, StepRecord,
    Totals,
};

const NASTY: &str = "<script>alert('x')</script>&\"";

fn scenario(name: &str, status: StepStatus) -> ScenarioRecord {
    ScenarioRecord {
        feature: "機能<script>".into(),
        scenario: name.into(),
        steps: vec![StepRecord {
            keyword: "もし".into(),
            text: "患者が<b>カード</b>を置く & 待つ".into(),
            status,
            background: false,
            duration: Some(Duration::from_millis(12)),
        }],
        artifacts: ScenarioArtifacts {
            notes: vec!["\"quoted\" 'single'".into()],
            ..ScenarioArtifacts::default()
        },
    }
}

fn render(scenarios: &[ScenarioRecord], not_run: &[NotRun]) -> String {
    render_html("t", "in-process", scenarios, not_run, Path::new("."))
}

#[test]
fn totals_count_failed_and_skipped_scenarios_as_failed() {
    let s = [
        scenario("a", StepStatus::Passed),
        scenario("b", StepStatus::Failed("boom".into())),
        scenario("c", StepStatus::Skipped),
    ];
    assert_eq!(
        totals(&s),
        Totals {
            passed: 1,
            failed: 2
        }
    );
}

#[test]
fn every_text_from_features_worlds_and_runs_is_escaped() {
    let mut s = scenario(NASTY, StepStatus::Failed(NASTY.into()));
    s.feature = NASTY.into();
    s.steps[0].keyword = NASTY.into();
    s.steps[0].text = NASTY.into();
    s.artifacts = ScenarioArtifacts {
        screens: vec![ScreenRecord {
            after_step: NASTY.into(),
            operator: Some(NASTY.into()),
            patient: Some(NASTY.into()),
            operator_html: None,
            patient_html: None,
        }],
        faces: vec![FaceRecord {
            png: vec![1, 2, 3],
            summary: NASTY.into(),
        }],
        apdu_trace: vec![NASTY.into()],
        apdus: vec![ApduRecord {
            reader: NASTY.into(),
            command: vec![0x00, 0xB0, 0x00, 0x00, 0x01],
            response: Err(NASTY.into()),
            at: Duration::ZERO,
            took: Duration::ZERO,
            card_placed: true,
        }],
        result_files: vec![ResultFileRecord {
            reader: NASTY.into(),
            outcome: NASTY.into(),
            path: std::path::PathBuf::from(format!("/nonexistent/{NASTY}.xml")),
        }],
        devices: vec![DeviceRecord {
            reader: NASTY.into(),
            device: Some(NASTY.into()),
            atr: Some(vec![0x3B, 0x00]),
        }],
        notes: vec![NASTY.into()],
    };
    let html = render_html(
        NASTY,
        NASTY,
        &[s],
        &[(NASTY.into(), NASTY.into(), NASTY.into())],
        Path::new("."),
    );
    // The page's own script is the only one.
    assert_eq!(html.matches("<script>").count(), 1, "{html}");
    assert!(!html.contains("alert('x')"), "{html}");
    assert!(!html.contains("&\""), "{html}");
    let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;";
    // Title twice, transport, feature (list and heading), scenario (list and summary), keyword,
    // text, failure, after-step (ja and en), operator and patient text, face caption, reader of
    // the trace, channel error, result file reader and outcome, device reader and name, note,
    // not-run feature, scenario and reason.
    assert_eq!(html.matches(escaped).count(), 25, "{html}");
    // The result file's link is a URL path: percent-encoded, not merely escaped.
    assert!(
        html.contains("%3Cscript%3Ealert%28%27x%27%29%3C/script%3E%26%22.xml\""),
        "{html}"
    );
}

#[test]
fn the_operator_page_is_sandboxed_and_escaped_into_srcdoc() {
    let mut s = scenario("a", StepStatus::Passed);
    s.artifacts.screens = vec![ScreenRecord {
        after_step: "ログインする".into(),
        operator: Some("text".into()),
        patient: None,
        operator_html: Some("<!DOCTYPE html><p class=\"x\">端末 & 画面</p>".into()),
        patient_html: Some("<div class=\"patient-screen\">P</div>".into()),
    }];
    let html = render(&[s], &[]);
    assert!(
        html.contains(
            "<iframe sandbox title=\"資格確認端末の画面\" srcdoc=\"&lt;!DOCTYPE html&gt;&lt;p class=&quot;x&quot;&gt;端末 &amp; 画面&lt;/p&gt;\"></iframe>"
        ),
        "{html}"
    );
    assert!(html.contains("<div class=\"patient-screen\">P</div>"));
    assert!(
        html.contains(".patient-screen{"),
        "the fragment's style is on the page"
    );
}

#[test]
fn screens_are_drawn_only_when_they_changed() {
    let record = |step: &str, operator: &str, patient: &str| ScreenRecord {
        after_step: step.into(),
        operator: Some(operator.into()),
        patient: Some(patient.into()),
        operator_html: Some(format!("<p>{operator}</p>")),
        patient_html: Some(format!("<div class=\"patient-screen\">{patient}</div>")),
    };
    let mut s = scenario("a", StepStatus::Passed);
    s.artifacts.screens = vec![
        record("一", "menu", "place"),
        record("二", "menu", "place"),
        record("三", "readers", "place"),
        record("四", "readers", "done"),
    ];
    let html = render(&[s], &[]);
    assert_eq!(html.matches("<iframe").count(), 2, "{html}");
    assert_eq!(
        html.matches("class=\"patient-screen\"").count(),
        2,
        "{html}"
    );
    assert_eq!(html.matches("変化なし（両画面とも）").count(), 1, "{html}");
    // Step 三: the patient screen is unchanged; step 四: the operator screen.
    assert_eq!(html.matches(">変化なし</span>").count(), 2, "{html}");
}

#[test]
fn the_list_links_every_scenario_and_counts_the_not_run() {
    let html = render(
        &[
            scenario("通る", StepStatus::Passed),
            scenario("落ちる", StepStatus::Failed("理由".into())),
        ],
        &[(
            "ベンチ".into(),
            "二台のリーダー".into(),
            "このベンチにはリーダーが 1 台しかありません".into(),
        )],
    );
    assert!(
        html.contains("<li class=\"pass\">✔ <a href=\"#s1\">通る</a></li>"),
        "{html}"
    );
    assert!(
        html.contains("<li class=\"fail\">✘ <a href=\"#s2\">落ちる</a></li>"),
        "{html}"
    );
    assert!(html.contains("id=\"s1\""));
    assert!(
        html.contains("id=\"s2\" open"),
        "failed scenarios start open"
    );
    assert!(html.contains("合格 1 件") && html.contains("不合格 1 件"));
    assert!(html.contains("未実行 1 件"), "{html}");
    assert!(html.contains("このベンチにはリーダーが 1 台しかありません"));
    assert!(html.contains("<span class=\"ja\">失敗:</span>"));
    assert!(html.contains("12 ミリ秒"));
}

#[test]
fn an_image_shown_again_refers_to_its_first_copy() {
    let face = |png: &[u8]| FaceRecord {
        png: png.to_vec(),
        summary: "顔認証 一致".into(),
    };
    let mut a = scenario("a", StepStatus::Passed);
    a.artifacts.faces = vec![face(b"same"), face(b"other")];
    let mut b = scenario("b", StepStatus::Passed);
    b.artifacts.faces = vec![face(b"same")];
    let html = render(&[a, b], &[]);
    // base64 of "same" and "other".
    assert_eq!(html.matches("base64,c2FtZQ==").count(), 1, "{html}");
    assert_eq!(html.matches("base64,b3RoZXI=").count(), 1, "{html}");
    assert!(html.contains("<img id=\"img1\" alt=\"カメラの画像と券面の顔写真\" src=\"data:image/png;base64,c2FtZQ==\">"));
    assert!(
        html.contains("<img alt=\"カメラの画像と券面の顔写真\" data-same-as=\"img1\">"),
        "{html}"
    );
}
