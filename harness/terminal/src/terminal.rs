//! The terminal core (資格確認端末): [`Terminal`] puts the accounts and sessions
//! ([`crate::sessions`]) together with reader control ([`crate::reader_control`]) and decides who
//! may do what. Pure: every call takes `now` (facility local time) and returns values; the only
//! randomness (salts, session ids, CSRF tokens) comes from the generator handed to
//! [`Terminal::new`]. Events and audit records accumulate in an outbox that the host drains with
//! [`Terminal::take_outputs`] after each call.

use chrono::NaiveDateTime;
use harness_reader::ReaderMode;
use rand::rngs::StdRng;

use crate::account::AccountKind;
use crate::audit::AuditAction;
use crate::config::{TerminalConfig, TerminalPolicy};
use crate::error::TerminalError;
use crate::mode_change::{ModeChange, ModeDialog};
use crate::outbox::{account_actor, TerminalOutputs};
use crate::reader_control::{ReaderControl, StaffConfirmation, VisualConfirmationForm};
use crate::screen::{MenuScreen, ReaderScreen};
use crate::secret::{Password, Token};
use crate::sessions::{SessionInfo, Sessions};

/// The verification terminal's state.
#[derive(Debug)]
pub struct Terminal {
    facility_name: String,
    policy: TerminalPolicy,
    sessions: Sessions,
    readers: ReaderControl,
    outputs: TerminalOutputs,
}

impl Terminal {
    /// Builds the terminal from its configuration, hashing the configured passwords with salts
    /// from `rng` (seed it from the OS in production, from a constant in tests).
    pub fn new(config: &TerminalConfig, rng: StdRng) -> Result<Self, TerminalError> {
        Ok(Self {
            facility_name: config.facility_name.clone(),
            policy: config.policy.clone(),
            sessions: Sessions::new(config, rng)?,
            readers: ReaderControl::new(config)?,
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
        self.readers.modes()
    }

    /// The current mode of one reader.
    pub fn reader_mode(&self, reader: &str) -> Option<ReaderMode> {
        self.readers.mode(reader).ok()
    }

    /// Drains the events and audit records produced since the last call.
    pub fn take_outputs(&mut self) -> TerminalOutputs {
        std::mem::take(&mut self.outputs)
    }

    /// Applies the passage of time: expires idle sessions, lapses unused ticks, and (harness
    /// extension) returns readers to 無人運転 under `AutoReturnPolicy::AfterMinutes`. Every other
    /// call does this first; the host calls it periodically as well.
    pub fn tick(&mut self, now: NaiveDateTime) {
        self.sessions.expire_idle(now, &mut self.outputs);
        self.readers.tick(now, &mut self.outputs);
    }

    // ---- accounts and sessions ----------------------------------------------------------

    /// ログイン. On success a new session (fresh id and CSRF token) starts. Repeated failures lock
    /// the account for the policy's period; while locked even the right password is refused.
    pub fn login(
        &mut self,
        user_id: &str,
        password: &Password,
        now: NaiveDateTime,
    ) -> Result<SessionInfo, TerminalError> {
        self.tick(now);
        self.sessions
            .login(user_id, password, now, &mut self.outputs)
    }

    /// When the account is locked, until when.
    pub fn locked_until(&self, user_id: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.sessions.locked_until(user_id, now)
    }

    /// The session behind a cookie, if it is alive; marks it used (idle timer restarts).
    pub fn session(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<SessionInfo, TerminalError> {
        self.sessions
            .expire_if_idle(session_id, now, &mut self.outputs)?;
        self.tick(now);
        self.sessions.touch(session_id, now)
    }

    /// The session behind a cookie, if it is alive and the form's CSRF token matches its own
    /// (constant-time).
    pub fn check_csrf(
        &mut self,
        session_id: &Token,
        sent: Option<&str>,
        now: NaiveDateTime,
    ) -> Result<SessionInfo, TerminalError> {
        let session = self.session(session_id, now)?;
        if self.sessions.csrf_matches(&session, sent) {
            Ok(session)
        } else {
            Err(TerminalError::CsrfMismatch)
        }
    }

    /// A fresh token for the login form's double-submit CSRF check (there is no session yet).
    pub fn issue_login_csrf(&mut self) -> Token {
        self.sessions.new_token()
    }

    /// ログアウト.
    pub fn logout(&mut self, session_id: &Token, now: NaiveDateTime) -> Result<(), TerminalError> {
        self.session(session_id, now)?;
        self.sessions.remove(session_id, now, &mut self.outputs);
        Ok(())
    }

    // ---- reader modes: button → 切替の確認 → 切替の完了 ---------------------------------------

    /// A mode button (無人運転 / 暗証番号認証固定 / 目視確認) pressed for a reader. Only
    /// 管理アカウント may (seed: 「目視確認モードへの変更は、資格確認端末の管理アカウントで行う必要がある」);
    /// a general account gets [`TerminalError::NotAdmin`] and an audit record. Nothing changes
    /// yet: the session's screen shows 切替の確認 until [`Self::confirm_mode_change`] or
    /// [`Self::cancel_mode_change`]. Pressing the selected mode opens no dialogue (`Ok(None)`).
    pub fn request_mode_change(
        &mut self,
        session_id: &Token,
        reader: &str,
        mode: ReaderMode,
        now: NaiveDateTime,
    ) -> Result<Option<ModeChange>, TerminalError> {
        let session = self.session(session_id, now)?;
        let from = self.readers.mode(reader)?;
        self.require_admin(&session, reader, mode, now)?;
        if from == mode {
            return Ok(None);
        }
        let change = ModeChange {
            reader: reader.to_owned(),
            from,
            to: mode,
        };
        self.sessions
            .set_dialog(session_id, Some(ModeDialog::Confirm(change.clone())));
        Ok(Some(change))
    }

    /// OK on 切替の確認: the reader switches now ([`crate::TerminalEvent::ModeChanged`]) and the
    /// screen shows 切替の完了 until [`Self::acknowledge_mode_change`].
    pub fn confirm_mode_change(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<ModeChange, TerminalError> {
        let session = self.session(session_id, now)?;
        let Some(ModeDialog::Confirm(asked)) = self.sessions.dialog(session_id).cloned() else {
            return Err(TerminalError::NoModeChangePending);
        };
        self.require_admin(&session, &asked.reader, asked.to, now)?;
        // Another session may have switched the reader meanwhile: report the mode it really had.
        let from = self.readers.switch(
            &asked.reader,
            asked.to,
            &session.user_id,
            now,
            &mut self.outputs,
        )?;
        let done = ModeChange { from, ..asked };
        self.sessions
            .set_dialog(session_id, Some(ModeDialog::Done(done.clone())));
        Ok(done)
    }

    /// キャンセル on 切替の確認: nothing changes.
    pub fn cancel_mode_change(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<(), TerminalError> {
        self.close_dialog(session_id, now, |d| matches!(d, ModeDialog::Confirm(_)))
    }

    /// OK on 切替の完了: the dialogue closes.
    pub fn acknowledge_mode_change(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
    ) -> Result<(), TerminalError> {
        self.close_dialog(session_id, now, |d| matches!(d, ModeDialog::Done(_)))
    }

    // ---- visual confirmation (目視確認) --------------------------------------------------------

    /// Sends the 目視確認時利用項目 form for a reader in 目視確認: with 目視で本人確認完了 ticked and
    /// a valid 資格確認日 (not after today), the next card placed on that reader within the tick's
    /// lifetime (policy `confirmation_valid_minutes`) is accepted once, and
    /// [`crate::TerminalEvent::VisualConfirmed`] tells the reader.
    ///
    /// Either account kind may tick. The seed's text requires 管理アカウント only for the switch
    /// (line 32: 「目視確認モードへの変更は、資格確認端末の管理アカウントで行う必要がある」), while both
    /// its screenshots of 顔認証付きカードリーダー操作 — step ② (lines 42–48) and step ⑤, the tick
    /// itself (lines 81–87, 「資格確認端末画面の「目視で本人確認完了」にチェックを入れる」) — show
    /// 一般アカウント logged in. So the general account sees the screen and ticks the box; only the
    /// mode buttons need the admin account.
    pub fn confirm_visual(
        &mut self,
        session_id: &Token,
        reader: &str,
        form: &VisualConfirmationForm,
        now: NaiveDateTime,
    ) -> Result<StaffConfirmation, TerminalError> {
        let session = self.session(session_id, now)?;
        self.readers
            .confirm_visual(&session.user_id, reader, form, now, &mut self.outputs)
    }

    /// Asked by the host when a patient's card is placed on `reader` in 目視確認: the staff's tick
    /// for THAT reader, if one was given within its lifetime. Taken: the next patient needs a new
    /// tick. A lapsed tick, a tick for another reader, or a reader not in 目視確認 gives `None`.
    /// This is the only route by which the tick reaches the eligibility check.
    pub fn valid_confirmation_for(
        &mut self,
        reader: &str,
        now: NaiveDateTime,
    ) -> Option<StaffConfirmation> {
        self.tick(now);
        self.readers
            .take_valid_confirmation(reader, now, &mut self.outputs)
    }

    /// Told by the host when the patient at a reader has finished (result shown, card taken).
    /// Under the harness's `AutoReturnPolicy::AfterPatient` a reader whose confirmation was used
    /// returns to 無人運転 now.
    pub fn patient_finished(&mut self, reader: &str, now: NaiveDateTime) {
        self.tick(now);
        self.readers
            .patient_finished(reader, now, &mut self.outputs);
    }

    // ---- screens ------------------------------------------------------------------------

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
        ReaderScreen {
            facility_name: self.facility_name.clone(),
            user_id: session.user_id.clone(),
            account_kind: session.account_kind,
            readers: self.readers.rows(),
            visual: self.readers.visual_section(now),
            dialog: self.sessions.dialog(&session.session_id).cloned(),
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
            extra_links: Vec::new(),
        })
    }

    fn require_admin(
        &mut self,
        session: &SessionInfo,
        reader: &str,
        requested: ReaderMode,
        now: NaiveDateTime,
    ) -> Result<(), TerminalError> {
        if session.account_kind == AccountKind::Admin {
            return Ok(());
        }
        self.outputs.audit(
            now,
            account_actor(&session.user_id),
            Some(reader),
            AuditAction::ModeChangeRefused { requested },
        );
        Err(TerminalError::NotAdmin {
            user_id: session.user_id.clone(),
            kind: session.account_kind,
        })
    }

    fn close_dialog(
        &mut self,
        session_id: &Token,
        now: NaiveDateTime,
        expected: impl Fn(&ModeDialog) -> bool,
    ) -> Result<(), TerminalError> {
        self.session(session_id, now)?;
        if !self.sessions.dialog(session_id).is_some_and(expected) {
            return Err(TerminalError::NoModeChangePending);
        }
        self.sessions.set_dialog(session_id, None);
        Ok(())
    }
}
