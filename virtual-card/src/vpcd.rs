//! vpcd frame codec (2-byte big-endian length + payload). Pure: bytes in, frames out.
//!
//! vsmartcard's vpcd driver (loaded by pcscd) and a virtual card exchange frames over TCP. Every
//! frame is a 2-byte big-endian payload length followed by the payload. A 1-byte payload is a
//! control message (0 power off, 1 power on, 2 reset, 4 get ATR); any longer payload is a command
//! APDU whose response goes back framed the same way (as does the ATR after "get ATR").
//!
//! [`FrameDecoder`] takes bytes as they arrive (any split, several frames at once) and yields
//! [`Message`]s. Every error is a value and leaves the decoder in step with the stream: a
//! zero-length frame is consumed, an oversized frame is skipped byte for byte, an unknown control
//! byte is consumed. Nothing here panics on input from the wire.

/// Length of the frame header (the big-endian payload length).
pub const HEADER_LEN: usize = 2;
/// The largest payload the 2-byte length field can carry.
pub const MAX_WIRE_PAYLOAD: usize = u16::MAX as usize;
/// Default limit for a received payload: generous for a My Number card (its longest command is a
/// DigestInfo to sign, or an extended-length header), small enough to refuse garbage early.
pub const DEFAULT_MAX_PAYLOAD: usize = 4096;

/// A control message from vpcd (a 1-byte payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// 0: the reader powers the card off.
    PowerOff,
    /// 1: the reader powers the card on.
    PowerOn,
    /// 2: warm reset.
    Reset,
    /// 4: the reader asks for the ATR; the card answers with a frame holding it.
    GetAtr,
}

impl Control {
    /// The control byte on the wire.
    pub fn byte(self) -> u8 {
        match self {
            Control::PowerOff => 0,
            Control::PowerOn => 1,
            Control::Reset => 2,
            Control::GetAtr => 4,
        }
    }

    /// Parses a control byte.
    pub fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Control::PowerOff),
            1 => Some(Control::PowerOn),
            2 => Some(Control::Reset),
            4 => Some(Control::GetAtr),
            _ => None,
        }
    }
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A control message (1-byte payload).
    Control(Control),
    /// A command APDU (payload of 2 bytes or more).
    Apdu(Vec<u8>),
}

/// Errors of the frame codec. After any decode error the decoder has consumed (or will skip) the
/// offending frame, so decoding can go on with the next one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A frame whose length field is zero (vpcd never sends one; vicc logs and ignores it).
    #[error("zero-length vpcd frame")]
    Empty,
    /// A frame longer than the decoder's limit; its payload is skipped as it arrives.
    #[error("vpcd frame of {len} bytes exceeds the limit of {max} bytes")]
    Oversized {
        /// Length announced by the header.
        len: usize,
        /// The decoder's limit.
        max: usize,
    },
    /// A 1-byte frame whose byte is not a known control code.
    #[error("unknown vpcd control byte {0:#04x}")]
    UnknownControl(u8),
    /// The payload to encode does not fit the 2-byte length field.
    #[error("payload of {0} bytes does not fit a vpcd frame (max 65535)")]
    PayloadTooLarge(usize),
}

/// Encodes one frame (header and payload) into a single buffer, to go out in one write.
pub fn encode(payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    let len =
        u16::try_from(payload.len()).map_err(|_| FrameError::PayloadTooLarge(payload.len()))?;
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    Ok(frame)
}

/// Encodes a control message (what vpcd sends; used by tests and peers that play the reader).
pub fn encode_control(control: Control) -> Vec<u8> {
    vec![0, 1, control.byte()]
}

/// Incremental decoder over a byte stream from vpcd.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    buffer: Vec<u8>,
    max_payload: usize,
    /// Bytes of an oversized frame still to be thrown away.
    skipping: usize,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_PAYLOAD)
    }
}

impl FrameDecoder {
    /// A decoder that refuses payloads longer than `max_payload` bytes.
    pub fn new(max_payload: usize) -> Self {
        Self {
            buffer: Vec::new(),
            max_payload,
            skipping: 0,
        }
    }

    /// Appends bytes received from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        let skipped = self.skipping.min(bytes.len());
        self.skipping -= skipped;
        if let Some(rest) = bytes.get(skipped..) {
            self.buffer.extend_from_slice(rest);
        }
    }

    /// Bytes buffered but not yet returned as a frame.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// True when no partial frame is pending (nothing buffered, nothing left to skip).
    pub fn is_idle(&self) -> bool {
        self.buffer.is_empty() && self.skipping == 0
    }

    /// The next complete frame: `Ok(None)` when more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        let Some(header) = self.buffer.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
        if len == 0 {
            self.buffer.drain(..HEADER_LEN);
            return Err(FrameError::Empty);
        }
        if len > self.max_payload {
            let available = self.buffer.len() - HEADER_LEN;
            let dropped = available.min(len);
            self.buffer.drain(..HEADER_LEN + dropped);
            self.skipping = len - dropped;
            return Err(FrameError::Oversized {
                len,
                max: self.max_payload,
            });
        }
        if self.buffer.len() < HEADER_LEN + len {
            return Ok(None);
        }
        let payload: Vec<u8> = self
            .buffer
            .drain(..HEADER_LEN + len)
            .skip(HEADER_LEN)
            .collect();
        match payload.as_slice() {
            [byte] => Control::from_byte(*byte)
                .map(|control| Some(Message::Control(control)))
                .ok_or(FrameError::UnknownControl(*byte)),
            _ => Ok(Some(Message::Apdu(payload))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut FrameDecoder) -> Vec<Result<Message, FrameError>> {
        let mut out = Vec::new();
        loop {
            match decoder.next_message() {
                Ok(None) => return out,
                Ok(Some(message)) => out.push(Ok(message)),
                Err(error) => out.push(Err(error)),
            }
        }
    }

    #[test]
    fn encodes_length_then_payload_in_one_buffer() {
        assert_eq!(encode(&[0x90, 0x00]).unwrap(), vec![0, 2, 0x90, 0x00]);
        assert_eq!(encode(&[]).unwrap(), vec![0, 0]);
        let big = vec![0xAB; 300];
        let frame = encode(&big).unwrap();
        assert_eq!(&frame[..2], &[0x01, 0x2C]);
        assert_eq!(frame.len(), 302);
    }

    #[test]
    fn refuses_to_encode_a_payload_over_65535_bytes() {
        assert_eq!(
            encode(&vec![0; 65536]),
            Err(FrameError::PayloadTooLarge(65536))
        );
        assert!(encode(&vec![0; 65535]).is_ok());
    }

    #[test]
    fn decodes_control_messages() {
        let mut decoder = FrameDecoder::default();
        for control in [
            Control::PowerOff,
            Control::PowerOn,
            Control::Reset,
            Control::GetAtr,
        ] {
            decoder.push(&encode_control(control));
        }
        assert_eq!(
            decode_all(&mut decoder),
            vec![
                Ok(Message::Control(Control::PowerOff)),
                Ok(Message::Control(Control::PowerOn)),
                Ok(Message::Control(Control::Reset)),
                Ok(Message::Control(Control::GetAtr)),
            ]
        );
        assert!(decoder.is_idle());
    }

    #[test]
    fn decodes_a_frame_split_at_every_byte() {
        let apdu = [0x00, 0xA4, 0x04, 0x0C, 0x02, 0x3F, 0x00];
        let frame = encode(&apdu).unwrap();
        let mut decoder = FrameDecoder::default();
        for (index, byte) in frame.iter().enumerate() {
            assert_eq!(decoder.next_message(), Ok(None), "before byte {index}");
            decoder.push(&[*byte]);
        }
        assert_eq!(
            decoder.next_message(),
            Ok(Some(Message::Apdu(apdu.to_vec())))
        );
        assert_eq!(decoder.next_message(), Ok(None));
    }

    #[test]
    fn decodes_several_frames_from_one_read() {
        let mut bytes = encode_control(Control::GetAtr);
        bytes.extend(encode(&[0x00, 0xB0, 0x00, 0x00, 0x00]).unwrap());
        bytes.extend(&[0x00]); // start of the next header
        let mut decoder = FrameDecoder::default();
        decoder.push(&bytes);
        assert_eq!(
            decode_all(&mut decoder),
            vec![
                Ok(Message::Control(Control::GetAtr)),
                Ok(Message::Apdu(vec![0x00, 0xB0, 0x00, 0x00, 0x00])),
            ]
        );
        assert_eq!(decoder.buffered(), 1);
        assert!(!decoder.is_idle());
    }

    #[test]
    fn zero_length_frame_is_an_error_and_decoding_goes_on() {
        let mut decoder = FrameDecoder::default();
        decoder.push(&[0, 0]);
        decoder.push(&encode_control(Control::PowerOn));
        assert_eq!(
            decode_all(&mut decoder),
            vec![
                Err(FrameError::Empty),
                Ok(Message::Control(Control::PowerOn))
            ]
        );
    }

    #[test]
    fn oversized_frame_is_skipped_even_when_it_arrives_in_pieces() {
        let mut decoder = FrameDecoder::new(8);
        let oversized = encode(&[0x11; 20]).unwrap();
        decoder.push(&oversized[..5]);
        assert_eq!(
            decoder.next_message(),
            Err(FrameError::Oversized { len: 20, max: 8 })
        );
        assert_eq!(decoder.next_message(), Ok(None));
        decoder.push(&oversized[5..12]);
        assert_eq!(decoder.next_message(), Ok(None));
        let mut rest = oversized[12..].to_vec();
        rest.extend(encode(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap());
        decoder.push(&rest);
        assert_eq!(
            decoder.next_message(),
            Ok(Some(Message::Apdu(vec![0x00, 0x84, 0x00, 0x00, 0x08])))
        );
        assert!(decoder.is_idle());
    }

    #[test]
    fn unknown_control_byte_is_an_error_and_decoding_goes_on() {
        let mut decoder = FrameDecoder::default();
        decoder.push(&[0, 1, 3, 0, 1, 0xFF]);
        decoder.push(&encode_control(Control::PowerOff));
        assert_eq!(
            decode_all(&mut decoder),
            vec![
                Err(FrameError::UnknownControl(3)),
                Err(FrameError::UnknownControl(0xFF)),
                Ok(Message::Control(Control::PowerOff)),
            ]
        );
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_always_make_progress() {
        // A small deterministic generator (xorshift) stands in for a fuzzer here.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut decoder = FrameDecoder::new((next() % 64) as usize);
            let len = (next() % 200) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut offset = 0;
            while offset < bytes.len() {
                let step = 1 + (next() % 17) as usize;
                let end = (offset + step).min(bytes.len());
                decoder.push(&bytes[offset..end]);
                offset = end;
                let mut guard = 0;
                while let Ok(Some(_)) | Err(_) = decoder.next_message() {
                    guard += 1;
                    assert!(guard <= bytes.len(), "decoder did not make progress");
                }
            }
            assert!(decoder.buffered() <= bytes.len());
        }
    }
}
