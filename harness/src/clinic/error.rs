//! The clinic's one error type and its one mapping to HTTP ([`ClinicError::status`]). The JSON
//! API answers `{"error": <code>, "message": <Japanese text>}`; the pages show the message. A
//! refused request changes nothing: every check runs before the engine is touched.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Everything a clinic request can be refused for.
#[derive(Debug, thiserror::Error)]
pub enum ClinicError {
    /// No or wrong bearer token.
    #[error("APIトークンがありません、または正しくありません")]
    Unauthorized,
    /// No reader with this number.
    #[error("カードリーダー {0} はありません")]
    UnknownReader(String),
    /// No person with this id in fixtures/people.toml.
    #[error("人物「{0}」はいません")]
    UnknownPerson(String),
    /// No card of this person in fixtures/cards.
    #[error("「{0}」のカードはありません")]
    UnknownCard(String),
    /// No such camera condition.
    #[error("カメラの状態「{0}」はありません")]
    UnknownCamera(String),
    /// No result file of that name.
    #[error("結果ファイル「{0}」はありません")]
    UnknownResult(String),
    /// No drill with this id.
    #[error("練習「{0}」はありません")]
    UnknownDrill(String),
    /// The request body could not be read.
    #[error("要求を読み取れません: {0}")]
    BadRequest(String),
    /// Another request is acting on this reader (a card is being read).
    #[error("カードリーダー「{0}」は別の画面で操作中です（カードの読み取り中など）。終わってからもう一度操作してください")]
    ReaderBusy(String),
    /// The screen does not show this button.
    #[error("患者の画面に［{label}］のボタンはありません（表示中: {shown}）")]
    ButtonAbsent {
        /// The label asked for.
        label: String,
        /// The buttons shown, joined.
        shown: String,
    },
    /// The PIN can only be entered on the PIN screen.
    #[error("暗証番号の入力画面ではありません")]
    NotOnPinScreen,
    /// A card already lies on this reader.
    #[error("カードリーダー「{0}」にはカードが置かれています。先にカードを取ってください")]
    CardAlreadyOnReader(String),
    /// This card lies on another reader.
    #[error("このカードはカードリーダー「{0}」に置かれています")]
    CardOnAnotherReader(String),
    /// No card lies on this reader.
    #[error("カードリーダー「{0}」にカードはありません")]
    NoCardOnReader(String),
    /// A drill is running.
    #[error("練習「{0}」を実施中です。先に採点するか中止してください")]
    DrillRunning(String),
    /// No drill is running.
    #[error("実施中の練習はありません")]
    NoDrill,
    /// A drill starts with every reader in 無人運転.
    #[error(
        "カードリーダー「{0}」が無人運転ではありません。無人運転に戻してから練習を始めてください"
    )]
    ReaderNotUnattended(String),
    /// The engine failed (card process, result folder, audit log...).
    #[error("システムエラー: {0}")]
    Engine(String),
}

impl ClinicError {
    /// The HTTP status: the only place a clinic error meets HTTP.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::UnknownReader(_)
            | Self::UnknownPerson(_)
            | Self::UnknownCard(_)
            | Self::UnknownResult(_)
            | Self::UnknownDrill(_) => StatusCode::NOT_FOUND,
            Self::UnknownCamera(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::ReaderBusy(_)
            | Self::ButtonAbsent { .. }
            | Self::NotOnPinScreen
            | Self::CardAlreadyOnReader(_)
            | Self::CardOnAnotherReader(_)
            | Self::NoCardOnReader(_)
            | Self::DrillRunning(_)
            | Self::NoDrill
            | Self::ReaderNotUnattended(_) => StatusCode::CONFLICT,
            Self::Engine(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::UnknownReader(_) => "unknown_reader",
            Self::UnknownPerson(_) => "unknown_person",
            Self::UnknownCard(_) => "unknown_card",
            Self::UnknownCamera(_) => "unknown_camera",
            Self::UnknownResult(_) => "unknown_result",
            Self::UnknownDrill(_) => "unknown_drill",
            Self::BadRequest(_) => "bad_request",
            Self::ReaderBusy(_) => "reader_busy",
            Self::ButtonAbsent { .. } => "button_absent",
            Self::NotOnPinScreen => "not_on_pin_screen",
            Self::CardAlreadyOnReader(_) => "card_already_on_reader",
            Self::CardOnAnotherReader(_) => "card_on_another_reader",
            Self::NoCardOnReader(_) => "no_card_on_reader",
            Self::DrillRunning(_) => "drill_running",
            Self::NoDrill => "no_drill",
            Self::ReaderNotUnattended(_) => "reader_not_unattended",
            Self::Engine(_) => "engine",
        }
    }

    /// An engine failure (logged with its cause; the message keeps the cause for the operator).
    pub fn engine(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "clinic engine error");
        Self::Engine(error.to_string())
    }
}

/// The JSON body of an error.
#[derive(Debug, serde::Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
}

impl IntoResponse for ClinicError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody {
            error: self.code(),
            message: self.to_string(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"clinic\""),
            );
        }
        response
    }
}
