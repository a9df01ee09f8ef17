//! Helpers shared by the engine tests: cards built from the committed fixtures, with a temporary
//! photo so that no test depends on the face fixtures.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use card_protocol::{aid, ResponseApdu, StatusWord};
use virtual_card::card::Card;
use virtual_card::profile::{self, LoadedProfile};

/// The repository's fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Photo bytes written for the temporary photo of `person`: a JPEG 2000 codestream header
/// followed by a recognisable pattern.
pub fn photo_bytes(person: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0x4F, 0xFF, 0x51];
    bytes.extend((0..3000u32).map(|i| (i % 251) as u8));
    bytes.extend_from_slice(person.as_bytes());
    bytes
}

/// A fixture profile rewritten into a temp dir: photo replaced by [`photo_bytes`], PKI and people
/// pointing at the committed fixtures.
pub struct TempProfile {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn temp_profile(person: &str) -> TempProfile {
    temp_profile_edited(person, |t| t)
}

pub fn temp_profile_edited(person: &str, edit: impl FnOnce(String) -> String) -> TempProfile {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixtures().join("cards").join(format!("{person}.toml")))
        .expect("fixture profile");
    let photo_path = dir.path().join("photo.jp2");
    std::fs::write(&photo_path, photo_bytes(person)).expect("photo");
    let fixtures = fixtures();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("photo = ") {
            out.push_str(&format!("photo = {:?}\n", photo_path.display().to_string()));
        } else {
            out.push_str(line);
            out.push('\n');
        }
        if line.starts_with("security_code = ") {
            out.push_str(&format!(
                "pki = {:?}\npeople = {:?}\n",
                fixtures.join("pki").display().to_string(),
                fixtures.join("people.toml").display().to_string()
            ));
        }
    }
    let out = edit(out);
    let path = dir.path().join(format!("{person}.toml"));
    std::fs::write(&path, out).expect("profile");
    TempProfile { dir, path }
}

pub fn loaded(person: &str) -> LoadedProfile {
    let p = temp_profile(person);
    profile::load(&p.path).expect("load profile")
}

pub fn card(person: &str) -> Card {
    let l = loaded(person);
    Card::with_state(&l.data, l.initial_state)
}

/// Sends a command and splits the response.
pub fn send(card: &mut Card, command: &[u8]) -> ResponseApdu {
    let bytes = card.execute(command);
    ResponseApdu::parse(&bytes).expect("every response has a status word")
}

pub fn sw(card: &mut Card, command: &[u8]) -> StatusWord {
    send(card, command).sw
}

pub fn select_jpki(card: &mut Card) {
    assert_eq!(sw(card, &cmd::select_df(&aid::JPKI)), StatusWord::OK);
}

/// Reads a whole BER-TLV EF (certificate or FF 20 record) of the current EF: a short head first,
/// then the rest in chunks of 256.
pub fn read_tlv_file(card: &mut Card) -> Vec<u8> {
    let head = send(card, &cmd::read_binary(0, 7));
    assert_eq!(head.sw, StatusWord::OK, "head");
    let total = tlv_total_len(&head.data).expect("BER length");
    let mut data = Vec::new();
    while data.len() < total {
        let want = (total - data.len()).min(256);
        let r = send(card, &cmd::read_binary(data.len() as u16, want));
        assert_eq!(r.sw, StatusWord::OK, "chunk at {}", data.len());
        assert!(!r.data.is_empty());
        data.extend(r.data);
    }
    data
}

/// Total length of the TLV at the start of `bytes` (1- or 2-byte tag).
pub fn tlv_total_len(bytes: &[u8]) -> Option<usize> {
    let tag_len = if bytes.first()? & 0x1F == 0x1F { 2 } else { 1 };
    let first = *bytes.get(tag_len)?;
    let (len, len_len) = match first {
        0..=0x7F => (usize::from(first), 1),
        0x81 => (usize::from(*bytes.get(tag_len + 1)?), 2),
        0x82 => (
            usize::from(u16::from_be_bytes([
                *bytes.get(tag_len + 1)?,
                *bytes.get(tag_len + 2)?,
            ])),
            3,
        ),
        _ => return None,
    };
    Some(tag_len + len_len + len)
}

/// Finds the value of a 2-byte tag (DFxx) inside an `FF 20` record.
pub fn find_tag(record: &[u8], tag: [u8; 2]) -> Option<Vec<u8>> {
    let header = tlv_total_len(record)? - record_content_len(record)?;
    let mut at = header;
    while at < record.len() {
        let rest = record.get(at..)?;
        let total = tlv_total_len(rest)?;
        let value_len = record_content_len(rest)?;
        if rest.get(..2)? == tag {
            return rest.get(total - value_len..total).map(<[u8]>::to_vec);
        }
        at += total;
    }
    None
}

fn record_content_len(bytes: &[u8]) -> Option<usize> {
    let tag_len = if bytes.first()? & 0x1F == 0x1F { 2 } else { 1 };
    let first = *bytes.get(tag_len)?;
    Some(match first {
        0..=0x7F => usize::from(first),
        0x81 => usize::from(*bytes.get(tag_len + 1)?),
        0x82 => usize::from(u16::from_be_bytes([
            *bytes.get(tag_len + 1)?,
            *bytes.get(tag_len + 2)?,
        ])),
        _ => return None,
    })
}

pub const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
pub const SHA1_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

/// The commands the tests send, encoded by `card_protocol`'s typed commands. Each unwraps a
/// builder that only fails for arguments the wire cannot carry, which no test passes here.
pub mod cmd {
    use card_protocol::{
        ChangeReferenceData, ComputeDigitalSignature, FileId, KeyTarget, PinBytes, PinTarget,
        ReadBinary, Select, Verify,
    };

    /// `00 A4 04 0C Lc <AID>`.
    pub fn select_df(aid: &[u8]) -> Vec<u8> {
        Select::df_name(aid).expect("DF name").encode()
    }

    /// `00 A4 02 0C 02 <FID>`.
    pub fn select_ef(fid: FileId) -> Vec<u8> {
        Select::ef(fid).encode()
    }

    /// `00 B0 <offset> <Le>` (extended Le above 256).
    pub fn read_binary(offset: u16, le: usize) -> Vec<u8> {
        ReadBinary::current_ef(usize::from(offset), le)
            .expect("READ BINARY")
            .encode()
    }

    /// `00 B0 <offset> 00 <Le hi> <Le lo>`.
    pub fn read_binary_extended(offset: u16, le: usize) -> Vec<u8> {
        ReadBinary::current_ef_extended(usize::from(offset), le)
            .expect("READ BINARY")
            .encode()
    }

    /// `00 B0 <80|SFI> <offset> <Le>`.
    pub fn read_binary_short_ef(sfi: u8, offset: u8, le: usize) -> Vec<u8> {
        ReadBinary::short_ef(sfi, usize::from(offset), le)
            .expect("READ BINARY")
            .encode()
    }

    /// `00 20 00 80 Lc <PIN>`.
    pub fn verify(pin: &[u8]) -> Vec<u8> {
        Verify::new(PinTarget::CurrentEf, PinBytes::new(pin))
            .expect("VERIFY")
            .encode()
    }

    /// `00 20 00 80`: the retry-counter query.
    pub fn verify_query() -> Vec<u8> {
        Verify::retry_query(PinTarget::CurrentEf)
            .expect("VERIFY")
            .encode()
    }

    /// `00 20 00 <80|EF> Lc <PIN>`.
    pub fn verify_short_ef(ef: u8, pin: &[u8]) -> Vec<u8> {
        Verify::new(PinTarget::ShortEf(ef), PinBytes::new(pin))
            .expect("VERIFY")
            .encode()
    }

    /// `00 24 01 80 Lc <new PIN>`.
    pub fn change_reference_data(new_pin: &[u8]) -> Vec<u8> {
        ChangeReferenceData::new(PinTarget::CurrentEf, PinBytes::new(new_pin))
            .expect("CHANGE REFERENCE DATA")
            .encode()
    }

    /// `80 2A 00 80 Lc <DigestInfo> 00`.
    pub fn compute_digital_signature(digest_info: &[u8]) -> Vec<u8> {
        ComputeDigitalSignature::new(KeyTarget::CurrentEf, digest_info.to_vec())
            .expect("COMPUTE DIGITAL SIGNATURE")
            .encode()
    }

    /// `80 2A 00 <80|EF> Lc <DigestInfo> 00`.
    pub fn compute_digital_signature_short_ef(ef: u8, digest_info: &[u8]) -> Vec<u8> {
        ComputeDigitalSignature::new(KeyTarget::ShortEf(ef), digest_info.to_vec())
            .expect("COMPUTE DIGITAL SIGNATURE")
            .encode()
    }
}
