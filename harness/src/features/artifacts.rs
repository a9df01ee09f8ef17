//! Turns the facility's events into what the report shows for a scenario: screens after each
//! step, face comparisons as images, the APDU trace, result files and notes.

use crate::facility::{EventKind, FacilityEvent};
use crate::report::{
    ApduRecord, DeviceRecord, FaceRecord, ResultFileRecord, ScenarioArtifacts, ScreenRecord,
};

/// Collects one scenario's artifacts as it runs.
#[derive(Debug, Default)]
pub struct ArtifactRecorder {
    artifacts: ScenarioArtifacts,
}

impl ArtifactRecorder {
    /// Takes in the facility's events.
    pub fn take_events(&mut self, events: Vec<FacilityEvent>) {
        for event in events {
            self.take(event);
        }
    }

    fn take(&mut self, event: FacilityEvent) {
        let at = event.at.format("%H:%M:%S");
        match event.kind {
            EventKind::CardExchange {
                reader,
                exchange,
                took,
            } => {
                self.artifacts.apdu_trace.push(exchange.to_trace_string());
                self.artifacts.apdus.push(ApduRecord {
                    reader,
                    command: exchange.command.encode(),
                    response: exchange.response,
                    at: event.mono,
                    took,
                });
            }
            EventKind::CardPlaced {
                reader,
                device,
                atr,
            } => self.artifacts.devices.push(DeviceRecord {
                reader,
                device,
                atr,
            }),
            EventKind::FaceCompared {
                reader,
                report,
                photo,
                frame,
            } => {
                let (Some(photo), Some(frame)) = (photo, frame) else {
                    return;
                };
                match harness_face::comparison::comparison_png(&photo, Some(&frame), &report) {
                    Ok(png) => self.artifacts.faces.push(FaceRecord {
                        png,
                        summary: format!(
                            "{reader}: {:?} score {:.3} (threshold {:.3})",
                            report.decision, report.score, report.threshold
                        ),
                    }),
                    Err(e) => self
                        .artifacts
                        .notes
                        .push(format!("{at} 比較画像を作れません: {e}")),
                }
            }
            EventKind::StaffPhotoCheck { verdict, png } => match png {
                Some(png) => self.artifacts.faces.push(FaceRecord {
                    png,
                    summary: format!("職員による目視確認: {verdict}"),
                }),
                None => self
                    .artifacts
                    .notes
                    .push(format!("{at} 職員による目視確認: {verdict}")),
            },
            EventKind::ResultWritten {
                reader,
                outcome,
                path,
            } => self.artifacts.result_files.push(ResultFileRecord {
                reader,
                outcome,
                path,
            }),
            EventKind::VisitEnded { reader, result } => self.artifacts.notes.push(format!(
                "{at} {reader}: 受付終了 {} / {:?}",
                result.method_label(),
                result.outcome
            )),
            EventKind::TerminalRefused { message } => {
                self.artifacts.notes.push(format!("{at} 端末: {message}"))
            }
        }
    }

    /// Both screens after a step.
    pub fn record_screens(
        &mut self,
        step: &str,
        operator: Option<String>,
        patient: Option<String>,
    ) {
        self.artifacts.screens.push(ScreenRecord {
            after_step: step.to_owned(),
            operator,
            patient,
            operator_html: None,
            patient_html: None,
        });
    }

    /// The scenario's artifacts.
    pub fn finish(self) -> ScenarioArtifacts {
        self.artifacts
    }
}
