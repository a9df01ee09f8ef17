//! The terminal core with a fake `now`: lockout, session expiry, refusal of the general account,
//! the mode switch's confirmation dialogue, the tick's validity, the harness extensions (off by
//! default) and both auto-return policies. One module per subject; the helpers they share are
//! below, the readers and the test day in ../common.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod auto_return;
mod mode_switch;
mod visual_ticks;

use chrono::NaiveDateTime;
use harness_reader::ReaderMode;
use harness_terminal::secret::Token;
use harness_terminal::{
    AuditSink, AutoReturnPolicy, MemoryAudit, Terminal, TerminalConfig, VisualConfirmationForm,
};
use rand::rngs::StdRng;
use rand::SeedableRng;

const ADMIN_PW: &str = "admin-pass-Σ1";
const STAFF_PW: &str = "staff-pass-Σ2";

fn terminal_with(auto_return: AutoReturnPolicy) -> Terminal {
    let mut config = TerminalConfig::demo(ADMIN_PW, STAFF_PW);
    config.policy.auto_return = auto_return;
    Terminal::new(&config, StdRng::seed_from_u64(42)).unwrap()
}

/// A mode button, OK on 切替の確認, OK on 切替の完了.
fn switch(t: &mut Terminal, session: &Token, reader: &str, mode: ReaderMode, now: NaiveDateTime) {
    t.request_mode_change(session, reader, mode, now).unwrap();
    t.confirm_mode_change(session, now).unwrap();
    t.acknowledge_mode_change(session, now).unwrap();
}

fn ticked(date: &str) -> VisualConfirmationForm {
    VisualConfirmationForm {
        identity_confirmed: true,
        confirmation_date: date.to_owned(),
    }
}

fn drain_audit(terminal: &mut Terminal, audit: &mut MemoryAudit) {
    for record in terminal.take_outputs().audit {
        audit.append(&record).unwrap();
    }
}
