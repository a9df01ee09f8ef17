//! The virtual card through a real pcscd + vpcd, with the `pcsc` crate.
//!
//! `ci/test.sh` (via `ci/pcscd-start.sh`) starts pcscd with one reader per card profile and sets
//! `HARNESS_PCSC=1` and `HARNESS_PCSC_CARDS` (reader, profile, state file, pid file, vpcd port per
//! line). With `HARNESS_PCSC=1` every test here must find its card and pass; without it they say
//! so on stderr and do nothing (a plain `cargo test --all-features` on a machine without pcscd).
//!
//! Every command sequence here runs inside a PC/SC transaction ([`PcscChannel::transaction`]):
//! the connections are shared, and another application's SELECT on the same card between our
//! SELECT and READ BINARY would change the card's current file under us (the cause of the 6986
//! once seen in `two_virtual_cards_in_two_readers_at_once`; see harness/transport/src/pcsc_channel.rs).
//!
//! The tests are here; the slots they find, the commands they send and the card processes they
//! restart are in the modules below.
#![cfg(feature = "pcsc")]

mod apdu;
mod card_process;
mod slots;

use std::time::Duration;

use card_protocol::{aid, fid, ComputeDigitalSignature, KeyTarget};
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use virtual_card::pki::{certificate_public_key, verify_certificate};
use virtual_card::PinId;

use apdu::{
    field, pin, read, read_ber_file, read_command, record_fields, select_df, select_ef, send,
    sha256_digest_info, verify, wrong_pin,
};
use card_process::{kill_card, read_pid, reconnect, reissue, restart_card, wait_for_removal};
use slots::{begin, card_data, connect, serial, slot};

#[test]
fn both_public_certificates_verify_against_the_test_ca() {
    let Some(slot) = slot("yamada-taro") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let mut channel = connect(&slot);
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::JPKI);
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_CERT), 0x9000);
    let auth = read_ber_file(&mut card);
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_CA_CERT), 0x9000);
    let auth_ca = read_ber_file(&mut card);
    assert_eq!(&auth[..2], &[0x30, 0x82]);
    assert_eq!(
        auth_ca, data.auth.ca_cert_der,
        "CA on the card is the test CA"
    );
    verify_certificate(&auth, &data.auth.ca_cert_der)
        .expect("user-auth cert signed by the test CA");
    assert_eq!(auth, data.auth.cert_der);
    // The signature certificate needs the signature password.
    assert_eq!(select_ef(&mut card, fid::JPKI_SIGN_CERT), 0x9000);
    assert_eq!(send(&mut card, read_command(0, 8)).1, 0x6982);
}

#[test]
fn right_pin_then_sha256_signature_verifies_with_the_certificate_key() {
    let Some(slot) = slot("yamada-taro") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let mut channel = connect(&slot);
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::JPKI);
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_CERT), 0x9000);
    let cert = read_ber_file(&mut card);
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_PIN), 0x9000);
    assert_eq!(
        verify(&mut card, Some(&pin(&data, PinId::JpkiAuth))),
        0x9000
    );
    assert_eq!(verify(&mut card, None), 0x63C3, "retry query after success");
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_KEY), 0x9000);
    let message = b"challenge from the eligibility service";
    let command = ComputeDigitalSignature::new(KeyTarget::CurrentEf, sha256_digest_info(message))
        .expect("COMPUTE DIGITAL SIGNATURE");
    let (signature, sw) = send(&mut card, command.encode());
    assert_eq!(sw, 0x9000);
    assert_eq!(signature.len(), 256);
    let key = certificate_public_key(&cert).expect("RSA key in the cert");
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        &signature,
    )
    .expect("signature verifies with the user-auth certificate's key");
}

#[test]
fn my_number_and_basic_four_after_the_text_pin() {
    let Some(slot) = slot("yamada-taro") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let mut channel = connect(&slot);
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::TEXT);
    assert_eq!(select_ef(&mut card, fid::TEXT_MY_NUMBER), 0x9000);
    assert_eq!(
        send(&mut card, read_command(0, 17)).1,
        0x6982,
        "My Number before the PIN"
    );
    assert_eq!(select_ef(&mut card, fid::TEXT_PIN), 0x9000);
    assert_eq!(verify(&mut card, Some(&pin(&data, PinId::TextPin))), 0x9000);
    assert_eq!(select_ef(&mut card, fid::TEXT_MY_NUMBER), 0x9000);
    let my_number = read(&mut card, 0, 17);
    assert_eq!(&my_number[..3], &[0xFF, 0x10, 0x0C]);
    assert_eq!(&my_number[3..15], data.holder.my_number.expose().as_bytes());
    assert_eq!(select_ef(&mut card, fid::TEXT_BASIC_FOUR), 0x9000);
    let record = read_ber_file(&mut card);
    let fields = record_fields(&record);
    let tags: Vec<u16> = fields.iter().map(|(t, _)| *t).collect();
    assert_eq!(tags, vec![0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25]);
    assert_eq!(field(&fields, 0xDF22), data.holder.name.as_bytes());
    assert_eq!(field(&fields, 0xDF23), data.holder.address.as_bytes());
    assert_eq!(
        field(&fields, 0xDF24),
        data.holder.birth.format("%Y%m%d").to_string().as_bytes()
    );
}

#[test]
fn photo_after_match_number_b() {
    let Some(slot) = slot("yamada-taro") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let photo = data.photo.clone().expect("the standard card has a photo");
    let mut channel = connect(&slot);
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::FACE);
    assert_eq!(select_ef(&mut card, fid::FACE_MATCH_B), 0x9000);
    assert_eq!(verify(&mut card, Some(&data.match_number_b())), 0x9000);
    assert_eq!(select_ef(&mut card, fid::FACE_RECORD), 0x9000);
    let record = read_ber_file(&mut card);
    let fields = record_fields(&record);
    assert_eq!(field(&fields, 0xDF27), photo, "the photo as JPEG 2000");
}

#[test]
fn wrong_pin_three_times_locks_and_the_query_says_63c0() {
    let Some(slot) = slot("nakamura-aoi") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let wrong = wrong_pin(&pin(&data, PinId::JpkiAuth));
    // A card as issued, also when an earlier run in this run dir locked it.
    let mut channel = reissue(&slot);
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::JPKI);
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_PIN), 0x9000);
    assert_eq!(verify(&mut card, None), 0x63C3, "fresh card: 3 tries");
    let answers: Vec<u16> = (0..4).map(|_| verify(&mut card, Some(&wrong))).collect();
    assert_eq!(answers, vec![0x63C2, 0x63C1, 0x63C0, 0x6984]);
    assert_eq!(verify(&mut card, None), 0x63C0);
    let right = pin(&data, PinId::JpkiAuth);
    assert_eq!(
        verify(&mut card, Some(&right)),
        0x6984,
        "blocked even for the right PIN"
    );
}

#[test]
fn face_only_card_refuses_pin_operations_and_gives_its_user_auth_certificate() {
    let Some(slot) = slot("sato-hanako") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let mut channel = connect(&slot);
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::JPKI);
    let sw = select_ef(&mut card, fid::JPKI_AUTH_PIN);
    if sw == 0x9000 {
        let query = verify(&mut card, None);
        let attempt = verify(&mut card, Some("1234"));
        for answer in [query, attempt] {
            assert!(
                answer != 0x9000 && answer & 0xFFF0 != 0x63C0,
                "PIN op on a face-only card answered {answer:04X}"
            );
        }
    } else {
        assert_eq!(sw, 0x6A82, "auth PIN EF absent");
    }
    assert_eq!(
        select_ef(&mut card, fid::JPKI_SIGN_CERT),
        0x6A82,
        "no signature certificate"
    );
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_CERT), 0x9000);
    let cert = read_ber_file(&mut card);
    verify_certificate(&cert, &data.auth.ca_cert_der).expect("user-auth cert verifies");
}

#[test]
fn two_virtual_cards_in_two_readers_at_once() {
    let (Some(first), Some(second)) = (slot("yamada-taro"), slot("sato-hanako")) else {
        return;
    };
    let _serial = serial();
    assert_ne!(first.reader, second.reader);
    let workers: Vec<_> = [first, second]
        .into_iter()
        .map(|slot| {
            std::thread::spawn(move || {
                let expected = card_data(&slot).auth.cert_der;
                let mut channel = connect(&slot);
                for _ in 0..10 {
                    // One transaction per sequence: other applications may use the card between
                    // sequences, never between the SELECT and the READ BINARY of one.
                    let mut card = begin(&mut channel);
                    select_df(&mut card, &aid::JPKI);
                    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_CERT), 0x9000);
                    let cert = read_ber_file(&mut card);
                    assert_eq!(cert, expected, "{}", slot.reader);
                }
                expected
            })
        })
        .collect();
    let certs: Vec<Vec<u8>> = workers
        .into_iter()
        .map(|worker| worker.join().expect("worker"))
        .collect();
    assert_ne!(certs[0], certs[1], "two different cards");
}

#[test]
fn sigkill_right_after_a_wrong_pin_keeps_the_count() {
    let Some(slot) = slot("watanabe-sora") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let right = pin(&data, PinId::TextPin);
    let mut channel = connect(&slot);
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::TEXT);
    assert_eq!(select_ef(&mut card, fid::TEXT_PIN), 0x9000);
    let before = verify(&mut card, None);
    assert_eq!(before & 0xFFF0, 0x63C0, "retry query answered {before:04X}");
    assert!(before > 0x63C0, "text PIN must not be blocked already");
    let after_wrong = verify(&mut card, Some(&wrong_pin(&right)));
    assert_eq!(after_wrong, before - 1);
    // Ended before the card dies: pcscd's SCardConnect (wait_for_removal) waits for any
    // transaction on the reader to end.
    drop(card);

    let pid = kill_card(&slot);
    // Dropping disconnects without a reset (none is possible on a dead card).
    drop(channel);
    wait_for_removal(&slot);
    restart_card(&slot);

    let mut channel = reconnect(&slot);
    assert_ne!(read_pid(&slot.pid_file), pid, "a new card process");
    let mut card = begin(&mut channel);
    select_df(&mut card, &aid::TEXT);
    assert_eq!(select_ef(&mut card, fid::TEXT_PIN), 0x9000);
    assert_eq!(
        verify(&mut card, None),
        after_wrong,
        "the wrong try survived SIGKILL"
    );
    // Leave the card as it was: the right PIN resets the counter.
    assert_eq!(verify(&mut card, Some(&right)), 0x9000);
    assert_eq!(verify(&mut card, None), 0x63C3);
}

/// This host's own non-loopback IPv4 address, if it has a route out (no packet is sent).
fn outward_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn vpcd_ports_are_unreachable_from_the_host_network() {
    let Some(slot) = slot("yamada-taro") else {
        return;
    };
    let prefix = std::env::var("HARNESS_PCSC_NETNS_EXEC").unwrap_or_default();
    assert!(
        !prefix.trim().is_empty(),
        "vpcd runs in the host's network namespace: its ports listen on every interface"
    );
    let mut targets = vec![std::net::IpAddr::from([127, 0, 0, 1])];
    targets.extend(outward_address());
    for ip in targets {
        let addr = std::net::SocketAddr::new(ip, slot.port);
        let outcome = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2));
        assert!(
            outcome.is_err(),
            "{addr} accepted a connection: another host could insert a card"
        );
    }
    // The card itself is served all the same (it lives in vpcd's namespace).
    let _serial = serial();
    let mut channel = connect(&slot);
    select_df(&mut channel, &aid::JPKI);
}

/// The cause of the 6986 once seen in `two_virtual_cards_in_two_readers_at_once`, and its fix.
/// Two applications share one card. Without a transaction, the second one's SELECT between the
/// first one's SELECT EF and READ BINARY makes the first one read another file (in CI the other
/// test selected a DF, so READ BINARY found no current EF: 6986). While the first one holds a
/// transaction, the second one's command waits: pcscd refuses it (SCARD_E_SHARING_VIOLATION)
/// and libpcsclite asks again until the transaction ends.
#[test]
fn another_application_between_select_and_read_changes_the_file_unless_in_a_transaction() {
    let Some(slot) = slot("yamada-taro") else {
        return;
    };
    let _serial = serial();
    let data = card_data(&slot);
    let mut ours = connect(&slot);
    let mut other = connect(&slot);

    // Without a transaction: the other application's SELECT comes in between.
    select_df(&mut ours, &aid::JPKI);
    assert_eq!(select_ef(&mut ours, fid::JPKI_AUTH_CERT), 0x9000);
    select_df(&mut other, &aid::JPKI);
    assert_eq!(select_ef(&mut other, fid::JPKI_AUTH_CA_CERT), 0x9000);
    assert_eq!(
        read_ber_file(&mut ours),
        data.auth.ca_cert_der,
        "READ BINARY read the file the other application selected"
    );

    // Inside a transaction: the other application's SELECT cannot come in between.
    let mut card = begin(&mut ours);
    select_df(&mut card, &aid::JPKI);
    assert_eq!(select_ef(&mut card, fid::JPKI_AUTH_CERT), 0x9000);
    let other_done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (started_tx, started) = std::sync::mpsc::channel();
    let other_app = {
        let other_done = std::sync::Arc::clone(&other_done);
        std::thread::spawn(move || {
            started_tx.send(()).expect("signal");
            let sw = select_ef(&mut other, fid::JPKI_AUTH_CA_CERT);
            other_done.store(true, std::sync::atomic::Ordering::SeqCst);
            sw
        })
    };
    started.recv().expect("the other application started");
    // Many reads after it started: whenever its SELECT reaches pcscd, it must wait.
    for _ in 0..20 {
        assert_eq!(read_ber_file(&mut card), data.auth.cert_der);
    }
    assert!(
        !other_done.load(std::sync::atomic::Ordering::SeqCst),
        "another application's command completed inside our transaction"
    );
    drop(card);
    assert_eq!(
        other_app.join().expect("other application"),
        0x9000,
        "its SELECT ran once our transaction ended"
    );
}
