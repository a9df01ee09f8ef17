//! Random bytes into the vpcd frame decoder (`virtual_card::vpcd::FrameDecoder`), pushed in
//! chunks, and every decoded frame re-encoded and decoded again.
//!
//! Input layout: byte 0 picks the decoder's payload limit, byte 1 seeds the chunk sizes (1 to 16
//! bytes, or all at once when it is 0), the rest is the byte stream from "vpcd".
//!
//! Checked: no panic; the decoder always makes progress (a call either returns `Ok(None)` or
//! consumes input); it never holds more bytes than it was given; every decoded message encodes to
//! a frame that a fresh decoder turns back into the same message and nothing else; the whole
//! re-encoded stream, pushed at once, decodes to the same messages in the same order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use virtual_card::vpcd::{encode, encode_control, FrameDecoder, Message, DEFAULT_MAX_PAYLOAD};

const LIMITS: [usize; 8] = [0, 1, 2, 5, 16, 255, DEFAULT_MAX_PAYLOAD, u16::MAX as usize];

fn encode_message(message: &Message) -> Vec<u8> {
    match message {
        Message::Control(control) => encode_control(*control),
        Message::Apdu(payload) => encode(payload).expect("a decoded payload fits a frame"),
    }
}

/// Every message the decoder yields now (errors are skipped: they are values, checked not to stall).
fn drain(decoder: &mut FrameDecoder, pushed: usize, out: &mut Vec<Message>) {
    let mut calls = 0usize;
    loop {
        calls += 1;
        assert!(calls <= pushed + 2, "decoder did not make progress");
        match decoder.next_message() {
            Ok(None) => return,
            Ok(Some(message)) => out.push(message),
            Err(_) => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (limit, seed, stream) = match data {
        [limit, seed, stream @ ..] => (*limit, *seed, stream),
        _ => return,
    };
    let max_payload = LIMITS[usize::from(limit) % LIMITS.len()];
    let mut decoder = FrameDecoder::new(max_payload);
    let mut messages = Vec::new();
    let mut state = u32::from(seed) | 0x100;
    let mut offset = 0;
    while offset < stream.len() {
        let step = if seed == 0 {
            stream.len()
        } else {
            // xorshift32: deterministic chunk sizes for a given input.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            1 + (state % 16) as usize
        };
        let end = (offset + step).min(stream.len());
        decoder.push(&stream[offset..end]);
        offset = end;
        drain(&mut decoder, stream.len(), &mut messages);
        assert!(
            decoder.buffered() <= offset,
            "decoder holds more than it got"
        );
    }

    let mut reencoded = Vec::new();
    for message in &messages {
        if let Message::Apdu(payload) = message {
            assert!(
                payload.len() >= 2,
                "an APDU frame of {} bytes",
                payload.len()
            );
            assert!(payload.len() <= max_payload, "payload over the limit");
        }
        let frame = encode_message(message);
        let mut fresh = FrameDecoder::new(max_payload);
        fresh.push(&frame);
        assert_eq!(fresh.next_message(), Ok(Some(message.clone())));
        assert_eq!(fresh.next_message(), Ok(None));
        assert!(fresh.is_idle());
        reencoded.extend(frame);
    }
    let mut again = FrameDecoder::new(max_payload);
    again.push(&reencoded);
    let mut second = Vec::new();
    drain(&mut again, reencoded.len(), &mut second);
    assert_eq!(messages, second, "re-encoded stream decodes differently");
    assert!(again.is_idle());
});
