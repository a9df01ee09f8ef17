//! Line framing of the fixture protocol (docs/bench-fixture-protocol.md §2): printable ASCII,
//! CR LF (a bare LF accepted), at most [`MAX_LINE`] characters. Pure: bytes in, lines out.

use std::collections::VecDeque;

/// Longest line content, without the CR LF (128 bytes with it).
pub const MAX_LINE: usize = 126;

/// Why a received line is not a valid line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// More than [`MAX_LINE`] characters before the LF; `head` is the start of it, escaped.
    #[error("line longer than {MAX_LINE} characters: {head}…")]
    TooLong {
        /// The first characters, escaped.
        head: String,
    },
    /// A byte outside 0x20–0x7E (a CR is allowed only right before the LF).
    #[error("byte 0x{byte:02X} at column {column} in {line}")]
    BadByte {
        /// The offending byte.
        byte: u8,
        /// Its position in the line, from 0.
        column: usize,
        /// The whole line, escaped.
        line: String,
    },
}

/// Escapes a received line for messages and logs: printable ASCII as is, anything else as \xNN.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out
}

/// Checks a line's content (without the terminator) against §2.
pub fn validate(content: &[u8]) -> Result<&str, LineError> {
    if content.len() > MAX_LINE {
        return Err(LineError::TooLong {
            head: escape(content.get(..40).unwrap_or(content)),
        });
    }
    if let Some((column, &byte)) = content
        .iter()
        .enumerate()
        .find(|(_, b)| !(0x20..=0x7E).contains(*b))
    {
        return Err(LineError::BadByte {
            byte,
            column,
            line: escape(content),
        });
    }
    // Every byte is printable ASCII, so this cannot fail; no panic path either way.
    std::str::from_utf8(content).map_err(|_| LineError::BadByte {
        byte: 0,
        column: 0,
        line: escape(content),
    })
}

/// Frames a line for sending: content and CR LF. The caller guarantees the content is valid
/// (requests and answers are built from validated parts).
pub fn frame(content: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(content.len() + 2);
    bytes.extend_from_slice(content.as_bytes());
    bytes.extend_from_slice(b"\r\n");
    bytes
}

/// Splits a byte stream into lines. Keeps at most [`MAX_LINE`] + 1 bytes of an unfinished line:
/// a longer one is dropped up to its LF and reported as [`LineError::TooLong`]. Empty lines are
/// skipped.
#[derive(Debug, Default)]
pub struct LineDecoder {
    current: Vec<u8>,
    /// Bytes of the current line dropped because it is too long (its head is in `current`).
    overflow: bool,
    ready: VecDeque<Result<String, LineError>>,
}

impl LineDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes received bytes; complete lines become available from [`LineDecoder::next_line`].
    pub fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte == b'\n' {
                self.finish_line();
            } else if self.current.len() <= MAX_LINE {
                self.current.push(byte);
            } else {
                self.overflow = true;
            }
        }
    }

    fn finish_line(&mut self) {
        let mut content = std::mem::take(&mut self.current);
        let overflow = std::mem::take(&mut self.overflow);
        if content.last() == Some(&b'\r') {
            content.pop();
        }
        if content.is_empty() && !overflow {
            return;
        }
        let line = if overflow {
            Err(LineError::TooLong {
                head: escape(content.get(..40).unwrap_or(&content)),
            })
        } else {
            validate(&content).map(str::to_owned)
        };
        self.ready.push_back(line);
    }

    /// The next complete line, if any.
    pub fn next_line(&mut self) -> Option<Result<String, LineError>> {
        self.ready.pop_front()
    }

    /// True if part of a line has arrived without its LF.
    pub fn has_partial(&self) -> bool {
        !self.current.is_empty() || self.overflow
    }

    /// Forgets everything received (after a timeout, before `RESET`).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(decoder: &mut LineDecoder) -> Vec<Result<String, LineError>> {
        std::iter::from_fn(|| decoder.next_line()).collect()
    }

    #[test]
    fn lines_split_across_reads_come_out_whole() {
        let mut decoder = LineDecoder::new();
        decoder.feed(b"1 O");
        assert!(lines(&mut decoder).is_empty());
        assert!(decoder.has_partial());
        decoder.feed(b"K\r");
        assert!(lines(&mut decoder).is_empty());
        decoder.feed(b"\n2 OK\nEVT LID OPEN\r\n\r\n");
        assert_eq!(
            lines(&mut decoder),
            vec![
                Ok("1 OK".to_owned()),
                Ok("2 OK".to_owned()),
                Ok("EVT LID OPEN".to_owned())
            ]
        );
        assert!(!decoder.has_partial());
    }

    #[test]
    fn control_and_high_bytes_spoil_the_line_and_nothing_else() {
        let mut decoder = LineDecoder::new();
        decoder.feed(b"1 O\x00K\r\n2 \xFFOK\r\n3 OK\tx\r\n4 O\rK\r\n5 OK\r\n");
        let got = lines(&mut decoder);
        assert_eq!(got.len(), 5);
        assert!(matches!(
            &got[0],
            Err(LineError::BadByte { byte: 0x00, column: 3, line }) if line == "1 O\\x00K"
        ));
        assert!(matches!(
            &got[1],
            Err(LineError::BadByte { byte: 0xFF, .. })
        ));
        assert!(matches!(
            &got[2],
            Err(LineError::BadByte { byte: b'\t', .. })
        ));
        assert!(matches!(
            &got[3],
            Err(LineError::BadByte {
                byte: b'\r',
                column: 3,
                ..
            })
        ));
        assert_eq!(got[4], Ok("5 OK".to_owned()));
    }

    #[test]
    fn a_too_long_line_is_dropped_to_its_lf_and_memory_stays_bounded() {
        let mut decoder = LineDecoder::new();
        decoder.feed(&[b'A'; MAX_LINE]);
        decoder.feed(b"\r\n");
        assert_eq!(lines(&mut decoder), vec![Ok("A".repeat(MAX_LINE))]);
        for _ in 0..1000 {
            decoder.feed(&[b'B'; 1000]);
        }
        assert!(decoder.current.len() <= MAX_LINE + 1);
        decoder.feed(b"\r\n7 OK\r\n");
        let got = lines(&mut decoder);
        assert!(matches!(&got[0], Err(LineError::TooLong { head }) if head == &"B".repeat(40)));
        assert_eq!(got[1], Ok("7 OK".to_owned()));
    }

    #[test]
    fn escape_shows_every_byte() {
        assert_eq!(escape(b"a\\b\r\n\x7F"), "a\\\\b\\x0D\\x0A\\x7F");
        assert_eq!(frame("1 PING"), b"1 PING\r\n");
    }
}
