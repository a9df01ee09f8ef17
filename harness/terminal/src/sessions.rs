//! Accounts, logins, lockout, sessions and CSRF tokens (アカウント・ログイン). Pure like the rest of
//! the core: every call takes `now`; the only randomness (salts, session ids, CSRF tokens) comes
//! from the generator handed to [`Sessions::new`]. Audit records go to the caller's
//! [`TerminalOutputs`].

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDateTime, TimeDelta};
use rand::rngs::StdRng;
use rand::Rng;

use crate::account::{Account, AccountKind, PasswordHash};
use crate::audit::{Actor, AuditAction, LoginFailure};
use crate::config::TerminalConfig;
use crate::error::TerminalError;
use crate::mode_change::ModeDialog;
use crate::outbox::{account_actor, TerminalOutputs};
use crate::secret::{Password, Token};
use crate::time::saturating_add;

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
    /// The mode-switch dialogue open in this session (切替の確認 or 完了), if any.
    dialog: Option<ModeDialog>,
}

impl Session {
    fn info(&self, session_id: &Token) -> SessionInfo {
        SessionInfo {
            session_id: session_id.clone(),
            csrf_token: self.csrf_token.clone(),
            user_id: self.user_id.clone(),
            account_kind: self.account_kind,
        }
    }
}

/// The accounts and the live sessions.
#[derive(Debug)]
pub struct Sessions {
    max_failed_logins: u32,
    lockout: TimeDelta,
    session_idle: TimeDelta,
    accounts: BTreeMap<String, AccountState>,
    /// Verified against for unknown user ids, so they cost the same time as known ones.
    dummy_hash: PasswordHash,
    sessions: HashMap<Token, Session>,
    rng: StdRng,
}

impl Sessions {
    /// Hashes the configured passwords with salts from `rng` (seed it from the OS in production,
    /// from a constant in tests). Two accounts with one user id are a configuration error.
    pub fn new(config: &TerminalConfig, mut rng: StdRng) -> Result<Self, TerminalError> {
        let cost = config.policy.password_hash_cost;
        let mut accounts = BTreeMap::new();
        for account in &config.accounts {
            let mut salt = [0u8; 16];
            rng.fill_bytes(&mut salt);
            let state = AccountState {
                account: Account {
                    user_id: account.user_id.clone(),
                    kind: account.kind,
                    password_hash: PasswordHash::new(&account.password, &salt, cost)?,
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
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let mut dummy = [0u8; 16];
        rng.fill_bytes(&mut dummy);
        let dummy_password =
            Password::new(dummy.iter().map(|b| format!("{b:02x}")).collect::<String>());
        Ok(Self {
            max_failed_logins: config.policy.max_failed_logins.max(1),
            lockout: config.policy.lockout(),
            session_idle: config.policy.session_idle(),
            accounts,
            dummy_hash: PasswordHash::new(&dummy_password, &salt, cost)?,
            sessions: HashMap::new(),
            rng,
        })
    }

    /// ログイン. On success a new session (fresh id and CSRF token) starts. Repeated failures lock
    /// the account for the policy's period; while locked even the right password is refused.
    pub fn login(
        &mut self,
        user_id: &str,
        password: &Password,
        now: NaiveDateTime,
        out: &mut TerminalOutputs,
    ) -> Result<SessionInfo, TerminalError> {
        let Some(state) = self.accounts.get_mut(user_id) else {
            // Same work as for a known account, and the typed text is not kept.
            let _ = self.dummy_hash.verify(password);
            out.audit(
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
                out.audit(
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
            let locked = (state.consecutive_failures >= self.max_failed_logins)
                .then(|| saturating_add(now, self.lockout));
            if let Some(until) = locked {
                state.locked_until = Some(until);
                state.consecutive_failures = 0;
            }
            out.audit(
                now,
                account_actor(user_id),
                None,
                AuditAction::LoginFailed {
                    reason: LoginFailure::WrongPassword,
                },
            );
            return Err(match locked {
                Some(until) => {
                    out.audit(
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
        let session = Session {
            csrf_token: self.new_token(),
            user_id: user_id.to_owned(),
            account_kind,
            last_seen: now,
            dialog: None,
        };
        let info = session.info(&session_id);
        self.sessions.insert(session_id, session);
        out.audit(
            now,
            account_actor(user_id),
            None,
            AuditAction::LoginSucceeded { account_kind },
        );
        Ok(info)
    }

    /// When the account is locked, until when.
    pub fn locked_until(&self, user_id: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.accounts
            .get(user_id)
            .and_then(|s| s.locked_until)
            .filter(|&until| now < until)
    }

    /// Ends every session idle for the policy's period.
    pub fn expire_idle(&mut self, now: NaiveDateTime, out: &mut TerminalOutputs) {
        let idle = self.session_idle;
        let expired: Vec<Token> = self
            .sessions
            .iter()
            .filter(|(_, s)| now - s.last_seen >= idle)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            if let Some(session) = self.sessions.remove(&id) {
                out.audit(
                    now,
                    account_actor(&session.user_id),
                    None,
                    AuditAction::SessionExpired,
                );
            }
        }
    }

    /// Ends this one session if it is idle past the policy's period, telling the caller so
    /// ([`TerminalError::SessionExpired`] rather than the plain unknown session of a later call).
    pub fn expire_if_idle(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
        out: &mut TerminalOutputs,
    ) -> Result<(), TerminalError> {
        let Some(session) = self.sessions.get(session_id) else {
            return Ok(());
        };
        if now - session.last_seen < self.session_idle {
            return Ok(());
        }
        let user_id = session.user_id.clone();
        self.sessions.remove(session_id);
        out.audit(
            now,
            account_actor(&user_id),
            None,
            AuditAction::SessionExpired,
        );
        Err(TerminalError::SessionExpired)
    }

    /// The live session behind a cookie; marks it used (its idle timer restarts).
    pub fn touch(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<SessionInfo, TerminalError> {
        let session = self
            .sessions
            .get_mut(session_id)
            .ok_or(TerminalError::UnknownSession)?;
        session.last_seen = now;
        Ok(session.info(session_id))
    }

    /// Compares the CSRF token a form sent with the session's (constant-time).
    pub fn csrf_matches(&self, session: &SessionInfo, sent: Option<&str>) -> bool {
        sent.is_some_and(|sent| session.csrf_token.matches(sent))
    }

    /// ログアウト: the session ends.
    pub fn remove(&mut self, session_id: &Token, now: NaiveDateTime, out: &mut TerminalOutputs) {
        if let Some(session) = self.sessions.remove(session_id) {
            out.audit(
                now,
                account_actor(&session.user_id),
                None,
                AuditAction::LoggedOut,
            );
        }
    }

    /// The mode-switch dialogue open in a session.
    pub fn dialog(&self, session_id: &Token) -> Option<&ModeDialog> {
        self.sessions.get(session_id)?.dialog.as_ref()
    }

    /// Opens, replaces or (with `None`) closes a session's mode-switch dialogue; returns the one
    /// it replaced.
    pub fn set_dialog(
        &mut self,
        session_id: &Token,
        dialog: Option<ModeDialog>,
    ) -> Option<ModeDialog> {
        let session = self.sessions.get_mut(session_id)?;
        std::mem::replace(&mut session.dialog, dialog)
    }

    /// A fresh random token (session ids, CSRF tokens, the login form's double-submit token).
    pub fn new_token(&mut self) -> Token {
        let mut bytes = [0u8; 32];
        self.rng.fill_bytes(&mut bytes);
        Token::from_random_bytes(bytes)
    }
}
