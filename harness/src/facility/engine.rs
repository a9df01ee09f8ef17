//! The facility engine itself (施設): [`Facility`] — terminal, readers, eligibility service and
//! result folders wired once — with how it is built ([`FacilitySetup`]), its read-only views
//! ([`ReaderView`]) and the route from the terminal to the readers ([`Facility::with_terminal`]).
//! The roles that drive it live in `patient` and `staff`, the readers' requests in `pump`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use chrono::NaiveDateTime;
use harness_eligibility::enrolment::{CardEnrolment, EnrolledCard};
use harness_eligibility::files::ResultFolders;
use harness_eligibility::fixtures::{FixtureDir, FixtureSource as _};
use harness_eligibility::result_xml::ResultFileOptions;
use harness_eligibility::service::{EligibilityService, ServiceConfig};
use harness_face::FaceMatcher;
use harness_reader::attestation::ReaderCredentials;
use harness_reader::config::{FaceEngine, ReaderConfig};
use harness_reader::{PatientScreen, Reader, ReaderMode};
use harness_terminal::account::AccountKind;
use harness_terminal::audit::AuditSink;
use harness_terminal::config::{AccountConfig, TerminalConfig, TerminalPolicy};
use harness_terminal::secret::Password;
use harness_terminal::{Terminal, TerminalEvent};
use rand::SeedableRng as _;

use super::clock::FacilityClock;
use super::desk::Desk;
use super::directory::Directory;
use super::events::{EventKind, FacilityEvent};
use super::face_failures::FaceFailureStore;
use super::slot::{take_off, CardSlot};
use super::station::{CameraCondition, Station, StationHistory, Visitor};

/// The accounts of the terminal (管理アカウント and 一般アカウント). Passwords come from the
/// driver: test data in the features, environment variables in the live clinic.
pub struct Accounts {
    /// 管理アカウント's password.
    pub admin: Password,
    /// 一般アカウント's password.
    pub general: Password,
}

/// One reader of the facility and the port its cards come through.
pub struct ReaderSetup {
    /// PC/SC name shown on the terminal (e.g. "Identiv CLOUD 3701 F Contactless Reader 0").
    pub name: String,
    /// Where its cards come from.
    pub slot: Box<dyn CardSlot>,
    /// The consent screens it shows (None: those in force on the facility's first day).
    pub consent_screens: Option<harness_reader::ConsentScreens>,
}

/// How a facility is built.
pub struct FacilitySetup {
    /// The fixtures folder (people, cards, pki, insurance).
    pub fixtures: PathBuf,
    /// Readers in terminal order. They start in 無人運転, as on a real terminal.
    pub readers: Vec<ReaderSetup>,
    /// The terminal's accounts.
    pub accounts: Accounts,
    /// The terminal's policy (harness extensions, lifetimes).
    pub policy: TerminalPolicy,
    /// Where the time comes from.
    pub clock: FacilityClock,
    /// Root of the receipt system's folders (`req/`, `res/`, `face/` are created under it).
    pub results_dir: PathBuf,
    /// How result files are written (encoding, line ends).
    pub result_options: ResultFileOptions,
    /// Where the terminal's audit records go.
    pub audit: Box<dyn AuditSink + Send>,
    /// Consecutive face failures per card (shared by the readers, persisted).
    pub face_failures: FaceFailureStore,
    /// Cards beyond the fixtures' and the CA that issued them (a bench's physical cards, read
    /// off the cards before the run), registered in the eligibility service for their people;
    /// `CardEnrolment::default()`: the fixtures only.
    pub enrolment: CardEnrolment,
}

/// The engine. Fields are private: drivers use the roles, views and events.
pub struct Facility {
    pub(super) clock: FacilityClock,
    pub(super) directory: Directory,
    pub(super) terminal: Terminal,
    pub(super) audit: Box<dyn AuditSink + Send>,
    pub(super) service: EligibilityService,
    pub(super) rng: rand::rngs::StdRng,
    pub(super) results: ResultFolders,
    pub(super) result_options: ResultFileOptions,
    pub(super) stations: Vec<Station>,
    pub(super) matcher: Arc<dyn FaceMatcher>,
    pub(super) desk: Desk,
    pub(super) events: Vec<FacilityEvent>,
    pub(super) face_failures: FaceFailureStore,
}

/// A read-only look at one reader.
pub struct ReaderView<'a> {
    station: &'a Station,
}

impl ReaderView<'_> {
    /// PC/SC name.
    pub fn name(&self) -> &str {
        &self.station.name
    }
    /// The mode the reader itself is in.
    pub fn mode(&self) -> ReaderMode {
        self.station.reader.mode()
    }
    /// What the patient sees.
    pub fn screen(&self) -> &PatientScreen {
        self.station.reader.screen()
    }
    /// True while a card lies on the reader.
    pub fn has_card(&self) -> bool {
        self.station.channel.is_some()
    }
    /// Whose card lies on the reader.
    pub fn card_holder(&self) -> Option<&str> {
        self.station
            .card_on_reader
            .as_ref()
            .map(|c| c.reference.holder_id.as_str())
    }
    /// The person standing at the reader.
    pub fn visitor(&self) -> Option<&Visitor> {
        self.station.visitor.as_ref()
    }
    /// What the camera shows.
    pub fn camera(&self) -> CameraCondition {
        self.station.camera
    }
    /// What the visits here gave.
    pub fn history(&self) -> &StationHistory {
        &self.station.history
    }
}

/// 医療機関名 on the terminal's header, as in the procedure sheet's screenshots.
pub const FACILITY_NAME: &str = "サンプル医療機関";
/// ユーザID of the 管理アカウント.
pub const ADMIN_USER: &str = "admin";
/// ユーザID of the 一般アカウント.
pub const GENERAL_USER: &str = "staff";

/// Seed for the service's challenges and the terminal's tokens in scenario runs (deterministic);
/// a wall-clock facility seeds from the OS.
const SCENARIO_SEED: u64 = 11;

impl Facility {
    /// Builds the facility: terminal with its accounts, readers, service, result folders.
    pub fn new(setup: FacilitySetup) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !setup.readers.is_empty(),
            "資格確認端末にカードリーダーがつながっていません"
        );
        let directory = Directory::load(&setup.fixtures)?;
        let names: Vec<String> = setup.readers.iter().map(|r| r.name.clone()).collect();
        let terminal_config = TerminalConfig {
            facility_name: FACILITY_NAME.to_owned(),
            readers: names,
            accounts: vec![
                AccountConfig {
                    user_id: ADMIN_USER.to_owned(),
                    kind: AccountKind::Admin,
                    password: setup.accounts.admin,
                },
                AccountConfig {
                    user_id: GENERAL_USER.to_owned(),
                    kind: AccountKind::General,
                    password: setup.accounts.general,
                },
            ],
            policy: setup.policy,
        };
        let (terminal_rng, rng) = match setup.clock {
            FacilityClock::Scenario(_) => (
                rand::rngs::StdRng::seed_from_u64(7),
                rand::rngs::StdRng::seed_from_u64(SCENARIO_SEED),
            ),
            FacilityClock::Wall(_) => (rand::make_rng(), rand::make_rng()),
        };
        let terminal = Terminal::new(&terminal_config, terminal_rng)
            .map_err(|e| anyhow!("資格確認端末: {e}"))?;

        let (service, _enrolled) =
            eligibility_service(&setup.fixtures, &setup.enrolment, setup.clock.wall())?;
        let results = ResultFolders::new(setup.results_dir.clone());
        results
            .create_all()
            .map_err(|e| anyhow!("結果フォルダ: {e}"))?;

        let credentials = reader_credentials(&setup.fixtures)?;
        let matcher: Arc<dyn FaceMatcher> = Arc::new(harness_face::matching::LbpMatcher::default());
        let origin = setup.clock.wall();
        let stations = setup
            .readers
            .into_iter()
            .map(|r| {
                let mut config = ReaderConfig::new(r.name.clone(), origin, credentials.clone());
                if let Some(screens) = r.consent_screens {
                    config.consent_screens = screens;
                }
                let reader = Reader::new(config, FaceEngine::new(matcher.clone()));
                Station::new(r.name, reader, r.slot)
            })
            .collect();
        let mut facility = Self {
            clock: setup.clock,
            directory,
            terminal,
            audit: setup.audit,
            service,
            rng,
            results,
            result_options: setup.result_options,
            stations,
            matcher,
            desk: Desk::default(),
            events: Vec::new(),
            face_failures: setup.face_failures,
        };
        facility.forward_terminal_outputs()?;
        Ok(facility)
    }

    // ---- time -------------------------------------------------------------------------------

    /// Facility local time (JST).
    pub fn now(&self) -> NaiveDateTime {
        self.clock.wall()
    }

    /// Moves a scenario clock forward; readers and terminal see the time pass.
    pub fn advance(&mut self, by: std::time::Duration) -> anyhow::Result<()> {
        self.clock.advance(by)?;
        self.tick()
    }

    /// Lets readers and terminal act on the current time (timeouts, auto-return). A wall-clock
    /// driver calls this periodically.
    pub fn tick(&mut self) -> anyhow::Result<()> {
        let now = self.clock.wall();
        self.with_terminal(|t, _| t.tick(now))?;
        for index in 0..self.stations.len() {
            self.feed(index, harness_reader::Input::Tick)?;
        }
        Ok(())
    }

    // ---- views ------------------------------------------------------------------------------

    /// The readers in terminal order.
    pub fn readers(&self) -> impl Iterator<Item = ReaderView<'_>> {
        self.stations.iter().map(|station| ReaderView { station })
    }

    /// One reader by its index.
    pub fn reader(&self, index: usize) -> anyhow::Result<ReaderView<'_>> {
        self.stations
            .get(index)
            .map(|station| ReaderView { station })
            .ok_or_else(|| anyhow!("カードリーダー #{index} はありません"))
    }

    /// Index of a reader by its PC/SC name.
    pub fn reader_index(&self, name: &str) -> anyhow::Result<usize> {
        self.stations
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| anyhow!("カードリーダー「{name}」はこの端末につながっていません"))
    }

    /// What the camera of reader `index` shows now (frame 0), as PNG; `None` when nobody stands
    /// there or the device gives no frame. Read-only: the live clinic's preview.
    pub fn camera_preview_png(&self, index: usize) -> anyhow::Result<Option<Vec<u8>>> {
        if self.station(index)?.visitor.is_none() {
            return Ok(None);
        }
        let Ok(camera) = harness_face::camera::Camera::open(self.camera_setup(index)?) else {
            return Ok(None);
        };
        camera
            .frame(0)
            .map(|frame| harness_face::camera::png_bytes(&frame))
            .transpose()
            .map_err(|e| anyhow!("カメラの画像: {e}"))
    }

    /// The photo printed on the card in the hand of the person at reader `index` (seed step ③),
    /// as PNG; `None` when nobody stands there or the card has no photo. Read-only.
    pub fn card_photo_png(&self, index: usize) -> anyhow::Result<Option<Vec<u8>>> {
        if self.station(index)?.visitor.is_none() {
            return Ok(None);
        }
        self.card_photo_in_hand(index)?
            .map(|photo| harness_face::camera::png_bytes(&photo))
            .transpose()
            .map_err(|e| anyhow!("券面の顔写真: {e}"))
    }

    /// The people and their cards.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The mode the terminal shows for a reader.
    pub fn terminal_mode(&self, reader: &str) -> anyhow::Result<ReaderMode> {
        self.terminal
            .reader_mode(reader)
            .ok_or_else(|| anyhow!("端末はカードリーダー「{reader}」を知りません"))
    }

    /// The receipt system's folders.
    pub fn result_folders(&self) -> &ResultFolders {
        &self.results
    }

    /// Every result file in the receipt system's face folder, oldest name first.
    pub fn face_folder_files(&self) -> anyhow::Result<Vec<PathBuf>> {
        let dir = self.results.face_dir();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("{} を読めません", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .collect();
        files.sort();
        Ok(files)
    }

    /// The face matcher the readers use.
    pub fn matcher(&self) -> &Arc<dyn FaceMatcher> {
        &self.matcher
    }

    /// Consecutive face failures of the card of `person_id` (what the facility's store holds):
    /// the card the eligibility service knows as theirs (an enrolled card, else the fixture's).
    pub fn face_failures_of(&self, person_id: &str) -> anyhow::Result<u32> {
        let key = self
            .service
            .card_of_person(person_id)
            .map(harness_reader::CardKey)
            .ok_or_else(|| anyhow!("資格確認サービスは {person_id} のカードを知りません"))?;
        Ok(self.face_failures.count(&key))
    }

    /// Takes what happened since the last call.
    pub fn drain_events(&mut self) -> Vec<FacilityEvent> {
        std::mem::take(&mut self.events)
    }

    /// Runs `f` on the terminal at the current time, then forwards what the terminal did: audit
    /// records to the audit log, mode changes and staff confirmations to the readers. The only
    /// way any driver (staff role, web UI) touches the terminal.
    pub fn with_terminal<R>(
        &mut self,
        f: impl FnOnce(&mut Terminal, NaiveDateTime) -> R,
    ) -> anyhow::Result<R> {
        let now = self.clock.wall();
        let result = f(&mut self.terminal, now);
        self.forward_terminal_outputs()?;
        Ok(result)
    }

    fn forward_terminal_outputs(&mut self) -> anyhow::Result<()> {
        let outputs = self.terminal.take_outputs();
        for record in outputs.audit {
            self.audit
                .append(&record)
                .map_err(|e| anyhow!("監査ログ: {e}"))?;
        }
        for event in outputs.events {
            match event {
                TerminalEvent::ModeChanged { reader, mode, .. } => {
                    let index = self.reader_index(&reader)?;
                    self.feed(index, harness_reader::Input::ModeChanged(mode))?;
                }
                // A notification only: the reader asks for the tick itself when the card is placed.
                TerminalEvent::VisualConfirmed { reader } => {
                    let index = self.reader_index(&reader)?;
                    self.feed(index, harness_reader::Input::StaffConfirmationAvailable)?;
                }
                // The reader has no input to take a notification back: a card placed later is
                // answered "no valid tick" by the terminal, which is what decides.
                TerminalEvent::VisualConfirmationWithdrawn { reader } => {
                    tracing::debug!(%reader, "staff confirmation withdrawn by the terminal");
                }
            }
        }
        Ok(())
    }

    pub(super) fn record(&mut self, kind: EventKind) {
        self.events.push(FacilityEvent {
            at: self.clock.wall(),
            mono: self.clock.mono(),
            kind,
        });
    }

    /// Takes every card off its reader (end of a scenario, clinic shutdown), after each slot
    /// gave back what the scenario spent (a bench restores its cards' PIN counters): a failure
    /// there is returned, after every card is off.
    pub async fn shutdown(&mut self) -> anyhow::Result<()> {
        let mut restored = Ok(());
        for station in &mut self.stations {
            if let Err(e) = station.slot.after_scenario() {
                tracing::error!(reader = %station.name, error = %e, "giving back what the scenario spent");
                if restored.is_ok() {
                    restored = Err(e.context(format!("カードリーダー「{}」", station.name)));
                }
            }
        }
        for station in &mut self.stations {
            station.channel = None;
            station.card_on_reader = None;
            if let Err(e) = take_off(station.slot.as_mut()).await {
                tracing::warn!(reader = %station.name, error = %e, "taking the card off at shutdown");
            }
        }
        restored
    }
}

/// The eligibility service of a facility: the fixtures' cards and CAs, then `enrolment`'s CA and
/// cards, checked at `now` (JST), with the cards it enrolled. The bench checks its cards with it
/// before the first scenario. A refused card's
/// [`harness_eligibility::enrolment::EnrolmentError`] stays in the error's chain.
pub fn eligibility_service(
    fixtures: &Path,
    enrolment: &CardEnrolment,
    now: NaiveDateTime,
) -> anyhow::Result<(EligibilityService, Vec<EnrolledCard>)> {
    let loaded = FixtureDir::new(fixtures)
        .load()
        .context("資格確認のフィクスチャを読めません")?;
    let mut service = EligibilityService::from_fixtures(&loaded, ServiceConfig::default())
        .map_err(|e| anyhow!("資格確認サービス: {e}"))?;
    let enrolled = service
        .apply_enrolment(enrolment, now)
        .context("資格確認サービス")?;
    Ok((service, enrolled))
}

/// The readers' attestation key and certificate (fixtures/pki/readers).
fn reader_credentials(fixtures: &Path) -> anyhow::Result<ReaderCredentials> {
    let key_pem = std::fs::read_to_string(fixtures.join("pki/readers/reader-0.key.pem"))
        .context("カードリーダーの署名鍵を読めません")?;
    let cert_der = std::fs::read(fixtures.join("pki/readers/reader-0.crt.der"))
        .context("カードリーダーの証明書を読めません")?;
    ReaderCredentials::from_key_pem(&key_pem, cert_der)
        .map_err(|e| anyhow!("カードリーダーの鍵: {e}"))
}
