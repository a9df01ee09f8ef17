//! The run report: what each scenario did, step by step, with the screens, the camera frame beside
//! the card photo, the result files and the APDU trace, decoded; written as one self-contained
//! HTML file in Japanese with an English toggle.
//!
//! Step outcomes come from cucumber's event stream ([`ReportWriter`]); what happened inside a
//! scenario (screens, frames, trace) comes from the world through [`ReportCollector::attach`].

mod apdu_trace;
mod collector;
mod escape;
mod html;
pub mod patient_screen;
mod records;
mod result_file;
pub mod timing;

pub use collector::{ReportCollector, ReportWriter};
pub use escape::html_escape;
pub use html::render_html;
pub use patient_screen::{patient_screen_html, PATIENT_SCREEN_STYLE};
pub use records::{
    totals, ApduRecord, DeviceRecord, FaceRecord, NotRun, ResultFileRecord, ScenarioArtifacts,
    ScenarioKey, ScenarioRecord, ScreenRecord, StepRecord, StepStatus, Totals,
};
