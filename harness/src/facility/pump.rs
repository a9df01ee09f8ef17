//! The pump: feeds one input to a reader and answers everything it asks for until it waits for a
//! person — card commands through the card channel, the printed card face, camera frames, the
//! service's challenge, submitted checks (→ result file) — and hands finished visits to the
//! terminal. The only place where a reader's requests are answered.

use anyhow::anyhow;
use harness_eligibility::service::confirmation_date_for;
use harness_face::camera::{Camera, CameraSetup, Scene};
use harness_reader::{
    run_until_idle, CameraFault, Input, Output, PrintedCardFace, SecurityCode, ServiceAnswer,
    VisualConfirmation,
};
use harness_transport::{CardChannel, TransportError};
use std::collections::VecDeque;

use super::engine::Facility;
use super::events::EventKind;
use super::station::{CameraCondition, Station};

impl Facility {
    /// Feeds one input to reader `index` and answers everything it asks for until it is idle.
    pub(super) fn feed(&mut self, index: usize, input: Input) -> anyhow::Result<()> {
        let mut pending = VecDeque::from([input]);
        while let Some(input) = pending.pop_front() {
            // Input's Debug masks PINs.
            tracing::debug!(reader = index, ?input, "reader input");
            let now = self.clock.mono();
            let station = self.station_mut(index)?;
            let outputs = pump_card(station, input, now);
            for output in outputs {
                self.answer(index, output, &mut pending)?;
            }
        }
        Ok(())
    }

    fn answer(
        &mut self,
        index: usize,
        output: Answered,
        pending: &mut VecDeque<Input>,
    ) -> anyhow::Result<()> {
        let wall = self.clock.wall();
        let name = self.station(index)?.name.clone();
        match output {
            Answered::Exchange(exchange, took) => {
                // The trace line masks VERIFY data.
                tracing::trace!(reader = %name, apdu = %exchange.to_trace_string(), "card exchange");
                self.record(EventKind::CardExchange {
                    reader: name,
                    exchange,
                    took,
                })
            }
            Answered::Output(output) => match output {
                Output::Transmit(_) | Output::Screen(_) => {}
                Output::NeedVisualConfirmation => {
                    // The one route of the staff's tick: asked of the terminal when the card is
                    // placed; only a valid, unexpired tick for this reader, used once.
                    let confirmation = self
                        .with_terminal(|t, now| t.valid_confirmation_for(&name, now))?
                        .map(|c| VisualConfirmation {
                            reader: c.reader,
                            account: c.account,
                            confirmation_date: c.confirmation_date,
                            confirmed_at: c.confirmed_at,
                        });
                    pending.push_back(Input::VisualConfirmation(confirmation));
                }
                Output::NeedFaceFailures(card) => {
                    let count = self.face_failures.count(&card);
                    pending.push_back(Input::FaceFailures { card, count });
                }
                Output::FaceFailuresChanged { card, count } => {
                    self.face_failures.set(&card, count)?;
                }
                Output::Refused(refused) => {
                    self.station_mut(index)?.refusals.push(refused);
                }
                Output::NeedCardFaceScan => {
                    pending.push_back(Input::CardFaceScanned(Ok(self.printed_card_face(index)?)))
                }
                Output::NeedCameraFrames => pending.push_back(self.camera_input(index)?),
                Output::NeedChallenge => {
                    let challenge = self.service.issue_challenge(&mut self.rng, wall);
                    pending.push_back(Input::Challenge(challenge.nonce.clone()));
                }
                Output::FaceCompared(attempt) => {
                    let photo = self.card_photo_on(index)?;
                    let station = self.station_mut(index)?;
                    station.history.face_reports.push(attempt.report.clone());
                    let frame = station.last_burst.first().cloned();
                    self.record(EventKind::FaceCompared {
                        reader: name,
                        report: attempt.report,
                        photo,
                        frame,
                    });
                }
                Output::SubmitCheck(check) => {
                    // 資格確認日: the staff's date on the visual route, today otherwise.
                    let date = confirmation_date_for(&check, wall.date());
                    let outcome = self.service.check(*check, wall, date);
                    let path = self
                        .results
                        .write_outcome(&outcome, &self.result_options)
                        .map_err(|e| anyhow!("結果ファイルを書けません: {e}"))?;
                    let answer = service_answer(&outcome);
                    if let Some(path) = &path {
                        self.record(EventKind::ResultWritten {
                            reader: name.clone(),
                            outcome: outcome.label().to_owned(),
                            path: path.clone(),
                        });
                    }
                    let station = self.station_mut(index)?;
                    station.history.outcomes.push(outcome);
                    station.history.result_files.extend(path);
                    pending.push_back(Input::ServiceAnswer(answer));
                }
                Output::Result(result) => {
                    self.station_mut(index)?
                        .history
                        .results
                        .push((*result).clone());
                    self.record(EventKind::VisitEnded {
                        reader: name.clone(),
                        result,
                    });
                    self.with_terminal(|t, now| t.patient_finished(&name, now))?;
                }
            },
        }
        Ok(())
    }

    pub(super) fn station(&self, index: usize) -> anyhow::Result<&Station> {
        self.stations
            .get(index)
            .ok_or_else(|| anyhow!("カードリーダー #{index} はありません"))
    }

    pub(super) fn station_mut(&mut self, index: usize) -> anyhow::Result<&mut Station> {
        self.stations
            .get_mut(index)
            .ok_or_else(|| anyhow!("カードリーダー #{index} はありません"))
    }

    /// The reader's optical scan of the card on it (照合番号B from the printed face).
    fn printed_card_face(&self, index: usize) -> anyhow::Result<PrintedCardFace> {
        let card = self
            .station(index)?
            .card_on_reader
            .as_ref()
            .ok_or_else(|| anyhow!("カードリーダーにカードがありません"))?;
        let data = &card.loaded.data;
        Ok(PrintedCardFace {
            birth_date: data.holder.birth,
            expiry_year: chrono::Datelike::year(&data.expiry),
            security_code: SecurityCode::new(data.security_code.expose())
                .ok_or_else(|| anyhow!("カードのセキュリティコードが4桁ではありません"))?,
        })
    }

    /// The photo of the card on reader `index`, as the card holds it (None: infant card).
    pub(super) fn card_photo_on(&self, index: usize) -> anyhow::Result<Option<image::RgbImage>> {
        let Some(card) = self.station(index)?.card_on_reader.as_ref() else {
            return Ok(None);
        };
        decode_photo(&card.loaded)
    }

    /// The photo of the card in the hand of the person at reader `index` (None: infant card).
    pub(super) fn card_photo_in_hand(
        &self,
        index: usize,
    ) -> anyhow::Result<Option<image::RgbImage>> {
        let Some(visitor) = self.station(index)?.visitor.as_ref() else {
            return Err(anyhow!("カードリーダーの前に患者がいません"));
        };
        decode_photo(&visitor.card.loaded)
    }

    /// What the reader's camera films: the person standing at the reader, in the scene set.
    pub(super) fn camera_setup(&self, index: usize) -> anyhow::Result<CameraSetup> {
        let station = self.station(index)?;
        let visitor = station
            .visitor
            .as_ref()
            .ok_or_else(|| anyhow!("カードリーダーの前に誰もいません"))?;
        let subject = self
            .directory
            .face_subject(&visitor.person_id, self.clock.wall().date())?;
        let person = self.directory.face_person(&visitor.person_id)?;
        let (scene, fault) = match station.camera {
            CameraCondition::Scene(scene) => (scene, None),
            CameraCondition::Fault(fault) => (Scene::CardHolder, Some(fault)),
        };
        Ok(CameraSetup {
            subject,
            scene,
            seed: person.face_seed ^ CAMERA_SEED_SALT,
            fault,
        })
    }

    fn camera_input(&mut self, index: usize) -> anyhow::Result<Input> {
        // A bench fixture senses the camera's power: an unpowered camera is a missing device.
        if self.station_mut(index)?.slot.camera_powered()? == Some(false) {
            return Ok(Input::CameraFault(CameraFault::Missing));
        }
        let setup = self.camera_setup(index)?;
        let Ok(camera) = Camera::open(setup) else {
            return Ok(Input::CameraFault(CameraFault::Missing));
        };
        let burst = camera.burst(harness_face::camera::DEFAULT_BURST);
        if burst.is_empty() {
            return Ok(Input::CameraFault(CameraFault::NoFrames));
        }
        self.station_mut(index)?.last_burst = burst.clone();
        Ok(Input::CameraFrames(burst))
    }
}

/// Keeps the camera's noise apart from the face generator's seed.
const CAMERA_SEED_SALT: u64 = 0x5eed;

/// The service accepted the identity (whatever the qualification: 有効, 無効, 該当資格なし are
/// the terminal's business), or refused the certificate or the proof. The reader only knows
/// [`ServiceAnswer`]; the mock service's types stop here.
fn service_answer(outcome: &harness_eligibility::service::CheckOutcome) -> ServiceAnswer {
    match outcome.error() {
        None => ServiceAnswer::Accepted,
        Some(error) => ServiceAnswer::Rejected {
            reason: error.label().to_owned(),
        },
    }
}

/// Decodes a card's photo (JPEG 2000 on the card).
pub(super) fn decode_photo(
    card: &virtual_card::profile::LoadedProfile,
) -> anyhow::Result<Option<image::RgbImage>> {
    match &card.data.photo {
        None => Ok(None),
        Some(bytes) => harness_face::decode_card_photo(bytes)
            .map(Some)
            .map_err(|e| anyhow!("券面の顔写真を読めません: {e}")),
    }
}

/// A reader output, or a card exchange made on its behalf with the time it took.
enum Answered {
    Output(Output),
    Exchange(harness_reader::Exchange, std::time::Duration),
}

/// Feeds `input` and answers every card command through the station's channel (or "no card").
fn pump_card(station: &mut Station, input: Input, now: std::time::Duration) -> Vec<Answered> {
    let mut timed = Timed {
        inner: station.channel.as_deref_mut(),
        took: Vec::new(),
    };
    let pumped = run_until_idle(&mut station.reader, &mut timed, input, now);
    let mut out: Vec<Answered> = pumped
        .exchanges
        .into_iter()
        .zip(
            timed
                .took
                .into_iter()
                .chain(std::iter::repeat(std::time::Duration::ZERO)),
        )
        .map(|(exchange, took)| Answered::Exchange(exchange, took))
        .collect();
    out.extend(pumped.outputs.into_iter().map(Answered::Output));
    out
}

/// The station's channel (or none: every command fails as "no card"), timing each transmit in
/// real time: the bench's timing report and the per-APDU latency come from here.
struct Timed<'a> {
    inner: Option<&'a mut (dyn CardChannel + 'static)>,
    took: Vec<std::time::Duration>,
}

impl CardChannel for Timed<'_> {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        match self.inner.as_mut() {
            Some(channel) => channel.atr(),
            None => Err(TransportError::NoCard),
        }
    }
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let started = std::time::Instant::now();
        let answer = match self.inner.as_mut() {
            Some(channel) => channel.transmit(command),
            None => Err(TransportError::NoCard),
        };
        self.took.push(started.elapsed());
        answer
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        match self.inner.as_mut() {
            Some(channel) => channel.reset(),
            None => Err(TransportError::NoCard),
        }
    }
}
