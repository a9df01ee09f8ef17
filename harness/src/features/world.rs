//! The cucumber World: plain state of one scenario plus the facility engine, built lazily once
//! the background has said which readers are connected. The run's settings reach it through the
//! runner's before-hook ([`RunContext`]), never through a global.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Context as _};
use chrono::NaiveDate;
use futures::future::LocalBoxFuture;
use harness_eligibility::result_xml::ResultFileOptions;
use harness_terminal::account::{AccountKind, HashCost};
use harness_terminal::audit::MemoryAudit;
use harness_terminal::config::{AutoReturnPolicy, TerminalPolicy};
use harness_terminal::secret::Password;

use super::artifacts::ArtifactRecorder;
use super::snapshots::Snapshots;
use crate::bench::BenchRig;
use crate::config::{HarnessConfig, StepThreads, Transport};
use crate::facility::{
    Accounts, CardSlot, FaceFailureStore, Facility, FacilityClock, FacilitySetup, ReaderSetup,
    ScenarioClock, StaffJudgement,
};
use crate::report::ScenarioArtifacts;
use crate::slots::{InProcessSlot, PcscReaderPool};

/// What every scenario of a run shares: settings and the PC/SC reader pool.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// Transport, fixtures, snapshot checking, work folder.
    pub config: HarnessConfig,
    /// The PC/SC readers scenarios borrow (pcscd transport only).
    pub pcsc_pool: Option<PcscReaderPool>,
    /// How result files are written in this run.
    pub result_options: ResultFileOptions,
    /// The bench whose readers and fixture the scenarios use (`harness run --bench`); its cards
    /// come through its slots instead of the transport's.
    pub bench: Option<Arc<BenchRig>>,
}

impl RunContext {
    /// The context for `config`: a reader pool when it names PC/SC readers.
    pub fn new(config: HarnessConfig) -> anyhow::Result<Self> {
        let pcsc_pool = match &config.transport {
            Transport::InProcess => None,
            Transport::Pcsc(readers) => {
                let bin = config
                    .virtual_card_bin
                    .clone()
                    .ok_or_else(|| anyhow!("HARNESS_VIRTUAL_CARD_BIN is not set"))?;
                Some(PcscReaderPool::new(
                    readers.clone(),
                    bin,
                    config.card_exec_prefix.clone(),
                ))
            }
        };
        Ok(Self {
            config,
            pcsc_pool,
            result_options: ResultFileOptions::default(),
            bench: None,
        })
    }

    /// True when the steps run on the runner's thread: when the run's cards are reached through
    /// pcscd (its PC/SC readers or a bench's; all PC/SC calls then stay on one thread, see
    /// [`FacilityWorld::drive_async`]) or when the settings ask for it.
    pub fn steps_on_runner_thread(&self) -> bool {
        self.pcsc_pool.is_some()
            || self.bench.is_some()
            || self.config.step_threads == StepThreads::Runner
    }

    /// The context of a bench run: every facility reader is a reader of `bench`, by role.
    pub fn on_bench(config: HarnessConfig, bench: Arc<BenchRig>) -> Self {
        Self {
            config,
            pcsc_pool: None,
            result_options: ResultFileOptions::default(),
            bench: Some(bench),
        }
    }
}

/// Passwords of the demo accounts in the features (test data, never real).
pub(super) const ADMIN_PASSWORD: &str = "Admin-Test-2026";
/// 一般アカウント's demo password.
pub(super) const GENERAL_PASSWORD: &str = "Staff-Test-2026";

/// The features' day: every scenario starts at 2026-11-25 09:00 JST (a bench checks its cards'
/// certificates at this time too).
pub fn scenario_origin() -> anyhow::Result<chrono::NaiveDateTime> {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .ok_or_else(|| anyhow!("bad scenario origin"))
}

/// State of one scenario.
#[derive(cucumber::World, Default)]
pub struct FacilityWorld {
    run: Option<Arc<RunContext>>,
    readers: Vec<String>,
    policy: TerminalPolicy,
    facility: Option<Facility>,
    /// The reader the patient stands at.
    patient_at: usize,
    /// The consent screens the readers show (None: those in force on the scenario's day).
    consent_screens: Option<harness_reader::ConsentScreens>,
    /// Counters noted by the scenario: (face failures, PIN tries left) of the patient's card.
    noted_counters: Option<(u32, Option<u8>)>,
    /// The encoding of this scenario's result files (None: the run's).
    character_code: Option<harness_eligibility::result_xml::CharacterCode>,
    snapshots: Snapshots,
    artifacts: ArtifactRecorder,
    /// This scenario's folder: card state and the receipt system's folders (kept after the run).
    scenario_dir: Option<std::path::PathBuf>,
}

impl fmt::Debug for FacilityWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FacilityWorld")
            .field("readers", &self.readers)
            .field("patient_at", &self.patient_at)
            .field("facility_built", &self.facility.is_some())
            .finish_non_exhaustive()
    }
}

impl FacilityWorld {
    /// Called by the runner before the scenario: the run's context and the scenario's name.
    pub fn begin(
        &mut self,
        run: Arc<RunContext>,
        feature_path: Option<&Path>,
        scenario: &str,
        line: usize,
    ) {
        self.snapshots
            .begin(feature_path, scenario, run.config.check_snapshots);
        let feature = feature_path
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "feature".to_owned());
        self.scenario_dir = Some(
            run.config
                .work_dir
                .join(super::snapshots::file_name(&feature, 60))
                .join(format!(
                    "{}-L{line}",
                    super::snapshots::file_name(scenario, 60)
                )),
        );
        self.run = Some(run);
        self.policy = TerminalPolicy {
            // Still salted argon2id, with the cheapest parameters: one terminal per scenario.
            password_hash_cost: HashCost::Minimal,
            ..TerminalPolicy::default()
        };
    }

    fn run(&self) -> anyhow::Result<Arc<RunContext>> {
        self.run
            .clone()
            .ok_or_else(|| anyhow!("the runner did not hand the scenario its run context"))
    }

    /// A reader is connected to the terminal (before anything happens at the counter).
    pub fn connect_reader(&mut self, name: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.facility.is_none(),
            "readers must be connected before anything happens at the counter"
        );
        self.readers.push(name.to_owned());
        Ok(())
    }

    /// The readers show the consent screens in force on `date` (before the facility is built).
    pub fn set_consent_screens_of(&mut self, date: NaiveDate) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.facility.is_none(),
            "the readers' consent screens are set before the scenario starts"
        );
        self.consent_screens = Some(harness_reader::ConsentScreens::in_force_on(date));
        Ok(())
    }

    /// The terminal writes this scenario's result files in `code` (before the facility is built).
    pub fn set_character_code(
        &mut self,
        code: harness_eligibility::result_xml::CharacterCode,
    ) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.facility.is_none(),
            "the result file encoding is set before the scenario starts"
        );
        self.character_code = Some(code);
        Ok(())
    }

    /// Turns a harness extension of the terminal on (before the facility is built).
    pub fn enable_switch_back_warning(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.facility.is_none(),
            "the terminal's policy is set before the scenario starts"
        );
        self.policy.switch_back_warning = true;
        Ok(())
    }

    /// Sets the terminal's auto-return extension (before the facility is built).
    pub fn set_auto_return(&mut self, policy: AutoReturnPolicy) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.facility.is_none(),
            "the terminal's policy is set before the scenario starts"
        );
        self.policy.auto_return = policy;
        Ok(())
    }

    /// The facility, built on first use.
    pub fn facility(&mut self) -> anyhow::Result<&mut Facility> {
        if self.facility.is_none() {
            self.build()?;
        }
        self.facility
            .as_mut()
            .ok_or_else(|| anyhow!("facility not built"))
    }

    /// [`FacilityWorld::drive_async`] for work that awaits nothing.
    pub async fn drive<T, W>(&mut self, work: W) -> anyhow::Result<T>
    where
        T: Send + 'static,
        W: FnOnce(&mut Facility) -> anyhow::Result<T> + Send + 'static,
    {
        self.drive_async(move |facility| Box::pin(async move { work(facility) }))
            .await
    }

    /// Runs one step's `work` on this scenario's facility on a thread of tokio's blocking pool
    /// and waits for it. cucumber polls every running scenario from one task, so work done in the
    /// step itself — drawing camera frames, matching faces, card signatures, hashing passwords —
    /// keeps every scenario on one core; handed over like this, concurrent scenarios use them all
    /// (the live clinic's host does the same for its requests). The facility travels to the
    /// thread and back, with the caller's tracing subscriber; card moves inside `work` are awaited
    /// on the same runtime.
    ///
    /// Not when the run's cards are behind pcscd ([`RunContext::steps_on_runner_thread`]): then every step
    /// runs here, on the one thread that makes all of the run's PC/SC calls. libpcsclite 1.9.9
    /// (Debian 12) crashed with SIGSEGV in `SCardDisconnect` on the runner's thread while other
    /// scenarios' steps used their own contexts on pool threads (seen in CI, reproduced under gdb
    /// with the features through pcscd); FreeRDP, which hit the same, found that pcsc-lite's
    /// handles are not thread safe (<https://github.com/FreeRDP/FreeRDP/pull/1885>).
    pub async fn drive_async<T, W>(&mut self, work: W) -> anyhow::Result<T>
    where
        T: Send + 'static,
        W: for<'f> FnOnce(&'f mut Facility) -> LocalBoxFuture<'f, anyhow::Result<T>>
            + Send
            + 'static,
    {
        if self.run()?.steps_on_runner_thread() {
            return work(self.facility()?).await;
        }
        self.facility()?;
        let mut facility = self
            .facility
            .take()
            .ok_or_else(|| anyhow!("facility not built"))?;
        let runtime = tokio::runtime::Handle::current();
        let dispatch = tracing::dispatcher::get_default(|dispatch| dispatch.clone());
        let (facility, result) = tokio::task::spawn_blocking(move || {
            let result = tracing::dispatcher::with_default(&dispatch, || {
                runtime.block_on(work(&mut facility))
            });
            (facility, result)
        })
        .await
        // A panic is a bug: reported as the step's failure, never retried.
        .map_err(|e| anyhow!("the step's work stopped: {e}"))?;
        self.facility = Some(facility);
        result
    }

    fn build(&mut self) -> anyhow::Result<()> {
        let run = self.run()?;
        let config = &run.config;
        let dir = self
            .scenario_dir
            .clone()
            .ok_or_else(|| anyhow!("the scenario has no folder"))?;
        // A scenario starts from a clean folder: nothing of an earlier run is mistaken for its own.
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        let card_state = dir.join("card-state");
        std::fs::create_dir_all(&card_state)
            .with_context(|| format!("creating {}", card_state.display()))?;
        let slots: Vec<Box<dyn CardSlot>> = match (&run.bench, &run.pcsc_pool) {
            (Some(bench), _) => bench.slots(self.readers.len())?,
            (None, None) => self
                .readers
                .iter()
                .map(|_| Box::new(InProcessSlot::new(&card_state)) as Box<dyn CardSlot>)
                .collect(),
            (None, Some(pool)) => pool
                .acquire(self.readers.len(), &card_state)?
                .into_iter()
                .map(|slot| Box::new(slot) as Box<dyn CardSlot>)
                .collect(),
        };
        let readers = self
            .readers
            .iter()
            .cloned()
            .zip(slots)
            .map(|(name, slot)| ReaderSetup {
                name,
                slot,
                consent_screens: self.consent_screens,
            })
            .collect();
        let facility = Facility::new(FacilitySetup {
            fixtures: config.fixtures.clone(),
            readers,
            accounts: Accounts {
                admin: Password::new(ADMIN_PASSWORD),
                general: Password::new(GENERAL_PASSWORD),
            },
            policy: self.policy.clone(),
            clock: FacilityClock::Scenario(ScenarioClock::new(scenario_origin()?)),
            results_dir: dir.join("oqs"),
            result_options: ResultFileOptions {
                character_code: self
                    .character_code
                    .unwrap_or(run.result_options.character_code),
                ..run.result_options.clone()
            },
            audit: Box::new(MemoryAudit::default()),
            face_failures: FaceFailureStore::open(&card_state.join("face-failures.toml"))?,
            // A bench's cards, read off them before the first scenario.
            enrolment: run
                .bench
                .as_ref()
                .map(|bench| bench.enrolment().clone())
                .unwrap_or_default(),
        })?;
        self.facility = Some(facility);
        Ok(())
    }

    /// The reader the patient stands at.
    pub fn patient_reader(&self) -> usize {
        self.patient_at
    }

    /// The patient walks to reader `name` (with whatever they carry).
    pub fn patient_goes_to(&mut self, name: &str) -> anyhow::Result<usize> {
        let from = self.patient_at;
        let facility = self.facility()?;
        let to = facility.reader_index(name)?;
        if to != from && facility.reader(from)?.visitor().is_some() {
            facility.patient(to)?.come_from(from)?;
        }
        self.patient_at = to;
        Ok(to)
    }

    /// The PC/SC name of the reader the patient stands at.
    pub fn patient_reader_name(&mut self) -> anyhow::Result<String> {
        let at = self.patient_at;
        Ok(self.facility()?.reader(at)?.name().to_owned())
    }

    /// A whole visual-check visit (seed steps ①–⑥) at the patient's reader: admin login,
    /// 目視確認, photo check, tick with today's date, card, consents, card taken off; the reader
    /// is left in 目視確認 (step ⑦ is the scenario's business).
    pub async fn visual_visit(&mut self, name: &str) -> anyhow::Result<()> {
        let at = self.patient_at;
        let reader = self.patient_reader_name()?;
        let name = name.to_owned();
        self.drive_async(move |facility| Box::pin(visual_visit(facility, at, reader, name)))
            .await
    }

    /// Whose card the patient at their reader holds.
    pub fn patient_card_holder(&mut self) -> anyhow::Result<String> {
        let at = self.patient_at;
        self.facility()?
            .reader(at)?
            .visitor()
            .map(|v| v.card.reference.holder_id.clone())
            .ok_or_else(|| anyhow!("カードリーダーの前に患者がいません"))
    }

    /// The patient's card's face failures (the facility's store) and PIN tries left (the card).
    /// A face-only card (顔認証マイナンバーカード) has no PIN: `None`.
    pub async fn card_counters(&mut self) -> anyhow::Result<(u32, Option<u8>)> {
        let at = self.patient_at;
        let holder = self.patient_card_holder()?;
        let facility = self.facility()?;
        let face = facility.face_failures_of(&holder)?;
        let has_pin = facility
            .reader(at)?
            .visitor()
            .is_some_and(|v| v.card.loaded.data.kind != virtual_card::CardKind::FaceOnly);
        let pin = if has_pin {
            Some(facility.patient(at)?.card_auth_tries_left().await?)
        } else {
            None
        };
        Ok((face, pin))
    }

    /// Notes counters to compare later.
    pub fn remember_counters(&mut self, counters: (u32, Option<u8>)) {
        self.noted_counters = Some(counters);
    }

    /// The counters noted.
    pub fn remembered_counters(&self) -> Option<(u32, Option<u8>)> {
        self.noted_counters
    }

    /// Password of an account of the features' terminal.
    pub fn password(kind: AccountKind) -> Password {
        match kind {
            AccountKind::Admin => Password::new(ADMIN_PASSWORD),
            AccountKind::General => Password::new(GENERAL_PASSWORD),
        }
    }

    /// Puts every reader in `mode` as the admin would before the patients come.
    pub fn set_all_modes(&mut self, mode: harness_reader::ReaderMode) -> anyhow::Result<()> {
        if mode == harness_reader::ReaderMode::Unattended && self.facility.is_none() {
            return Ok(());
        }
        let readers = self.readers.clone();
        let facility = self.facility()?;
        let admin = Self::password(AccountKind::Admin);
        for reader in readers {
            facility.staff().preset_mode(&admin, &reader, mode)?;
        }
        Ok(())
    }

    /// After each step: record what happened and both screens; check them against the step's
    /// snapshot.
    pub fn checkpoint(&mut self, step: &cucumber::gherkin::Step) -> anyhow::Result<()> {
        let at = self.patient_at;
        let Some(facility) = self.facility.as_mut() else {
            return Ok(());
        };
        self.artifacts.take_events(facility.drain_events());
        let operator = facility.staff().screen();
        let patient = facility.reader(at).ok().map(|r| r.screen().clone());
        let screens =
            self.artifacts
                .record_screens(&step.value, operator.as_ref(), patient.as_ref());
        self.snapshots.check_step(
            &step.value,
            screens.operator.as_deref(),
            screens.patient.as_deref(),
        );
        Ok(())
    }

    /// Checks a named snapshot (`…の画面として記録される`).
    pub fn assert_named_snapshot(&mut self, label: &str, body: &str) {
        self.snapshots.check_named(label, body);
    }

    /// Hands the scenario's artifacts to the report.
    pub fn take_artifacts(&mut self) -> ScenarioArtifacts {
        if let Some(facility) = self.facility.as_mut() {
            self.artifacts.take_events(facility.drain_events());
        }
        std::mem::take(&mut self.artifacts).finish()
    }

    /// Ends the scenario: cards off the readers, card processes stopped, readers given back.
    pub async fn finish(&mut self) -> anyhow::Result<()> {
        let Some(mut facility) = self.facility.take() else {
            return Ok(());
        };
        let shut = facility.shutdown().await;
        let conforming = check_result_files(facility.result_folders().root());
        shut.and(conforming)
    }
}

/// Every file the terminal wrote for the receipt system in this scenario (face/ and res/) must
/// pass our independent conformance reader (oqs-conformance): a file it rejects fails the run.
/// The body of [`FacilityWorld::visual_visit`], run on the facility where the step's work runs.
async fn visual_visit(
    facility: &mut Facility,
    at: usize,
    reader: String,
    name: String,
) -> anyhow::Result<()> {
    facility.patient(at)?.arrive(&name)?;
    let mut staff = facility.staff();
    if !staff.is_logged_in() {
        staff.login(
            AccountKind::Admin,
            &FacilityWorld::password(AccountKind::Admin),
        )?;
    }
    staff.open_reader_screen()?;
    staff.press_mode(&reader, harness_reader::ReaderMode::VisualCheck)?;
    if let Some(e) = staff.last_refusal() {
        anyhow::bail!("目視確認への切り替えが拒否されました: {e}");
    }
    staff.look_at_card_photo(at)?;
    staff.judge(at, StaffJudgement::SamePerson)?;
    let today = facility.now().date().format("%Y/%m/%d").to_string();
    let mut staff = facility.staff();
    staff.tick_visual_confirmation(&reader, &today)?;
    if let Some(e) = staff.last_refusal() {
        anyhow::bail!("目視で本人確認完了のチェックが拒否されました: {e}");
    }
    let mut patient = facility.patient(at)?;
    patient.place_card().await?;
    patient.answer_consents(harness_reader::ConsentWishes::all(true))?;
    let completed = facility
        .reader(at)?
        .history()
        .results
        .last()
        .is_some_and(|r| r.is_completed());
    anyhow::ensure!(completed, "目視確認の受付が完了しませんでした");
    facility.patient(at)?.remove_card().await
}

fn check_result_files(root: &Path) -> anyhow::Result<()> {
    let files = oqs_conformance::result_files(root)
        .with_context(|| format!("{} を読めません", root.display()))?;
    let mut problems = Vec::new();
    for file in files {
        if file.components().any(|c| c.as_os_str() == "req") {
            continue;
        }
        if let Err(e) =
            oqs_conformance::check_path(&file, &oqs_conformance::CheckOptions::default())
        {
            problems.push(format!("{}: {e}", file.display()));
        }
    }
    anyhow::ensure!(
        problems.is_empty(),
        "結果ファイルが仕様の要素表に合いません: {}",
        problems.join("; ")
    );
    Ok(())
}
