//! The terminal core (資格確認端末): accounts, sessions, reader modes, visual confirmation and the
//! switch-back policy. Pure: every call takes `now` (facility local time) and returns values; the
//! only randomness (salts, session ids, CSRF tokens) comes from the generator handed to
//! [`Terminal::new`]. Mode changes and audit records accumulate in an outbox that the edge drains
//! with [`Terminal::take_outputs`] after each call.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use harness_eligibility::protocol::IdentityProof;
use harness_reader::ReaderMode;
use rand::rngs::StdRng;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::account::{Account, AccountKind, HashError, PasswordHash};
use crate::audit::{Actor, AuditAction, AuditRecord, LoginFailure};
use crate::config::{AutoReturnPolicy, TerminalConfig, TerminalPolicy};
use crate::screen::{
    AutoReturnView, MenuScreen, ReaderRow, ReaderScreen, SwitchBackWarning, VisualFormView,
};
use crate::secret::{Password, Token};

/// Something the harness forwards to the outside world (the mock reader).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TerminalEvent {
    /// A reader's mode changed; forward it to the reader.
    ModeChanged {
        /// PC/SC name of the reader.
        reader: String,
        /// The new mode.
        mode: ReaderMode,
        /// Who changed it.
        cause: ModeChangeCause,
    },
}

/// Why a mode changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModeChangeCause {
    /// An admin pressed a mode button.
    Operator {
        /// ユーザID of the admin.
        user_id: String,
    },
    /// The switch-back policy returned the reader to 無人運転.
    AutoReturn,
}

/// What a call produced for the edges: events for the reader, records for the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalOutputs {
    /// Events to forward (mode changes).
    pub events: Vec<TerminalEvent>,
    /// Records to append to the audit log, in order.
    pub audit: Vec<AuditRecord>,
}

/// Staff confirmed the patient's identity by the card photo (目視で本人確認完了), for one patient
/// at one reader. Becomes the eligibility check's [`IdentityProof::StaffConfirmation`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffConfirmation {
    /// ユーザID of the account that ticked the box.
    pub account: String,
    /// PC/SC name of the reader.
    pub reader: String,
    /// 資格確認日.
    pub confirmation_date: NaiveDate,
    /// When the box was ticked.
    pub confirmed_at: NaiveDateTime,
}

impl From<StaffConfirmation> for IdentityProof {
    fn from(c: StaffConfirmation) -> Self {
        IdentityProof::StaffConfirmation {
            account: c.account,
            reader: c.reader,
            confirmation_date: c.confirmation_date,
            confirmed_at: c.confirmed_at,
        }
    }
}

/// The 目視確認時利用項目 form as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisualConfirmationForm {
    /// 目視で本人確認完了 ticked.
    pub identity_confirmed: bool,
    /// 資格確認日 as typed (`2023/01/01` or `2023-01-01`).
    pub confirmation_date: String,
}

/// A logged-in session as the edges see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Session id (the cookie's value).
    pub session_id: Token,
    /// CSRF token to put in every form of this session.
    pub csrf_token: Token,
    /// ユーザID.
    pub user_id: String,
    /// 管理 or 一般.
    pub account_kind: AccountKind,
}

/// Typed errors of the terminal. [`TerminalError::screen_message`] gives the Japanese text
/// the screen shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TerminalError {
    /// Unknown user id or wrong password (not told apart to the user).
    #[error("invalid user id or password")]
    InvalidCredentials,
    /// Too many failed logins.
    #[error("account locked until {until}")]
    Locked {
        /// End of the lock.
        until: NaiveDateTime,
    },
    /// No such session (never issued, logged out, or removed).
    #[error("no such session")]
    UnknownSession,
    /// The session was idle too long.
    #[error("session expired")]
    SessionExpired,
    /// The form's CSRF token does not match the session's.
    #[error("CSRF token missing or wrong")]
    CsrfMismatch,
    /// Only 管理アカウント may change a reader's mode.
    #[error("account {user_id} ({kind:?}) may not change reader modes")]
    NotAdmin {
        /// ユーザID.
        user_id: String,
        /// Its kind.
        kind: AccountKind,
    },
    /// No reader of that name.
    #[error("unknown reader {0:?}")]
    UnknownReader(String),
    /// The visual form was sent for a reader not in 目視確認.
    #[error("reader {reader:?} is in {mode:?}, not VisualCheck")]
    NotInVisualMode {
        /// The reader.
        reader: String,
        /// Its mode.
        mode: ReaderMode,
    },
    /// 目視で本人確認完了 not ticked.
    #[error("identity confirmation box not ticked")]
    NotTicked,
    /// 資格確認日 empty.
    #[error("confirmation date missing")]
    ConfirmationDateMissing,
    /// 資格確認日 not a date.
    #[error("confirmation date {0:?} is not a date")]
    ConfirmationDateInvalid(String),
    /// 資格確認日 after today.
    #[error("confirmation date {0} is in the future")]
    ConfirmationDateInFuture(NaiveDate),
    /// Hashing a configured password failed.
    #[error("{0}")]
    Hash(String),
    /// Two accounts with the same user id, or no reader, in the configuration.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl From<HashError> for TerminalError {
    fn from(e: HashError) -> Self {
        Self::Hash(e.to_string())
    }
}

impl TerminalError {
    /// The message the screen shows.
    pub fn screen_message(&self) -> String {
        match self {
            Self::InvalidCredentials => "ユーザIDまたはパスワードが正しくありません。".to_owned(),
            Self::Locked { until } => format!(
                "ログインの失敗が続いたため、アカウントをロックしました。{} 以降に再度ログインしてください。",
                until.format("%Y/%m/%d %H:%M")
            ),
            Self::UnknownSession => "ログインしてください。".to_owned(),
            Self::SessionExpired => {
                "一定時間操作がなかったため、ログアウトしました。再度ログインしてください。".to_owned()
            }
            Self::CsrfMismatch => "不正な要求のため処理できません。画面を再読み込みしてください。".to_owned(),
            Self::NotAdmin { kind, .. } => format!(
                "{}ではカードリーダーのモードを変更できません。管理アカウントでログインしてください。",
                kind.label()
            ),
            Self::UnknownReader(name) => format!("カードリーダー「{name}」は登録されていません。"),
            Self::NotInVisualMode { reader, .. } => format!(
                "カードリーダー「{reader}」は目視確認モードではありません。先に「目視確認」を押下してください。"
            ),
            Self::NotTicked => "「目視で本人確認完了」にチェックを入れてください。".to_owned(),
            Self::ConfirmationDateMissing => "資格確認日を入力してください。".to_owned(),
            Self::ConfirmationDateInvalid(_) => {
                "資格確認日は YYYY/MM/DD の形式で入力してください。".to_owned()
            }
            Self::ConfirmationDateInFuture(_) => "資格確認日に未来の日付は指定できません。".to_owned(),
            Self::Hash(_) | Self::Config(_) => "システムエラーが発生しました。".to_owned(),
        }
    }
}

#[derive(Debug)]
struct AccountState {
    account: Account,
    consecutive_failures: u32,
    locked_until: Option<NaiveDateTime>,
}

#[derive(Debug)]
struct Session {
    csrf_token: Token,
    user_id: String,
    account_kind: AccountKind,
    last_seen: NaiveDateTime,
}

#[derive(Debug)]
struct UsedConfirmation {
    used_at: NaiveDateTime,
    patient_finished: bool,
}

#[derive(Debug)]
struct ReaderState {
    name: String,
    mode: ReaderMode,
    /// Ticked and not yet used by a card.
    pending: Option<StaffConfirmation>,
    /// The last confirmation used since the reader entered 目視確認 (drives the warning).
    used: Option<UsedConfirmation>,
}

/// The verification terminal's state.
#[derive(Debug)]
pub struct Terminal {
    facility_name: String,
    policy: TerminalPolicy,
    accounts: BTreeMap<String, AccountState>,
    /// Verified against for unknown user ids, so they cost the same time as known ones.
    dummy_hash: PasswordHash,
    sessions: HashMap<Token, Session>,
    readers: Vec<ReaderState>,
    rng: StdRng,
    outputs: TerminalOutputs,
}

impl Terminal {
    /// Builds the terminal from its configuration, hashing the configured passwords with salts
    /// from `rng` (seed it from the OS in production, from a constant in tests).
    pub fn new(config: &TerminalConfig, mut rng: StdRng) -> Result<Self, TerminalError> {
        let mut accounts = BTreeMap::new();
        for account in &config.accounts {
            let mut salt = [0u8; 16];
            rng.fill_bytes(&mut salt);
            let state = AccountState {
                account: Account {
                    user_id: account.user_id.clone(),
                    kind: account.kind,
                    password_hash: PasswordHash::new(
                        &account.password,
                        &salt,
                        config.policy.password_hash_cost,
                    )?,
                },
                consecutive_failures: 0,
                locked_until: None,
            };
            if accounts.insert(account.user_id.clone(), state).is_some() {
                return Err(TerminalError::Config(format!(
                    "user id {:?} configured twice",
                    account.user_id
                )));
            }
        }
        let mut reader_names = config.readers.clone();
        reader_names.sort();
        reader_names.dedup();
        if reader_names.len() != config.readers.len() {
            return Err(TerminalError::Config(
                "a reader is configured twice".to_owned(),
            ));
        }
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let mut dummy = [0u8; 16];
        rng.fill_bytes(&mut dummy);
        let dummy_password =
            Password::new(dummy.iter().map(|b| format!("{b:02x}")).collect::<String>());
        Ok(Self {
            facility_name: config.facility_name.clone(),
            policy: config.policy.clone(),
            accounts,
            dummy_hash: PasswordHash::new(
                &dummy_password,
                &salt,
                config.policy.password_hash_cost,
            )?,
            sessions: HashMap::new(),
            readers: config
                .readers
                .iter()
                .map(|name| ReaderState {
                    name: name.clone(),
                    mode: ReaderMode::Unattended,
                    pending: None,
                    used: None,
                })
                .collect(),
            rng,
            outputs: TerminalOutputs::default(),
        })
    }

    /// 医療機関名.
    pub fn facility_name(&self) -> &str {
        &self.facility_name
    }

    /// The policy in force.
    pub fn policy(&self) -> &TerminalPolicy {
        &self.policy
    }

    /// Every reader with its current mode, in screen order.
    pub fn readers(&self) -> Vec<(String, ReaderMode)> {
        self.readers
            .iter()
            .map(|r| (r.name.clone(), r.mode))
            .collect()
    }

    /// The current mode of one reader.
    pub fn reader_mode(&self, reader: &str) -> Option<ReaderMode> {
        self.reader(reader).map(|r| r.mode)
    }

    /// Drains the events and audit records produced since the last call.
    pub fn take_outputs(&mut self) -> TerminalOutputs {
        std::mem::take(&mut self.outputs)
    }

    /// Applies the passage of time: expires idle sessions, lapses unused confirmations, and
    /// returns readers to 無人運転 under [`AutoReturnPolicy::AfterMinutes`]. Every other call
    /// does this first; the edge calls it periodically as well.
    pub fn tick(&mut self, now: NaiveDateTime) {
        let idle = self.policy.session_idle();
        let expired: Vec<Token> = self
            .sessions
            .iter()
            .filter(|(_, s)| now - s.last_seen >= idle)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            if let Some(session) = self.sessions.remove(&id) {
                self.audit(
                    now,
                    account_actor(&session.user_id),
                    None,
                    AuditAction::SessionExpired,
                );
            }
        }
        let valid = self.policy.confirmation_valid();
        let auto_return = self.policy.auto_return;
        let mut lapsed = Vec::new();
        let mut returning = Vec::new();
        for reader in &mut self.readers {
            if reader
                .pending
                .as_ref()
                .is_some_and(|p| now - p.confirmed_at >= valid)
            {
                reader.pending = None;
                lapsed.push(reader.name.clone());
            }
            if let (AutoReturnPolicy::AfterMinutes(minutes), Some(used)) =
                (auto_return, reader.used.as_ref())
            {
                if reader.mode == ReaderMode::VisualCheck
                    && now - used.used_at >= TimeDelta::minutes(i64::from(minutes))
                {
                    returning.push(reader.name.clone());
                }
            }
        }
        for name in lapsed {
            self.audit(
                now,
                Actor::System,
                Some(&name),
                AuditAction::VisualConfirmationLapsed,
            );
        }
        for name in returning {
            self.auto_return(&name, now);
        }
    }

    /// ログイン. On success a new session (fresh id and CSRF token) starts. Repeated failures lock
    /// the account for the policy's period; while locked even the right password is refused.
    pub fn login(
        &mut self,
        user_id: &str,
        password: &Password,
        now: NaiveDateTime,
    ) -> Result<SessionInfo, TerminalError> {
        self.tick(now);
        let policy = self.policy.clone();
        let Some(state) = self.accounts.get_mut(user_id) else {
            // Same work as for a known account, and the typed text is not kept.
            let _ = self.dummy_hash.verify(password);
            self.audit(
                now,
                Actor::UnknownAccount,
                None,
                AuditAction::LoginFailed {
                    reason: LoginFailure::UnknownAccount,
                },
            );
            return Err(TerminalError::InvalidCredentials);
        };
        if let Some(until) = state.locked_until {
            if now < until {
                self.audit(
                    now,
                    account_actor(user_id),
                    None,
                    AuditAction::LoginFailed {
                        reason: LoginFailure::Locked,
                    },
                );
                return Err(TerminalError::Locked { until });
            }
            state.locked_until = None;
            state.consecutive_failures = 0;
        }
        if !state.account.password_hash.verify(password) {
            state.consecutive_failures += 1;
            let locked = (state.consecutive_failures >= policy.max_failed_logins.max(1))
                .then(|| saturating_add(now, policy.lockout()));
            if let Some(until) = locked {
                state.locked_until = Some(until);
                state.consecutive_failures = 0;
            }
            self.audit(
                now,
                account_actor(user_id),
                None,
                AuditAction::LoginFailed {
                    reason: LoginFailure::WrongPassword,
                },
            );
            return Err(match locked {
                Some(until) => {
                    self.audit(
                        now,
                        account_actor(user_id),
                        None,
                        AuditAction::AccountLocked { until },
                    );
                    TerminalError::Locked { until }
                }
                None => TerminalError::InvalidCredentials,
            });
        }
        state.consecutive_failures = 0;
        let account_kind = state.account.kind;
        let session_id = self.new_token();
        let csrf_token = self.new_token();
        self.sessions.insert(
            session_id.clone(),
            Session {
                csrf_token: csrf_token.clone(),
                user_id: user_id.to_owned(),
                account_kind,
                last_seen: now,
            },
        );
        self.audit(
            now,
            account_actor(user_id),
            None,
            AuditAction::LoginSucceeded { account_kind },
        );
        Ok(SessionInfo {
            session_id,
            csrf_token,
            user_id: user_id.to_owned(),
            account_kind,
        })
    }

    /// When the account is locked, until when.
    pub fn locked_until(&self, user_id: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.accounts
            .get(user_id)
            .and_then(|s| s.locked_until)
            .filter(|&until| now < until)
    }

    /// The session behind a cookie, if it is alive; marks it used (idle timer restarts).
    pub fn session(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<SessionInfo, TerminalError> {
        if let Some(session) = self.sessions.get(session_id) {
            if now - session.last_seen >= self.policy.session_idle() {
                let user_id = session.user_id.clone();
                self.sessions.remove(session_id);
                self.audit(
                    now,
                    account_actor(&user_id),
                    None,
                    AuditAction::SessionExpired,
                );
                return Err(TerminalError::SessionExpired);
            }
        }
        self.tick(now);
        let session = self
            .sessions
            .get_mut(session_id)
            .ok_or(TerminalError::UnknownSession)?;
        session.last_seen = now;
        Ok(SessionInfo {
            session_id: session_id.clone(),
            csrf_token: session.csrf_token.clone(),
            user_id: session.user_id.clone(),
            account_kind: session.account_kind,
        })
    }

    /// Checks the CSRF token a form sent against the session's (constant-time).
    pub fn check_csrf(
        &mut self,
        session_id: &Token,
        sent: Option<&str>,
        now: NaiveDateTime,
    ) -> Result<SessionInfo, TerminalError> {
        let session = self.session(session_id, now)?;
        match sent {
            Some(sent) if session.csrf_token.matches(sent) => Ok(session),
            _ => Err(TerminalError::CsrfMismatch),
        }
    }

    /// ログアウト.
    pub fn logout(&mut self, session_id: &Token, now: NaiveDateTime) -> Result<(), TerminalError> {
        let session = self.session(session_id, now)?;
        self.sessions.remove(session_id);
        self.audit(
            now,
            account_actor(&session.user_id),
            None,
            AuditAction::LoggedOut,
        );
        Ok(())
    }

    /// Presses a mode button (無人運転 / 暗証番号認証固定 / 目視確認) for a reader. Only
    /// 管理アカウント may; a general account gets [`TerminalError::NotAdmin`] (and an audit record).
    /// A real change emits [`TerminalEvent::ModeChanged`]; pressing the current mode changes nothing.
    pub fn set_mode(
        &mut self,
        session_id: &Token,
        reader: &str,
        mode: ReaderMode,
        now: NaiveDateTime,
    ) -> Result<(), TerminalError> {
        let session = self.session(session_id, now)?;
        let index = self.reader_index(reader)?;
        if session.account_kind != AccountKind::Admin {
            self.audit(
                now,
                account_actor(&session.user_id),
                Some(reader),
                AuditAction::ModeChangeRefused { requested: mode },
            );
            return Err(TerminalError::NotAdmin {
                user_id: session.user_id,
                kind: session.account_kind,
            });
        }
        let Some(state) = self.readers.get_mut(index) else {
            return Err(TerminalError::UnknownReader(reader.to_owned()));
        };
        let from = state.mode;
        if from == mode {
            return Ok(());
        }
        state.mode = mode;
        state.pending = None;
        state.used = None;
        self.audit(
            now,
            account_actor(&session.user_id),
            Some(reader),
            AuditAction::ModeChanged { from, to: mode },
        );
        self.outputs.events.push(TerminalEvent::ModeChanged {
            reader: reader.to_owned(),
            mode,
            cause: ModeChangeCause::Operator {
                user_id: session.user_id,
            },
        });
        Ok(())
    }

    /// Sends the 目視確認時利用項目 form for a reader in 目視確認: with 目視で本人確認完了 ticked and
    /// a valid 資格確認日 (not after today), the next card placed on that reader is accepted
    /// once. Either account kind may confirm (only mode changes need 管理アカウント).
    pub fn confirm_visual(
        &mut self,
        session_id: &Token,
        reader: &str,
        form: &VisualConfirmationForm,
        now: NaiveDateTime,
    ) -> Result<StaffConfirmation, TerminalError> {
        let session = self.session(session_id, now)?;
        let index = self.reader_index(reader)?;
        let Some(state) = self.readers.get_mut(index) else {
            return Err(TerminalError::UnknownReader(reader.to_owned()));
        };
        if state.mode != ReaderMode::VisualCheck {
            return Err(TerminalError::NotInVisualMode {
                reader: reader.to_owned(),
                mode: state.mode,
            });
        }
        if !form.identity_confirmed {
            return Err(TerminalError::NotTicked);
        }
        let confirmation_date = parse_confirmation_date(&form.confirmation_date, now.date())?;
        let confirmation = StaffConfirmation {
            account: session.user_id.clone(),
            reader: reader.to_owned(),
            confirmation_date,
            confirmed_at: now,
        };
        state.pending = Some(confirmation.clone());
        self.audit(
            now,
            account_actor(&session.user_id),
            Some(reader),
            AuditAction::VisualConfirmed { confirmation_date },
        );
        Ok(confirmation)
    }

    /// Asked by the reader flow when a patient's card is placed on a reader in 目視確認: the
    /// staff confirmation to attach to the eligibility check, if the box was ticked (and has
    /// not lapsed). Consumed: the next patient needs a new tick. From now on the screen warns
    /// that the reader is still in 目視確認.
    pub fn visual_confirmation_for(
        &mut self,
        reader: &str,
        now: NaiveDateTime,
    ) -> Option<StaffConfirmation> {
        self.tick(now);
        let state = self.readers.iter_mut().find(|r| r.name == reader)?;
        if state.mode != ReaderMode::VisualCheck {
            return None;
        }
        let confirmation = state.pending.take()?;
        state.used = Some(UsedConfirmation {
            used_at: now,
            patient_finished: false,
        });
        self.audit(
            now,
            account_actor(&confirmation.account),
            Some(reader),
            AuditAction::VisualConfirmationUsed {
                confirmation_date: confirmation.confirmation_date,
                confirmed_by: confirmation.account.clone(),
            },
        );
        Some(confirmation)
    }

    /// Told by the harness when the patient at a reader has finished (result shown, card taken).
    /// Under [`AutoReturnPolicy::AfterPatient`] a reader whose confirmation was used returns to
    /// 無人運転 now.
    pub fn patient_finished(&mut self, reader: &str, now: NaiveDateTime) {
        self.tick(now);
        let Some(state) = self.readers.iter_mut().find(|r| r.name == reader) else {
            return;
        };
        let Some(used) = state.used.as_mut() else {
            return;
        };
        if used.patient_finished || state.mode != ReaderMode::VisualCheck {
            return;
        }
        used.patient_finished = true;
        self.audit(
            now,
            Actor::System,
            Some(reader),
            AuditAction::PatientFinished,
        );
        if self.policy.auto_return == AutoReturnPolicy::AfterPatient {
            self.auto_return(reader, now);
        }
    }

    /// The 顔認証付きカードリーダー操作 screen for a session.
    pub fn reader_screen(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<ReaderScreen, TerminalError> {
        let session = self.session(session_id, now)?;
        Ok(self.reader_screen_for(&session, now))
    }

    /// The screen for an already checked session (no timer touched).
    pub fn reader_screen_for(&self, session: &SessionInfo, now: NaiveDateTime) -> ReaderScreen {
        let auto_return = self.policy.auto_return;
        ReaderScreen {
            facility_name: self.facility_name.clone(),
            user_id: session.user_id.clone(),
            account_kind: session.account_kind,
            readers: self
                .readers
                .iter()
                .map(|r| ReaderRow {
                    name: r.name.clone(),
                    mode: r.mode,
                    switch_back_warning: r
                        .used
                        .as_ref()
                        .filter(|_| r.mode == ReaderMode::VisualCheck)
                        .map(|used| SwitchBackWarning {
                            used_at: used.used_at,
                            auto_return: match auto_return {
                                AutoReturnPolicy::Manual => AutoReturnView::Manual,
                                AutoReturnPolicy::AfterPatient => AutoReturnView::AfterPatient,
                                AutoReturnPolicy::AfterMinutes(minutes) => {
                                    AutoReturnView::At(saturating_add(
                                        used.used_at,
                                        TimeDelta::minutes(i64::from(minutes)),
                                    ))
                                }
                            },
                        }),
                })
                .collect(),
            visual_forms: self
                .readers
                .iter()
                .filter(|r| r.mode == ReaderMode::VisualCheck)
                .map(|r| VisualFormView {
                    reader: r.name.clone(),
                    ticked: r.pending.as_ref().map(|p| p.confirmation_date),
                    default_date: now.date(),
                })
                .collect(),
            notice: None,
        }
    }

    /// The メニュー screen for a session.
    pub fn menu_screen(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<MenuScreen, TerminalError> {
        let session = self.session(session_id, now)?;
        Ok(MenuScreen {
            facility_name: self.facility_name.clone(),
            user_id: session.user_id,
            account_kind: session.account_kind,
        })
    }

    fn auto_return(&mut self, reader: &str, now: NaiveDateTime) {
        let Some(state) = self.readers.iter_mut().find(|r| r.name == reader) else {
            return;
        };
        if state.mode != ReaderMode::VisualCheck {
            return;
        }
        state.mode = ReaderMode::Unattended;
        state.pending = None;
        state.used = None;
        self.audit(
            now,
            Actor::System,
            Some(reader),
            AuditAction::AutoReturned {
                to: ReaderMode::Unattended,
            },
        );
        self.outputs.events.push(TerminalEvent::ModeChanged {
            reader: reader.to_owned(),
            mode: ReaderMode::Unattended,
            cause: ModeChangeCause::AutoReturn,
        });
    }

    fn reader(&self, name: &str) -> Option<&ReaderState> {
        self.readers.iter().find(|r| r.name == name)
    }

    fn reader_index(&self, name: &str) -> Result<usize, TerminalError> {
        self.readers
            .iter()
            .position(|r| r.name == name)
            .ok_or_else(|| TerminalError::UnknownReader(name.to_owned()))
    }

    fn new_token(&mut self) -> Token {
        let mut bytes = [0u8; 32];
        self.rng.fill_bytes(&mut bytes);
        Token::from_random_bytes(bytes)
    }

    fn audit(
        &mut self,
        at: NaiveDateTime,
        actor: Actor,
        reader: Option<&str>,
        action: AuditAction,
    ) {
        self.outputs.audit.push(AuditRecord {
            at,
            actor,
            reader: reader.map(str::to_owned),
            action,
        });
    }
}

fn account_actor(user_id: &str) -> Actor {
    Actor::Account {
        user_id: user_id.to_owned(),
    }
}

/// Parses 資格確認日 (`YYYY/MM/DD`, or `YYYY-MM-DD` as an HTML date input sends it); it may not be
/// after `today`.
pub fn parse_confirmation_date(text: &str, today: NaiveDate) -> Result<NaiveDate, TerminalError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TerminalError::ConfirmationDateMissing);
    }
    let date = NaiveDate::parse_from_str(text, "%Y/%m/%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .map_err(|_| TerminalError::ConfirmationDateInvalid(text.to_owned()))?;
    if date > today {
        return Err(TerminalError::ConfirmationDateInFuture(date));
    }
    Ok(date)
}

/// `at + delta`, or the end of time when that overflows chrono's range (a clock near its end must
/// not panic the terminal; found by fuzzing).
fn saturating_add(at: NaiveDateTime, delta: TimeDelta) -> NaiveDateTime {
    at.checked_add_signed(delta).unwrap_or(NaiveDateTime::MAX)
}
