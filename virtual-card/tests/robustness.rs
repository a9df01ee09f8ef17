//! Bad input never panics: thousands of deterministic random, truncated and mutated APDUs get a
//! status word; random and mutated profile texts get a value or a typed error.

mod common;

use card_protocol::{aid, fid, CommandApdu, ResponseApdu};
use common::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use virtual_card::profile::CardProfile;

fn valid_commands() -> Vec<Vec<u8>> {
    let mut di = SHA256_PREFIX.to_vec();
    di.extend_from_slice(&[0xAB; 32]);
    vec![
        cmd::select_df(&aid::JPKI),
        cmd::select_df(&aid::TEXT),
        cmd::select_df(&aid::FACE),
        cmd::select_ef(fid::JPKI_AUTH_CERT),
        cmd::select_ef(fid::JPKI_AUTH_PIN),
        cmd::select_ef(fid::JPKI_AUTH_KEY),
        cmd::select_ef(fid::TEXT_BASIC_FOUR),
        cmd::select_ef(fid::FACE_RECORD),
        cmd::select_ef(fid::FACE_MATCH_B),
        cmd::read_binary(0, 256),
        cmd::read_binary(0x100, 10),
        cmd::read_binary_extended(0, 65536),
        cmd::read_binary_short_ef(0x0A, 0, 4),
        cmd::verify(b"1234"),
        cmd::verify(b"0000"),
        cmd::verify_query(),
        cmd::verify_short_ef(0x18, b"1234"),
        cmd::change_reference_data(b"1234"),
        cmd::compute_digital_signature(&di),
        cmd::compute_digital_signature_short_ef(0x17, &di),
        vec![0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00],
    ]
}

fn check(card: &mut virtual_card::Card, command: &[u8]) {
    let response = card.execute(command);
    assert!(response.len() >= 2, "{command:02X?} gave {response:02X?}");
    let parsed = ResponseApdu::parse(&response).unwrap();
    // Errors carry no data.
    if !matches!(parsed.sw.sw1(), 0x90 | 0x61 | 0x62) {
        assert!(
            parsed.data.is_empty(),
            "{command:02X?} gave data with {:?}",
            parsed.sw
        );
    }
}

#[test]
fn random_and_mutated_apdus_always_get_a_status_word() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5EED_CA4D);
    let valid = valid_commands();
    let mut card = card("yamada-taro");
    let mut total = 0;
    for round in 0..20_000 {
        let command: Vec<u8> = match round % 4 {
            // Pure random bytes of any short length.
            0 => {
                let len = rng.random_range(0..300);
                (0..len).map(|_| rng.random()).collect()
            }
            // A valid command truncated.
            1 => {
                let c = &valid[rng.random_range(0..valid.len())];
                c[..rng.random_range(0..=c.len())].to_vec()
            }
            // A valid command with bytes flipped or appended.
            2 => {
                let mut c = valid[rng.random_range(0..valid.len())].clone();
                for _ in 0..rng.random_range(1..4) {
                    if rng.random_bool(0.3) {
                        c.push(rng.random());
                    } else if !c.is_empty() {
                        let i = rng.random_range(0..c.len());
                        c[i] = rng.random();
                    }
                }
                c
            }
            // A valid command (keeps the card moving through its states).
            _ => valid[rng.random_range(0..valid.len())].clone(),
        };
        check(&mut card, &command);
        if round % 997 == 0 {
            card.reset();
        }
        total += 1;
    }
    // Oversized: a 70 000-byte blob and a maximal extended APDU.
    check(&mut card, &vec![0u8; 70_000]);
    let big = CommandApdu::new(0x00, 0x20, 0x00, 0x80)
        .with_data(vec![b'1'; 65_535])
        .with_le(65_536);
    check(&mut card, &big.to_bytes().unwrap());
    assert_eq!(total, 20_000);
}

#[test]
fn every_header_with_empty_and_short_bodies() {
    let mut card = card("yamada-taro");
    assert_eq!(card.execute(&cmd::select_df(&aid::JPKI)), vec![0x90, 0x00]);
    for cla in [0x00u8, 0x80, 0x0C, 0xFF] {
        for ins in 0..=255u8 {
            for p1p2 in [
                [0, 0],
                [0x80, 0x80],
                [0x02, 0x0C],
                [0x04, 0x0C],
                [0xFF, 0xFF],
            ] {
                for body in [
                    &[][..],
                    &[0][..],
                    &[0, 0][..],
                    &[1, 0xAA][..],
                    &[0, 0, 1, 0x31][..],
                ] {
                    let mut c = vec![cla, ins, p1p2[0], p1p2[1]];
                    c.extend_from_slice(body);
                    check(&mut card, &c);
                }
            }
        }
    }
}

#[test]
fn random_profile_texts_never_panic() {
    let base = std::fs::read_to_string(fixtures().join("cards/yamada-taro.toml")).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut accepted = 0;
    for _ in 0..3_000 {
        let mut bytes = base.clone().into_bytes();
        for _ in 0..rng.random_range(1..6) {
            match rng.random_range(0..3) {
                0 if !bytes.is_empty() => {
                    let i = rng.random_range(0..bytes.len());
                    bytes[i] = rng.random_range(0x20..0x7F);
                }
                1 if !bytes.is_empty() => {
                    let i = rng.random_range(0..bytes.len());
                    bytes.truncate(i);
                }
                _ => bytes.extend_from_slice(b"\n[tries_left]\njpki-auth = 9\n"),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if CardProfile::from_toml_str(&text).is_ok() {
            accepted += 1;
        }
    }
    // Some mutations stay valid (e.g. a changed comment), most do not.
    assert!(accepted < 3_000);
    let random: String = (0..2_000)
        .map(|_| rng.random_range(0x20u8..0x7F) as char)
        .collect();
    assert!(CardProfile::from_toml_str(&random).is_err());
}
