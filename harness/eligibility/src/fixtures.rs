//! Loading the service's fixtures: an edge (files) behind a small trait, so the core takes bytes.
//!
//! Layout under the fixtures root (the workspace's `fixtures/`):
//! ```text
//! pki/auth-ca.crt.der            test JPKI user-auth CA
//! pki/auth-ca.crl.der            its CRL
//! pki/reader-ca.crt.der          the reader maker's CA
//! pki/cards/<person-id>/auth.crt.der   each fixture card's user-auth certificate
//! insurance/records.toml         insurance records
//! ```

use std::path::{Path, PathBuf};

/// One fixture card as the service sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFixture {
    /// The person's id (`fixtures/people.toml`).
    pub person_id: String,
    /// The card's user-auth certificate, DER.
    pub auth_certificate_der: Vec<u8>,
}

/// Everything the service needs, as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFixtures {
    /// The user-auth CA certificate, DER.
    pub auth_ca_der: Vec<u8>,
    /// The user-auth CA's CRL, DER.
    pub auth_crl_der: Vec<u8>,
    /// The reader maker's CA certificate, DER.
    pub reader_ca_der: Vec<u8>,
    /// The fixture cards, sorted by person id.
    pub cards: Vec<CardFixture>,
    /// `insurance/records.toml` text.
    pub insurance_records_toml: String,
}

/// Errors loading fixtures.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// A file could not be read.
    #[error("cannot read fixture {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A text fixture is not UTF-8.
    #[error("fixture {0} is not UTF-8")]
    NotUtf8(PathBuf),
}

/// Where fixtures come from.
pub trait FixtureSource {
    /// Loads every fixture the service needs.
    fn load(&self) -> Result<ServiceFixtures, FixtureError>;
}

/// Fixtures read from a directory laid out as the module docs say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureDir {
    root: PathBuf,
}

impl FixtureDir {
    /// Fixtures under `root` (the directory holding `pki/` and `insurance/`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The workspace's `fixtures/` directory (found from this crate's source location).
    pub fn workspace() -> Self {
        Self::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn read(&self, relative: &str) -> Result<Vec<u8>, FixtureError> {
        let path = self.root.join(relative);
        std::fs::read(&path).map_err(|source| FixtureError::Read { path, source })
    }
}

impl FixtureSource for FixtureDir {
    fn load(&self) -> Result<ServiceFixtures, FixtureError> {
        let cards_dir = self.root.join("pki/cards");
        let entries = std::fs::read_dir(&cards_dir).map_err(|source| FixtureError::Read {
            path: cards_dir.clone(),
            source,
        })?;
        let mut cards = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| FixtureError::Read {
                path: cards_dir.clone(),
                source,
            })?;
            let cert_path = entry.path().join("auth.crt.der");
            if !cert_path.is_file() {
                continue;
            }
            let person_id = entry.file_name().to_string_lossy().into_owned();
            let auth_certificate_der =
                std::fs::read(&cert_path).map_err(|source| FixtureError::Read {
                    path: cert_path.clone(),
                    source,
                })?;
            cards.push(CardFixture {
                person_id,
                auth_certificate_der,
            });
        }
        cards.sort_by(|a, b| a.person_id.cmp(&b.person_id));
        let records_path = "insurance/records.toml";
        let insurance_records_toml = String::from_utf8(self.read(records_path)?)
            .map_err(|_| FixtureError::NotUtf8(self.root.join(records_path)))?;
        Ok(ServiceFixtures {
            auth_ca_der: self.read("pki/auth-ca.crt.der")?,
            auth_crl_der: self.read("pki/auth-ca.crl.der")?,
            reader_ca_der: self.read("pki/reader-ca.crt.der")?,
            cards,
            insurance_records_toml,
        })
    }
}
