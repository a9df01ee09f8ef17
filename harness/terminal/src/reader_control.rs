//! Reader control (顔認証付きカードリーダー操作): each reader's mode, the staff's visual
//! confirmation (目視で本人確認完了 with 資格確認日) and its lifetime, and the harness's
//! switch-back extensions. Knows nothing of accounts or sessions: the caller has checked who may
//! do what and passes the acting user id. Events and audit records go to the caller's
//! [`TerminalOutputs`].

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use harness_eligibility::protocol::IdentityProof;
use harness_reader::ReaderMode;
use serde::{Deserialize, Serialize};

use crate::audit::{Actor, AuditAction};
use crate::config::{AutoReturnPolicy, TerminalConfig};
use crate::error::TerminalError;
use crate::outbox::{account_actor, ModeChangeCause, TerminalEvent, TerminalOutputs};
use crate::screen::{AutoReturnView, ReaderRow, SwitchBackWarning, VisualSection, VisualTarget};
use crate::time::saturating_add;

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
    /// The last confirmation used since the reader entered 目視確認 (drives the extensions).
    used: Option<UsedConfirmation>,
}

/// Every reader the terminal controls.
#[derive(Debug)]
pub struct ReaderControl {
    readers: Vec<ReaderState>,
    confirmation_valid: TimeDelta,
    auto_return: AutoReturnPolicy,
    switch_back_warning: bool,
}

impl ReaderControl {
    /// The configured readers, all in 無人運転. A reader named twice is a configuration error.
    pub fn new(config: &TerminalConfig) -> Result<Self, TerminalError> {
        let mut names = config.readers.clone();
        names.sort();
        names.dedup();
        if names.len() != config.readers.len() {
            return Err(TerminalError::Config(
                "a reader is configured twice".to_owned(),
            ));
        }
        Ok(Self {
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
            confirmation_valid: config.policy.confirmation_valid(),
            auto_return: config.policy.auto_return,
            switch_back_warning: config.policy.switch_back_warning,
        })
    }

    /// Every reader with its current mode, in screen order.
    pub fn modes(&self) -> Vec<(String, ReaderMode)> {
        self.readers
            .iter()
            .map(|r| (r.name.clone(), r.mode))
            .collect()
    }

    /// The current mode of one reader.
    pub fn mode(&self, reader: &str) -> Result<ReaderMode, TerminalError> {
        self.reader(reader).map(|r| r.mode)
    }

    /// Switches a reader (an admin confirmed 切替の確認). Returns the mode it had; switching to
    /// the current mode changes nothing and emits nothing.
    pub fn switch(
        &mut self,
        reader: &str,
        to: ReaderMode,
        user_id: &str,
        now: NaiveDateTime,
        out: &mut TerminalOutputs,
    ) -> Result<ReaderMode, TerminalError> {
        let state = self.reader_mut(reader)?;
        let from = state.mode;
        if from == to {
            return Ok(from);
        }
        Self::set(state, to, out);
        out.audit(
            now,
            account_actor(user_id),
            Some(reader),
            AuditAction::ModeChanged { from, to },
        );
        out.event(TerminalEvent::ModeChanged {
            reader: reader.to_owned(),
            mode: to,
            cause: ModeChangeCause::Operator {
                user_id: user_id.to_owned(),
            },
        });
        Ok(from)
    }

    /// The 目視確認時利用項目 form for a reader in 目視確認: with 目視で本人確認完了 ticked and a
    /// valid 資格確認日 (not after today) the tick is kept for the policy's lifetime, and
    /// [`TerminalEvent::VisualConfirmed`] tells the reader.
    pub fn confirm_visual(
        &mut self,
        user_id: &str,
        reader: &str,
        form: &VisualConfirmationForm,
        now: NaiveDateTime,
        out: &mut TerminalOutputs,
    ) -> Result<StaffConfirmation, TerminalError> {
        let state = self.reader_mut(reader)?;
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
            account: user_id.to_owned(),
            reader: reader.to_owned(),
            confirmation_date,
            confirmed_at: now,
        };
        state.pending = Some(confirmation.clone());
        out.audit(
            now,
            account_actor(user_id),
            Some(reader),
            AuditAction::VisualConfirmed { confirmation_date },
        );
        out.event(TerminalEvent::VisualConfirmed {
            reader: reader.to_owned(),
        });
        Ok(confirmation)
    }

    /// The valid tick for `reader` (in 目視確認, ticked within the lifetime), taken: the next
    /// patient needs a new tick. Call [`Self::tick`] with the same `now` first.
    pub fn take_valid_confirmation(
        &mut self,
        reader: &str,
        now: NaiveDateTime,
        out: &mut TerminalOutputs,
    ) -> Option<StaffConfirmation> {
        let state = self.reader_mut(reader).ok()?;
        if state.mode != ReaderMode::VisualCheck {
            return None;
        }
        let confirmation = state.pending.take()?;
        state.used = Some(UsedConfirmation {
            used_at: now,
            patient_finished: false,
        });
        out.audit(
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

    /// The patient at a reader has finished. Under [`AutoReturnPolicy::AfterPatient`] a reader
    /// whose confirmation was used returns to 無人運転 now.
    pub fn patient_finished(
        &mut self,
        reader: &str,
        now: NaiveDateTime,
        out: &mut TerminalOutputs,
    ) {
        let auto_return = self.auto_return;
        let Ok(state) = self.reader_mut(reader) else {
            return;
        };
        if state.mode != ReaderMode::VisualCheck {
            return;
        }
        let Some(used) = state.used.as_mut() else {
            return;
        };
        if used.patient_finished {
            return;
        }
        used.patient_finished = true;
        out.audit(
            now,
            Actor::System,
            Some(reader),
            AuditAction::PatientFinished,
        );
        if auto_return == AutoReturnPolicy::AfterPatient {
            self.auto_return_now(reader, now, out);
        }
    }

    /// Lapses ticks older than their lifetime and, under [`AutoReturnPolicy::AfterMinutes`],
    /// returns readers to 無人運転.
    pub fn tick(&mut self, now: NaiveDateTime, out: &mut TerminalOutputs) {
        let mut returning = Vec::new();
        for reader in &mut self.readers {
            if reader
                .pending
                .as_ref()
                .is_some_and(|p| now - p.confirmed_at >= self.confirmation_valid)
            {
                reader.pending = None;
                out.audit(
                    now,
                    Actor::System,
                    Some(&reader.name),
                    AuditAction::VisualConfirmationLapsed,
                );
                out.event(TerminalEvent::VisualConfirmationWithdrawn {
                    reader: reader.name.clone(),
                });
            }
            if let (AutoReturnPolicy::AfterMinutes(minutes), Some(used)) =
                (self.auto_return, reader.used.as_ref())
            {
                if reader.mode == ReaderMode::VisualCheck
                    && now - used.used_at >= TimeDelta::minutes(i64::from(minutes))
                {
                    returning.push(reader.name.clone());
                }
            }
        }
        for name in returning {
            self.auto_return_now(&name, now, out);
        }
    }

    /// The reader lines of 顔認証付きカードリーダー操作, with the harness extensions that are on.
    pub fn rows(&self) -> Vec<ReaderRow> {
        self.readers
            .iter()
            .map(|r| {
                let used = r
                    .used
                    .as_ref()
                    .filter(|_| r.mode == ReaderMode::VisualCheck);
                ReaderRow {
                    name: r.name.clone(),
                    mode: r.mode,
                    switch_back_warning: used.filter(|_| self.switch_back_warning).map(|used| {
                        SwitchBackWarning {
                            used_at: used.used_at,
                        }
                    }),
                    auto_return: used.and_then(|used| match self.auto_return {
                        AutoReturnPolicy::Manual => None,
                        AutoReturnPolicy::AfterPatient => Some(AutoReturnView::AfterPatient),
                        AutoReturnPolicy::AfterMinutes(minutes) => Some(AutoReturnView::At(
                            saturating_add(used.used_at, TimeDelta::minutes(i64::from(minutes))),
                        )),
                    }),
                }
            })
            .collect()
    }

    /// The 目視確認時利用項目 section.
    pub fn visual_section(&self, now: NaiveDateTime) -> VisualSection {
        VisualSection {
            targets: self
                .readers
                .iter()
                .filter(|r| r.mode == ReaderMode::VisualCheck)
                .map(|r| VisualTarget {
                    reader: r.name.clone(),
                    ticked: r.pending.as_ref().map(|p| p.confirmation_date),
                })
                .collect(),
            default_date: now.date(),
        }
    }

    fn auto_return_now(&mut self, reader: &str, now: NaiveDateTime, out: &mut TerminalOutputs) {
        let Ok(state) = self.reader_mut(reader) else {
            return;
        };
        if state.mode != ReaderMode::VisualCheck {
            return;
        }
        Self::set(state, ReaderMode::Unattended, out);
        out.audit(
            now,
            Actor::System,
            Some(reader),
            AuditAction::AutoReturned {
                to: ReaderMode::Unattended,
            },
        );
        out.event(TerminalEvent::ModeChanged {
            reader: reader.to_owned(),
            mode: ReaderMode::Unattended,
            cause: ModeChangeCause::AutoReturn,
        });
    }

    /// Sets the mode and forgets the confirmations of the old one (a pending tick is withdrawn).
    fn set(state: &mut ReaderState, to: ReaderMode, out: &mut TerminalOutputs) {
        state.mode = to;
        state.used = None;
        if state.pending.take().is_some() {
            out.event(TerminalEvent::VisualConfirmationWithdrawn {
                reader: state.name.clone(),
            });
        }
    }

    fn reader(&self, name: &str) -> Result<&ReaderState, TerminalError> {
        self.readers
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| TerminalError::UnknownReader(name.to_owned()))
    }

    fn reader_mut(&mut self, name: &str) -> Result<&mut ReaderState, TerminalError> {
        self.readers
            .iter_mut()
            .find(|r| r.name == name)
            .ok_or_else(|| TerminalError::UnknownReader(name.to_owned()))
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
