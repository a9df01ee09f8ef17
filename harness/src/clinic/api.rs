//! The JSON control API under `/api/` (bearer token, see [`super::token`]): read the readers and
//! the terminal, act as the patient at any reader, list and fetch result files, run drills.
//! Every error is a [`ClinicError`] (one mapping to HTTP); a refused request changes nothing.

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDateTime;
use harness_terminal::screen::{render_text, Screen};
use harness_terminal::secret::Token;
use harness_terminal::sessions::SessionInfo;
use harness_terminal::AccountKind;
use serde::{Deserialize, Serialize};

use super::catalog::{camera_choices, camera_label, camera_name, parse_camera, WalletCard};
use super::error::ClinicError;
use super::host::ClinicHost;
use super::patient::{ActionOutcome, PatientAction, PinEntry, ReaderView};
use super::practice::{ActiveView, DrillsView, ReportView};
use super::results::{list_results, read_result, ResultFile};
use super::token::ApiAuth;
use harness_terminal::web::TerminalHost as _;

/// The API's routes (merged into the clinic's router).
pub fn routes() -> Router<ClinicHost> {
    Router::new()
        .route("/api/readers", get(readers))
        .route("/api/readers/{n}", get(reader))
        .route(
            "/api/readers/{n}/card",
            post(place_card).delete(remove_card),
        )
        .route("/api/readers/{n}/visitor", post(visitor))
        .route("/api/readers/{n}/camera", post(camera))
        .route("/api/readers/{n}/camera.png", get(camera_png))
        .route("/api/readers/{n}/touch", post(touch))
        .route("/api/readers/{n}/pin", post(pin))
        .route("/api/cards", get(cards))
        .route("/api/cameras", get(cameras))
        .route("/api/terminal/screen", get(terminal_screen))
        .route("/api/results", get(results))
        .route("/api/results/{name}", get(result))
        .route("/api/drills", get(drills))
        .route("/api/drills/{id}/start", post(start_drill))
        .route("/api/drills/finish", post(finish_drill))
        .route("/api/drills/abort", post(abort_drill))
}

type ApiResult<T> = Result<Json<T>, ClinicError>;

fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, ClinicError> {
    json.map(|Json(t)| t)
        .map_err(|rejection| ClinicError::BadRequest(rejection.body_text()))
}

async fn readers(_: ApiAuth, State(host): State<ClinicHost>) -> ApiResult<Vec<ReaderView>> {
    host.readers_view().await.map(Json)
}

async fn reader(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
) -> ApiResult<ReaderView> {
    let index = host.reader_index(&n)?;
    host.reader_view(index).await.map(Json)
}

/// `POST /api/readers/{n}/card`.
#[derive(Debug, Deserialize)]
struct CardBody {
    /// The card's holder (people.toml id).
    person: String,
}

async fn place_card(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    json: Result<Json<CardBody>, JsonRejection>,
) -> ApiResult<ActionOutcome> {
    let index = host.reader_index(&n)?;
    let CardBody { person } = body(json)?;
    host.act(index, PatientAction::PlaceCard { holder: person })
        .await
        .map(Json)
}

async fn remove_card(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
) -> ApiResult<ActionOutcome> {
    let index = host.reader_index(&n)?;
    host.act(index, PatientAction::RemoveCard).await.map(Json)
}

/// `POST /api/readers/{n}/visitor`.
#[derive(Debug, Deserialize)]
struct VisitorBody {
    /// Who stands there.
    person: String,
    /// Whose card they carry (default: their own).
    card_of: Option<String>,
}

async fn visitor(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    json: Result<Json<VisitorBody>, JsonRejection>,
) -> ApiResult<ActionOutcome> {
    let index = host.reader_index(&n)?;
    let VisitorBody { person, card_of } = body(json)?;
    let card_of = card_of.unwrap_or_else(|| person.clone());
    host.act(index, PatientAction::Arrive { person, card_of })
        .await
        .map(Json)
}

/// `POST /api/readers/{n}/camera`.
#[derive(Debug, Deserialize)]
struct CameraBody {
    /// A scene (`card-holder`, `bandage`, `grown-up-7`, ...) or a fault (`black-frames`, ...).
    camera: String,
}

async fn camera(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    json: Result<Json<CameraBody>, JsonRejection>,
) -> ApiResult<ActionOutcome> {
    let index = host.reader_index(&n)?;
    let condition = parse_camera(&body(json)?.camera)?;
    host.act(index, PatientAction::Camera(condition))
        .await
        .map(Json)
}

async fn camera_png(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
) -> Result<Response, ClinicError> {
    let index = host.reader_index(&n)?;
    host.camera_png(index).await
}

/// `POST /api/readers/{n}/touch`.
#[derive(Debug, Deserialize)]
struct TouchBody {
    /// The button's label as shown inside ［］ (e.g. 顔認証, 暗証番号, 全て同意する).
    label: String,
}

async fn touch(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    json: Result<Json<TouchBody>, JsonRejection>,
) -> ApiResult<ActionOutcome> {
    let index = host.reader_index(&n)?;
    let TouchBody { label } = body(json)?;
    host.act(index, PatientAction::Touch { label })
        .await
        .map(Json)
}

/// `POST /api/readers/{n}/pin`.
#[derive(Debug, Deserialize)]
struct PinBody {
    /// The PIN (never logged).
    pin: PinEntry,
}

async fn pin(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(n): Path<String>,
    json: Result<Json<PinBody>, JsonRejection>,
) -> ApiResult<ActionOutcome> {
    let index = host.reader_index(&n)?;
    let PinBody { pin } = body(json)?;
    host.act(index, PatientAction::Pin(pin)).await.map(Json)
}

async fn cards(_: ApiAuth, State(host): State<ClinicHost>) -> Json<Vec<WalletCard>> {
    Json(host.wallet().to_vec())
}

/// A camera condition offered.
#[derive(Debug, Serialize)]
struct CameraChoice {
    name: String,
    label: String,
}

async fn cameras(_: ApiAuth) -> Json<Vec<CameraChoice>> {
    Json(
        camera_choices()
            .into_iter()
            .map(|c| CameraChoice {
                name: camera_name(c),
                label: camera_label(c),
            })
            .collect(),
    )
}

/// The terminal as an observer sees it.
#[derive(Debug, Serialize)]
struct TerminalView {
    facility_name: String,
    now: NaiveDateTime,
    readers: Vec<TerminalReader>,
    /// 顔認証付きカードリーダー操作 as text, as an observer without a session of its own sees
    /// it (no dialogue, no notice).
    text: String,
}

#[derive(Debug, Serialize)]
struct TerminalReader {
    name: String,
    mode: &'static str,
}

async fn terminal_screen(_: ApiAuth, State(host): State<ClinicHost>) -> ApiResult<TerminalView> {
    let observer = SessionInfo {
        session_id: Token::from_random_bytes([0; 32]),
        csrf_token: Token::from_random_bytes([0; 32]),
        user_id: "API".into(),
        account_kind: AccountKind::General,
    };
    let view = host
        .with_terminal(move |terminal, now| {
            let screen = terminal.reader_screen_for(&observer, now);
            TerminalView {
                facility_name: terminal.facility_name().to_owned(),
                now,
                readers: terminal
                    .readers()
                    .into_iter()
                    .map(|(name, mode)| TerminalReader {
                        name,
                        mode: mode.label(),
                    })
                    .collect(),
                text: render_text(&Screen::Readers(screen)),
            }
        })
        .await
        .map_err(ClinicError::engine)?;
    Ok(Json(view))
}

async fn results(_: ApiAuth, State(host): State<ClinicHost>) -> ApiResult<Vec<ResultFile>> {
    list_results(host.results_root()).map(Json)
}

async fn result(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(name): Path<String>,
) -> Result<Response, ClinicError> {
    let bytes = read_result(host.results_root(), &name)?;
    let mut response = Body::from(bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(response)
}

async fn drills(_: ApiAuth, State(host): State<ClinicHost>) -> Json<DrillsView> {
    Json(host.drills_view())
}

/// `POST /api/drills/{id}/start`.
#[derive(Debug, Deserialize)]
struct StartBody {
    /// The reader number.
    reader: usize,
}

async fn start_drill(
    _: ApiAuth,
    State(host): State<ClinicHost>,
    Path(id): Path<String>,
    json: Result<Json<StartBody>, JsonRejection>,
) -> ApiResult<ActiveView> {
    let StartBody { reader } = body(json)?;
    host.reader_name(reader)?;
    host.start_drill(&id, reader).await.map(Json)
}

async fn finish_drill(_: ApiAuth, State(host): State<ClinicHost>) -> ApiResult<ReportView> {
    host.finish_drill().await.map(Json)
}

async fn abort_drill(_: ApiAuth, State(host): State<ClinicHost>) -> Result<Response, ClinicError> {
    host.abort_drill()?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
