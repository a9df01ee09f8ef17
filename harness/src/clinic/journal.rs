//! The drill journal (訓練の記録): the running drill with what happened since it started, and
//! the last finished drill with its verdict. The host keeps one and feeds it every engine event
//! and audit record; starting and finishing drills (`practice`) read and replace it.

use chrono::NaiveDateTime;

use super::drills::{Drill, DrillEvent, DrillReport, DrillTarget};

/// The running drill and the last finished one.
#[derive(Debug, Default)]
pub struct Journal {
    pub(super) active: Option<ActiveDrill>,
    pub(super) last: Option<FinishedDrill>,
}

impl Journal {
    /// Keeps `events` when a drill runs (otherwise nobody needs them).
    pub fn record(&mut self, events: impl Iterator<Item = DrillEvent>) {
        if let Some(active) = &mut self.active {
            active.events.extend(events);
        }
    }
}

#[derive(Debug)]
pub(super) struct ActiveDrill {
    pub(super) drill: &'static Drill,
    pub(super) reader_index: usize,
    pub(super) target: DrillTarget,
    pub(super) started_at: NaiveDateTime,
    pub(super) events: Vec<DrillEvent>,
}

/// A drill that was finished and checked.
#[derive(Debug, Clone)]
pub struct FinishedDrill {
    /// Which drill.
    pub drill: &'static Drill,
    /// At which reader.
    pub reader: String,
    /// What the checker found.
    pub report: DrillReport,
}
