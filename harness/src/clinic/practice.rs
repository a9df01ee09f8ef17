//! Running drills on the live clinic: starting one sets up the patient at a reader (who, card in
//! hand, camera); while it runs the host keeps its journal; finishing it runs the pure checker
//! ([`super::drills::check`]) on the journal and the readers' modes.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::catalog::camera_label;
use super::drills::{self, Drill, DrillTarget};
use super::error::ClinicError;
use super::host::ClinicHost;
use super::journal::ActiveDrill;

pub use super::journal::{FinishedDrill, Journal};

/// A drill as the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct DrillView {
    /// Stable id.
    pub id: &'static str,
    /// Title (face cause × PIN cause).
    pub title: String,
    /// Who comes (people.toml id).
    pub person: &'static str,
    /// The camera condition's name.
    pub camera: String,
    /// The camera condition in Japanese.
    pub camera_label: String,
    /// What the trainee plays on the patient's side.
    pub briefing: &'static str,
}

impl From<&'static Drill> for DrillView {
    fn from(drill: &'static Drill) -> Self {
        Self {
            id: drill.id,
            title: drill.title(),
            person: drill.person,
            camera: super::catalog::camera_name(drill.face.camera()),
            camera_label: camera_label(drill.face.camera()),
            briefing: drill.patient_briefing(),
        }
    }
}

/// The running drill as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveView {
    /// Which drill.
    pub drill: DrillView,
    /// The reader number.
    pub reader_index: usize,
    /// The reader's name.
    pub reader: String,
    /// When it started (facility time).
    pub started_at: NaiveDateTime,
}

/// A finished drill's verdict as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// Which drill.
    pub drill: DrillView,
    /// At which reader.
    pub reader: String,
    /// True when nothing was missed.
    pub passed: bool,
    /// What was found, failing findings first.
    pub findings: Vec<FindingView>,
}

/// One finding as shown.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// True when it fails the drill.
    pub fails: bool,
    /// The message in Japanese.
    pub message: String,
}

impl From<&FinishedDrill> for ReportView {
    fn from(done: &FinishedDrill) -> Self {
        Self {
            drill: done.drill.into(),
            reader: done.reader.clone(),
            passed: done.report.passed(),
            findings: done
                .report
                .findings
                .iter()
                .map(|f| FindingView {
                    fails: f.fails(),
                    message: f.message(),
                })
                .collect(),
        }
    }
}

/// The drills' state as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DrillsView {
    /// The catalogue.
    pub drills: Vec<DrillView>,
    /// The running drill.
    pub active: Option<ActiveView>,
    /// The last finished drill.
    pub last: Option<ReportView>,
}

impl ClinicHost {
    /// The catalogue, the running drill and the last verdict.
    pub fn drills_view(&self) -> DrillsView {
        let journal = self.journal();
        DrillsView {
            drills: drills::DRILLS.iter().map(DrillView::from).collect(),
            active: journal.active.as_ref().map(|a| ActiveView {
                drill: a.drill.into(),
                reader_index: a.reader_index,
                reader: a.target.reader.clone(),
                started_at: a.started_at,
            }),
            last: journal.last.as_ref().map(ReportView::from),
        }
    }

    /// Starts drill `id` at reader `index`: every reader must be in 無人運転 and no drill may
    /// run. A card left on that reader is taken off; the drill's patient stands there with their
    /// own card in hand; the camera shows the drill's cause.
    pub async fn start_drill(&self, id: &str, index: usize) -> Result<ActiveView, ClinicError> {
        let drill = drills::drill(id).ok_or_else(|| ClinicError::UnknownDrill(id.to_owned()))?;
        let _claim = self.claim(index)?;
        let mut facility = self.engine().await;
        if let Some(active) = &self.journal().active {
            return Err(ClinicError::DrillRunning(active.drill.title()));
        }
        for name in self.reader_names() {
            let mode = facility.terminal_mode(name).map_err(ClinicError::engine)?;
            if mode != harness_reader::ReaderMode::Unattended {
                return Err(ClinicError::ReaderNotUnattended(name.clone()));
            }
        }
        let reader = self.reader_name(index)?.to_owned();
        if let Some(other) = facility
            .readers()
            .find(|r| r.name() != reader && r.card_holder() == Some(drill.person))
        {
            return Err(ClinicError::CardOnAnotherReader(other.name().to_owned()));
        }
        let setup = async {
            if facility.reader(index)?.has_card() {
                facility.patient(index)?.remove_card().await?;
            }
            let mut patient = facility.patient(index)?;
            patient.arrive(drill.person)?;
            patient.set_camera(drill.face.camera())
        }
        .await;
        // Whatever happened before the drill is not part of it.
        self.absorb(&mut facility, None);
        setup.map_err(ClinicError::engine)?;
        let started_at = facility.now();
        let active = ActiveDrill {
            drill,
            reader_index: index,
            target: DrillTarget {
                reader: reader.clone(),
                visit_date: started_at.date(),
            },
            started_at,
            events: Vec::new(),
        };
        self.journal().active = Some(active);
        Ok(ActiveView {
            drill: drill.into(),
            reader_index: index,
            reader,
            started_at,
        })
    }

    /// 採点: checks the running drill against the readers' modes now.
    pub async fn finish_drill(&self) -> Result<ReportView, ClinicError> {
        let mut facility = self.engine().await;
        self.absorb(&mut facility, None);
        let final_modes = self
            .reader_names()
            .iter()
            .map(|name| {
                facility
                    .terminal_mode(name)
                    .map(|mode| (name.clone(), mode))
                    .map_err(ClinicError::engine)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut journal = self.journal();
        let active = journal.active.take().ok_or(ClinicError::NoDrill)?;
        let report = drills::check(&active.target, &active.events, &final_modes);
        let finished = FinishedDrill {
            drill: active.drill,
            reader: active.target.reader,
            report,
        };
        let view = ReportView::from(&finished);
        journal.last = Some(finished);
        Ok(view)
    }

    /// 中止: drops the running drill without a verdict.
    pub fn abort_drill(&self) -> Result<(), ClinicError> {
        self.journal()
            .active
            .take()
            .map(|_| ())
            .ok_or(ClinicError::NoDrill)
    }
}
