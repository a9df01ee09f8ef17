//! Where the test PKI keeps one card's files (see fixtures/pki/README.md): read by the profile
//! loader, written by `virtual-card mint`.

use std::path::PathBuf;

/// Paths of one card's files in the test PKI (see fixtures/pki/README.md).
#[derive(Debug, Clone)]
pub struct PkiPaths {
    /// The PKI root.
    pub root: PathBuf,
    /// Person id.
    pub person: String,
}

impl PkiPaths {
    /// Paths for `person` under `root`.
    pub fn new(root: impl Into<PathBuf>, person: &str) -> PkiPaths {
        PkiPaths {
            root: root.into(),
            person: person.to_owned(),
        }
    }
    /// `auth-ca.crt.der`.
    pub fn auth_ca_cert(&self) -> PathBuf {
        self.root.join("auth-ca.crt.der")
    }
    /// `auth-ca.key.pem`.
    pub fn auth_ca_key(&self) -> PathBuf {
        self.root.join("auth-ca.key.pem")
    }
    /// `auth-ca.crl.der`.
    pub fn auth_ca_crl(&self) -> PathBuf {
        self.root.join("auth-ca.crl.der")
    }
    /// `sign-ca.crt.der`.
    pub fn sign_ca_cert(&self) -> PathBuf {
        self.root.join("sign-ca.crt.der")
    }
    /// `sign-ca.key.pem`.
    pub fn sign_ca_key(&self) -> PathBuf {
        self.root.join("sign-ca.key.pem")
    }
    /// `cards/<person>/`.
    pub fn card_dir(&self) -> PathBuf {
        self.root.join("cards").join(&self.person)
    }
    /// `cards/<person>/auth.crt.der`.
    pub fn auth_cert(&self) -> PathBuf {
        self.card_dir().join("auth.crt.der")
    }
    /// `cards/<person>/auth.key.pem`.
    pub fn auth_key(&self) -> PathBuf {
        self.card_dir().join("auth.key.pem")
    }
    /// `cards/<person>/sign.crt.der`.
    pub fn sign_cert(&self) -> PathBuf {
        self.card_dir().join("sign.crt.der")
    }
    /// `cards/<person>/sign.key.pem`.
    pub fn sign_key(&self) -> PathBuf {
        self.card_dir().join("sign.key.pem")
    }
}
