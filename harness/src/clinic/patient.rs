//! What a patient (or a test, or a trainee playing one) does at a reader, through the engine's
//! [`crate::facility::PatientRole`], and what the reader looks like afterwards. One route for
//! the patient pages and the control API: [`ClinicHost::act`]. Every check runs before the
//! engine is touched, so a refused action changes nothing.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash as _, Hasher as _};

use harness_reader::PatientScreen;
use serde::Serialize;

use super::catalog::{camera_label, camera_name};
use super::drills::DrillEventKind;
use super::error::ClinicError;
use super::host::{ClinicHost, Engine};
use crate::facility::{CameraCondition, Facility};

/// One thing a patient does at a reader.
#[derive(Debug)]
pub enum PatientAction {
    /// `person` comes to the reader carrying the card of `card_of` (their own when equal).
    Arrive {
        /// Who stands there (people.toml id).
        person: String,
        /// Whose card they carry.
        card_of: String,
    },
    /// What the camera shows.
    Camera(CameraCondition),
    /// The card of `holder` is placed on the reader (by whoever stands there; the holder
    /// comes with it when nobody does).
    PlaceCard {
        /// The card's holder (people.toml id).
        holder: String,
    },
    /// The card is taken off.
    RemoveCard,
    /// A button on the screen, by its label.
    Touch {
        /// The label as shown inside ［］.
        label: String,
    },
    /// The whole PIN and OK (on the PIN screen).
    Pin(PinEntry),
}

/// A PIN as typed by an API client or a page: never shown (`Debug` redacted), wiped on drop.
#[derive(Clone)]
pub struct PinEntry(zeroize::Zeroizing<String>);

impl<'de> serde::Deserialize<'de> for PinEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Self(zeroize::Zeroizing::new(text)))
    }
}

impl PinEntry {
    /// A PIN as typed.
    pub fn new(digits: &str) -> Self {
        Self(zeroize::Zeroizing::new(digits.to_owned()))
    }
}

impl std::fmt::Debug for PinEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinEntry(****)")
    }
}

/// The screen as text and its buttons.
#[derive(Debug, Clone, Serialize)]
pub struct ScreenView {
    /// The screen's text, one line per row, buttons in ［］.
    pub text: String,
    /// The labels of its buttons, in screen order.
    pub buttons: Vec<String>,
}

/// Who stands at a reader.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct VisitorView {
    /// Who (people.toml id).
    pub person: String,
    /// Whose card they carry.
    pub card_of: String,
    /// The card in their hand has a face photo (not an infant's card).
    pub card_has_photo: bool,
}

/// One reader as the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReaderView {
    /// Number (0-based, as in the paths).
    pub index: usize,
    /// PC/SC name.
    pub name: String,
    /// The mode the reader is in (無人運転 / 暗証番号認証固定 / 目視確認).
    pub mode: &'static str,
    /// The mode the terminal shows for it.
    pub terminal_mode: &'static str,
    /// What the patient sees.
    pub screen: ScreenView,
    /// Whose card lies on the reader.
    pub card_on_reader: Option<String>,
    /// Who stands there.
    pub visitor: Option<VisitorView>,
    /// The camera condition's name.
    pub camera: String,
    /// The camera condition in Japanese.
    pub camera_label: String,
    /// Result files written for checks at this reader.
    pub result_files: usize,
    /// True while an action runs on this reader.
    pub busy: bool,
    /// Changes whenever anything above changes (the pages poll it).
    pub revision: String,
}

/// What an action did.
#[derive(Debug, Clone, Serialize)]
pub struct ActionOutcome {
    /// The reader afterwards.
    pub reader: ReaderView,
    /// Result files written by this action (names in the face folder).
    pub results: Vec<String>,
}

impl ClinicHost {
    /// Does `action` at reader `index`: 404 for an unknown reader, 409 while another request
    /// acts on it, the action's own checks, then the engine.
    pub async fn act(
        &self,
        index: usize,
        action: PatientAction,
    ) -> Result<ActionOutcome, ClinicError> {
        let claim = self.claim(index)?;
        let facility = self.engine().await;
        let reader = self.reader_name(index)?.to_owned();
        check(&facility, index, &reader, &action)?;
        let marker = match &action {
            PatientAction::PlaceCard { .. } => Some(DrillEventKind::CardPlaced {
                reader: reader.clone(),
            }),
            _ => None,
        };
        let (mut facility, done) = run(facility, index, action).await?;
        let results = self.absorb(&mut facility, marker);
        done.map_err(ClinicError::engine)?;
        let view = self.view(&facility, index)?;
        drop(claim);
        Ok(ActionOutcome {
            reader: view,
            results: results
                .iter()
                .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
                .collect(),
        })
    }

    /// Every reader.
    pub async fn readers_view(&self) -> Result<Vec<ReaderView>, ClinicError> {
        let facility = self.engine().await;
        (0..self.reader_names().len())
            .map(|i| self.view(&facility, i))
            .collect()
    }

    /// One reader.
    pub async fn reader_view(&self, index: usize) -> Result<ReaderView, ClinicError> {
        self.reader_name(index)?;
        let facility = self.engine().await;
        self.view(&facility, index)
    }

    /// Reader `index` as shown, from a locked engine.
    pub fn view(&self, facility: &Facility, index: usize) -> Result<ReaderView, ClinicError> {
        let reader = facility
            .reader(index)
            .map_err(|_| ClinicError::UnknownReader(index.to_string()))?;
        let terminal_mode = facility
            .terminal_mode(reader.name())
            .map_err(ClinicError::engine)?;
        let screen = reader.screen();
        let visitor = reader.visitor().map(|v| VisitorView {
            person: v.person_id.clone(),
            card_of: v.card.reference.holder_id.clone(),
            card_has_photo: v.card.loaded.data.photo.is_some(),
        });
        let mut view = ReaderView {
            index,
            name: reader.name().to_owned(),
            mode: reader.mode().label(),
            terminal_mode: terminal_mode.label(),
            screen: ScreenView {
                text: screen.render(),
                buttons: screen
                    .buttons()
                    .into_iter()
                    .map(|(label, _)| label)
                    .collect(),
            },
            card_on_reader: reader.card_holder().map(str::to_owned),
            visitor,
            camera: camera_name(reader.camera()),
            camera_label: camera_label(reader.camera()),
            result_files: reader.history().result_files.len(),
            busy: self.is_busy(index),
            revision: String::new(),
        };
        view.revision = revision(&view);
        Ok(view)
    }
}

/// A digest of everything shown (not of `busy`, which flickers during an action).
fn revision(view: &ReaderView) -> String {
    let mut hasher = DefaultHasher::new();
    (
        view.mode,
        view.terminal_mode,
        &view.screen.text,
        &view.card_on_reader,
        &view.visitor,
        &view.camera,
        view.result_files,
    )
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Refuses what cannot be done, before anything changes.
fn check(
    facility: &Facility,
    index: usize,
    reader: &str,
    action: &PatientAction,
) -> Result<(), ClinicError> {
    let view = facility
        .reader(index)
        .map_err(|_| ClinicError::UnknownReader(index.to_string()))?;
    let person = |id: &str| {
        facility
            .directory()
            .person(id)
            .map(|_| ())
            .map_err(|_| ClinicError::UnknownPerson(id.to_owned()))
    };
    let card = |id: &str| {
        person(id)?;
        facility
            .directory()
            .card_of(id)
            .map(|_| ())
            .map_err(|_| ClinicError::UnknownCard(id.to_owned()))
    };
    match action {
        PatientAction::Arrive {
            person: who,
            card_of,
        } => {
            person(who)?;
            card(card_of)?;
            if view.has_card() {
                return Err(ClinicError::CardAlreadyOnReader(reader.to_owned()));
            }
        }
        PatientAction::Camera(_) => {}
        PatientAction::PlaceCard { holder } => {
            card(holder)?;
            if view.has_card() {
                return Err(ClinicError::CardAlreadyOnReader(reader.to_owned()));
            }
            if let Some(other) = facility
                .readers()
                .find(|r| r.card_holder() == Some(holder.as_str()))
            {
                return Err(ClinicError::CardOnAnotherReader(other.name().to_owned()));
            }
        }
        PatientAction::RemoveCard => {
            if !view.has_card() {
                return Err(ClinicError::NoCardOnReader(reader.to_owned()));
            }
        }
        PatientAction::Touch { label } => {
            let screen = view.screen();
            if screen.button(label).is_none() {
                let shown: Vec<String> = screen.buttons().into_iter().map(|(l, _)| l).collect();
                return Err(ClinicError::ButtonAbsent {
                    label: label.clone(),
                    shown: if shown.is_empty() {
                        "なし".into()
                    } else {
                        shown.join("、")
                    },
                });
            }
        }
        PatientAction::Pin(_) => {
            if !matches!(view.screen(), PatientScreen::EnterPin { .. }) {
                return Err(ClinicError::NotOnPinScreen);
            }
        }
    }
    Ok(())
}

/// Runs a checked action on the engine off the async workers: face matching, card signatures
/// and the card moves' waits (awaited on this runtime from the blocking thread) never hold up
/// other requests.
async fn run(
    mut facility: Engine,
    index: usize,
    action: PatientAction,
) -> Result<(Engine, anyhow::Result<()>), ClinicError> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let done = act(&mut facility, index, action, &runtime);
        (facility, done)
    })
    .await
    .map_err(|join_error| ClinicError::engine(format!("reader task failed: {join_error}")))
}

async fn place_card(facility: &mut Facility, index: usize, holder: &str) -> anyhow::Result<()> {
    let standing = facility
        .reader(index)?
        .visitor()
        .map(|v| v.person_id.clone());
    let mut patient = facility.patient(index)?;
    match standing {
        Some(person) => patient.arrive_with_card_of(&person, holder)?,
        None => patient.arrive(holder)?,
    }
    patient.place_card().await
}

/// Carries out a checked action; card moves wait for the slot on `runtime`.
fn act(
    facility: &mut Facility,
    index: usize,
    action: PatientAction,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<()> {
    match action {
        PatientAction::Arrive { person, card_of } => facility
            .patient(index)?
            .arrive_with_card_of(&person, &card_of),
        PatientAction::Camera(camera) => facility.patient(index)?.set_camera(camera),
        PatientAction::Touch { label } => {
            let touch = facility
                .reader(index)?
                .screen()
                .button(&label)
                .ok_or_else(|| anyhow::anyhow!("［{label}］は画面にありません"))?;
            facility.patient(index)?.touch(touch)
        }
        PatientAction::Pin(pin) => facility.patient(index)?.enter_pin(pin.0.as_str()),
        PatientAction::PlaceCard { holder } => {
            runtime.block_on(place_card(facility, index, &holder))
        }
        PatientAction::RemoveCard => {
            runtime.block_on(async { facility.patient(index)?.remove_card().await })
        }
    }
}

/// A PNG response, or 204 when there is no image.
fn png(bytes: Option<Vec<u8>>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    match bytes {
        Some(bytes) => ([(axum::http::header::CONTENT_TYPE, "image/png")], bytes).into_response(),
        None => axum::http::StatusCode::NO_CONTENT.into_response(),
    }
}

impl ClinicHost {
    /// What the camera of reader `index` shows now (PNG; 204 when nobody stands there or the
    /// device gives no frame).
    pub async fn camera_png(&self, index: usize) -> Result<axum::response::Response, ClinicError> {
        self.reader_name(index)?;
        let facility = self.engine().await;
        facility
            .camera_preview_png(index)
            .map(png)
            .map_err(ClinicError::engine)
    }

    /// The photo on the card in the hand of the person at reader `index` (PNG; 204 when nobody
    /// stands there or the card has no photo).
    pub async fn card_photo_png(
        &self,
        index: usize,
    ) -> Result<axum::response::Response, ClinicError> {
        self.reader_name(index)?;
        let facility = self.engine().await;
        facility
            .card_photo_png(index)
            .map(png)
            .map_err(ClinicError::engine)
    }
}
