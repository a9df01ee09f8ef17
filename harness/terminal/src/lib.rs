//! The verification terminal (資格確認端末): accounts, the 顔認証付きカードリーダー操作 screen,
//! reader mode control, visual confirmation, audit log, and its web UI.
//!
//! - [`Terminal`]: the pure core (inputs and `now` in; state, results and
//!   [`TerminalOutputs`] out).
//! - [`screen`] / [`html`]: screens as values, rendered as text (snapshots) and HTML.
//! - [`audit`]: audit records, the [`AuditSink`] trait, in-memory and fsync'd JSON-lines files.
//! - [`web`]: the axum router and `serve`.

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
