//! The reader's own credentials and the attestation it signs when a face matched (顔認証).
//!
//! Signing is RSA PKCS#1 v1.5 with SHA-256 over the statement bytes. The statement format lives in
//! [`attestation_statement`] alone so it can be swapped for the eligibility service's definition.

use chrono::NaiveDateTime;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::PrivateKey;
use sha2::Sha256;

/// Errors loading the reader's credentials or signing with them.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The PEM text could not be decoded.
    #[error("PEM decoding failed: {0}")]
    Pem(String),
    /// The PEM block holds neither a PKCS#8 nor a PKCS#1 RSA private key.
    #[error("not an RSA private key: {0}")]
    Key(String),
    /// The PEM block is not a certificate.
    #[error("expected a CERTIFICATE PEM block, found {0}")]
    NotACertificate(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// The reader's attestation key (the reader's RSA private key) and its certificate. Debug never shows
/// the key.
#[derive(Clone)]
pub struct ReaderCredentials {
    signing_key: SigningKey<Sha256>,
    certificate_der: Vec<u8>,
}

impl std::fmt::Debug for ReaderCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReaderCredentials")
            .field("signing_key", &"<redacted>")
            .field("certificate_der_len", &self.certificate_der.len())
            .finish()
    }
}

impl ReaderCredentials {
    /// Credentials from a private key and the reader's certificate (DER).
    pub fn new(key: PrivateKey, certificate_der: Vec<u8>) -> Self {
        Self {
            signing_key: SigningKey::new(key),
            certificate_der,
        }
    }

    /// Credentials from PEM text: a `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1) block,
    /// and a `CERTIFICATE` block. Reading the files is the caller's job (e.g.
    /// fixtures/pki/readers/reader-0.key.pem).
    pub fn from_pem(key_pem: &str, certificate_pem: &str) -> Result<Self, CredentialError> {
        let (label, certificate_der) = der::pem::decode_vec(certificate_pem.as_bytes())
            .map_err(|error| CredentialError::Pem(error.to_string()))?;
        if label != "CERTIFICATE" {
            return Err(CredentialError::NotACertificate(label.to_owned()));
        }
        Self::from_key_pem(key_pem, certificate_der)
    }

    /// Credentials from a PEM private key (PKCS#8 or PKCS#1) and a DER certificate, as the test
    /// PKI stores them (fixtures/pki/readers/reader-0.key.pem and reader-0.crt.der).
    pub fn from_key_pem(key_pem: &str, certificate_der: Vec<u8>) -> Result<Self, CredentialError> {
        let (label, key_der) = der::pem::decode_vec(key_pem.as_bytes())
            .map_err(|error| CredentialError::Pem(error.to_string()))?;
        let key_der = zeroize::Zeroizing::new(key_der);
        let key = match label {
            "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(&key_der)
                .map_err(|error| CredentialError::Key(error.to_string()))?,
            _ => PrivateKey::from_pkcs8_der(&key_der)
                .map_err(|error| CredentialError::Key(error.to_string()))?,
        };
        Ok(Self::new(key, certificate_der))
    }

    /// The reader's certificate (DER).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// Signs `message` (RSA PKCS#1 v1.5, SHA-256).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CredentialError> {
        self.signing_key
            .try_sign(message)
            .map(|signature| signature.to_vec())
            .map_err(|error| CredentialError::Signing(error.to_string()))
    }
}

/// The statement a reader signs after a face matched: binds the service's challenge, the card's
/// user-auth certificate, the reader, the score and the time. The format is the eligibility
/// service's (`harness_eligibility::attestation`, `mock-reader-attestation/1`); this is the one
/// place the reader builds it.
pub fn attestation_statement(
    challenge: &[u8],
    auth_certificate_der: &[u8],
    reader_name: &str,
    match_score: f32,
    matched_at: NaiveDateTime,
) -> Vec<u8> {
    harness_eligibility::attestation::attestation_statement(
        challenge,
        auth_certificate_der,
        reader_name,
        f64::from(match_score),
        matched_at,
    )
}
