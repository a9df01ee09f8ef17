//! `/patient/<n>`: the patient's side of reader n — its touchscreen with real buttons, the camera
//! and who stands in front of it, the card photo the patient shows staff (seed step ③), and a
//! wallet of every fixture card to place on the reader or take off.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use harness_face::camera::DeviceFault;
use harness_terminal::html::csrf_field;
use harness_terminal::sessions::SessionInfo;
use harness_terminal::web::{StaffForm, StaffSession};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

use super::layout::{error_notice, frame, nav, page_response, NoFields};
use crate::clinic::catalog::{camera_choices, camera_label, camera_name, parse_camera};
use crate::clinic::error::ClinicError;
use crate::clinic::host::ClinicHost;
use crate::clinic::patient::{PatientAction, ReaderView};
use crate::clinic::practice::ActiveView;
use crate::facility::CameraCondition;

/// `GET /patient/<n>`.
pub(super) async fn page(
    State(host): State<ClinicHost>,
    StaffSession(session): StaffSession,
    Path(n): Path<String>,
) -> Response {
    render(&host, &session, &n, None).await
}

/// The page, with an action's error when there was one (its status is the error's).
async fn render(
    host: &ClinicHost,
    session: &SessionInfo,
    n: &str,
    error: Option<ClinicError>,
) -> Response {
    let index = match host.reader_index(n) {
        Ok(index) => index,
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    let readers = match host.readers_view().await {
        Ok(readers) => readers,
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    let Some(view) = readers.get(index) else {
        return ClinicError::UnknownReader(n.to_owned()).into_response();
    };
    let drill = host.drills_view().active;
    let status = error.as_ref().map_or(StatusCode::OK, ClinicError::status);
    let title = format!("患者側（カードリーダー {index}）");
    let state_url = format!("/patient/{index}/state");
    let body = frame(
        session,
        &title,
        host.facility_name(),
        (&state_url, &page_revision(&readers, drill.as_ref())),
        content(
            host,
            view,
            &readers,
            drill.as_ref(),
            session,
            error.as_ref(),
        ),
    );
    page_response(status, body)
}

fn content(
    host: &ClinicHost,
    view: &ReaderView,
    readers: &[ReaderView],
    drill: Option<&ActiveView>,
    session: &SessionInfo,
    error: Option<&ClinicError>,
) -> Markup {
    let csrf = session.csrf_token.expose();
    let base = format!("/patient/{}", view.index);
    html! {
        (nav(host))
        (error_notice(error))
        @if let Some(drill) = drill.filter(|d| d.reader_index == view.index) {
            div.drill {
                p { strong { "練習中: " (drill.drill.title) } }
                p { (drill.drill.briefing) }
            }
        }
        p.reader-name { (view.name) "（" (view.mode) "）" }
        section {
            h3 { "カードリーダーの画面" }
            div.screen #patient-screen {
                pre { (view.screen.text) }
                @for label in &view.screen.buttons {
                    form method="post" action=(format!("{base}/touch")) {
                        (csrf_field(csrf))
                        input type="hidden" name="label" value=(label);
                        button.touch type="submit" data-label=(label) { (label) }
                    }
                }
            }
        }
        (camera_section(&base, view, csrf))
        (visitor_section(host, &base, view, csrf))
        (wallet_section(host, &base, view, readers, csrf))
    }
}

fn camera_section(base: &str, view: &ReaderView, csrf: &str) -> Markup {
    let condition = parse_camera(&view.camera).ok();
    let no_frames = matches!(
        condition,
        Some(CameraCondition::Fault(
            DeviceFault::Missing | DeviceFault::NoFrames
        ))
    );
    html! {
        section {
            h3 { "カメラ" }
            @if view.visitor.is_some() && !no_frames {
                img #camera-frame src=(format!("{base}/camera.png?r={}", view.revision))
                    alt=(format!("カメラの映像: {}", view.camera_label)) width="320" height="240";
            } @else {
                p #camera-frame { "（映像なし）" }
            }
            p { "映っているもの: " (view.camera_label) }
            form method="post" action=(format!("{base}/camera")) {
                (csrf_field(csrf))
                select name="camera" #camera-choice {
                    @for choice in camera_choices() {
                        @let name = camera_name(choice);
                        option value=(name) selected[name == view.camera] { (camera_label(choice)) }
                    }
                }
                " " button type="submit" #camera-set { "カメラの状態を変える" }
            }
        }
    }
}

fn person_name<'a>(host: &'a ClinicHost, id: &'a str) -> &'a str {
    host.people()
        .iter()
        .find(|(pid, _)| pid == id)
        .map_or(id, |(_, name)| name.as_str())
}

fn visitor_section(host: &ClinicHost, base: &str, view: &ReaderView, csrf: &str) -> Markup {
    html! {
        section {
            h3 { "カードリーダーの前にいる人" }
            @match &view.visitor {
                Some(visitor) => {
                    p #visitor {
                        (person_name(host, &visitor.person))
                        @if visitor.card_of == visitor.person {
                            "（本人のカードを持っています）"
                        } @else {
                            "（" (person_name(host, &visitor.card_of)) "さんのカードを持っています）"
                        }
                    }
                    h4 { "③ 券面の顔写真（患者が職員に提示する）" }
                    @if visitor.card_has_photo {
                        img #card-photo src=(format!("{base}/card-photo.png?r={}", view.revision))
                            alt="マイナンバーカード券面の顔写真";
                    } @else {
                        p #card-photo { "このカードには顔写真がありません（1歳未満の子どものカード）" }
                    }
                }
                None => { p #visitor { "（誰もいません）" } }
            }
            form method="post" action=(format!("{base}/visitor")) {
                (csrf_field(csrf))
                label { "立つ人 " select name="person" #visitor-person {
                    @for (id, name) in host.people() {
                        option value=(id) selected[view.visitor.as_ref().is_some_and(|v| &v.person == id)] { (name) }
                    }
                } }
                " "
                label { "持っているカード " select name="card_of" #visitor-card {
                    option value="" { "本人のカード" }
                    @for (id, name) in host.people() {
                        option value=(id) { (name) "さんのカード" }
                    }
                } }
                " " button type="submit" #visitor-set { "この人が立つ" }
            }
        }
    }
}

fn wallet_section(
    host: &ClinicHost,
    base: &str,
    view: &ReaderView,
    readers: &[ReaderView],
    csrf: &str,
) -> Markup {
    html! {
        section {
            h3 { "カード" }
            table #wallet {
                tr { th { "カードの持ち主" } th { "カード" } th { "いまの場所" } th {} }
                @for card in host.wallet() {
                    @let on = readers.iter().find(|r| r.card_on_reader.as_deref() == Some(card.holder.as_str()));
                    tr {
                        td { (card.name) }
                        td { (card.label) }
                        td {
                            @match on {
                                Some(r) if r.index == view.index => { "このカードリーダーの上" }
                                Some(r) => { "カードリーダー " (r.index) " の上" }
                                None => { "手元" }
                            }
                        }
                        td {
                            @match on {
                                Some(r) if r.index == view.index => {
                                    form method="post" action=(format!("{base}/card/remove")) {
                                        (csrf_field(csrf))
                                        button type="submit" #remove-card { "カードを取る" }
                                    }
                                }
                                Some(_) => {}
                                None => {
                                    @if view.card_on_reader.is_none() {
                                        form method="post" action=(format!("{base}/card")) {
                                            (csrf_field(csrf))
                                            input type="hidden" name="holder" value=(card.holder);
                                            button type="submit" id=(format!("place-{}", card.holder)) { "このカードリーダーに置く" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the page polls.
#[derive(Debug, Serialize)]
pub(super) struct PageState {
    revision: String,
}

/// What the page shows changes with any reader (the wallet shows where every card lies) and
/// with the running drill.
fn page_revision(readers: &[ReaderView], drill: Option<&ActiveView>) -> String {
    let mut revision: String = readers.iter().map(|r| r.revision.as_str()).collect();
    if let Some(drill) = drill {
        revision.push_str(drill.drill.id);
    }
    revision
}

/// `GET /patient/<n>/state`.
pub(super) async fn state(
    State(host): State<ClinicHost>,
    StaffSession(_): StaffSession,
    Path(n): Path<String>,
) -> Result<Json<PageState>, ClinicError> {
    host.reader_index(&n)?;
    let readers = host.readers_view().await?;
    let drill = host.drills_view().active;
    Ok(Json(PageState {
        revision: page_revision(&readers, drill.as_ref()),
    }))
}

/// `GET /patient/<n>/camera.png`.
pub(super) async fn camera_png(
    State(host): State<ClinicHost>,
    StaffSession(_): StaffSession,
    Path(n): Path<String>,
) -> Result<Response, ClinicError> {
    let index = host.reader_index(&n)?;
    host.camera_png(index).await
}

/// `GET /patient/<n>/card-photo.png`.
pub(super) async fn card_photo_png(
    State(host): State<ClinicHost>,
    StaffSession(_): StaffSession,
    Path(n): Path<String>,
) -> Result<Response, ClinicError> {
    let index = host.reader_index(&n)?;
    host.card_photo_png(index).await
}

/// Does `action` and goes back to the page (303), or shows the page with the error.
async fn act(host: ClinicHost, session: SessionInfo, n: String, action: PatientAction) -> Response {
    let result = match host.reader_index(&n) {
        Ok(index) => host.act(index, action).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/patient/{n}")).into_response(),
        Err(error) => render(&host, &session, &n, Some(error)).await,
    }
}

/// A button of the screen.
#[derive(Debug, Deserialize)]
pub(super) struct TouchForm {
    label: String,
}

pub(super) async fn touch(
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    form: StaffForm<TouchForm>,
) -> Response {
    let label = form.form.label;
    act(host, form.session, n, PatientAction::Touch { label }).await
}

/// A card of the wallet.
#[derive(Debug, Deserialize)]
pub(super) struct CardForm {
    holder: String,
}

pub(super) async fn place_card(
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    form: StaffForm<CardForm>,
) -> Response {
    let holder = form.form.holder;
    act(host, form.session, n, PatientAction::PlaceCard { holder }).await
}

pub(super) async fn remove_card(
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    form: StaffForm<NoFields>,
) -> Response {
    act(host, form.session, n, PatientAction::RemoveCard).await
}

/// Who stands at the reader.
#[derive(Debug, Deserialize)]
pub(super) struct VisitorForm {
    person: String,
    card_of: Option<String>,
}

pub(super) async fn visitor(
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    form: StaffForm<VisitorForm>,
) -> Response {
    let VisitorForm { person, card_of } = form.form;
    let card_of = card_of
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| person.clone());
    act(
        host,
        form.session,
        n,
        PatientAction::Arrive { person, card_of },
    )
    .await
}

/// What the camera shows.
#[derive(Debug, Deserialize)]
pub(super) struct CameraForm {
    camera: String,
}

pub(super) async fn camera(
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    form: StaffForm<CameraForm>,
) -> Response {
    match parse_camera(&form.form.camera) {
        Ok(condition) => act(host, form.session, n, PatientAction::Camera(condition)).await,
        Err(error) => render(&host, &form.session, &n, Some(error)).await,
    }
}
