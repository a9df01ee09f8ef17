//! Terminal accounts (アカウント): 管理アカウント and 一般アカウント, with argon2 password hashes.

use std::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

use crate::secret::Password;

/// The kind of a terminal account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// 管理アカウント: may change a reader's mode.
    Admin,
    /// 一般アカウント: sees the screens, may tick the visual confirmation, may not change modes.
    General,
}

impl AccountKind {
    /// The account kind as the screen's header shows it (管理アカウント / 一般アカウント).
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "管理アカウント",
            Self::General => "一般アカウント",
        }
    }

    /// The short form beside ログアウト (管理 / 一般).
    pub fn short_label(self) -> &'static str {
        match self {
            Self::Admin => "管理",
            Self::General => "一般",
        }
    }
}

/// How expensive argon2id hashing is. Verification reads the parameters from the stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HashCost {
    /// argon2id defaults (19 MiB, 2 passes, 1 lane; the OWASP recommendation). For real use.
    #[default]
    Standard,
    /// The smallest argon2id parameters (8 KiB, 1 pass): still a real salted hash, cheap enough
    /// to build many terminals in a simulation or test suite. Not for passwords that matter.
    Minimal,
}

impl HashCost {
    fn params(self) -> Result<Params, HashError> {
        match self {
            Self::Standard => Ok(Params::DEFAULT),
            Self::Minimal => Params::new(Params::MIN_M_COST.max(8), Params::MIN_T_COST, 1, None)
                .map_err(|e| HashError(e.to_string())),
        }
    }
}

/// An argon2id password hash in PHC string form (`$argon2id$v=19$...`). Never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

/// Hashing failed (only on invalid salt or parameters: a programming error, reported, not panicked).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl PasswordHash {
    /// Hashes `password` with argon2id at `cost` and the given 16-byte salt.
    pub fn new(password: &Password, salt: &[u8; 16], cost: HashCost) -> Result<Self, HashError> {
        let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, cost.params()?)
            .hash_password_with_salt(password.expose_bytes(), salt)
            .map_err(|e| HashError(e.to_string()))?;
        Ok(Self(hash.to_string()))
    }

    /// Wraps a PHC string read from storage; it is checked when verifying.
    pub fn from_phc(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    /// The PHC string.
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// True when `password` matches. A malformed hash never matches.
    pub fn verify(&self, password: &Password) -> bool {
        Argon2::default()
            .verify_password(password.expose_bytes(), self.0.as_str())
            .is_ok()
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// One account (ユーザID, kind, password hash).
#[derive(Debug, Clone)]
pub struct Account {
    /// ユーザID, typed on the login screen.
    pub user_id: String,
    /// 管理 or 一般.
    pub kind: AccountKind,
    /// argon2id hash of the password.
    pub password_hash: PasswordHash,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_right_password() {
        let hash = PasswordHash::new(
            &Password::new("correct horse"),
            &[7; 16],
            HashCost::Standard,
        )
        .unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hash.verify(&Password::new("correct horse")));
        assert!(!hash.verify(&Password::new("correct horsE")));
        assert!(!PasswordHash::from_phc("garbage").verify(&Password::new("x")));
        assert!(!format!("{hash:?}").contains("argon2"));
    }

    #[test]
    fn minimal_cost_is_a_real_argon2id_hash() {
        let hash = PasswordHash::new(&Password::new("pw"), &[9; 16], HashCost::Minimal).unwrap();
        assert!(
            hash.as_phc().starts_with("$argon2id$v=19$m=8,t=1,p=1$"),
            "{}",
            hash.as_phc()
        );
        assert!(hash.verify(&Password::new("pw")));
        assert!(!hash.verify(&Password::new("pW")));
    }
}
