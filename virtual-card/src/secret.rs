//! Secret values of a card and its holder, in types whose Debug and Display never show them:
//! [`Secret`] (PINs, passwords, the security code) and [`MyNumber`] (個人番号). Both are zeroized
//! on drop; use `expose` where the value is really needed.

use std::fmt;

use zeroize::Zeroize;

/// A secret string (PIN, password, security code). Debug and Display print `***`; zeroized on
/// drop. Use [`Secret::expose`] where the value is really needed.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A My Number (個人番号, 12 digits). Debug prints `MyNumber(****)`; there is no Display, so it
/// cannot end up in a message by accident; zeroized on drop.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct MyNumber(String);

impl MyNumber {
    /// Wraps a value (not checked: see [`MyNumber::is_well_formed`]).
    pub fn new(value: impl Into<String>) -> MyNumber {
        MyNumber(value.into())
    }

    /// The 12 digits.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for exactly 12 ASCII digits.
    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 12 && self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(****)")
    }
}

impl Drop for MyNumber {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted() {
        let s = Secret::new("9876".into());
        assert_eq!(format!("{s:?} {s}"), "*** ***");
    }

    #[test]
    fn my_number_is_redacted() {
        let n = MyNumber::new("123456789018");
        assert_eq!(format!("{n:?}"), "MyNumber(****)");
        assert!(n.is_well_formed());
        assert!(!MyNumber::new("12345678901").is_well_formed());
        assert!(!MyNumber::new("12345678901a").is_well_formed());
    }
}
