//! The commands the tests send through a card channel and what they read back: SELECT, VERIFY,
//! READ BINARY of whole BER files, the fields of an `FF 20` record, the profile's PINs, and a
//! SHA-256 DigestInfo.

use card_protocol::{PinBytes, PinTarget, ReadBinary, Select, Verify};
use harness_transport::CardChannel;
use sha2::{Digest, Sha256};
use virtual_card::{CardData, PinId};

/// Sends a command; returns (data, status word).
pub fn send(channel: &mut dyn CardChannel, command: Vec<u8>) -> (Vec<u8>, u16) {
    let response = channel
        .transmit(&command)
        .unwrap_or_else(|error| panic!("transmit {command:02X?}: {error}"));
    assert!(response.len() >= 2, "short response {response:02X?}");
    let (data, sw) = response.split_at(response.len() - 2);
    (data.to_vec(), u16::from_be_bytes([sw[0], sw[1]]))
}

pub fn select_df_command(name: &[u8]) -> Vec<u8> {
    Select::df_name(name).expect("DF name").encode()
}

pub fn select_df(channel: &mut dyn CardChannel, name: &[u8]) {
    let (_, sw) = send(channel, select_df_command(name));
    assert_eq!(sw, 0x9000, "SELECT DF {name:02X?}");
}

pub fn select_ef(channel: &mut dyn CardChannel, id: u16) -> u16 {
    send(channel, Select::ef(id).encode()).1
}

pub fn verify(channel: &mut dyn CardChannel, pin: Option<&str>) -> u16 {
    let command = match pin {
        Some(pin) => Verify::new(PinTarget::CurrentEf, PinBytes::new(pin.as_bytes())),
        None => Verify::retry_query(PinTarget::CurrentEf),
    };
    send(channel, command.expect("VERIFY").encode()).1
}

pub fn read_command(offset: usize, le: usize) -> Vec<u8> {
    ReadBinary::current_ef(offset, le)
        .expect("READ BINARY")
        .encode()
}

pub fn read(channel: &mut dyn CardChannel, offset: usize, le: usize) -> Vec<u8> {
    let (data, sw) = send(channel, read_command(offset, le));
    assert_eq!(sw, 0x9000, "READ BINARY at {offset}");
    data
}

/// Reads the selected EF as clients do: a short head, the BER length, then the rest.
pub fn read_ber_file(channel: &mut dyn CardChannel) -> Vec<u8> {
    let head = read(channel, 0, 8);
    let tag_len = match head.first() {
        Some(first) if first & 0x1F == 0x1F => 2,
        Some(_) => 1,
        None => panic!("empty EF"),
    };
    let (len_len, value_len) = match head.get(tag_len).copied() {
        Some(short) if short < 0x80 => (1, usize::from(short)),
        Some(0x81) => (2, usize::from(head[tag_len + 1])),
        Some(0x82) => (
            3,
            usize::from(u16::from_be_bytes([head[tag_len + 1], head[tag_len + 2]])),
        ),
        other => panic!("unsupported BER length byte {other:02X?}"),
    };
    let total = tag_len + len_len + value_len;
    let mut file = Vec::with_capacity(total);
    while file.len() < total {
        let chunk = (total - file.len()).min(256);
        let part = read(channel, file.len(), chunk);
        assert!(!part.is_empty(), "READ BINARY returned nothing");
        file.extend(part);
    }
    file
}

/// The TLVs (2-byte tags DFxx, short or 81/82 lengths) inside an `FF 20` record.
pub fn record_fields(record: &[u8]) -> Vec<(u16, Vec<u8>)> {
    assert_eq!(
        record.get(..2),
        Some(&[0xFF, 0x20][..]),
        "not an FF 20 record"
    );
    let (skip, _) = match record[2] {
        0x81 => (4, usize::from(record[3])),
        0x82 => (5, usize::from(u16::from_be_bytes([record[3], record[4]]))),
        short => (3, usize::from(short)),
    };
    let mut fields = Vec::new();
    let mut at = skip;
    while at + 3 <= record.len() {
        let tag = u16::from_be_bytes([record[at], record[at + 1]]);
        let (len, header) = match record[at + 2] {
            0x81 => (usize::from(record[at + 3]), 4),
            0x82 => (
                usize::from(u16::from_be_bytes([record[at + 3], record[at + 4]])),
                5,
            ),
            short => (usize::from(short), 3),
        };
        let start = at + header;
        fields.push((tag, record[start..start + len].to_vec()));
        at = start + len;
    }
    fields
}

pub fn field(fields: &[(u16, Vec<u8>)], tag: u16) -> Vec<u8> {
    fields
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no field {tag:04X}"))
}

pub fn pin(data: &CardData, id: PinId) -> String {
    data.issued_value(id)
        .map(|secret| secret.expose().to_owned())
        .unwrap_or_else(|| panic!("profile sets no {id:?}"))
}

/// A PIN of the right shape that is not the card's.
pub fn wrong_pin(right: &str) -> String {
    if right == "0000" {
        "9999".to_owned()
    } else {
        "0000".to_owned()
    }
}

pub fn sha256_digest_info(message: &[u8]) -> Vec<u8> {
    let mut info = vec![
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    info.extend(Sha256::digest(message));
    info
}
