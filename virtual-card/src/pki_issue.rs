//! Issuing test certificates and CRLs: the builder profile `virtual-card mint` uses for the
//! fixtures' PKI, and [`TestCa`], a CA of a test's own outside the fixtures (e.g. the CA of a
//! bench's physical cards in the enrolment tests). Deterministic like minting: keys come from a
//! seeded ChaCha20 generator, serials from labels.

use std::str::FromStr;

use anyhow::Context;
use chrono::NaiveDate;
use der::{Decode, Encode};
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs1v15::{Signature, SigningKey};
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest, Sha256};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder, CrlBuilder};
use x509_cert::crl::RevokedCert;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlNumber, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};

pub(crate) fn time(ymd: (u16, u8, u8), end_of_day: bool) -> anyhow::Result<Time> {
    let (h, m, s) = if end_of_day { (23, 59, 59) } else { (0, 0, 0) };
    let dt = der::DateTime::new(ymd.0, ymd.1, ymd.2, h, m, s).context("date out of range")?;
    Ok(Time::from(dt))
}

pub(crate) fn date_time(date: NaiveDate, end_of_day: bool) -> anyhow::Result<Time> {
    use chrono::Datelike;
    let year = u16::try_from(date.year()).context("year")?;
    time((year, date.month() as u8, date.day() as u8), end_of_day)
}

/// A certificate profile for the builder: CA or end entity, with fixed subject and issuer.
pub(crate) struct TestProfile {
    pub(crate) subject: Name,
    pub(crate) issuer: Name,
    pub(crate) ca: bool,
    pub(crate) key_usage: KeyUsage,
}

impl BuilderProfile for TestProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions: Vec<Extension> = Vec::new();
        let issuer_ski = SubjectKeyIdentifier::try_from(issuer_spk)?;
        extensions.push(
            AuthorityKeyIdentifier {
                key_identifier: Some(issuer_ski.0.clone()),
                ..Default::default()
            }
            .to_extension(tbs.subject(), &extensions)?,
        );
        extensions
            .push(SubjectKeyIdentifier::try_from(spk)?.to_extension(tbs.subject(), &extensions)?);
        extensions.push(
            BasicConstraints {
                ca: self.ca,
                path_len_constraint: if self.ca { Some(0) } else { None },
            }
            .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(self.key_usage.to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

pub(crate) fn serial_for(label: &str) -> anyhow::Result<SerialNumber> {
    let digest = Sha256::digest(label.as_bytes());
    let mut bytes = digest.get(..8).context("digest")?.to_vec();
    if let Some(first) = bytes.first_mut() {
        // Positive and non-zero leading byte: an 8-byte DER INTEGER.
        *first = (*first & 0x7F) | 0x10;
    }
    SerialNumber::new(&bytes).map_err(|e| anyhow::anyhow!("serial: {e}"))
}

pub(crate) fn build_cert(
    key: &PrivateKey,
    issuer_key: &PrivateKey,
    profile: TestProfile,
    serial: SerialNumber,
    validity: Validity,
) -> anyhow::Result<Certificate> {
    build_cert_for(&key.to_public_key(), issuer_key, profile, serial, validity)
}

/// A self-signed CA certificate for `key`: `subject` (RFC 4514) as subject and issuer, usable to
/// sign certificates and CRLs.
pub(crate) fn self_signed_ca(
    key: &PrivateKey,
    subject: &str,
    serial: SerialNumber,
    validity: Validity,
) -> anyhow::Result<Certificate> {
    build_cert(
        key,
        key,
        TestProfile {
            subject: name(subject)?,
            issuer: name(subject)?,
            ca: true,
            key_usage: KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        },
        serial,
        validity,
    )
}

/// Builds a certificate for `subject_key`, signed with `issuer_key`.
fn build_cert_for(
    subject_key: &PublicKey,
    issuer_key: &PrivateKey,
    profile: TestProfile,
    serial: SerialNumber,
    validity: Validity,
) -> anyhow::Result<Certificate> {
    let spki = SubjectPublicKeyInfoOwned::from_key(subject_key)
        .map_err(|e| anyhow::anyhow!("public key: {e}"))?;
    let builder = CertificateBuilder::new(profile, serial, validity, spki)?;
    let signer = SigningKey::<Sha256>::new(issuer_key.clone());
    Ok(builder.build::<_, Signature>(&signer)?)
}

pub(crate) fn name(s: &str) -> anyhow::Result<Name> {
    Name::from_str(s).map_err(|e| anyhow::anyhow!("name {s:?}: {e}"))
}

/// A CA of a test's own, outside the fixtures' PKI: an RSA-2048 key and its self-signed
/// certificate, which issues user-auth certificates and CRLs like the test user-auth CA.
pub struct TestCa {
    key: PrivateKey,
    certificate: Certificate,
    certificate_der: Vec<u8>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa")
            .field(
                "subject",
                &self.certificate.tbs_certificate().subject().to_string(),
            )
            .finish_non_exhaustive()
    }
}

impl TestCa {
    /// A CA named `subject` (RFC 4514) with a fresh key from `seed`, valid 2020-01-01 to
    /// 2045-12-31.
    pub fn generate(subject: &str, seed: u64) -> anyhow::Result<Self> {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let key = PrivateKey::new(&mut rng, 2048).context("generating the CA key")?;
        let certificate = self_signed_ca(
            &key,
            subject,
            serial_for(&format!("{subject}/ca"))?,
            Validity::new(time((2020, 1, 1), false)?, time((2045, 12, 31), true)?),
        )?;
        let certificate_der = certificate.to_der()?;
        Ok(Self {
            key,
            certificate,
            certificate_der,
        })
    }

    /// The CA's certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// A user-auth (end-entity, digitalSignature) certificate for `subject_key`, valid from
    /// `not_before` 00:00:00 to `not_after` 23:59:59 UTC, its serial derived from `serial_label`.
    pub fn issue_auth_certificate(
        &self,
        subject: &str,
        subject_key: &PublicKey,
        serial_label: &str,
        not_before: NaiveDate,
        not_after: NaiveDate,
    ) -> anyhow::Result<Vec<u8>> {
        let certificate = build_cert_for(
            subject_key,
            &self.key,
            TestProfile {
                subject: name(subject)?,
                issuer: self.certificate.tbs_certificate().subject().clone(),
                ca: false,
                key_usage: KeyUsage(KeyUsages::DigitalSignature.into()),
            },
            serial_for(serial_label)?,
            Validity::new(date_time(not_before, false)?, date_time(not_after, true)?),
        )?;
        Ok(certificate.to_der()?)
    }

    /// This CA's CRL (DER), revoking the certificates `revoked` (DER) since 2026-09-01.
    pub fn crl(&self, revoked: &[&[u8]]) -> anyhow::Result<Vec<u8>> {
        let mut entries = Vec::new();
        for der in revoked {
            let certificate = Certificate::from_der(der).context("a revoked certificate")?;
            entries.push(RevokedCert {
                serial_number: certificate.tbs_certificate().serial_number().clone(),
                revocation_date: time((2026, 9, 1), false)?,
                crl_entry_extensions: None,
            });
        }
        let crl = CrlBuilder::<x509_cert::certificate::Rfc5280>::new_with_this_update(
            &self.certificate,
            CrlNumber::from(der::asn1::Uint::new(&[1])?),
            time((2026, 10, 1), false)?,
        )?
        .with_next_update(Some(time((2036, 10, 1), false)?))
        .with_certificates(entries.into_iter())
        .build::<_, Signature>(&SigningKey::<Sha256>::new(self.key.clone()))?;
        Ok(crl.to_der()?)
    }
}
