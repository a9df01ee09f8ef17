//! Configuration of the terminal: facility, readers, accounts and policies.

use chrono::TimeDelta;
use serde::Deserialize;

use crate::account::{AccountKind, HashCost};
use crate::secret::Password;

/// Harness extension: when a reader left in 目視確認 returns to 無人運転 by itself (against the
/// forgotten switch-back of the seed's step ⑦). The real terminal has no such thing — the seed
/// asks staff to switch back by hand — so the default is [`AutoReturnPolicy::Manual`]; under the
/// other two the screen says what will happen, marked 【ハーネス拡張】.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AutoReturnPolicy {
    /// Never (the real system): staff must press 無人運転.
    #[default]
    Manual,
    /// As soon as the patient whose visual confirmation was used has finished at the reader
    /// ([`crate::Terminal::patient_finished`]).
    AfterPatient,
    /// This many minutes after a visual confirmation was last used on the reader.
    AfterMinutes(u32),
}

/// Lockout, session and visual-confirmation rules, and the harness extensions (off by default).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TerminalPolicy {
    /// Consecutive failed logins of one account that lock it.
    pub max_failed_logins: u32,
    /// How long a locked account stays locked, in minutes.
    pub lockout_minutes: u32,
    /// A session unused this many minutes expires.
    pub session_idle_minutes: u32,
    /// A ticked 目視で本人確認完了 not used by a card within this many minutes lapses (the tick's
    /// lifetime). How long the real terminal keeps a tick is not public; 10 minutes covers the
    /// seed's steps ⑤→⑥ (tick, then the patient places the card) at a counter with room to spare,
    /// and keeps a forgotten tick from letting a later patient through.
    pub confirmation_valid_minutes: u32,
    /// Harness extension: return a reader from 目視確認 to 無人運転 by itself (default: never,
    /// as on the real terminal).
    pub auto_return: AutoReturnPolicy,
    /// Harness extension: warn on the screen, marked 【ハーネス拡張】, while a reader stays in
    /// 目視確認 after its confirmation was used (default: off, as on the real terminal).
    pub switch_back_warning: bool,
    /// argon2id cost for the configured passwords (standard unless a simulation needs speed).
    pub password_hash_cost: HashCost,
}

impl Default for TerminalPolicy {
    fn default() -> Self {
        Self {
            max_failed_logins: 5,
            lockout_minutes: 15,
            session_idle_minutes: 30,
            confirmation_valid_minutes: 10,
            auto_return: AutoReturnPolicy::Manual,
            switch_back_warning: false,
            password_hash_cost: HashCost::Standard,
        }
    }
}

impl TerminalPolicy {
    pub(crate) fn lockout(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.lockout_minutes))
    }

    pub(crate) fn session_idle(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.session_idle_minutes))
    }

    pub(crate) fn confirmation_valid(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.confirmation_valid_minutes))
    }
}

/// One account as configured, with its clear-text password (hashed when the terminal starts).
#[derive(Debug, Clone, Deserialize)]
pub struct AccountConfig {
    /// ユーザID.
    pub user_id: String,
    /// 管理 or 一般.
    pub kind: AccountKind,
    /// Clear-text password; `Debug` is redacted.
    pub password: Password,
}

/// Everything the terminal core needs to start.
#[derive(Debug, Clone, Deserialize)]
pub struct TerminalConfig {
    /// 医療機関名 shown in the header (the seed: サンプル医療機関).
    pub facility_name: String,
    /// PC/SC names of the readers, in screen order (e.g. "Identiv CLOUD 3701 F Contactless Reader 0").
    pub readers: Vec<String>,
    /// The accounts.
    pub accounts: Vec<AccountConfig>,
    /// Lockout, session and switch-back rules.
    #[serde(default)]
    pub policy: TerminalPolicy,
}

impl TerminalConfig {
    /// The seed's setup: サンプル医療機関, two Identiv readers, an admin and a general account
    /// with the given passwords.
    pub fn demo(admin_password: &str, general_password: &str) -> Self {
        Self {
            facility_name: "サンプル医療機関".to_owned(),
            readers: vec![
                "Identiv CLOUD 3701 F Contactless Reader 0".to_owned(),
                "Identiv CLOUD 3701 F Contactless Reader 1".to_owned(),
            ],
            accounts: vec![
                AccountConfig {
                    user_id: "admin".to_owned(),
                    kind: AccountKind::Admin,
                    password: Password::new(admin_password),
                },
                AccountConfig {
                    user_id: "staff".to_owned(),
                    kind: AccountKind::General,
                    password: Password::new(general_password),
                },
            ],
            policy: TerminalPolicy::default(),
        }
    }
}
