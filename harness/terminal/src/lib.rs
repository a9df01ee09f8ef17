//! The verification terminal (資格確認端末): accounts, the 顔認証付きカードリーダー操作 screen,
//! reader mode control, visual confirmation, audit log, and its web UI.
//!
//! - [`Terminal`]: the pure core (inputs and `now` in; state, results and
//!   [`TerminalOutputs`] out).
//! - [`screen`] / [`html`]: screens as values, rendered as text (snapshots) and HTML.
//! - [`audit`]: audit records, the [`AuditSink`] trait, in-memory and fsync'd JSON-lines files.
//! - [`web`]: the axum router and `serve`.
//!
//! The seed's procedure through the core (the harness forwards `events` to the mock reader and
//! `audit` to an [`AuditSink`]):
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
//! // ① admin login, ② 目視確認 pressed for the reader.
//! let admin = terminal.login("admin", &Password::new("admin-pw"), now).unwrap();
//! terminal.set_mode(&admin.session_id, reader, ReaderMode::VisualCheck, now).unwrap();
//! let outputs = terminal.take_outputs();
//! assert!(matches!(&outputs.events[0],
//!     TerminalEvent::ModeChanged { mode: ReaderMode::VisualCheck, .. }));
//!
//! // ⑥ before ⑤: the card is not accepted.
//! assert!(terminal.visual_confirmation_for(reader, now).is_none());
//! // ⑤ 目視で本人確認完了 ticked with 資格確認日; ⑥ the card is accepted once.
//! let form = VisualConfirmationForm {
//!     identity_confirmed: true,
//!     confirmation_date: "2026/11/25".into(),
//! };
//! terminal.confirm_visual(&admin.session_id, reader, &form, now).unwrap();
//! let proof: harness_eligibility::protocol::IdentityProof =
//!     terminal.visual_confirmation_for(reader, now).unwrap().into();
//! assert!(terminal.visual_confirmation_for(reader, now).is_none());
//! // ⑦ the screen now warns until someone presses 無人運転 (or the policy does).
//! let screen = terminal.reader_screen(&admin.session_id, now).unwrap();
//! assert!(screen.readers[0].switch_back_warning.is_some());
//! ```

pub mod account;
pub mod audit;
pub mod config;
pub mod html;
pub mod screen;
pub mod secret;
pub mod terminal;
pub mod web;

pub use account::{Account, AccountKind, HashCost, PasswordHash};
pub use audit::{
    read_audit_file, Actor, AuditAction, AuditEntry, AuditError, AuditRecord, AuditSink, FileAudit,
    LoginFailure, MemoryAudit,
};
pub use config::{AccountConfig, AutoReturnPolicy, TerminalConfig, TerminalPolicy};
pub use screen::{render_text, Screen};
pub use secret::{Password, Token};
pub use terminal::{
    ModeChangeCause, SessionInfo, StaffConfirmation, Terminal, TerminalError, TerminalEvent,
    TerminalOutputs, VisualConfirmationForm,
};
