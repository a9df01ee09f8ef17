//! Round trips, the byte layouts of DESIGN.md §2, and the status word of every parse error.

use super::*;
use crate::ids::{aid, fid, Application};
use crate::secret::PinBytes;
use crate::status::StatusWord;

fn pin(text: &str) -> PinBytes {
    PinBytes::new(text.as_bytes().to_vec())
}

/// One value of every command and form.
fn every_command() -> Vec<Command> {
    let mut all = Vec::new();
    for app in Application::ALL {
        all.push(Command::Select(Select::application(app)));
    }
    all.push(Command::Select(
        Select::df_name(&[0xA0, 0, 0, 0, 0x63]).unwrap(),
    ));
    all.push(Command::Select(Select::df_name(&[0xAB; 16]).unwrap()));
    for id in [
        fid::JPKI_AUTH_CERT,
        fid::JPKI_AUTH_PIN,
        fid::TEXT_MY_NUMBER,
        fid::FACE_MATCH_B,
        0xFFFF,
    ] {
        all.push(Command::Select(Select::ef(id)));
    }
    all.push(Command::Select(Select::MasterFile));
    for (offset, le) in [
        (0, 1),
        (0, 256),
        (0x0102, 8),
        (0x7FFF, 256),
        (0, 257),
        (0, 65536),
    ] {
        all.push(Command::ReadBinary(
            ReadBinary::current_ef(offset, le).unwrap(),
        ));
        all.push(Command::ReadBinary(
            ReadBinary::current_ef_extended(offset, le).unwrap(),
        ));
    }
    for (sfi, offset, le) in [(1, 0, 1), (0x0A, 4, 4), (0x1F, 0xFF, 256), (2, 0, 1000)] {
        all.push(Command::ReadBinary(
            ReadBinary::short_ef(sfi, offset, le).unwrap(),
        ));
    }
    for target in [
        PinTarget::CurrentEf,
        PinTarget::ShortEf(0x18),
        PinTarget::ShortEf(1),
    ] {
        all.push(Command::Verify(Verify::new(target, pin("1234")).unwrap()));
        all.push(Command::Verify(Verify::retry_query(target).unwrap()));
        all.push(Command::Verify(
            Verify::new(target, PinBytes::new(vec![b'A'; 300])).unwrap(),
        ));
        all.push(Command::ChangeReferenceData(
            ChangeReferenceData::new(target, pin("5678")).unwrap(),
        ));
    }
    for target in [
        KeyTarget::CurrentEf,
        KeyTarget::ShortEf(0x17),
        KeyTarget::ShortEf(0x1A),
    ] {
        all.push(Command::ComputeDigitalSignature(
            ComputeDigitalSignature::new(target, vec![0x30; 51]).unwrap(),
        ));
    }
    all.push(Command::ComputeDigitalSignature(
        ComputeDigitalSignature::new(KeyTarget::CurrentEf, vec![1; 400]).unwrap(),
    ));
    for le in [1, 16, 256, 4096] {
        all.push(Command::GetResponse(GetResponse::new(le).unwrap()));
    }
    all
}

#[test]
fn every_command_round_trips() {
    for command in every_command() {
        let bytes = command.encode();
        assert_eq!(
            Command::parse(&bytes).as_ref(),
            Ok(&command),
            "{} {bytes:02X?}",
            command.name()
        );
        // The typed parse of each command agrees with the dispatching one.
        let typed = match &command {
            Command::Select(c) => Select::parse(&bytes).map(|p| &p == c),
            Command::ReadBinary(c) => ReadBinary::parse(&bytes).map(|p| &p == c),
            Command::Verify(c) => Verify::parse(&bytes).map(|p| &p == c),
            Command::ChangeReferenceData(c) => ChangeReferenceData::parse(&bytes).map(|p| &p == c),
            Command::ComputeDigitalSignature(c) => {
                ComputeDigitalSignature::parse(&bytes).map(|p| &p == c)
            }
            Command::GetResponse(c) => GetResponse::parse(&bytes).map(|p| &p == c),
        };
        assert_eq!(typed, Ok(true), "{bytes:02X?}");
    }
}

#[test]
fn byte_layouts_of_design_section_2() {
    let mut select_jpki = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    select_jpki.extend_from_slice(&aid::JPKI);
    assert_eq!(Select::application(Application::Jpki).encode(), select_jpki);
    assert_eq!(
        Select::ef(fid::JPKI_AUTH_PIN).encode(),
        [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]
    );
    assert_eq!(
        Verify::new(PinTarget::CurrentEf, pin("1234"))
            .unwrap()
            .encode(),
        [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4']
    );
    assert_eq!(
        Verify::retry_query(PinTarget::CurrentEf).unwrap().encode(),
        [0x00, 0x20, 0x00, 0x80]
    );
    assert_eq!(
        Verify::new(PinTarget::ShortEf(0x18), pin("1234"))
            .unwrap()
            .encode()[..4],
        [0x00, 0x20, 0x00, 0x98]
    );
    assert_eq!(
        ReadBinary::current_ef(0x0123, 256).unwrap().encode(),
        [0x00, 0xB0, 0x01, 0x23, 0x00]
    );
    assert_eq!(
        ReadBinary::current_ef_extended(0, 65536).unwrap().encode(),
        [0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        ReadBinary::current_ef(0, 1000).unwrap().encode(),
        [0x00, 0xB0, 0x00, 0x00, 0x00, 0x03, 0xE8]
    );
    assert_eq!(
        ReadBinary::short_ef(0x0A, 4, 4).unwrap().encode(),
        [0x00, 0xB0, 0x8A, 0x04, 0x04]
    );
    assert_eq!(
        ChangeReferenceData::new(PinTarget::CurrentEf, pin("5678"))
            .unwrap()
            .encode(),
        [0x00, 0x24, 0x01, 0x80, 0x04, b'5', b'6', b'7', b'8']
    );
    assert_eq!(
        ComputeDigitalSignature::new(KeyTarget::CurrentEf, vec![1, 2, 3])
            .unwrap()
            .encode(),
        [0x80, 0x2A, 0x00, 0x80, 0x03, 1, 2, 3, 0x00]
    );
    assert_eq!(
        ComputeDigitalSignature::new(KeyTarget::ShortEf(0x17), vec![9])
            .unwrap()
            .encode()[..4],
        [0x80, 0x2A, 0x00, 0x97]
    );
    assert_eq!(
        ComputeDigitalSignature::new(KeyTarget::ShortEf(0x1A), vec![9])
            .unwrap()
            .encode()[..4],
        [0x80, 0x2A, 0x00, 0x9A]
    );
    assert_eq!(
        GetResponse::new(16).unwrap().encode(),
        [0x00, 0xC0, 0x00, 0x00, 0x10]
    );
}

#[test]
fn forms_other_clients_send_parse_too() {
    // SELECT with P2 = 00 (FCI asked) and P1 = 00 / 01; SELECT MF without data.
    assert_eq!(
        Select::parse(&[0x00, 0xA4, 0x00, 0x00, 0x02, 0x00, 0x0A]),
        Ok(Select::Ef(0x000A))
    );
    assert_eq!(
        Select::parse(&[0x00, 0xA4, 0x01, 0x0C, 0x02, 0x00, 0x0A]),
        Ok(Select::Ef(0x000A))
    );
    assert_eq!(
        Select::parse(&[0x00, 0xA4, 0x00, 0x0C]),
        Ok(Select::MasterFile)
    );
    assert_eq!(
        Select::parse(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x3F, 0x00]),
        Ok(Select::MasterFile)
    );
    // VERIFY with an Le; COMPUTE DIGITAL SIGNATURE without one.
    assert!(Verify::parse(&[0x00, 0x20, 0x00, 0x80, 0x01, b'1', 0x00]).is_ok());
    assert_eq!(
        ComputeDigitalSignature::parse(&[0x80, 0x2A, 0x00, 0x80, 0x01, 0x07]),
        ComputeDigitalSignature::new(KeyTarget::CurrentEf, vec![7])
    );
    // Le 00 = 256.
    assert_eq!(
        ReadBinary::parse(&[0x00, 0xB0, 0x00, 0x10, 0x00]).map(|r| (r.offset(), r.le())),
        Ok((0x10, 256))
    );
}

#[test]
fn parse_errors_name_the_status_word_the_card_answers() {
    let cases: &[(&[u8], StatusWord)] = &[
        (&[0x00, 0xA4], StatusWord::WRONG_LENGTH),
        (&[0x00, 0xB0, 0x00, 0x00], StatusWord::WRONG_LENGTH),
        (
            &[0x00, 0xB0, 0x00, 0x00, 0x01, 0x00, 0x01],
            StatusWord::WRONG_LENGTH,
        ),
        (&[0x00, 0xA4, 0x04, 0x0C], StatusWord::WRONG_LENGTH),
        (
            &[0x00, 0xA4, 0x02, 0x0C, 0x01, 0x00],
            StatusWord::WRONG_LENGTH,
        ),
        (&[0x00, 0x24, 0x01, 0x80], StatusWord::WRONG_LENGTH),
        (&[0x80, 0x2A, 0x00, 0x80], StatusWord::WRONG_LENGTH),
        (&[0x00, 0xC0, 0x00, 0x00], StatusWord::WRONG_LENGTH),
        (
            &[0x00, 0xA4, 0x08, 0x0C, 0x02, 0, 0x0A],
            StatusWord::WRONG_P1P2,
        ),
        (
            &[0x00, 0xA4, 0x04, 0x04, 0x01, 0xD3],
            StatusWord::WRONG_P1P2,
        ),
        (&[0x00, 0x20, 0x01, 0x80], StatusWord::WRONG_P1P2),
        (&[0x00, 0x20, 0x00, 0x01], StatusWord::WRONG_P1P2),
        (&[0x00, 0x20, 0x00, 0xA0], StatusWord::WRONG_P1P2),
        (
            &[0x00, 0x24, 0x00, 0x80, 0x01, b'1'],
            StatusWord::WRONG_P1P2,
        ),
        (&[0x00, 0xB0, 0xE0, 0x00, 0x01], StatusWord::WRONG_P1P2),
        (&[0x00, 0xB0, 0x80, 0x00, 0x01], StatusWord::WRONG_P1P2),
        (
            &[0x80, 0x2A, 0x9E, 0x9A, 0x01, 0x01],
            StatusWord::WRONG_P1P2,
        ),
        (&[0x00, 0xC0, 0x00, 0x01, 0x10], StatusWord::WRONG_P1P2),
        (
            &[0x00, 0xCA, 0x00, 0x00, 0x00],
            StatusWord::INS_NOT_SUPPORTED,
        ),
        (&[0x90, 0xA4, 0x04, 0x0C], StatusWord::CLA_NOT_SUPPORTED),
        (
            &[0x80, 0xA4, 0x02, 0x0C, 0x02, 0, 0x0A],
            StatusWord::CLA_NOT_SUPPORTED,
        ),
        (
            &[0x00, 0x2A, 0x00, 0x80, 0x01, 0x01],
            StatusWord::CLA_NOT_SUPPORTED,
        ),
    ];
    for (bytes, sw) in cases {
        let error = Command::parse(bytes).expect_err("must not parse");
        assert_eq!(error.status_word(), *sw, "{bytes:02X?}: {error}");
    }
    // A typed parse of another command's bytes.
    let select = Select::ef(1).encode();
    assert_eq!(
        Verify::parse(&select).unwrap_err().status_word(),
        StatusWord::INS_NOT_SUPPORTED
    );
}

#[test]
fn builders_refuse_what_the_wire_cannot_carry() {
    let errors = [
        Select::df_name(&[]).unwrap_err(),
        Select::df_name(&[0; 17]).unwrap_err(),
        ReadBinary::current_ef(0x8000, 1).unwrap_err(),
        ReadBinary::current_ef(0, 0).unwrap_err(),
        ReadBinary::current_ef(0, 65537).unwrap_err(),
        ReadBinary::short_ef(0, 0, 1).unwrap_err(),
        ReadBinary::short_ef(32, 0, 1).unwrap_err(),
        ReadBinary::short_ef(1, 256, 1).unwrap_err(),
        Verify::new(PinTarget::CurrentEf, PinBytes::new(Vec::new())).unwrap_err(),
        Verify::retry_query(PinTarget::ShortEf(0)).unwrap_err(),
        ChangeReferenceData::new(PinTarget::ShortEf(40), pin("1")).unwrap_err(),
        ComputeDigitalSignature::new(KeyTarget::CurrentEf, Vec::new()).unwrap_err(),
        ComputeDigitalSignature::new(KeyTarget::ShortEf(0), vec![1]).unwrap_err(),
        GetResponse::new(0).unwrap_err(),
    ];
    let words: Vec<StatusWord> = errors.iter().map(CommandError::status_word).collect();
    assert_eq!(
        words,
        [
            StatusWord::WRONG_LENGTH,
            StatusWord::WRONG_LENGTH,
            StatusWord::OFFSET_OUTSIDE_EF,
            StatusWord::WRONG_LENGTH,
            StatusWord::WRONG_LENGTH,
            StatusWord::WRONG_P1P2,
            StatusWord::WRONG_P1P2,
            StatusWord::OFFSET_OUTSIDE_EF,
            StatusWord::WRONG_LENGTH,
            StatusWord::WRONG_P1P2,
            StatusWord::WRONG_P1P2,
            StatusWord::WRONG_LENGTH,
            StatusWord::WRONG_P1P2,
            StatusWord::WRONG_LENGTH,
        ]
    );
}

#[test]
fn secrets_never_show_in_debug() {
    let verify = Verify::new(PinTarget::CurrentEf, pin("9876")).unwrap();
    let change = ChangeReferenceData::new(PinTarget::CurrentEf, pin("5432")).unwrap();
    let parsed = Command::parse(&verify.encode()).unwrap();
    for text in [
        format!("{verify:?}"),
        format!("{change:?}"),
        format!("{parsed:?}"),
        format!(
            "{:?}",
            crate::apdu::CommandApdu::parse(&change.encode()).unwrap()
        ),
    ] {
        for secret in ["9876", "5432", "57, 56", "53, 52"] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}

/// Every byte string of up to 2 bytes, and every header of interest followed by every body of up
/// to 4 bytes over a small alphabet: no parse may panic (each returns a value or a typed error).
#[test]
fn parse_never_panics_on_short_or_odd_input() {
    for a in 0..=255u8 {
        let _ = Command::parse(&[a]);
        for b in 0..=255u8 {
            let _ = Command::parse(&[a, b]);
        }
    }
    let classes = [0x00, 0x80, 0x0C, 0xFF];
    let instructions = [0xA4, 0xB0, 0x20, 0x24, 0x2A, 0xC0, 0x00, 0xFF];
    let p1s = [0x00, 0x01, 0x02, 0x04, 0x80, 0x9F, 0xE0, 0xFF];
    let p2s = [0x00, 0x0C, 0x80, 0x97, 0xFF];
    let alphabet = [0x00, 0x01, 0x02, 0xFF];
    let mut bodies: Vec<Vec<u8>> = vec![Vec::new()];
    let mut last = bodies.clone();
    for _ in 0..4 {
        let next: Vec<Vec<u8>> = last
            .iter()
            .flat_map(|body| {
                alphabet.iter().map(move |b| {
                    let mut longer = body.clone();
                    longer.push(*b);
                    longer
                })
            })
            .collect();
        bodies.extend(next.iter().cloned());
        last = next;
    }
    let mut parsed = 0usize;
    for cla in classes {
        for ins in instructions {
            for p1 in p1s {
                for p2 in p2s {
                    for body in &bodies {
                        let mut bytes = vec![cla, ins, p1, p2];
                        bytes.extend_from_slice(body);
                        if let Ok(command) = Command::parse(&bytes) {
                            parsed += 1;
                            // Whatever parses re-encodes to bytes that parse to the same command.
                            assert_eq!(Command::parse(&command.encode()), Ok(command));
                        }
                        let _ = Select::parse(&bytes);
                        let _ = ReadBinary::parse(&bytes);
                        let _ = Verify::parse(&bytes);
                        let _ = ChangeReferenceData::parse(&bytes);
                        let _ = ComputeDigitalSignature::parse(&bytes);
                        let _ = GetResponse::parse(&bytes);
                    }
                }
            }
        }
    }
    assert!(
        parsed > 1000,
        "the alphabet reaches valid commands ({parsed})"
    );
}
