//! The card dialogue alone: each task's APDU sequence and the finding it ends in, fed with
//! hand-made card answers (no card emulator), so the bytes the reader sends are checked on their
//! own.

use harness_reader::card_data;
use harness_reader::card_dialogue::{
    CardDialogue, CardFinding, CardTask, Challenge, PinState, Progress,
};
use harness_reader::Pin;
use zeroize::Zeroizing;
fn expect_send(progress: Progress) -> (CardDialogue, Vec<u8>) {
    match progress {
        Progress::Send(dialogue, command) => (dialogue, command.encode()),
        Progress::Done(finding) => panic!("finished early: {finding:?}"),
    }
}

fn expect_done(progress: Progress) -> CardFinding {
    match progress {
        Progress::Done(finding) => finding,
        Progress::Send(_, command) => panic!("still sending {command:?}"),
    }
}

#[test]
fn probe_reads_the_certificate_in_chunks_and_queries_the_pin() {
    let certificate: Vec<u8> = [0x30, 0x82, 0x01, 0x00]
        .into_iter()
        .chain(std::iter::repeat_n(0xAB, 0x100))
        .collect();
    let (dialogue, command) = expect_send(CardDialogue::start(CardTask::Probe));
    assert_eq!(&command[..5], [0x00, 0xA4, 0x04, 0x0C, 0x0A]);
    let (dialogue, command) = expect_send(dialogue.on_response(&[0x90, 0x00]));
    assert_eq!(command, [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]);
    let (mut dialogue, mut command) = expect_send(dialogue.on_response(&[0x90, 0x00]));
    let mut offset = 0;
    loop {
        let le = match command.get(4) {
            Some(0) => 256,
            Some(le) => usize::from(*le),
            None => panic!("no Le"),
        };
        let end = (offset + le).min(certificate.len());
        let mut answer = certificate[offset..end].to_vec();
        answer.extend([0x90, 0x00]);
        offset = end;
        let (next, next_command) = expect_send(dialogue.on_response(&answer));
        dialogue = next;
        command = next_command;
        if command[1] != 0xB0 {
            break;
        }
    }
    assert_eq!(command, [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01]);
    let (dialogue, command) = expect_send(dialogue.on_response(&[0x6A, 0x82]));
    assert_eq!(command, [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]);
    let (dialogue, command) = expect_send(dialogue.on_response(&[0x90, 0x00]));
    assert_eq!(command, [0x00, 0x20, 0x00, 0x80]);
    assert_eq!(
        expect_done(dialogue.on_response(&[0x63, 0xC2])),
        CardFinding::Probed {
            auth_certificate: certificate,
            signature_certificate_present: false,
            pin: PinState::Available(2),
        }
    );
}

#[test]
fn a_short_file_is_a_card_error_not_a_finding_with_holes() {
    let (dialogue, _) = expect_send(CardDialogue::start(CardTask::Probe));
    let (dialogue, _) = expect_send(dialogue.on_response(&[0x90, 0x00]));
    let (dialogue, _) = expect_send(dialogue.on_response(&[0x90, 0x00]));
    // The head says 0x104 bytes, but the card ends the file after 6.
    let finding = expect_done(dialogue.on_response(&[0x30, 0x82, 0x01, 0x00, 1, 2, 0x90, 0x00]));
    assert!(matches!(finding, CardFinding::Failed { status: None, .. }));
}

#[test]
fn pin_answers_become_findings() {
    let verify = |answer: [u8; 2]| {
        let (dialogue, _) = expect_send(CardDialogue::start(CardTask::VerifyPin(Pin::new("1234"))));
        let (dialogue, _) = expect_send(dialogue.on_response(&[0x90, 0x00]));
        let (dialogue, command) = expect_send(dialogue.on_response(&[0x90, 0x00]));
        assert_eq!(
            command,
            [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4']
        );
        expect_done(dialogue.on_response(&answer))
    };
    assert_eq!(verify([0x90, 0x00]), CardFinding::PinVerified);
    assert_eq!(
        verify([0x63, 0xC1]),
        CardFinding::PinWrong { tries_left: 1 }
    );
    assert_eq!(verify([0x63, 0xC0]), CardFinding::PinLocked);
    assert_eq!(verify([0x69, 0x84]), CardFinding::PinLocked);
    assert!(matches!(
        verify([0x6F, 0x00]),
        CardFinding::Failed {
            step: "暗証番号照合",
            ..
        }
    ));
}

#[test]
fn sign_sends_the_digest_info_of_the_challenge() {
    assert_eq!(Challenge::new(Vec::new()), None);
    let challenge = Challenge::new(b"abc".to_vec()).unwrap();
    let (dialogue, command) = expect_send(CardDialogue::start(CardTask::Sign(challenge)));
    assert_eq!(command, [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17]);
    let (dialogue, command) = expect_send(dialogue.on_response(&[0x90, 0x00]));
    let info = card_data::sha256_digest_info(b"abc");
    assert_eq!(&command[..5], [0x80, 0x2A, 0x00, 0x80, 51]);
    assert_eq!(&command[5..56], info.as_slice());
    assert_eq!(
        expect_done(dialogue.on_response(&[7, 7, 0x90, 0x00])),
        CardFinding::Signed {
            signature: vec![7, 7]
        }
    );
}

#[test]
fn card_face_number_answers_become_findings() {
    let verify_b = |answer: [u8; 2]| {
        let (dialogue, _) = expect_send(CardDialogue::start(CardTask::ReadCardFace {
            collation_number: Zeroizing::new(b"60110220344821".to_vec()),
        }));
        let (dialogue, _) = expect_send(dialogue.on_response(&[0x90, 0x00]));
        let (dialogue, _) = expect_send(dialogue.on_response(&[0x90, 0x00]));
        dialogue.on_response(&answer)
    };
    assert!(matches!(
        verify_b([0x63, 0xC9]),
        Progress::Done(CardFinding::CardFaceNumberRefused { tries_left: 9 })
    ));
    assert!(matches!(
        verify_b([0x69, 0x84]),
        Progress::Done(CardFinding::CardFaceLocked)
    ));
    assert!(matches!(verify_b([0x90, 0x00]), Progress::Send(..)));
    let (dialogue, _) = expect_send(CardDialogue::start(CardTask::ReadCardFace {
        collation_number: Zeroizing::new(b"1".to_vec()),
    }));
    assert_eq!(
        expect_done(dialogue.on_response(&[0x6A, 0x82])),
        CardFinding::NoCardFacePhoto
    );
}
