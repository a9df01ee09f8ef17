//! What the terminal core hands to the edges after each call: events for the readers and
//! records for the audit log ([`TerminalOutputs`], drained with
//! [`crate::Terminal::take_outputs`]).

use chrono::NaiveDateTime;
use harness_reader::ReaderMode;
use serde::{Deserialize, Serialize};

use crate::audit::{Actor, AuditAction, AuditRecord};

/// Something the host forwards to the outside world (the readers).
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
    /// Staff ticked 目視で本人確認完了 for this reader: the reader may now ask the patient for the
    /// card. The confirmation itself is not carried here: when the card is placed the host asks
    /// [`crate::Terminal::valid_confirmation_for`], which alone decides (one route for the fact).
    VisualConfirmed {
        /// PC/SC name of the reader.
        reader: String,
    },
    /// A tick for this reader lapsed unused (policy `confirmation_valid_minutes`), or was dropped
    /// because the reader left 目視確認: the reader should stop asking for the card.
    VisualConfirmationWithdrawn {
        /// PC/SC name of the reader.
        reader: String,
    },
}

/// Why a mode changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModeChangeCause {
    /// An admin pressed a mode button and confirmed 切替の確認.
    Operator {
        /// ユーザID of the admin.
        user_id: String,
    },
    /// The harness's auto-return extension returned the reader to 無人運転.
    AutoReturn,
}

/// What a call produced for the edges: events for the readers, records for the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalOutputs {
    /// Events to forward, in order.
    pub events: Vec<TerminalEvent>,
    /// Records to append to the audit log, in order.
    pub audit: Vec<AuditRecord>,
}

impl TerminalOutputs {
    /// Queues an audit record.
    pub(crate) fn audit(
        &mut self,
        at: NaiveDateTime,
        actor: Actor,
        reader: Option<&str>,
        action: AuditAction,
    ) {
        self.audit.push(AuditRecord {
            at,
            actor,
            reader: reader.map(str::to_owned),
            action,
        });
    }

    /// Queues an event for the readers.
    pub(crate) fn event(&mut self, event: TerminalEvent) {
        self.events.push(event);
    }
}

/// The audit actor for a configured account.
pub(crate) fn account_actor(user_id: &str) -> Actor {
    Actor::Account {
        user_id: user_id.to_owned(),
    }
}
