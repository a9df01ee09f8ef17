//! The pages' routes (画面の経路): the patient side of each reader, the drills, and the polling
//! script.

use axum::routing::{get, post};
use axum::Router;

use super::layout::{script, SCRIPT_PATH};
use super::{patient, practice};
use crate::clinic::host::ClinicHost;

/// The pages' routes.
pub fn routes() -> Router<ClinicHost> {
    Router::new()
        .route("/patient/{n}", get(patient::page))
        .route("/patient/{n}/state", get(patient::state))
        .route("/patient/{n}/camera.png", get(patient::camera_png))
        .route("/patient/{n}/card-photo.png", get(patient::card_photo_png))
        .route("/patient/{n}/touch", post(patient::touch))
        .route("/patient/{n}/card", post(patient::place_card))
        .route("/patient/{n}/card/remove", post(patient::remove_card))
        .route("/patient/{n}/visitor", post(patient::visitor))
        .route("/patient/{n}/camera", post(patient::camera))
        .route("/drills", get(practice::page))
        .route("/drills/state", get(practice::state))
        .route("/drills/start", post(practice::start))
        .route("/drills/finish", post(practice::finish))
        .route("/drills/abort", post(practice::abort))
        .route(SCRIPT_PATH, get(script))
}
