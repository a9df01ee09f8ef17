//! `/drills`: choose a drill and a reader, practise ①–⑦ on the terminal's screen and the
//! patient's page, then 採点する (check) to see what was missed.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash as _, Hasher as _};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use harness_terminal::html::csrf_field;
use harness_terminal::sessions::SessionInfo;
use harness_terminal::web::{StaffForm, StaffSession};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

use super::layout::{error_notice, frame, nav, page_response, NoFields};
use crate::clinic::error::ClinicError;
use crate::clinic::host::ClinicHost;
use crate::clinic::practice::DrillsView;

/// The procedure sheet's steps, shown as a reference (別添2).
const STEPS: [&str; 7] = [
    "① 資格確認端末からログインし、「顔認証付きカードリーダー操作」を押す（管理アカウント）",
    "② 患者が使っているカードリーダーの「目視確認」を押し、目視確認モードに切り替える",
    "③ マイナンバーカード券面の顔写真を、患者に提示してもらう",
    "④ 顔写真を目視で確認し、本人確認を行う",
    "⑤ 本人であれば「目視で本人確認完了」にチェックを入れる（資格確認日は必須）",
    "⑥ 患者にカードをカードリーダーに置いてもらい、同意を選択してもらう",
    "⑦ 患者の操作が終わったら「無人運転」に戻す",
];

/// `GET /drills`.
pub(super) async fn page(
    State(host): State<ClinicHost>,
    StaffSession(session): StaffSession,
) -> Response {
    render(&host, &session, None)
}

fn revision(view: &DrillsView) -> String {
    let mut hasher = DefaultHasher::new();
    view.active
        .as_ref()
        .map(|a| (a.drill.id, a.reader_index))
        .hash(&mut hasher);
    view.last
        .as_ref()
        .map(|l| (l.drill.id, l.passed, l.findings.len()))
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

fn render(host: &ClinicHost, session: &SessionInfo, error: Option<ClinicError>) -> Response {
    let view = host.drills_view();
    let status = error.as_ref().map_or(StatusCode::OK, ClinicError::status);
    let body = frame(
        session,
        "練習（目視確認モード）",
        host.facility_name(),
        ("/drills/state", &revision(&view)),
        content(host, &view, session, error.as_ref()),
    );
    page_response(status, body)
}

fn content(
    host: &ClinicHost,
    view: &DrillsView,
    session: &SessionInfo,
    error: Option<&ClinicError>,
) -> Markup {
    let csrf = session.csrf_token.expose();
    html! {
        (nav(host))
        (error_notice(error))
        p { "「顔認証」も「暗証番号」もできない患者が来ます。資格確認端末の画面と患者側の画面で手順①〜⑦を行い、最後に「採点する」を押してください。" }
        @if let Some(last) = &view.last {
            div #drill-report class=(if last.passed { "passed" } else { "failed" }) {
                p { strong {
                    @if last.passed { "合格: " } @else { "不合格: " }
                    (last.drill.title) "（" (last.reader) "）"
                } }
                @if last.findings.is_empty() {
                    p { "手順どおりにできました。" }
                }
                ul {
                    @for finding in &last.findings {
                        li class=(if finding.fails { "finding missed" } else { "finding remark" }) {
                            @if !finding.fails { "（注意）" }
                            (finding.message)
                        }
                    }
                }
            }
        }
        @match &view.active {
            Some(active) => {
                div.drill #drill-active {
                    p { strong { "実施中: " (active.drill.title) } }
                    p { "場所: " a href=(format!("/patient/{}", active.reader_index)) { (active.reader) } }
                    p { "カメラ: " (active.drill.camera_label) }
                    p { (active.drill.briefing) }
                    form method="post" action="/drills/finish" {
                        (csrf_field(csrf))
                        button type="submit" #drill-finish { "採点する" }
                    }
                    " "
                    form method="post" action="/drills/abort" {
                        (csrf_field(csrf))
                        button type="submit" #drill-abort { "中止する" }
                    }
                }
            }
            None => {
                section {
                    h3 { "練習を選ぶ" }
                    form method="post" action="/drills/start" {
                        (csrf_field(csrf))
                        @for (i, drill) in view.drills.iter().enumerate() {
                            p { label {
                                input type="radio" name="drill" value=(drill.id) checked[i == 0];
                                " " (drill.title)
                            } }
                        }
                        label { "カードリーダー " select name="reader" #drill-reader {
                            @for (i, name) in host.reader_names().iter().enumerate() {
                                option value=(i) { (i) ": " (name) }
                            }
                        } }
                        " " button type="submit" #drill-start { "練習を始める" }
                    }
                }
            }
        }
        details {
            summary { "手順（「目視確認モード」を使って資格確認を行ってください 別添2）" }
            ol { @for step in STEPS { li { (step) } } }
        }
    }
}

/// What the page polls.
#[derive(Debug, Serialize)]
pub(super) struct PageState {
    revision: String,
}

/// `GET /drills/state`.
pub(super) async fn state(
    State(host): State<ClinicHost>,
    StaffSession(_): StaffSession,
) -> Json<PageState> {
    Json(PageState {
        revision: revision(&host.drills_view()),
    })
}

/// The start form.
#[derive(Debug, Deserialize)]
pub(super) struct StartForm {
    drill: String,
    reader: String,
}

pub(super) async fn start(State(host): State<ClinicHost>, form: StaffForm<StartForm>) -> Response {
    let StartForm { drill, reader } = form.form;
    let started = match host.reader_index(&reader) {
        Ok(index) => host.start_drill(&drill, index).await,
        Err(e) => Err(e),
    };
    match started {
        Ok(active) => Redirect::to(&format!("/patient/{}", active.reader_index)).into_response(),
        Err(error) => render(&host, &form.session, Some(error)),
    }
}

pub(super) async fn finish(State(host): State<ClinicHost>, form: StaffForm<NoFields>) -> Response {
    match host.finish_drill().await {
        Ok(_) => Redirect::to("/drills").into_response(),
        Err(error) => render(&host, &form.session, Some(error)),
    }
}

pub(super) async fn abort(State(host): State<ClinicHost>, form: StaffForm<NoFields>) -> Response {
    match host.abort_drill() {
        Ok(()) => Redirect::to("/drills").into_response(),
        Err(error) => render(&host, &form.session, Some(error)),
    }
}
