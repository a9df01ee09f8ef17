//! Certificate checks against the test JPKI user-auth CA (利用者証明用電子証明書の認証局), its CRL,
//! and the reader maker's CA; a bench adds the CA of its physical test cards (with its CRL, if
//! it has one) beside the test CA ([`TrustAnchors::add_auth_ca`]). Pure: DER bytes and `now` in,
//! verdicts out.
//!
//! Times: `now` is facility local time (JST, UTC+9) as everywhere in the harness; certificate
//! times are UTC and are compared after converting `now`.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Encode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::PublicKey as RsaPublicKey;
use sha2::{Digest, Sha256};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::name::Name;
use x509_cert::Certificate;

/// sha256WithRSAEncryption, the only signature algorithm the test PKI uses.
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// JST is UTC+9 all year.
const JST_OFFSET_SECONDS: i64 = 9 * 3600;

/// Why a certificate was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// Not a DER X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    Malformed(String),
    /// Signed with an algorithm other than sha256WithRSAEncryption, or the key is not RSA.
    #[error("unsupported algorithm or key: {0}")]
    Unsupported(String),
    /// The issuer is not the expected CA, or the CA's signature does not verify.
    #[error("not issued by {expected_ca}")]
    UntrustedIssuer {
        /// Subject of the CA we checked against.
        expected_ca: String,
    },
    /// `now` is after notAfter.
    #[error("certificate expired at {not_after} (UTC)")]
    Expired {
        /// notAfter, UTC.
        not_after: String,
    },
    /// `now` is before notBefore.
    #[error("certificate not valid before {not_before} (UTC)")]
    NotYetValid {
        /// notBefore, UTC.
        not_before: String,
    },
    /// A CA certificate was presented where a card's or a reader's certificate belongs.
    #[error("a CA certificate is not an end-entity certificate")]
    NotEndEntity,
    /// The serial number is on the CA's CRL.
    #[error("certificate serial {serial} is revoked")]
    Revoked {
        /// Serial number, hex.
        serial: String,
    },
}

/// Errors setting up the trust anchors (the fixtures are broken, not the patient's card).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustSetupError {
    /// A CA certificate does not parse or verify as self-signed.
    #[error("CA certificate {which}: {source}")]
    BadCa {
        /// Which CA.
        which: &'static str,
        /// What is wrong.
        source: CertificateError,
    },
    /// The CRL does not parse, is not from the user-auth CA, or its signature fails.
    #[error("CRL: {0}")]
    BadCrl(String),
}

/// A certificate that chains to a trusted CA and is valid at the time checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCertificate {
    /// SHA-256 of the certificate's DER (how cards are identified).
    pub der_sha256: [u8; 32],
    /// Serial number bytes.
    pub serial: Vec<u8>,
    /// Subject, RFC 4514 text.
    pub subject: String,
    /// The subject's RSA public key.
    pub public_key: RsaPublicKey,
}

/// A CA we trust: its name and key.
#[derive(Debug, Clone)]
pub struct TrustedCa {
    subject: Name,
    key: RsaPublicKey,
}

impl TrustedCa {
    /// Parses a self-signed CA certificate and checks its own signature.
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let (cert, tbs) = parse(der)?;
        let key = public_key(&cert)?;
        let ca = Self {
            subject: cert.tbs_certificate().subject().clone(),
            key,
        };
        ca.check_signed(&cert, &tbs)?;
        Ok(ca)
    }

    /// The CA's subject, RFC 4514 text.
    pub fn subject(&self) -> String {
        self.subject.to_string()
    }

    fn check_signed(&self, cert: &Certificate, tbs: &[u8]) -> Result<(), CertificateError> {
        let untrusted = || CertificateError::UntrustedIssuer {
            expected_ca: self.subject.to_string(),
        };
        if cert.tbs_certificate().issuer() != &self.subject {
            return Err(untrusted());
        }
        if cert.signature_algorithm().oid != SHA256_WITH_RSA {
            return Err(CertificateError::Unsupported(format!(
                "signature algorithm {}",
                cert.signature_algorithm().oid
            )));
        }
        let signature = cert.signature().as_bytes().ok_or_else(untrusted)?;
        if verify_sha256_rsa(&self.key, tbs, signature) {
            Ok(())
        } else {
            Err(untrusted())
        }
    }

    /// Checks that `der` is an end-entity certificate issued by this CA and valid at `now` (JST).
    pub fn verify(
        &self,
        der: &[u8],
        now: NaiveDateTime,
    ) -> Result<VerifiedCertificate, CertificateError> {
        let (cert, tbs) = parse(der)?;
        self.check_signed(&cert, &tbs)?;
        let constraints = cert
            .tbs_certificate()
            .get_extension::<BasicConstraints>()
            .map_err(|e| CertificateError::Malformed(e.to_string()))?;
        if constraints.is_some_and(|(_, c)| c.ca) {
            return Err(CertificateError::NotEndEntity);
        }
        let validity = cert.tbs_certificate().validity();
        let now_unix = now.and_utc().timestamp() - JST_OFFSET_SECONDS;
        let not_before = unix_seconds(validity.not_before.to_unix_duration());
        let not_after = unix_seconds(validity.not_after.to_unix_duration());
        if now_unix < not_before {
            return Err(CertificateError::NotYetValid {
                not_before: validity.not_before.to_string(),
            });
        }
        if now_unix > not_after {
            return Err(CertificateError::Expired {
                not_after: validity.not_after.to_string(),
            });
        }
        Ok(VerifiedCertificate {
            der_sha256: sha256(der),
            serial: cert.tbs_certificate().serial_number().as_bytes().to_vec(),
            subject: cert.tbs_certificate().subject().to_string(),
            public_key: public_key(&cert)?,
        })
    }
}

/// A user-auth CA and the serials its CRL revokes.
#[derive(Debug, Clone)]
struct AuthCa {
    ca: TrustedCa,
    revoked_serials: HashSet<Vec<u8>>,
}

/// The user-auth CAs with their revocation lists (the test CA first, then any a bench added),
/// and the reader maker's CA.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    auth_cas: Vec<AuthCa>,
    reader_ca: TrustedCa,
}

impl TrustAnchors {
    /// Builds the anchors from DER: user-auth CA certificate, its CRL, the reader maker's CA.
    /// The CRL must be issued and signed by the user-auth CA.
    pub fn new(
        auth_ca_der: &[u8],
        auth_crl_der: &[u8],
        reader_ca_der: &[u8],
    ) -> Result<Self, TrustSetupError> {
        let auth_ca = AuthCa::new(auth_ca_der, Some(auth_crl_der), "user-auth CA")?;
        let reader_ca =
            TrustedCa::from_der(reader_ca_der).map_err(|source| TrustSetupError::BadCa {
                which: "reader-maker CA",
                source,
            })?;
        Ok(Self {
            auth_cas: vec![auth_ca],
            reader_ca,
        })
    }

    /// Trusts one more user-auth CA beside the test CA (a bench's physical test cards): its
    /// self-signed certificate (DER) and, if it has one, its CRL (DER, issued and signed by it).
    /// Without a CRL nothing it issued counts as revoked.
    pub fn add_auth_ca(
        &mut self,
        ca_der: &[u8],
        crl_der: Option<&[u8]>,
    ) -> Result<(), TrustSetupError> {
        let added = AuthCa::new(ca_der, crl_der, "extra user-auth CA")?;
        self.auth_cas.push(added);
        Ok(())
    }

    /// Subjects of the trusted user-auth CAs, test CA first.
    pub fn auth_ca_subjects(&self) -> Vec<String> {
        self.auth_cas.iter().map(|a| a.ca.subject()).collect()
    }

    /// Verifies a card's user-auth certificate: issued by a trusted user-auth CA, within its
    /// validity at `now`, not on that CA's CRL.
    pub fn verify_auth_certificate(
        &self,
        der: &[u8],
        now: NaiveDateTime,
    ) -> Result<VerifiedCertificate, CertificateError> {
        for auth in &self.auth_cas {
            let verified = match auth.ca.verify(der, now) {
                Ok(verified) => verified,
                // Another CA's certificate: the next CA may have issued it.
                Err(CertificateError::UntrustedIssuer { .. }) => continue,
                Err(other) => return Err(other),
            };
            if auth.revoked_serials.contains(&verified.serial) {
                return Err(CertificateError::Revoked {
                    serial: hex(&verified.serial),
                });
            }
            return Ok(verified);
        }
        Err(CertificateError::UntrustedIssuer {
            expected_ca: self.auth_ca_subjects().join(" | "),
        })
    }

    /// Verifies a reader's certificate: issued by the reader maker's CA and valid at `now`.
    pub fn verify_reader_certificate(
        &self,
        der: &[u8],
        now: NaiveDateTime,
    ) -> Result<VerifiedCertificate, CertificateError> {
        self.reader_ca.verify(der, now)
    }

    /// Number of serials on the user-auth CAs' CRLs.
    pub fn revoked_count(&self) -> usize {
        self.auth_cas.iter().map(|a| a.revoked_serials.len()).sum()
    }
}

impl AuthCa {
    /// The CA from its certificate and its CRL (`None`: nothing revoked); the CRL must be
    /// issued and signed by the CA.
    fn new(
        ca_der: &[u8],
        crl_der: Option<&[u8]>,
        which: &'static str,
    ) -> Result<Self, TrustSetupError> {
        let ca = TrustedCa::from_der(ca_der)
            .map_err(|source| TrustSetupError::BadCa { which, source })?;
        let revoked_serials = match crl_der {
            Some(crl) => revoked_by(&ca, crl)?,
            None => HashSet::new(),
        };
        Ok(Self {
            ca,
            revoked_serials,
        })
    }
}

/// The serials `crl_der` revokes, after checking that `ca` issued and signed it.
fn revoked_by(ca: &TrustedCa, crl_der: &[u8]) -> Result<HashSet<Vec<u8>>, TrustSetupError> {
    let crl = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(crl_der)
        .map_err(|e| TrustSetupError::BadCrl(e.to_string()))?;
    if crl.tbs_cert_list.issuer != ca.subject {
        return Err(TrustSetupError::BadCrl(format!(
            "issued by {}, not by the user-auth CA {}",
            crl.tbs_cert_list.issuer, ca.subject
        )));
    }
    if crl.signature_algorithm.oid != SHA256_WITH_RSA {
        return Err(TrustSetupError::BadCrl(format!(
            "signature algorithm {}",
            crl.signature_algorithm.oid
        )));
    }
    let tbs = first_element(crl_der).map_err(TrustSetupError::BadCrl)?;
    let signature = crl
        .signature
        .as_bytes()
        .ok_or_else(|| TrustSetupError::BadCrl("signature has unused bits".into()))?;
    if !verify_sha256_rsa(&ca.key, &tbs, signature) {
        return Err(TrustSetupError::BadCrl(
            "signature does not verify with the user-auth CA".into(),
        ));
    }
    Ok(crl
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .map(|entry| entry.serial_number.as_bytes().to_vec())
        .collect())
}

/// A certificate's subject and serial (hex), the only parts of a card's certificate the harness
/// writes into logs and messages; `None` when it does not parse.
pub fn subject_and_serial(der: &[u8]) -> Option<(String, String)> {
    let cert = Certificate::from_der(der).ok()?;
    let tbs = cert.tbs_certificate();
    Some((
        tbs.subject().to_string(),
        hex(tbs.serial_number().as_bytes()),
    ))
}

/// DER from a file that holds DER or PEM (`-----BEGIN …-----`): certificates and CRLs as CAs
/// publish them.
pub fn der_from_der_or_pem(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let text = bytes.trim_ascii_start();
    if !text.starts_with(b"-----BEGIN ") {
        return Ok(bytes.to_vec());
    }
    der::pem::decode_vec(text)
        .map(|(_label, der)| der)
        .map_err(|e| format!("PEM: {e}"))
}

/// RSA PKCS#1 v1.5 verification over SHA-256(message) (DigestInfo with the SHA-256 prefix).
pub fn verify_sha256_rsa(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = Signature::try_from(signature) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(message, &signature)
        .is_ok()
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unix_seconds(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Parses a certificate and returns it with its raw TBS bytes (what the CA signed).
fn parse(der: &[u8]) -> Result<(Certificate, Vec<u8>), CertificateError> {
    let cert =
        Certificate::from_der(der).map_err(|e| CertificateError::Malformed(e.to_string()))?;
    let tbs = first_element(der).map_err(CertificateError::Malformed)?;
    Ok((cert, tbs))
}

fn public_key(cert: &Certificate) -> Result<RsaPublicKey, CertificateError> {
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| CertificateError::Malformed(e.to_string()))?;
    RsaPublicKey::from_public_key_der(&spki)
        .map_err(|e| CertificateError::Unsupported(format!("public key: {e}")))
}

/// The first element of a DER SEQUENCE, as encoded (the signed part of a certificate or CRL).
fn first_element(der: &[u8]) -> Result<Vec<u8>, String> {
    let outer = AnyRef::from_der(der).map_err(|e| e.to_string())?;
    let (first, _rest) = AnyRef::from_der_partial(outer.value()).map_err(|e| e.to_string())?;
    first.to_der().map_err(|e| e.to_string())
}
