//! Turns the facility's events into what the report shows for a scenario: screens after each
//! step, face comparisons as images, the APDU trace, result files and notes.

use std::collections::BTreeSet;

use harness_face::MatchDecision;
use harness_reader::{CheckOutcome, PatientScreen};
use harness_terminal::screen::{render_text, Screen};

use crate::facility::{EventKind, FacilityEvent};
use crate::report::{
    patient_screen_html, ApduRecord, DeviceRecord, FaceRecord, ResultFileRecord, ScenarioArtifacts,
    ScreenRecord,
};

/// Collects one scenario's artifacts as it runs.
#[derive(Debug, Default)]
pub struct ArtifactRecorder {
    artifacts: ScenarioArtifacts,
    /// Readers a card was placed on since their last exchange.
    card_placed_on: BTreeSet<String>,
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
                let card_placed = self.card_placed_on.remove(&reader);
                self.artifacts.apdus.push(ApduRecord {
                    reader,
                    command: exchange.command.encode(),
                    response: exchange.response,
                    at: event.mono,
                    took,
                    card_placed,
                });
            }
            EventKind::CardPlaced {
                reader,
                device,
                atr,
            } => {
                self.card_placed_on.insert(reader.clone());
                self.artifacts.devices.push(DeviceRecord {
                    reader,
                    device,
                    atr,
                });
            }
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
                            "{reader}: 顔認証 {}（スコア {:.3} / しきい値 {:.3}）",
                            decision_ja(report.decision),
                            report.score,
                            report.threshold
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
            EventKind::VisitEnded { reader, result } => {
                let outcome = match &result.outcome {
                    CheckOutcome::Completed => "完了".to_owned(),
                    CheckOutcome::Failed(reason) => format!("失敗（{}）", reason.label()),
                };
                self.artifacts.notes.push(format!(
                    "{at} {reader}: 受付終了 — 本人確認 {} — {outcome}",
                    result.method_label(),
                ))
            }
            EventKind::TerminalRefused { message } => {
                self.artifacts.notes.push(format!("{at} 端末: {message}"))
            }
        }
    }

    /// Both screens after a step, as text (for snapshots) and as they look: the terminal's own
    /// page and the reader's touchscreen. Returns the record.
    pub fn record_screens(
        &mut self,
        step: &str,
        operator: Option<&Screen>,
        patient: Option<&PatientScreen>,
    ) -> &ScreenRecord {
        let at = self.artifacts.screens.len();
        self.artifacts.screens.push(ScreenRecord {
            after_step: step.to_owned(),
            operator: operator.map(render_text),
            patient: patient.map(PatientScreen::render),
            // No CSRF token: the page is shown in a sandbox, its forms go nowhere.
            operator_html: operator.map(|screen| harness_terminal::html::render_html(screen, "")),
            patient_html: patient.map(patient_screen_html),
        });
        &self.artifacts.screens[at]
    }

    /// The scenario's artifacts.
    pub fn finish(self) -> ScenarioArtifacts {
        self.artifacts
    }
}

/// The matcher's verdict in Japanese, for the report (the harness's wording).
fn decision_ja(decision: MatchDecision) -> &'static str {
    match decision {
        MatchDecision::Match => "一致",
        MatchDecision::NoMatch => "不一致",
        MatchDecision::NoFace => "顔を検出できず",
        MatchDecision::Occluded => "顔が隠れている",
        MatchDecision::PoorImage => "暗すぎる・明るすぎる・逆光",
        MatchDecision::NotLive => "生体と確認できず",
    }
}
