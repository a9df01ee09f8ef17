//! Typed errors of the terminal core, with the Japanese message each one shows on the screen.

use chrono::{NaiveDate, NaiveDateTime};
use harness_reader::ReaderMode;

use crate::account::{AccountKind, HashError};

/// Typed errors of the terminal. [`TerminalError::screen_message`] gives the Japanese text
/// the screen shows; [`crate::web`] maps each to an HTTP status in one place.
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
    /// 切替の確認 answered (OK / キャンセル) while no switch was asked for in this session.
    #[error("no mode change is waiting for confirmation")]
    NoModeChangePending,
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
    /// Two accounts with the same user id, or a reader twice, in the configuration.
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
            Self::NoModeChangePending => {
                "切り替えるモードが選択されていません。もう一度モードのボタンを押下してください。"
                    .to_owned()
            }
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
