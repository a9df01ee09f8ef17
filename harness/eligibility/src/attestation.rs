//! The face route's reader attestation (顔認証の結果の証明): the bytes the reader signs.
//!
//! Format `mock-reader-attestation/1`: UTF-8 text, LF line ends, exactly these seven lines in
//! this order, each ending in LF (so the statement ends with LF):
//!
//! ```text
//! mock-reader-attestation/1
//! challenge=<the service's challenge, lowercase hex>
//! auth-certificate-sha256=<SHA-256 of the card's user-auth certificate DER, lowercase hex>
//! reader=<reader's PC/SC name; `\` written as `\\`, LF as `\n`, CR as `\r`>
//! match-score=<score in 0..=1 with exactly 4 decimals, e.g. 0.9312>
//! matched-at=<yyyyMMddHHmmss, facility local time (JST)>
//! decision=match
//! ```
//!
//! The reader signs these bytes with its key (RSA PKCS#1 v1.5, SHA-256 DigestInfo); its
//! certificate is issued by the reader maker's CA. The reader only attests a match, so the last
//! line is always `decision=match`. Build the bytes with [`attestation_statement`]; the service
//! parses them with [`AttestationStatement::parse`] and rebuilds them to check they are canonical.

use chrono::NaiveDateTime;

use crate::pki::{hex, sha256};

/// First line of the statement (format name and version).
pub const STATEMENT_FORMAT: &str = "mock-reader-attestation/1";

const TIME_FORMAT: &str = "%Y%m%d%H%M%S";

/// The canonical statement bytes the reader signs for a face match.
///
/// `match_score` is rounded to 4 decimals (a score outside 0..=1 or not finite makes a statement
/// the service rejects).
pub fn attestation_statement(
    challenge: &[u8],
    auth_certificate_der: &[u8],
    reader_name: &str,
    match_score: f64,
    matched_at: NaiveDateTime,
) -> Vec<u8> {
    render(
        challenge,
        &sha256(auth_certificate_der),
        reader_name,
        match_score,
        matched_at,
    )
}

fn render(
    challenge: &[u8],
    auth_certificate_sha256: &[u8; 32],
    reader_name: &str,
    match_score: f64,
    matched_at: NaiveDateTime,
) -> Vec<u8> {
    format!(
        "{STATEMENT_FORMAT}\nchallenge={}\nauth-certificate-sha256={}\nreader={}\nmatch-score={:.4}\nmatched-at={}\ndecision=match\n",
        hex(challenge),
        hex(auth_certificate_sha256),
        escape(reader_name),
        match_score,
        matched_at.format(TIME_FORMAT),
    )
    .into_bytes()
}

/// A parsed attestation statement.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationStatement {
    /// The service's challenge.
    pub challenge: Vec<u8>,
    /// SHA-256 of the card's user-auth certificate.
    pub auth_certificate_sha256: [u8; 32],
    /// The reader's PC/SC name.
    pub reader_name: String,
    /// The matcher's score, 0..=1.
    pub match_score: f64,
    /// When the face matched (JST).
    pub matched_at: NaiveDateTime,
}

/// Why statement bytes are not a valid statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("attestation statement: {0}")]
pub struct StatementError(pub String);

impl AttestationStatement {
    /// Parses statement bytes; only the canonical form (as [`attestation_statement`] writes it)
    /// is accepted.
    pub fn parse(bytes: &[u8]) -> Result<Self, StatementError> {
        let err = |m: &str| StatementError(m.to_owned());
        let text = std::str::from_utf8(bytes).map_err(|_| err("not UTF-8"))?;
        let body = text.strip_suffix('\n').ok_or_else(|| err("no final LF"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [format, challenge, cert, reader, score, at, decision] = lines.as_slice() else {
            return Err(err("expected 7 lines"));
        };
        if *format != STATEMENT_FORMAT {
            return Err(err("unknown format line"));
        }
        let field = |line: &'_ str, key: &str| -> Result<String, StatementError> {
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_owned)
                .ok_or_else(|| StatementError(format!("expected {key}=")))
        };
        let challenge =
            unhex(&field(challenge, "challenge")?).ok_or_else(|| err("bad challenge hex"))?;
        let cert_hash: [u8; 32] = unhex(&field(cert, "auth-certificate-sha256")?)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| err("bad certificate hash"))?;
        let reader_name =
            unescape(&field(reader, "reader")?).ok_or_else(|| err("bad reader escape"))?;
        let match_score: f64 = field(score, "match-score")?
            .parse()
            .map_err(|_| err("bad match score"))?;
        if !(0.0..=1.0).contains(&match_score) {
            return Err(err("match score outside 0..=1"));
        }
        let matched_at = NaiveDateTime::parse_from_str(&field(at, "matched-at")?, TIME_FORMAT)
            .map_err(|_| err("bad matched-at"))?;
        if field(decision, "decision")? != "match" {
            return Err(err("decision is not match"));
        }
        let statement = Self {
            challenge,
            auth_certificate_sha256: cert_hash,
            reader_name,
            match_score,
            matched_at,
        };
        if statement.to_bytes() != bytes {
            return Err(err("not in canonical form"));
        }
        Ok(statement)
    }

    /// The canonical bytes of this statement.
    pub fn to_bytes(&self) -> Vec<u8> {
        render(
            &self.challenge,
            &self.auth_certificate_sha256,
            &self.reader_name,
            self.match_score,
            self.matched_at,
        )
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            if text.bytes().any(|b| b.is_ascii_uppercase()) {
                return None;
            }
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(9, 30, 5))
            .unwrap_or_default()
    }

    #[test]
    fn statement_round_trips_and_is_canonical() {
        let bytes = attestation_statement(&[0xab, 0x01], b"cert", "Reader\\0\nX", 0.93125, at());
        let text = String::from_utf8(bytes.clone()).unwrap_or_default();
        assert!(text.starts_with("mock-reader-attestation/1\nchallenge=ab01\n"));
        assert!(text.contains("\nreader=Reader\\\\0\\nX\n"));
        assert!(text.contains("\nmatched-at=20261125093005\n"));
        let parsed = AttestationStatement::parse(&bytes);
        assert!(parsed.is_ok(), "{parsed:?}");
        let parsed = parsed.unwrap_or_else(|_| unreachable!());
        assert_eq!(parsed.reader_name, "Reader\\0\nX");
        assert_eq!(parsed.challenge, vec![0xab, 0x01]);
        assert_eq!(parsed.auth_certificate_sha256, sha256(b"cert"));
        assert_eq!(parsed.to_bytes(), bytes);
    }

    #[test]
    fn non_canonical_statements_are_rejected() {
        let good = String::from_utf8(attestation_statement(&[1], b"c", "R", 0.5, at()))
            .unwrap_or_default();
        for bad in [
            good.replace("challenge=01", "challenge=1"),
            good.replace("match-score=0.5000", "match-score=0.5"),
            good.replace("match-score=0.5000", "match-score=1.5000"),
            good.replace("decision=match", "decision=nomatch"),
            good.replace('\n', "\r\n"),
            good.trim_end().to_owned(),
            format!("{good}extra\n"),
        ] {
            assert!(
                AttestationStatement::parse(bad.as_bytes()).is_err(),
                "{bad:?}"
            );
        }
    }
}
