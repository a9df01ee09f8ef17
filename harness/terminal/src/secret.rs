//! Secret values: passwords (パスワード), session ids and CSRF tokens. Their `Debug` output is
//! redacted and their memory is wiped on drop; they never reach a log or the audit file.

use std::fmt;

use serde::{Deserialize, Deserializer};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A clear-text password (パスワード) as typed on the login screen or given in the configuration.
/// `Debug` prints `Password(<redacted>)`; the text is zeroized on drop.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wraps a clear-text password.
    pub fn new(text: impl Into<String>) -> Self {
        Self(Zeroizing::new(text.into()))
    }

    /// The password's bytes, for hashing and verification only.
    pub fn expose_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// True when nothing was typed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(deserializer)?);
        Ok(Self::new(text.as_str()))
    }
}

/// A random token of 32 bytes shown as 64 lowercase hex digits: the session id kept in the
/// browser's cookie, and the CSRF token put in every form. `Debug` is redacted; comparison is
/// constant-time.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Zeroizing<String>);

impl Token {
    /// Makes a token from 32 random bytes.
    pub fn from_random_bytes(bytes: [u8; 32]) -> Self {
        let mut text = String::with_capacity(64);
        for byte in bytes {
            text.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
            text.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
        }
        Self(Zeroizing::new(text))
    }

    /// Parses a token as sent back by a browser (cookie or form field). Anything that is not
    /// 64 lowercase hex digits is refused.
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() == 64
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        well_formed.then(|| Self(Zeroizing::new(text.to_owned())))
    }

    /// The token's text, to put in a cookie or a hidden form field.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// Constant-time comparison with a token sent back by a browser.
    pub fn matches(&self, sent: &str) -> bool {
        bool::from(self.0.as_bytes().ct_eq(sent.as_bytes()))
    }
}

impl std::hash::Hash for Token {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.as_str().hash(state);
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_debug_is_redacted() {
        let password = Password::new("hunter2-secret");
        let shown = format!("{password:?} {:?}", Some(password.clone()));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn token_round_trips_and_debug_is_redacted() {
        let token = Token::from_random_bytes([0xab; 32]);
        assert_eq!(token.expose().len(), 64);
        assert_eq!(Token::parse(token.expose()), Some(token.clone()));
        assert!(token.matches(token.expose()));
        assert!(!token.matches("ab"));
        assert!(!format!("{token:?}").contains("abab"));
        assert_eq!(Token::parse("not a token"), None);
        assert_eq!(Token::parse(&"AB".repeat(32)), None);
    }
}
