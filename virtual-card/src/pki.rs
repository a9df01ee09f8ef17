//! Test PKI: `virtual-card mint` makes the test CAs, every card's keys and certificates, the
//! auth CA's CRL and the reader attestation key under `fixtures/pki` (layout in
//! `fixtures/pki/README.md`). Also the certificate checks others need: verify a certificate or CRL
//! against its CA, read a certificate's validity and public key, look a serial up in a CRL.
//!
//! Minting is deterministic: each key comes from a ChaCha20 generator seeded with
//! SHA-256(seed, key label), certificates have fixed dates and serials derived from the person id,
//! and RSA PKCS#1 v1.5 signatures are deterministic. Existing keys are kept unless `--force`.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDateTime;
use der::{Decode, Encode};
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding};
use rsa::signature::Verifier;
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest, Sha256};
use x509_cert::builder::{Builder, CrlBuilder};
use x509_cert::crl::{CertificateList, RevokedCert};
use x509_cert::ext::pkix::{CrlNumber, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use crate::model::CardKind;
use crate::pki_issue::{
    build_cert, date_time, name, self_signed_ca, serial_for, time, TestProfile,
};
use crate::pki_paths::PkiPaths;
use crate::profile::{CardProfile, People};

/// Errors checking certificates and CRLs.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// Not a DER certificate or CRL.
    #[error("not a valid {what}: {message}")]
    Decode {
        /// Certificate, CRL, key.
        what: &'static str,
        /// Decoder message.
        message: String,
    },
    /// The public key is not RSA or not usable.
    #[error("unusable public key: {0}")]
    PublicKey(String),
    /// The signature does not verify with the issuer's key.
    #[error("signature does not verify with the issuer's key")]
    BadSignature,
    /// The issuer name does not match the CA's subject.
    #[error("issuer {issuer} is not the CA {ca}")]
    WrongIssuer {
        /// Issuer named in the certificate or CRL.
        issuer: String,
        /// The CA's subject.
        ca: String,
    },
}

/// The parts of a certificate that checks look at.
#[derive(Debug, Clone)]
pub struct CertInfo {
    /// Subject, RFC 4514 string.
    pub subject: String,
    /// Issuer, RFC 4514 string.
    pub issuer: String,
    /// Serial number bytes (big-endian, as encoded).
    pub serial: Vec<u8>,
    /// Start of validity (UTC).
    pub not_before: NaiveDateTime,
    /// End of validity (UTC).
    pub not_after: NaiveDateTime,
    /// The RSA public key.
    pub public_key: PublicKey,
}

impl CertInfo {
    /// True if `now_utc` is within the validity period.
    pub fn is_valid_at(&self, now_utc: NaiveDateTime) -> bool {
        self.not_before <= now_utc && now_utc <= self.not_after
    }
}

fn decode_cert(der: &[u8]) -> Result<Certificate, PkiError> {
    Certificate::from_der(der).map_err(|e| PkiError::Decode {
        what: "certificate",
        message: e.to_string(),
    })
}

fn time_to_naive(t: Time) -> NaiveDateTime {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.naive_utc())
        .unwrap_or(NaiveDateTime::MAX)
}

fn spki_public_key(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, PkiError> {
    let der = spki
        .to_der()
        .map_err(|e| PkiError::PublicKey(e.to_string()))?;
    PublicKey::from_public_key_der(&der).map_err(|e| PkiError::PublicKey(e.to_string()))
}

/// Parses a DER certificate.
pub fn parse_certificate(der: &[u8]) -> Result<CertInfo, PkiError> {
    let cert = decode_cert(der)?;
    let tbs = cert.tbs_certificate();
    Ok(CertInfo {
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        serial: tbs.serial_number().as_bytes().to_vec(),
        not_before: time_to_naive(tbs.validity().not_before),
        not_after: time_to_naive(tbs.validity().not_after),
        public_key: spki_public_key(tbs.subject_public_key_info())?,
    })
}

/// The RSA public key of a DER certificate.
pub fn certificate_public_key(der: &[u8]) -> Result<PublicKey, PkiError> {
    parse_certificate(der).map(|c| c.public_key)
}

fn verify_sha256_rsa(
    ca_der: &[u8],
    issuer: &Name,
    tbs: &[u8],
    signature: &[u8],
) -> Result<(), PkiError> {
    let ca = decode_cert(ca_der)?;
    if ca.tbs_certificate().subject() != issuer {
        return Err(PkiError::WrongIssuer {
            issuer: issuer.to_string(),
            ca: ca.tbs_certificate().subject().to_string(),
        });
    }
    let key = spki_public_key(ca.tbs_certificate().subject_public_key_info())?;
    let verifying = VerifyingKey::<Sha256>::new(key);
    let signature = Signature::try_from(signature).map_err(|_| PkiError::BadSignature)?;
    verifying
        .verify(tbs, &signature)
        .map_err(|_| PkiError::BadSignature)
}

/// Verifies that `cert_der` was signed by the CA whose certificate is `ca_der`
/// (sha256WithRSAEncryption, the test PKI's algorithm). Validity dates are not checked here:
/// see [`CertInfo::is_valid_at`].
pub fn verify_certificate(cert_der: &[u8], ca_der: &[u8]) -> Result<(), PkiError> {
    let cert = decode_cert(cert_der)?;
    let tbs = cert
        .tbs_certificate()
        .to_der()
        .map_err(|e| PkiError::Decode {
            what: "certificate",
            message: e.to_string(),
        })?;
    let signature = cert.signature().as_bytes().ok_or(PkiError::BadSignature)?;
    verify_sha256_rsa(ca_der, cert.tbs_certificate().issuer(), &tbs, signature)
}

/// Verifies a DER CRL against its CA and returns the revoked serial numbers.
pub fn revoked_serials(crl_der: &[u8], ca_der: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
    let crl =
        CertificateList::<x509_cert::certificate::Rfc5280>::from_der(crl_der).map_err(|e| {
            PkiError::Decode {
                what: "CRL",
                message: e.to_string(),
            }
        })?;
    let tbs = crl.tbs_cert_list.to_der().map_err(|e| PkiError::Decode {
        what: "CRL",
        message: e.to_string(),
    })?;
    let signature = crl.signature.as_bytes().ok_or(PkiError::BadSignature)?;
    verify_sha256_rsa(ca_der, &crl.tbs_cert_list.issuer, &tbs, signature)?;
    Ok(crl
        .tbs_cert_list
        .revoked_certificates
        .unwrap_or_default()
        .iter()
        .map(|r| r.serial_number.as_bytes().to_vec())
        .collect())
}

/// True if the certificate's serial is on the CRL (the CRL is verified against `ca_der` first).
pub fn is_revoked(cert_der: &[u8], crl_der: &[u8], ca_der: &[u8]) -> Result<bool, PkiError> {
    let serial = parse_certificate(cert_der)?.serial;
    Ok(revoked_serials(crl_der, ca_der)?.contains(&serial))
}

/// Loads an RSA private key from PKCS#8 PEM text.
pub fn private_key_from_pem(pem: &str) -> Result<PrivateKey, PkiError> {
    PrivateKey::from_pkcs8_pem(pem).map_err(|e| PkiError::Decode {
        what: "PKCS#8 private key",
        message: e.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// Minting

/// Arguments of `virtual-card mint`.
#[derive(Debug, clap::Args)]
pub struct MintArgs {
    /// Fixtures folder: reads people.toml and cards/*.toml, writes pki/.
    #[arg(long, default_value = "fixtures")]
    pub fixtures: PathBuf,
    /// Regenerate keys that already exist (certificates are always rewritten, identically when the
    /// keys did not change).
    #[arg(long)]
    pub force: bool,
    /// Seed of the deterministic key generator.
    #[arg(long, default_value_t = 20_261_101)]
    pub seed: u64,
    /// Number of reader attestation keys (readers/reader-N).
    #[arg(long, default_value_t = 1)]
    pub readers: usize,
}

/// Validity of the test CAs.
const CA_NOT_BEFORE: (u16, u8, u8) = (2020, 1, 1);
const CA_NOT_AFTER: (u16, u8, u8) = (2045, 12, 31);
/// thisUpdate / nextUpdate of the CRL.
const CRL_THIS_UPDATE: (u16, u8, u8) = (2026, 10, 1);
const CRL_NEXT_UPDATE: (u16, u8, u8) = (2036, 10, 1);

/// Subject of the test user-auth CA.
pub const AUTH_CA_SUBJECT: &str =
    "CN=Test JPKI User Authentication CA,OU=virtual-card test PKI,O=Harness Test,C=JP";
/// Subject of the test signature CA.
pub const SIGN_CA_SUBJECT: &str =
    "CN=Test JPKI Digital Signature CA,OU=virtual-card test PKI,O=Harness Test,C=JP";
/// Subject of the reader-maker CA.
pub const READER_CA_SUBJECT: &str =
    "CN=Test Face Reader Maker CA,OU=virtual-card test PKI,O=Harness Test,C=JP";

struct Minter {
    seed: u64,
    force: bool,
    written: Vec<PathBuf>,
    kept: Vec<PathBuf>,
}

impl Minter {
    /// Loads the key at `path`, or makes it deterministically from `label` and writes it.
    fn key(&mut self, path: &Path, label: &str) -> anyhow::Result<PrivateKey> {
        if path.is_file() && !self.force {
            let pem =
                fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            self.kept.push(path.to_path_buf());
            return private_key_from_pem(&pem).with_context(|| path.display().to_string());
        }
        let mut hasher = Sha256::new();
        hasher.update(self.seed.to_le_bytes());
        hasher.update(label.as_bytes());
        let seed: [u8; 32] = hasher.finalize().into();
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
        let key = PrivateKey::new(&mut rng, 2048).with_context(|| format!("generating {label}"))?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| anyhow::anyhow!("encoding {label}: {e}"))?;
        self.write(path, pem.as_bytes())?;
        Ok(key)
    }

    fn write(&mut self, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
        self.written.push(path.to_path_buf());
        Ok(())
    }
}

/// A card-serial-like subject for the user-auth certificate (real ones carry no name).
pub fn auth_subject(person: &str) -> String {
    let digest = Sha256::digest(person.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02X}")).collect();
    format!("CN={hex},OU=User Authentication,O=Harness Test,C=JP")
}

/// Runs `virtual-card mint`.
pub fn run(args: MintArgs) -> anyhow::Result<()> {
    let people = People::load(&args.fixtures.join("people.toml"))?;
    let cards_dir = args.fixtures.join("cards");
    let mut profiles = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(&cards_dir)
        .with_context(|| format!("reading {}", cards_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let profile = CardProfile::load(&path)?;
        profiles.push(profile);
    }
    anyhow::ensure!(
        !profiles.is_empty(),
        "no card profiles in {}",
        cards_dir.display()
    );

    let root = args.fixtures.join("pki");
    let mut minter = Minter {
        seed: args.seed,
        force: args.force,
        written: Vec::new(),
        kept: Vec::new(),
    };
    let ca_validity = Validity::new(time(CA_NOT_BEFORE, false)?, time(CA_NOT_AFTER, true)?);

    let paths = PkiPaths::new(&root, "");
    let auth_ca_key = minter.key(&paths.auth_ca_key(), "auth-ca")?;
    let auth_ca = self_signed_ca(
        &auth_ca_key,
        AUTH_CA_SUBJECT,
        serial_for("auth-ca")?,
        ca_validity,
    )?;
    let sign_ca_key = minter.key(&paths.sign_ca_key(), "sign-ca")?;
    let sign_ca = self_signed_ca(
        &sign_ca_key,
        SIGN_CA_SUBJECT,
        serial_for("sign-ca")?,
        ca_validity,
    )?;
    let reader_ca_key = minter.key(&root.join("reader-ca.key.pem"), "reader-ca")?;
    let reader_ca = self_signed_ca(
        &reader_ca_key,
        READER_CA_SUBJECT,
        serial_for("reader-ca")?,
        ca_validity,
    )?;
    minter.write(&paths.auth_ca_cert(), &auth_ca.to_der()?)?;
    minter.write(&paths.sign_ca_cert(), &sign_ca.to_der()?)?;
    minter.write(&root.join("reader-ca.crt.der"), &reader_ca.to_der()?)?;

    let mut revoked = Vec::new();
    for profile in &profiles {
        let person = people
            .get(&profile.person)
            .with_context(|| format!("person {} not in people.toml", profile.person))?;
        let card = PkiPaths::new(&root, &profile.person);
        let not_before = date_time(profile.issued, false)?;
        let auth_not_after = date_time(
            profile.certificate.auth_not_after.unwrap_or(profile.expiry),
            true,
        )?;
        let auth_key = minter.key(&card.auth_key(), &format!("{}/auth", profile.person))?;
        let auth_serial = serial_for(&format!("{}/auth", profile.person))?;
        let auth = build_cert(
            &auth_key,
            &auth_ca_key,
            TestProfile {
                subject: name(&auth_subject(&profile.person))?,
                issuer: name(AUTH_CA_SUBJECT)?,
                ca: false,
                key_usage: KeyUsage(KeyUsages::DigitalSignature.into()),
            },
            auth_serial.clone(),
            Validity::new(not_before, auth_not_after),
        )?;
        minter.write(&card.auth_cert(), &auth.to_der()?)?;
        if profile.certificate.revoked {
            revoked.push(RevokedCert {
                serial_number: auth_serial,
                revocation_date: time((2026, 9, 1), false)?,
                crl_entry_extensions: None,
            });
        }
        if profile.kind != CardKind::FaceOnly {
            let sign_key = minter.key(&card.sign_key(), &format!("{}/sign", profile.person))?;
            let subject = format!(
                "CN={},OU=Digital Signature,O=Harness Test,C=JP",
                person.name.replace(',', "\\,")
            );
            let sign = build_cert(
                &sign_key,
                &sign_ca_key,
                TestProfile {
                    subject: name(&subject)?,
                    issuer: name(SIGN_CA_SUBJECT)?,
                    ca: false,
                    key_usage: KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
                },
                serial_for(&format!("{}/sign", profile.person))?,
                Validity::new(not_before, date_time(profile.expiry, true)?),
            )?;
            minter.write(&card.sign_cert(), &sign.to_der()?)?;
        }
    }

    let crl = CrlBuilder::<x509_cert::certificate::Rfc5280>::new_with_this_update(
        &auth_ca,
        CrlNumber::from(der::asn1::Uint::new(&[1])?),
        time(CRL_THIS_UPDATE, false)?,
    )?
    .with_next_update(Some(time(CRL_NEXT_UPDATE, false)?))
    .with_certificates(revoked.into_iter())
    .build::<_, Signature>(&SigningKey::<Sha256>::new(auth_ca_key.clone()))?;
    minter.write(&paths.auth_ca_crl(), &crl.to_der()?)?;

    for i in 0..args.readers {
        let key_path = root.join("readers").join(format!("reader-{i}.key.pem"));
        let key = minter.key(&key_path, &format!("reader-{i}"))?;
        let cert = build_cert(
            &key,
            &reader_ca_key,
            TestProfile {
                subject: name(&format!(
                    "CN=Face Reader {i},OU=Face Recognition Reader,O=Harness Test,C=JP"
                ))?,
                issuer: name(READER_CA_SUBJECT)?,
                ca: false,
                key_usage: KeyUsage(KeyUsages::DigitalSignature.into()),
            },
            serial_for(&format!("reader-{i}"))?,
            ca_validity,
        )?;
        minter.write(
            &root.join("readers").join(format!("reader-{i}.crt.der")),
            &cert.to_der()?,
        )?;
    }

    // A closed stdout (e.g. `| head`) is an error, not a panic.
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "minted {} files under {} ({} existing keys kept)",
        minter.written.len(),
        root.display(),
        minter.kept.len()
    )?;
    for path in &minter.written {
        writeln!(out, "  wrote {}", path.display())?;
    }
    Ok(())
}
