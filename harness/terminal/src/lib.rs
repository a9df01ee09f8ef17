//! The verification terminal (資格確認端末): accounts, the 顔認証付きカードリーダー操作 screen,
//! reader mode control, visual confirmation, audit log, and its web UI.
//!
//! - [`Terminal`]: the pure core (inputs and `now` in; state, results and [`TerminalOutputs`]
//!   out), made of [`sessions`] (accounts, lockout, sessions, CSRF) and [`reader_control`]
//!   (modes, the staff's tick, the harness's switch-back extensions), with [`mode_change`] for
//!   the 切替の確認 → 切替の完了 dialogue and [`error`] for its typed errors.
//! - [`screen`] / [`html`]: screens as values, rendered as text (snapshots) and HTML.
//! - [`audit`]: audit records, the [`AuditSink`] trait, in-memory and fsync'd JSON-lines files.
//! - [`web`]: the axum router over any [`web::TerminalHost`], and the standalone host.
//!
//! The seed's procedure through the core (the host forwards `events` to the readers and `audit`
//! to an [`AuditSink`]):
//!
//! ```
//! use chrono::NaiveDate;
//! use harness_reader::ReaderMode;
//! use harness_terminal::{
//!     HashCost, Password, Terminal, TerminalConfig, TerminalEvent, VisualConfirmationForm,
//! };
//! use rand::SeedableRng;
//!
//! let mut config = TerminalConfig::demo("admin-pw", "staff-pw");
//! config.policy.password_hash_cost = HashCost::Minimal; // a simulation: cheap hashing
//! let mut terminal = Terminal::new(&config, rand::rngs::StdRng::seed_from_u64(1)).unwrap();
//! let now = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap().and_hms_opt(9, 0, 0).unwrap();
//! let reader = "Identiv CLOUD 3701 F Contactless Reader 0";
//!
//! // ① admin login, ② 目視確認 pressed for the reader: 切替の確認, OK, 切替の完了, OK.
//! let admin = terminal.login("admin", &Password::new("admin-pw"), now).unwrap();
//! terminal.request_mode_change(&admin.session_id, reader, ReaderMode::VisualCheck, now).unwrap();
//! assert_eq!(terminal.reader_mode(reader), Some(ReaderMode::Unattended)); // not yet
//! terminal.confirm_mode_change(&admin.session_id, now).unwrap();
//! terminal.acknowledge_mode_change(&admin.session_id, now).unwrap();
//! let outputs = terminal.take_outputs();
//! assert!(matches!(&outputs.events[0],
//!     TerminalEvent::ModeChanged { mode: ReaderMode::VisualCheck, .. }));
//!
//! // ⑥ before ⑤: the card is not accepted.
//! assert!(terminal.valid_confirmation_for(reader, now).is_none());
//! // ⑤ 目視で本人確認完了 ticked with 資格確認日; the reader is told; ⑥ the card is accepted once.
//! let form = VisualConfirmationForm {
//!     identity_confirmed: true,
//!     confirmation_date: "2026/11/25".into(),
//! };
//! terminal.confirm_visual(&admin.session_id, reader, &form, now).unwrap();
//! assert_eq!(terminal.take_outputs().events,
//!     vec![TerminalEvent::VisualConfirmed { reader: reader.into() }]);
//! let proof: harness_eligibility::protocol::IdentityProof =
//!     terminal.valid_confirmation_for(reader, now).unwrap().into();
//! assert!(terminal.valid_confirmation_for(reader, now).is_none());
//! // ⑦ staff switch back to 無人運転 the same way (the real screen does not remind them).
//! ```

pub mod account;
pub mod audit;
pub mod config;
pub mod error;
pub mod html;
pub mod mode_change;
pub mod outbox;
pub mod reader_control;
pub mod screen;
pub mod secret;
pub mod sessions;
pub mod terminal;
mod time;
pub mod web;

pub use account::{Account, AccountKind, HashCost, PasswordHash};
pub use audit::{
    read_audit_file, Actor, AuditAction, AuditEntry, AuditError, AuditRecord, AuditSink, FileAudit,
    LoginFailure, MemoryAudit,
};
pub use config::{AccountConfig, AutoReturnPolicy, TerminalConfig, TerminalPolicy};
pub use error::TerminalError;
pub use mode_change::{ModeChange, ModeDialog};
pub use outbox::{ModeChangeCause, TerminalEvent, TerminalOutputs};
pub use reader_control::{parse_confirmation_date, StaffConfirmation, VisualConfirmationForm};
pub use screen::{render_text, Screen};
pub use secret::{Password, Token};
pub use sessions::SessionInfo;
pub use terminal::Terminal;
