//! Step definitions: each is one or two calls into the facility's roles and views, then
//! [`FacilityWorld::checkpoint`] (screens recorded and checked against the step's snapshot).

mod counter;
mod outcomes;
mod patient;
mod result_files;
mod seed_case;
mod staff;

use anyhow::anyhow;
use harness_reader::PatientScreen;

use super::world::FacilityWorld;

type StepResult = anyhow::Result<()>;

/// What the patient's reader shows now.
fn patient_screen(w: &mut FacilityWorld) -> anyhow::Result<PatientScreen> {
    let at = w.patient_reader();
    Ok(w.facility()?.reader(at)?.screen().clone())
}

/// The last finished visit at the patient's reader.
fn last_result(w: &mut FacilityWorld) -> anyhow::Result<harness_reader::CheckResult> {
    let at = w.patient_reader();
    w.facility()?
        .reader(at)?
        .history()
        .results
        .last()
        .cloned()
        .ok_or_else(|| anyhow!("the visit has not ended"))
}
