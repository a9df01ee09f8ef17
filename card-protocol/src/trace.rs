//! Human-readable trace lines of command/response pairs, for logs and the report's decoded APDU
//! trace: command name, the file it concerns, status word and its meaning.
//!
//! Secrets never appear: the data of VERIFY and CHANGE REFERENCE DATA (PINs, passwords, 照合番号)
//! is masked in the hex, and response data (a My Number, a name, a photo) is shown by length only.

use std::fmt;

use crate::command::{ins, instruction_name, Command, KeyTarget, PinTarget, ReadTarget, Select};
use crate::ids::{Application, FileId};
use crate::response::ResponseApdu;
use crate::status::{Meaning, StatusWord};

/// Upper-case hex with a space between bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 {
            text.push(' ');
        }
        text.push_str(&format!("{byte:02X}"));
    }
    text
}

/// Hex of command bytes with the data of VERIFY and CHANGE REFERENCE DATA masked: the 4 header
/// bytes, then `**` if anything follows. Masks by INS alone, so malformed commands too.
pub fn masked_command_hex(command: &[u8]) -> String {
    let carries_secret = matches!(
        command.get(1).copied(),
        Some(ins::VERIFY | ins::CHANGE_REFERENCE_DATA)
    );
    match command.get(..4) {
        Some(header) if carries_secret && command.len() > 4 => format!("{} **", hex(header)),
        _ => hex(command),
    }
}

/// One decoded command/response pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// The command as text, e.g. `READ BINARY offset 0 Le 256` (never a secret).
    pub command: String,
    /// The file it concerns, when known, e.g. `EF 000A 利用者証明用電子証明書 (user-auth certificate)`.
    pub file: Option<String>,
    /// The command's bytes in hex, secrets masked.
    pub command_hex: String,
    /// Number of response data bytes (the data itself is not kept).
    pub response_len: usize,
    /// The status word; `None` when the response had fewer than 2 bytes.
    pub status: Option<StatusWord>,
    /// What the status word means.
    pub meaning: Option<Meaning>,
}

impl fmt::Display for TraceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.command)?;
        if let Some(file) = &self.file {
            write!(f, " [{file}]")?;
        }
        match (&self.status, &self.meaning) {
            (Some(sw), Some(meaning)) => write!(f, " → {sw} {meaning}")?,
            _ => f.write_str(" → (no status word)")?,
        }
        if self.response_len > 0 {
            write!(f, " ({} bytes)", self.response_len)?;
        }
        Ok(())
    }
}

/// Decodes a sequence of command/response pairs, following the selected application and EF as the
/// card would (a SELECT counts only when answered 9000), so that files are named in context.
#[derive(Debug, Clone, Default)]
pub struct Tracer {
    application: Option<Application>,
    current_ef: Option<FileId>,
}

impl Tracer {
    /// A tracer with nothing selected (a card just powered on).
    pub fn new() -> Tracer {
        Tracer::default()
    }

    /// Forget the selection (the card was reset or powered off).
    pub fn reset(&mut self) {
        *self = Tracer::default();
    }

    /// Decodes one pair and follows its effect on the selection.
    pub fn line(&mut self, command: &[u8], response: &[u8]) -> TraceLine {
        let response = ResponseApdu::parse(response).ok();
        let status = response.as_ref().map(|r| r.sw);
        let ok = status.is_some_and(StatusWord::is_success);
        let (text, file) = match Command::parse(command) {
            Ok(parsed) => self.describe(&parsed, ok),
            Err(error) => {
                let name = command
                    .get(1)
                    .and_then(|ins| instruction_name(*ins))
                    .unwrap_or("unknown command");
                (format!("{name} (not understood: {error})"), None)
            }
        };
        TraceLine {
            command: text,
            file,
            command_hex: masked_command_hex(command),
            response_len: response.as_ref().map_or(0, |r| r.data.len()),
            status,
            meaning: status.map(StatusWord::meaning),
        }
    }

    fn file(&self, fid: FileId) -> String {
        match self.application.and_then(|app| app.file_name(fid)) {
            Some((ja, en)) => format!("EF {fid:04X} {ja} ({en})"),
            None => format!("EF {fid:04X}"),
        }
    }

    fn target_file(&self, short_ef: Option<u8>) -> Option<String> {
        match short_ef {
            Some(ef) => Some(self.file(FileId::from(ef))),
            None => self.current_ef.map(|fid| self.file(fid)),
        }
    }

    fn describe(&mut self, command: &Command, ok: bool) -> (String, Option<String>) {
        match command {
            Command::Select(Select::Df(name)) => {
                let app = name.application();
                if ok {
                    self.application = app;
                    self.current_ef = None;
                }
                let file = match app {
                    Some(app) => format!("{} ({})", app.name_ja(), app.name_en()),
                    None => format!("DF {}", hex(name.as_bytes())),
                };
                ("SELECT DF".to_owned(), Some(file))
            }
            Command::Select(Select::Ef(fid)) => {
                if ok {
                    self.current_ef = Some(*fid);
                }
                ("SELECT EF".to_owned(), Some(self.file(*fid)))
            }
            Command::Select(Select::MasterFile) => {
                if ok {
                    *self = Tracer::default();
                }
                ("SELECT MF".to_owned(), Some("MF 3F00".to_owned()))
            }
            Command::ReadBinary(read) => {
                let short_ef = match read.target() {
                    ReadTarget::CurrentEf => None,
                    ReadTarget::ShortEf(sfi) => Some(sfi),
                };
                if ok {
                    if let Some(sfi) = short_ef {
                        self.current_ef = Some(FileId::from(sfi));
                    }
                }
                let text = format!(
                    "READ BINARY offset {} Le {}{}",
                    read.offset(),
                    read.le(),
                    if read.is_extended() {
                        " (extended)"
                    } else {
                        ""
                    }
                );
                (text, self.target_file(short_ef))
            }
            Command::Verify(verify) => {
                let text = match verify.pin() {
                    Some(_) => "VERIFY (PIN hidden)",
                    None => "VERIFY retry-counter query",
                };
                (
                    text.to_owned(),
                    self.target_file(pin_short_ef(verify.target())),
                )
            }
            Command::ChangeReferenceData(change) => (
                "CHANGE REFERENCE DATA (new PIN hidden)".to_owned(),
                self.target_file(pin_short_ef(change.target())),
            ),
            Command::ComputeDigitalSignature(sign) => {
                let short_ef = match sign.target() {
                    KeyTarget::CurrentEf => None,
                    KeyTarget::ShortEf(ef) => Some(ef),
                };
                (
                    format!(
                        "COMPUTE DIGITAL SIGNATURE ({}-byte DigestInfo)",
                        sign.digest_info().len()
                    ),
                    self.target_file(short_ef),
                )
            }
            Command::GetResponse(get) => (format!("GET RESPONSE Le {}", get.le()), None),
        }
    }
}

fn pin_short_ef(target: PinTarget) -> Option<u8> {
    match target {
        PinTarget::CurrentEf => None,
        PinTarget::ShortEf(ef) => Some(ef),
    }
}

/// Decodes one pair without context (files named by number only unless the pair selects an
/// application). Use a [`Tracer`] for a sequence.
pub fn describe(command: &[u8], response: &[u8]) -> TraceLine {
    Tracer::new().line(command, response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{ChangeReferenceData, ReadBinary, Verify};
    use crate::ids::fid;
    use crate::secret::PinBytes;

    #[test]
    fn a_visit_reads_as_a_story() {
        let mut tracer = Tracer::new();
        let select = Select::application(Application::Jpki).encode();
        let line = tracer.line(&select, &[0x90, 0x00]);
        assert_eq!(
            line.to_string(),
            "SELECT DF [公的個人認証AP (JPKI AP)] → 9000 正常終了 / normal processing"
        );
        tracer.line(&Select::ef(fid::JPKI_AUTH_CERT).encode(), &[0x90, 0x00]);
        let read = ReadBinary::current_ef(0, 256).unwrap().encode();
        let mut response = vec![0x30; 256];
        response.extend_from_slice(&[0x90, 0x00]);
        let line = tracer.line(&read, &response);
        assert_eq!(
            line.file.as_deref(),
            Some("EF 000A 利用者証明用電子証明書 (user-auth certificate)")
        );
        assert_eq!(line.response_len, 256);
        tracer.line(&Select::ef(fid::JPKI_AUTH_PIN).encode(), &[0x90, 0x00]);
        let verify = Verify::new(PinTarget::CurrentEf, PinBytes::new(b"1234".to_vec()))
            .unwrap()
            .encode();
        let line = tracer.line(&verify, &[0x63, 0xC2]);
        assert_eq!(line.command_hex, "00 20 00 80 **");
        assert_eq!(line.status.and_then(StatusWord::tries_left), Some(2));
        assert!(
            line.to_string().contains("EF 0018 利用者証明用暗証番号"),
            "{line}"
        );
        assert!(line.to_string().contains("残り照合回数 2 回"), "{line}");
    }

    #[test]
    fn a_failed_select_does_not_move_the_selection() {
        let mut tracer = Tracer::new();
        tracer.line(
            &Select::application(Application::Text).encode(),
            &[0x90, 0x00],
        );
        tracer.line(&Select::ef(fid::TEXT_MY_NUMBER).encode(), &[0x90, 0x00]);
        tracer.line(&Select::ef(0x0999).encode(), &[0x6A, 0x82]);
        let line = tracer.line(
            &ReadBinary::current_ef(0, 17).unwrap().encode(),
            &[0x69, 0x82],
        );
        assert_eq!(line.file.as_deref(), Some("EF 0001 個人番号 (My Number)"));
        tracer.reset();
        let line = tracer.line(
            &ReadBinary::current_ef(0, 17).unwrap().encode(),
            &[0x69, 0x86],
        );
        assert_eq!(line.file, None);
    }

    #[test]
    fn secrets_are_masked_everywhere() {
        let change =
            ChangeReferenceData::new(PinTarget::CurrentEf, PinBytes::new(b"8642".to_vec()))
                .unwrap()
                .encode();
        let my_number = b"123456789012";
        let mut response = my_number.to_vec();
        response.extend_from_slice(&[0x90, 0x00]);
        for (command, response) in [
            (change.as_slice(), &[0x90u8, 0x00][..]),
            (
                &[0x00, 0x20, 0x00, 0x80, 0x09, b'8', b'6'][..],
                &[0x67, 0x00][..],
            ),
            (&[0x00, 0xB0, 0x00, 0x00, 0x11][..], response.as_slice()),
        ] {
            let line = describe(command, response);
            let text = format!("{line} {line:?}");
            for secret in ["8642", "38 36 34 32", "38 36", "123456789012"] {
                assert!(!text.contains(secret), "{text}");
            }
        }
    }

    #[test]
    fn odd_pairs_are_described_not_rejected() {
        let line = describe(&[0x00, 0xCA, 0x01], &[0x6D]);
        assert_eq!(line.status, None);
        assert!(line.to_string().contains("no status word"), "{line}");
        let line = describe(&[0x00, 0xB0, 0x00, 0x00], &[0x67, 0x00]);
        assert!(
            line.command.starts_with("READ BINARY (not understood"),
            "{line}"
        );
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let _ = describe(&[a, b, 0x00, 0x80, 0x01, 0x00], &[a, b]);
                let _ = describe(&[0x00, a, b], &[b]);
            }
        }
    }
}
