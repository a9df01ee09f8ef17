//! A simulated clinic counter: the verification terminal, its face-recognition readers, the
//! eligibility service and the receipt system's result folder, wired together and driven by one
//! clock that the scenario owns.
//!
//! Every step of the features is a call here; the same calls run with the card in-process or
//! behind real pcscd (the card channel is the only thing that changes).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _};
use chrono::{NaiveDate, NaiveDateTime};
use harness_eligibility::files::ResultFolders;
use harness_eligibility::fixtures::{FixtureDir, FixtureSource as _};
use harness_eligibility::result_xml::ResultFileOptions;
use harness_eligibility::service::{
    CheckOutcome as ServiceOutcome, EligibilityService, ServiceConfig,
};
use harness_face::camera::{Camera, CameraSetup, DeviceFault, Scene, Subject};
use harness_face::{FaceMatcher, MatchReport};
use harness_reader::attestation::ReaderCredentials;
use harness_reader::card_data::PrintedCardFace;
use harness_reader::config::{FaceEngine, ReaderConfig};
use harness_reader::driver::run_until_idle;
use harness_reader::io::{
    CameraFault, Input, Output, Pin, ServiceAnswer, Touch, VisualConfirmation,
};
use harness_reader::result::CheckResult;
use harness_reader::{Reader, ReaderMode};
use harness_terminal::audit::{AuditSink as _, MemoryAudit};
use harness_terminal::config::{AutoReturnPolicy, TerminalConfig, TerminalPolicy};
use harness_terminal::secret::{Password, Token};
use harness_terminal::terminal::{
    SessionInfo, Terminal, TerminalError, TerminalEvent, VisualConfirmationForm,
};
use harness_transport::{CardChannel, TransportError};
use rand::SeedableRng as _;
use virtual_card::profile::{LoadedProfile, People, Person};

use crate::config::HarnessConfig;
use crate::report::{FaceRecord, ScenarioArtifacts, ScreenRecord};

/// The scenario's clock: wall time (JST) and the monotonic time the readers use.
#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    origin: NaiveDateTime,
    elapsed: Duration,
}

impl SimClock {
    /// A clock starting at `origin`.
    pub fn new(origin: NaiveDateTime) -> Self {
        Self {
            origin,
            elapsed: Duration::ZERO,
        }
    }

    /// Facility local time.
    pub fn wall(&self) -> NaiveDateTime {
        self.origin + chrono::TimeDelta::from_std(self.elapsed).unwrap_or_default()
    }

    /// Time since the scenario started (the readers' clock).
    pub fn mono(&self) -> Duration {
        self.elapsed
    }

    /// Moves time forward.
    pub fn advance(&mut self, by: Duration) {
        self.elapsed += by;
    }
}

/// Passwords of the demo accounts (test data, never real).
pub const ADMIN_USER: &str = "admin";
/// 一般アカウント's user id.
pub const GENERAL_USER: &str = "staff";
const ADMIN_PASSWORD: &str = "Admin-Test-2026";
const GENERAL_PASSWORD: &str = "Staff-Test-2026";

/// What the camera of a reader shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraCondition {
    /// A scene in front of a working camera.
    Scene(Scene),
    /// A device fault.
    Fault(DeviceFault),
}

/// The patient at the counter with their card.
#[derive(Debug, Clone)]
pub struct Patient {
    /// Person id in fixtures/people.toml.
    pub person_id: String,
    /// Path of the card profile.
    pub card_profile: PathBuf,
    /// The loaded profile (printed face data, photo).
    pub card: Arc<LoadedProfile>,
}

/// Puts a patient's card in a reader: in-process, or through pcscd. Poll-based, so that the
/// scenario awaits (and other scenarios run) while pcscd notices a card come or go.
pub trait CardSlot: Send {
    /// Starts putting the card in the reader.
    fn insert(&mut self, patient: &Patient) -> anyhow::Result<()>;
    /// The channel once the card is there (`None`: not yet).
    fn poll_inserted(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>>;
    /// Starts taking the card out.
    fn remove(&mut self);
    /// True once the reader shows no card.
    fn poll_removed(&mut self) -> bool;
    /// Opens a second channel to the card in the reader (for checks made beside the reader).
    fn poll_side_channel(&mut self) -> anyhow::Result<Option<Box<dyn CardChannel>>>;
    /// True while a card is in the reader.
    fn has_card(&self) -> bool;
}

/// How long a card may take to appear or disappear in a reader.
const SLOT_TIMEOUT: Duration = Duration::from_secs(15);
const SLOT_POLL: Duration = Duration::from_millis(10);

async fn await_some<T>(
    what: &str,
    mut poll: impl FnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let deadline = std::time::Instant::now() + SLOT_TIMEOUT;
    loop {
        if let Some(value) = poll()? {
            return Ok(value);
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "{what} within {SLOT_TIMEOUT:?}"
        );
        tokio::time::sleep(SLOT_POLL).await;
    }
}

/// One reader at the counter with what is in front of it.
pub struct Station {
    /// PC/SC name shown on the terminal.
    pub name: String,
    /// The mock reader.
    pub reader: Reader,
    /// The card on it, if any.
    pub channel: Option<Box<dyn CardChannel>>,
    /// The camera's condition.
    pub camera: CameraCondition,
    /// Frames of the last burst (for the report).
    last_burst: Vec<image::RgbImage>,
    /// Results of finished visits, oldest first.
    pub results: Vec<CheckResult>,
    /// The service's outcomes for submitted checks, oldest first.
    pub outcomes: Vec<ServiceOutcome>,
    /// Result files written for the receipt system.
    pub result_files: Vec<PathBuf>,
    /// Face comparisons made.
    pub face_reports: Vec<MatchReport>,
}

/// The simulated counter.
pub struct Facility {
    config: HarnessConfig,
    /// The scenario's clock.
    pub clock: SimClock,
    people: People,
    face_people: Vec<harness_face::people::FixturePerson>,
    /// The verification terminal's core.
    pub terminal: Terminal,
    /// Audit log of the terminal.
    pub audit: MemoryAudit,
    /// The eligibility service.
    pub service: EligibilityService,
    rng: rand::rngs::StdRng,
    /// The receipt system's folders.
    pub results: ResultFolders,
    result_options: ResultFileOptions,
    /// Readers in terminal order.
    pub stations: Vec<Station>,
    slot: Box<dyn CardSlot>,
    matcher: Arc<dyn FaceMatcher>,
    session: Option<SessionInfo>,
    /// Whether the 顔認証付きカードリーダー操作 screen is open.
    pub reader_screen_open: bool,
    /// The last refusal or error from the terminal.
    pub last_terminal_error: Option<TerminalError>,
    /// The current patient.
    pub patient: Option<Patient>,
    /// What the report shows for this scenario.
    pub artifacts: ScenarioArtifacts,
}

/// How a facility is set up before the first action.
#[derive(Debug, Clone)]
pub struct FacilitySetup {
    /// PC/SC names of the readers, in terminal order. They start in 無人運転, as on a real
    /// terminal; other modes are set with the admin account ([`Facility::preset_mode`]).
    pub readers: Vec<String>,
    /// The terminal's switch-back policy.
    pub auto_return: AutoReturnPolicy,
    /// Scenario folder (result files go under it).
    pub work_dir: PathBuf,
}

fn fixture_path(config: &HarnessConfig, rel: &str) -> PathBuf {
    config.fixtures.join(rel)
}

impl Facility {
    /// Builds the counter: terminal with the demo accounts, readers, service and result folder.
    pub fn new(
        config: HarnessConfig,
        setup: FacilitySetup,
        slot: Box<dyn CardSlot>,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !setup.readers.is_empty(),
            "no reader is connected to the terminal"
        );
        let origin = NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .ok_or_else(|| anyhow!("bad clock origin"))?;
        let clock = SimClock::new(origin);
        let people_path = fixture_path(&config, "people.toml");
        let people = People::load(&people_path).context("loading fixtures/people.toml")?;
        let face_people = harness_face::people::parse_people(
            &std::fs::read_to_string(&people_path).context("reading fixtures/people.toml")?,
        )
        .map_err(|e| anyhow!("face fixtures: {e}"))?;

        let mut terminal_config = TerminalConfig::demo(ADMIN_PASSWORD, GENERAL_PASSWORD);
        terminal_config.readers = setup.readers.clone();
        terminal_config.policy = TerminalPolicy {
            auto_return: setup.auto_return,
            // Still salted argon2id, with the cheapest parameters: one terminal per scenario.
            password_hash_cost: harness_terminal::account::HashCost::Minimal,
            ..TerminalPolicy::default()
        };
        let mut terminal = Terminal::new(&terminal_config, rand::rngs::StdRng::seed_from_u64(7))
            .map_err(|e| anyhow!("terminal: {e}"))?;
        let mut audit = MemoryAudit::default();
        let outputs = terminal.take_outputs();
        for record in outputs.audit {
            audit.append(&record).map_err(|e| anyhow!("audit: {e}"))?;
        }

        let fixtures = FixtureDir::new(&config.fixtures)
            .load()
            .context("loading eligibility fixtures")?;
        let service = EligibilityService::from_fixtures(&fixtures, ServiceConfig::default())
            .map_err(|e| anyhow!("eligibility service: {e}"))?;

        let results = ResultFolders::new(setup.work_dir.join("oqs"));
        results
            .create_all()
            .map_err(|e| anyhow!("result folders: {e}"))?;

        let key_pem =
            std::fs::read_to_string(fixture_path(&config, "pki/readers/reader-0.key.pem"))
                .context("reader attestation key")?;
        let cert_der = std::fs::read(fixture_path(&config, "pki/readers/reader-0.crt.der"))
            .context("reader attestation certificate")?;
        let cert_pem = der_to_pem("CERTIFICATE", &cert_der);
        let credentials = ReaderCredentials::from_pem(&key_pem, &cert_pem)
            .map_err(|e| anyhow!("reader credentials: {e}"))?;
        let matcher: Arc<dyn FaceMatcher> = Arc::new(harness_face::matching::LbpMatcher::default());
        let stations = setup
            .readers
            .iter()
            .map(|name| {
                let reader_config = ReaderConfig::new(name.clone(), origin, credentials.clone());
                Station {
                    name: name.clone(),
                    reader: Reader::new(reader_config, FaceEngine::new(matcher.clone())),
                    channel: None,
                    camera: CameraCondition::Scene(Scene::CardHolder),
                    last_burst: Vec::new(),
                    results: Vec::new(),
                    outcomes: Vec::new(),
                    result_files: Vec::new(),
                    face_reports: Vec::new(),
                }
            })
            .collect();
        Ok(Self {
            config,
            clock,
            people,
            face_people,
            terminal,
            audit,
            service,
            rng: rand::rngs::StdRng::seed_from_u64(11),
            results,
            result_options: ResultFileOptions::default(),
            stations,
            slot,
            matcher,
            session: None,
            reader_screen_open: false,
            last_terminal_error: None,
            patient: None,
            artifacts: ScenarioArtifacts::default(),
        })
    }

    /// The fixtures folder.
    pub fn fixtures(&self) -> &Path {
        &self.config.fixtures
    }

    /// Index of a reader by its terminal name.
    pub fn station_index(&self, name: &str) -> anyhow::Result<usize> {
        self.stations
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| anyhow!("no reader named {name:?} at this terminal"))
    }

    /// Finds a person by the name written in the features (spaces ignored).
    pub fn person_by_name(&self, name: &str) -> anyhow::Result<&Person> {
        let wanted: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        self.people
            .people
            .iter()
            .find(|p| {
                p.name
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    == wanted
            })
            .ok_or_else(|| anyhow!("no person named {name:?} in fixtures/people.toml"))
    }

    /// The patient with their card arrives.
    pub fn patient_arrives(&mut self, name: &str) -> anyhow::Result<()> {
        let person_id = self.person_by_name(name)?.id.clone();
        let card_profile = fixture_path(&self.config, &format!("cards/{person_id}.toml"));
        let card = virtual_card::profile::load(&card_profile)
            .with_context(|| format!("loading {}", card_profile.display()))?;
        self.patient = Some(Patient {
            person_id,
            card_profile,
            card: Arc::new(card),
        });
        Ok(())
    }

    fn patient(&self) -> anyhow::Result<&Patient> {
        self.patient
            .as_ref()
            .ok_or_else(|| anyhow!("no patient at the counter yet"))
    }

    /// Sets what the camera of reader `index` shows.
    pub fn set_camera(&mut self, index: usize, camera: CameraCondition) {
        if let Some(s) = self.stations.get_mut(index) {
            s.camera = camera;
        }
    }

    /// Time passes (readers and terminal see it).
    pub fn advance(&mut self, by: Duration) -> anyhow::Result<()> {
        self.clock.advance(by);
        let now = self.clock.wall();
        self.terminal.tick(now);
        self.forward_terminal_outputs()?;
        for i in 0..self.stations.len() {
            self.feed(i, Input::Tick)?;
        }
        Ok(())
    }

    /// A patient action takes a moment.
    fn step_time(&mut self) {
        self.clock.advance(Duration::from_secs(2));
    }

    // ---- patient ------------------------------------------------------------------------

    /// The patient places the card on reader `index` (the patient's reader: the slot serves one).
    pub async fn place_card(&mut self, index: usize) -> anyhow::Result<()> {
        anyhow::ensure!(index == 0, "cards are placed on the first reader");
        self.step_time();
        let patient = self.patient()?.clone();
        self.slot.insert(&patient)?;
        let slot = &mut self.slot;
        let channel = await_some("the card did not appear in the reader", || {
            slot.poll_inserted()
        })
        .await?;
        let station = self.station_mut(index)?;
        station.channel = Some(channel);
        let (name, mode) = (station.name.clone(), station.reader.mode());
        if mode == ReaderMode::VisualCheck {
            // The card meets the staff confirmation: from now on the terminal counts it as used
            // (and warns while the reader stays in 目視確認).
            let now = self.clock.wall();
            let _ = self.terminal.visual_confirmation_for(&name, now);
            self.forward_terminal_outputs()?;
        }
        self.feed(index, Input::CardPlaced)
    }

    /// The patient takes the card off reader `index`.
    pub async fn remove_card(&mut self, index: usize) -> anyhow::Result<()> {
        self.step_time();
        self.station_mut(index)?.channel = None;
        self.slot.remove();
        let slot = &mut self.slot;
        await_some("the card did not leave the reader", || {
            Ok(slot.poll_removed().then_some(()))
        })
        .await?;
        self.feed(index, Input::CardRemoved)
    }

    /// The patient touches a button on reader `index`.
    pub fn touch(&mut self, index: usize, touch: Touch) -> anyhow::Result<()> {
        self.step_time();
        self.feed(index, Input::Touch(touch))
    }

    /// The patient enters a PIN on reader `index`.
    pub fn enter_pin(&mut self, index: usize, digits: &str) -> anyhow::Result<()> {
        self.step_time();
        self.feed(index, Input::PinEntered(Pin::new(digits)))
    }

    /// The patient answers every consent item.
    pub fn answer_consents(&mut self, index: usize, answers: [bool; 4]) -> anyhow::Result<()> {
        for touch in harness_reader::reader::consent_touches(answers) {
            self.touch(index, touch)?;
        }
        Ok(())
    }

    // ---- staff --------------------------------------------------------------------------

    /// Staff log in with the admin (管理) or general (一般) account.
    pub fn login(&mut self, admin: bool) -> anyhow::Result<()> {
        let (user, password) = if admin {
            (ADMIN_USER, ADMIN_PASSWORD)
        } else {
            (GENERAL_USER, GENERAL_PASSWORD)
        };
        let now = self.clock.wall();
        let result = self.terminal.login(user, &Password::new(password), now);
        self.forward_terminal_outputs()?;
        let session = result.map_err(|e| anyhow!("login refused: {}", e.screen_message()))?;
        self.session = Some(session);
        Ok(())
    }

    fn session_id(&self) -> anyhow::Result<Token> {
        self.session
            .as_ref()
            .map(|s| s.session_id.clone())
            .ok_or_else(|| anyhow!("staff are not logged in"))
    }

    /// Staff open 顔認証付きカードリーダー操作.
    pub fn open_reader_screen(&mut self) -> anyhow::Result<()> {
        let id = self.session_id()?;
        let now = self.clock.wall();
        self.terminal
            .reader_screen(&id, now)
            .map_err(|e| anyhow!("{}", e.screen_message()))?;
        self.reader_screen_open = true;
        Ok(())
    }

    /// Staff press a mode button; a refusal is kept in `last_terminal_error`, not returned.
    pub fn press_mode(&mut self, reader: &str, mode: ReaderMode) -> anyhow::Result<()> {
        let id = self.session_id()?;
        anyhow::ensure!(self.reader_screen_open, "the reader screen is not open");
        let now = self.clock.wall();
        let result = self.terminal.set_mode(&id, reader, mode, now);
        self.forward_terminal_outputs()?;
        self.last_terminal_error = result.err();
        Ok(())
    }

    /// Staff tick 目視で本人確認完了 with a 資格確認日 (empty: left blank).
    pub fn tick_visual_confirmation(&mut self, reader: &str, date: &str) -> anyhow::Result<()> {
        let id = self.session_id()?;
        let now = self.clock.wall();
        let form = VisualConfirmationForm {
            identity_confirmed: true,
            confirmation_date: date.to_owned(),
        };
        let result = self.terminal.confirm_visual(&id, reader, &form, now);
        self.forward_terminal_outputs()?;
        match result {
            Ok(confirmation) => {
                self.last_terminal_error = None;
                // The reader learns at once that staff confirmed (its screen asks for the card);
                // the terminal marks the confirmation used when the card is placed.
                let index = self.station_index(reader)?;
                self.feed(
                    index,
                    Input::VisualConfirmation(VisualConfirmation {
                        account: confirmation.account,
                        confirmation_date: confirmation.confirmation_date,
                        confirmed_at: confirmation.confirmed_at,
                    }),
                )?;
            }
            Err(e) => self.last_terminal_error = Some(e),
        }
        Ok(())
    }

    /// Sets a reader's mode before the scenario's patient arrives, as the admin would: a separate
    /// admin session logs in, presses the mode, and logs out.
    pub fn preset_mode(&mut self, reader: &str, mode: ReaderMode) -> anyhow::Result<()> {
        let now = self.clock.wall();
        let session = self
            .terminal
            .login(ADMIN_USER, &Password::new(ADMIN_PASSWORD), now)
            .map_err(|e| anyhow!("admin login: {e}"))?;
        let result = self
            .terminal
            .set_mode(&session.session_id, reader, mode, now);
        let _ = self.terminal.logout(&session.session_id, now);
        self.forward_terminal_outputs()?;
        result.map_err(|e| anyhow!("setting {reader:?} to {}: {e}", mode.label()))
    }

    /// Takes the cards out and stops card processes.
    pub async fn shutdown(&mut self) {
        for station in &mut self.stations {
            station.channel = None;
        }
        self.slot.remove();
        let slot = &mut self.slot;
        if let Err(e) = await_some("the card did not leave the reader", || {
            Ok(slot.poll_removed().then_some(()))
        })
        .await
        {
            tracing::warn!(error = %e, "shutting the counter down");
        }
    }

    /// Seed steps ③: the patient shows the card's face photo to staff. The report keeps the
    /// photo beside the patient's face as the counter camera sees it, for a person to review.
    pub fn show_card_photo_to_staff(&mut self) -> anyhow::Result<()> {
        let photo = self.card_photo()?;
        let Some(photo) = photo else {
            bail!("this card has no face photo (cards of children under 1): visual check is impossible");
        };
        // What staff see at the counter: the patient in front of a working camera (a short burst,
        // so that the matcher's liveness check has motion to judge).
        let setup = self.camera_setup(0)?;
        let burst = Camera::open(CameraSetup {
            fault: None,
            ..setup
        })
        .map(|c| c.burst(harness_face::camera::DEFAULT_BURST))
        .unwrap_or_default();
        if let Some(frame) = burst.first() {
            let report = self.matcher.compare(&photo, &burst);
            let png = harness_face::comparison::comparison_png(&photo, Some(frame), &report)
                .map_err(|e| anyhow!("comparison image: {e}"))?;
            self.artifacts.faces.push(FaceRecord {
                png,
                summary: format!(
                    "券面の顔写真と窓口の患者（職員による目視確認の参考; matcher: {:?}, score {:.3}）",
                    report.decision, report.score
                ),
            });
        }
        Ok(())
    }

    /// Seed step ④: staff can check the photo only if the card has one and it is this patient's
    /// card (a card of someone else would be refused at the counter).
    pub fn staff_check_photo(&mut self) -> anyhow::Result<()> {
        let patient = self.patient()?;
        anyhow::ensure!(
            patient.card.data.photo.is_some(),
            "the card has no photo to compare"
        );
        anyhow::ensure!(
            patient.card.person.id == patient.person_id,
            "the card belongs to {}, not to the patient",
            patient.card.person.id
        );
        Ok(())
    }

    /// A whole visual-check visit (seed steps ①–⑥) at reader `index`: admin login, 目視確認,
    /// tick with today's date, card, consents; the reader is left in 目視確認.
    pub async fn visual_visit(&mut self, index: usize) -> anyhow::Result<()> {
        let reader = self
            .stations
            .get(index)
            .map(|s| s.name.clone())
            .ok_or_else(|| anyhow!("no reader #{index}"))?;
        if self.session.is_none() {
            self.login(true)?;
        }
        self.open_reader_screen()?;
        self.press_mode(&reader, ReaderMode::VisualCheck)?;
        if let Some(e) = self.last_terminal_error.take() {
            bail!("switching to 目視確認 was refused: {e}");
        }
        let today = self.clock.wall().date().format("%Y/%m/%d").to_string();
        self.tick_visual_confirmation(&reader, &today)?;
        if let Some(e) = self.last_terminal_error.take() {
            bail!("ticking 目視で本人確認完了 was refused: {e}");
        }
        self.place_card(index).await?;
        self.answer_consents(index, [true; 4])?;
        let result = self
            .last_result(index)
            .ok_or_else(|| anyhow!("the visual-check visit did not end"))?;
        anyhow::ensure!(
            result.is_completed(),
            "the visual-check visit ended with {:?}",
            result.outcome
        );
        self.remove_card(index).await?;
        Ok(())
    }

    /// True when the operator screen warns that a reader stayed in 目視確認.
    pub fn switch_back_warning_shown(&mut self) -> anyhow::Result<bool> {
        let id = self.session_id()?;
        let now = self.clock.wall();
        let screen = self
            .terminal
            .reader_screen(&id, now)
            .map_err(|e| anyhow!("{}", e.screen_message()))?;
        Ok(screen
            .readers
            .iter()
            .any(|r| r.switch_back_warning.is_some()))
    }

    /// The newest result file in the face folder, parsed.
    pub fn last_result_file(&self) -> anyhow::Result<ResultFile> {
        let files = self.face_folder_files()?;
        let path = files
            .last()
            .ok_or_else(|| anyhow!("no result file in the face folder"))?;
        ResultFile::read(path)
    }

    /// The terminal's current mode of a reader.
    pub fn terminal_mode(&self, reader: &str) -> anyhow::Result<ReaderMode> {
        self.terminal
            .reader_mode(reader)
            .ok_or_else(|| anyhow!("the terminal does not know reader {reader:?}"))
    }

    /// The operator screen as text, if staff are logged in.
    pub fn operator_screen_text(&mut self) -> Option<String> {
        let id = self.session.as_ref()?.session_id.clone();
        let now = self.clock.wall();
        let screen = if self.reader_screen_open {
            let mut screen = self.terminal.reader_screen(&id, now).ok()?;
            if let Some(e) = &self.last_terminal_error {
                screen.notice = Some(harness_terminal::screen::Notice::Refused(
                    e.screen_message(),
                ));
            }
            harness_terminal::screen::Screen::Readers(screen)
        } else {
            harness_terminal::screen::Screen::Menu(self.terminal.menu_screen(&id, now).ok()?)
        };
        Some(harness_terminal::screen::render_text(&screen))
    }

    /// The patient screen of reader `index` as text.
    pub fn patient_screen_text(&self, index: usize) -> Option<String> {
        self.stations.get(index).map(|s| s.reader.screen().render())
    }

    /// Records both screens after a step (report and snapshots).
    pub fn record_screens(&mut self, after_step: &str) -> ScreenRecord {
        let record = ScreenRecord {
            after_step: after_step.to_owned(),
            operator: self.operator_screen_text(),
            patient: self.patient_screen_text(0),
        };
        self.artifacts.screens.push(record.clone());
        record
    }

    /// User-auth PIN tries left on the patient's card, asked of the card itself.
    /// The card is asked through a second channel while it lies on the reader, or put back on
    /// the reader for the question and taken off again.
    pub async fn card_auth_tries_left(&mut self) -> anyhow::Result<u8> {
        let patient = self.patient()?.clone();
        let had_card = self.slot.has_card();
        if !had_card {
            self.slot.insert(&patient)?;
            let slot = &mut self.slot;
            drop(
                await_some("the card did not appear in the reader", || {
                    slot.poll_inserted()
                })
                .await?,
            );
        }
        let slot = &mut self.slot;
        let mut channel =
            await_some("no second channel to the card", || slot.poll_side_channel()).await?;
        let tries = crate::slots::query_auth_tries(channel.as_mut());
        drop(channel);
        if !had_card {
            self.slot.remove();
            let slot = &mut self.slot;
            await_some("the card did not leave the reader", || {
                Ok(slot.poll_removed().then_some(()))
            })
            .await?;
        }
        tries
    }

    // ---- the pump -----------------------------------------------------------------------

    fn station_mut(&mut self, index: usize) -> anyhow::Result<&mut Station> {
        self.stations
            .get_mut(index)
            .ok_or_else(|| anyhow!("no reader #{index}"))
    }

    fn forward_terminal_outputs(&mut self) -> anyhow::Result<()> {
        let outputs = self.terminal.take_outputs();
        for record in outputs.audit {
            self.audit
                .append(&record)
                .map_err(|e| anyhow!("audit: {e}"))?;
        }
        for event in outputs.events {
            let TerminalEvent::ModeChanged { reader, mode, .. } = event;
            let index = self.station_index(&reader)?;
            self.feed(index, Input::ModeChanged(mode))?;
        }
        Ok(())
    }

    /// Feeds one input to a reader and answers everything it asks for until it is idle.
    pub fn feed(&mut self, index: usize, input: Input) -> anyhow::Result<()> {
        let mut pending = VecDeque::from([input]);
        while let Some(input) = pending.pop_front() {
            // Input's Debug masks PINs; exchanges mask VERIFY data.
            tracing::debug!(reader = index, ?input, "reader input");
            let now = self.clock.mono();
            let wall = self.clock.wall();
            let station = self
                .stations
                .get_mut(index)
                .ok_or_else(|| anyhow!("no reader #{index}"))?;
            let pumped = match station.channel.as_mut() {
                Some(channel) => run_until_idle(&mut station.reader, channel.as_mut(), input, now),
                None => run_until_idle(&mut station.reader, &mut NoCard, input, now),
            };
            for exchange in &pumped.exchanges {
                let line = exchange.to_trace_string();
                tracing::trace!(reader = index, apdu = %line, "card exchange");
                self.artifacts.apdu_trace.push(line);
            }
            for output in pumped.outputs {
                match output {
                    Output::Transmit(_) | Output::Screen(_) => {}
                    Output::NeedCardFaceScan => {
                        let face = self.printed_card_face()?;
                        pending.push_back(Input::CardFaceScanned(Ok(face)));
                    }
                    Output::NeedCameraFrames => pending.push_back(self.camera_input(index)?),
                    Output::NeedChallenge => {
                        let challenge = self.service.issue_challenge(&mut self.rng, wall);
                        pending.push_back(Input::Challenge(challenge.nonce.clone()));
                    }
                    Output::FaceCompared(attempt) => self.record_face(index, &attempt.report)?,
                    Output::SubmitCheck(check) => {
                        let outcome = self.service.check(*check, wall);
                        let path = self
                            .results
                            .write_outcome(&outcome, &self.result_options)
                            .map_err(|e| anyhow!("writing the result file: {e}"))?;
                        self.artifacts.notes.push(format!(
                            "eligibility: {} (本人確認: {:?}) → {}",
                            outcome.label(),
                            outcome.method,
                            path.display()
                        ));
                        let answer = ServiceAnswer::from(&outcome);
                        let station = self.station_mut(index)?;
                        station.outcomes.push(outcome);
                        station.result_files.push(path);
                        pending.push_back(Input::ServiceAnswer(answer));
                    }
                    Output::Result(result) => {
                        self.artifacts.notes.push(format!(
                            "reader {}: {} / {:?}",
                            result.reader_name,
                            result.method_label(),
                            result.outcome
                        ));
                        let name = result.reader_name.clone();
                        self.station_mut(index)?.results.push(*result);
                        self.terminal.patient_finished(&name, wall);
                        self.forward_terminal_outputs()?;
                    }
                }
            }
        }
        Ok(())
    }

    fn printed_card_face(&self) -> anyhow::Result<PrintedCardFace> {
        PrintedCardFace::of_card(&self.patient()?.card.data)
            .ok_or_else(|| anyhow!("the card's security code is not 4 digits"))
    }

    fn camera_setup(&self, index: usize) -> anyhow::Result<CameraSetup> {
        let patient = self.patient()?;
        let station = self
            .stations
            .get(index)
            .ok_or_else(|| anyhow!("no reader #{index}"))?;
        let person = self
            .face_people
            .iter()
            .find(|p| p.id == patient.person_id)
            .ok_or_else(|| anyhow!("{} is not in the face fixtures", patient.person_id))?;
        let wall = self.clock.wall().date();
        let today = harness_face::people::Date::parse(&wall.format("%Y-%m-%d").to_string())
            .ok_or_else(|| anyhow!("bad date {wall}"))?;
        let (scene, fault) = match station.camera {
            CameraCondition::Scene(scene) => (scene, None),
            CameraCondition::Fault(fault) => (Scene::CardHolder, Some(fault)),
        };
        Ok(CameraSetup {
            subject: Subject {
                identity: person.identity(),
                age_years: person.age_on(&today),
            },
            scene,
            seed: person.face_seed ^ 0x5eed,
            fault,
        })
    }

    fn camera_input(&mut self, index: usize) -> anyhow::Result<Input> {
        let setup = self.camera_setup(index)?;
        let camera = match Camera::open(setup) {
            Ok(camera) => camera,
            Err(_) => return Ok(Input::CameraFault(CameraFault::Missing)),
        };
        let burst = camera.burst(harness_face::camera::DEFAULT_BURST);
        if burst.is_empty() {
            return Ok(Input::CameraFault(CameraFault::NoFrames));
        }
        self.station_mut(index)?.last_burst = burst.clone();
        Ok(Input::CameraFrames(burst))
    }

    fn record_face(&mut self, index: usize, report: &MatchReport) -> anyhow::Result<()> {
        let photo = self.card_photo()?;
        let station = self.station_mut(index)?;
        station.face_reports.push(report.clone());
        let Some(frame) = station.last_burst.first().cloned() else {
            return Ok(());
        };
        if let Some(photo) = photo {
            let png = harness_face::comparison::comparison_png(&photo, Some(&frame), report)
                .map_err(|e| anyhow!("comparison image: {e}"))?;
            self.artifacts.faces.push(FaceRecord {
                png,
                summary: format!(
                    "{:?}: score {:.3} (threshold {:.3})",
                    report.decision, report.score, report.threshold
                ),
            });
        }
        Ok(())
    }

    /// The patient's card photo as the card holds it (None for an infant's card).
    pub fn card_photo(&self) -> anyhow::Result<Option<image::RgbImage>> {
        let patient = self.patient()?;
        match &patient.card.data.photo {
            None => Ok(None),
            Some(bytes) => harness_face::decode_card_photo(bytes)
                .map(Some)
                .map_err(|e| anyhow!("card photo: {e}")),
        }
    }

    /// The matcher the readers use.
    pub fn matcher(&self) -> &Arc<dyn FaceMatcher> {
        &self.matcher
    }

    /// The last finished visit at reader `index`.
    pub fn last_result(&self, index: usize) -> Option<&CheckResult> {
        self.stations.get(index)?.results.last()
    }

    /// The last service outcome at reader `index`.
    pub fn last_outcome(&self, index: usize) -> Option<&ServiceOutcome> {
        self.stations.get(index)?.outcomes.last()
    }

    /// Every result file in the receipt system's face folder.
    pub fn face_folder_files(&self) -> anyhow::Result<Vec<PathBuf>> {
        let dir = self.results.face_dir();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .collect();
        files.sort();
        Ok(files)
    }
}

/// A result file as the receipt system reads it: element names and their text.
#[derive(Debug, Clone)]
pub struct ResultFile {
    /// The XML text.
    pub text: String,
    elements: Vec<(String, String)>,
}

impl ResultFile {
    /// Reads and parses a result file with a plain XML parser.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let text = String::from_utf8(bytes).context("result file is not UTF-8")?;
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut stack: Vec<String> = Vec::new();
        let mut elements = Vec::new();
        loop {
            match reader
                .read_event()
                .context("result file is not well-formed XML")?
            {
                quick_xml::events::Event::Start(e) => {
                    let name = e.name().as_ref().to_owned();
                    elements.push((name.clone(), String::new()));
                    stack.push(name);
                }
                quick_xml::events::Event::Empty(e) => {
                    elements.push((e.name().as_ref().to_owned(), String::new()));
                }
                quick_xml::events::Event::Text(t) => {
                    let value = t.xml10_content().into_owned();
                    if let (Some(open), Some(last)) = (stack.last(), elements.last_mut()) {
                        if &last.0 == open {
                            last.1.push_str(value.trim());
                        }
                    }
                }
                quick_xml::events::Event::End(_) => {
                    stack.pop();
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        anyhow::ensure!(stack.is_empty(), "result file ends inside an element");
        Ok(Self { text, elements })
    }

    /// Text of every element with this name.
    pub fn elements(&self, name: &str) -> Vec<String> {
        self.elements
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// True when an element with this name is present.
    pub fn has_element(&self, name: &str) -> bool {
        self.elements.iter().any(|(n, _)| n == name)
    }
}

/// A card channel with no card: every command fails as "no card".
struct NoCard;

impl CardChannel for NoCard {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Err(TransportError::NoCard)
    }
    fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, TransportError> {
        Err(TransportError::NoCard)
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        Err(TransportError::NoCard)
    }
}

fn der_to_pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}
