//! The control API's bearer token: printed once at start or taken from `CLINIC_API_TOKEN`,
//! compared in constant time, redacted in `Debug`. [`ApiAuth`] is the extractor every `/api/`
//! route takes: a request without the token gets 401 before anything else happens.

use std::fmt;
use std::sync::Arc;

use rand::Rng as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// Environment variable that sets the token (otherwise a random one is made and printed).
pub const TOKEN_ENV: &str = "CLINIC_API_TOKEN";

/// Shortest token accepted from the environment.
const MIN_TOKEN_LEN: usize = 16;

/// The bearer token of the control API.
#[derive(Clone)]
pub struct ApiToken(Arc<Zeroizing<String>>);

impl ApiToken {
    /// A token from text (at least 16 visible ASCII characters).
    pub fn new(text: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(
            text.len() >= MIN_TOKEN_LEN && text.bytes().all(|b| b.is_ascii_graphic()),
            "{TOKEN_ENV} は16文字以上の英数字記号にしてください"
        );
        Ok(Self(Arc::new(Zeroizing::new(text.to_owned()))))
    }

    /// 32 random bytes as 64 hex digits.
    pub fn random() -> Self {
        let mut rng: rand::rngs::StdRng = rand::make_rng();
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(bytes.as_mut());
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Self(Arc::new(Zeroizing::new(text)))
    }

    /// `CLINIC_API_TOKEN` when set, else a random token. The flag tells which.
    pub fn from_env_or_random() -> anyhow::Result<(Self, bool)> {
        match std::env::var(TOKEN_ENV) {
            Ok(text) if !text.is_empty() => Ok((Self::new(&text)?, true)),
            _ => Ok((Self::random(), false)),
        }
    }

    /// The token's text (to print once at start, or for a test client).
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// Constant-time comparison with a presented token.
    pub fn matches(&self, presented: &str) -> bool {
        bool::from(self.0.as_bytes().ct_eq(presented.as_bytes()))
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// Proof that the request carried `Authorization: Bearer <token>` (the extractor itself is in
/// `api_auth`, beside the host whose token it checks).
#[derive(Debug, Clone, Copy)]
pub struct ApiAuth;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_and_stay_out_of_debug() {
        let token = ApiToken::new("a-long-enough-token-1234").unwrap();
        assert!(token.matches("a-long-enough-token-1234"));
        assert!(!token.matches("a-long-enough-token-1235"));
        assert!(!token.matches(""));
        assert!(!format!("{token:?}").contains("enough"));
        assert!(ApiToken::new("short").is_err());
        let random = ApiToken::random();
        assert_eq!(random.expose().len(), 64);
        assert!(!random.matches(ApiToken::random().expose()));
    }
}
