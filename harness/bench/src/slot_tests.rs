//! The bench slot against the in-process simulated fixture on a pseudo-terminal, with a PC/SC
//! watch that sees what the fixture's card mover did (optionally late, or a vanished reader).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use harness_transport::InProcessCard;
use serialport::{SerialPort, TTYPort};

use super::*;
use crate::client::FixturePort;
use crate::config::SerialSettings;
use crate::protocol::Timeouts;
use crate::sim::{CardMover, FaultPlan, SimFixture};
use crate::sim_serve::serve;

fn profile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../fixtures/cards/{name}.toml"))
}

/// What is on the simulated reader, shared by the mover (fixture side) and the watch (PC/SC).
#[derive(Default)]
struct Field {
    on_reader: Option<Slot>,
    /// The watch reports the card only after this many looks (a slow reader).
    delay_looks: u32,
    /// The watch reports nothing ever (the card never reaches the field).
    never: bool,
    /// The reader is unplugged.
    vanished: bool,
}

type SharedField = Arc<Mutex<Field>>;

struct FieldMover(SharedField);

impl CardMover for FieldMover {
    fn place(&mut self, slot: Slot, _: u8) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.on_reader = Some(slot);
        Ok(())
    }
    fn remove(&mut self, _: Slot, _: u8) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.on_reader = None;
        Ok(())
    }
    fn still_present(&mut self, _: u8) -> bool {
        true
    }
}

struct FieldWatch {
    field: SharedField,
    looks: u32,
}

impl ReaderWatch for FieldWatch {
    fn reader(&self) -> &str {
        "Virtual PCD 0 00 00"
    }
    fn wait_change(&mut self, _wait: Duration) -> Result<ReaderPresence, TransportError> {
        let field = self.field.lock().unwrap_or_else(PoisonError::into_inner);
        self.looks += 1;
        Ok(if field.vanished {
            ReaderPresence::Gone
        } else if field.on_reader.is_some() && !field.never && self.looks > field.delay_looks {
            ReaderPresence::Present
        } else {
            ReaderPresence::Empty
        })
    }
    fn connect(&mut self) -> Result<Box<dyn CardChannel>, TransportError> {
        Ok(Box::new(InProcessCard::open(
            &profile("yamada-taro"),
            None,
        )?))
    }
}

/// A clock that moves 100 ms per reading.
struct Stepping(Mutex<Instant>);

impl Clock for Stepping {
    fn now(&self) -> Instant {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += Duration::from_millis(100);
        *now
    }
}

struct Bench {
    slot: BenchSlot<Stepping>,
    field: SharedField,
    stop: Arc<AtomicBool>,
    server: Option<JoinHandle<()>>,
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

fn bench(fault: Option<FaultPlan>) -> Bench {
    let field: SharedField = Arc::default();
    let (master, slave) = TTYPort::pair().expect("pty pair");
    let path = slave.name().expect("slave path");
    let stop = Arc::new(AtomicBool::new(false));
    let (server_stop, mut mover) = (Arc::clone(&stop), FieldMover(Arc::clone(&field)));
    let server = std::thread::spawn(move || {
        let _slave = slave;
        let mut port: Box<dyn FixturePort> = Box::new(Box::new(master));
        let mut sim = SimFixture::new([1, 2], 1, fault);
        let _ = serve(
            port.as_mut(),
            &mut sim,
            &mut mover,
            &server_stop,
            &mut std::io::sink(),
        );
    });
    let port = crate::client::open_serial(&SerialSettings::new(path.clone())).expect("open");
    let client = FixtureClient::new(
        port,
        &path,
        Timeouts::default(),
        Stepping(Mutex::new(Instant::now())),
    );
    let cards = vec![
        BenchCard {
            slot: 1,
            person: "yamada-taro".into(),
            profile: Some(profile("yamada-taro")),
            physical: true,
            allow_pin_lock: false,
            enrol: false,
            pin_env: BTreeMap::new(),
        },
        BenchCard {
            slot: 2,
            person: "nakamura-aoi".into(),
            profile: None,
            physical: true,
            allow_pin_lock: false,
            enrol: false,
            pin_env: BTreeMap::new(),
        },
    ];
    let reader = ResolvedReader {
        role: 0,
        name: "Virtual PCD 0 00 00".into(),
        station: 1,
        presence_timeout: Duration::from_secs(5),
    };
    let watch = FieldWatch {
        field: Arc::clone(&field),
        looks: 0,
    };
    let slot = BenchSlot::new(
        Arc::new(Mutex::new(client)),
        reader,
        cards,
        Box::new(watch),
        Box::new(Stepping(Mutex::new(Instant::now()))),
    );
    Bench {
        slot,
        field,
        stop,
        server: Some(server),
    }
}

fn yamada() -> CardRef {
    CardRef {
        person_id: "yamada-taro".into(),
        card_profile: profile("yamada-taro"),
    }
}

/// Polls until `done` says so; at most `max` polls (each bounded).
fn poll_until<T>(max: usize, mut poll: impl FnMut() -> Option<T>) -> Option<T> {
    (0..max).find_map(|_| poll())
}

#[test]
fn a_card_is_placed_by_the_fixture_and_seen_through_the_reader() {
    let mut b = bench(None);
    b.field.lock().expect("field").delay_looks = 3;
    b.slot.insert(&yamada()).expect("insert");
    assert!(b.slot.has_card());
    assert_eq!(b.slot.card_on_reader().map(|c| c.slot), Some(1));
    let mut polls = 0;
    let channel = poll_until(20, || {
        polls += 1;
        b.slot
            .poll_inserted()
            .expect("poll")
            .map(Some)
            .unwrap_or(None)
    });
    let mut channel = channel.expect("card seen");
    assert!(
        polls > 1,
        "presence is not assumed from the fixture's answer"
    );
    assert_eq!(
        channel
            .transmit(
                &card_protocol::Select::df_name(&card_protocol::aid::JPKI)
                    .expect("AID")
                    .encode()
            )
            .expect("select"),
        vec![0x90, 0x00]
    );
    assert!(b.slot.poll_side_channel().expect("side").is_some());
    assert!(matches!(
        b.slot
            .insert(&yamada())
            .map_err(|e| e.downcast::<BenchError>()),
        Err(Ok(BenchError::Occupied { .. }))
    ));
    b.slot.remove();
    assert!(b.slot.poll_removed());
    assert!(!b.slot.has_card());
    assert_eq!(b.field.lock().expect("field").on_reader, None);
}

#[test]
fn unknown_people_and_other_profiles_are_refused_before_anything_moves() {
    let mut b = bench(None);
    let nobody = CardRef {
        person_id: "watanabe-sora".into(),
        card_profile: profile("watanabe-sora"),
    };
    assert!(matches!(
        b.slot
            .insert(&nobody)
            .map_err(|e| e.downcast::<BenchError>()),
        Err(Ok(BenchError::NoCardFor { .. }))
    ));
    let other = CardRef {
        card_profile: profile("sato-hanako"),
        ..yamada()
    };
    assert!(matches!(
        b.slot
            .insert(&other)
            .map_err(|e| e.downcast::<BenchError>()),
        Err(Ok(BenchError::ProfileMismatch { slot: 1, .. }))
    ));
    assert_eq!(b.field.lock().expect("field").on_reader, None);
    assert!(!b.slot.has_card());
}

#[test]
fn a_card_the_reader_never_sees_is_a_presence_timeout_with_the_fixture_sensor() {
    let mut b = bench(None);
    b.field.lock().expect("field").never = true;
    b.slot.insert(&yamada()).expect("insert");
    let error = poll_until(200, || match b.slot.poll_inserted() {
        Ok(None) => None,
        other => Some(other),
    })
    .expect("bounded")
    .err()
    .expect("error");
    let error = error.downcast::<BenchError>().expect("typed");
    assert!(
        matches!(
            &error,
            BenchError::PresenceTimeout { seen: ReaderPresence::Empty, sensor, waited, .. }
                if sensor == "present" && *waited >= Duration::from_secs(5)
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("placed slot 1"), "{error}");
    // RESET brings the card back; then the slot is usable again.
    b.field.lock().expect("field").never = false;
    b.slot.recover().expect("recover");
    assert!(!b.slot.has_card());
    b.slot.insert(&yamada()).expect("insert again");
}

#[test]
fn a_vanished_reader_is_a_typed_error_and_remove_reports_it() {
    let mut b = bench(None);
    b.slot.insert(&yamada()).expect("insert");
    b.field.lock().expect("field").vanished = true;
    let error = b.slot.poll_inserted().err().expect("error");
    assert!(matches!(
        error.downcast::<BenchError>(),
        Ok(BenchError::ReaderVanished { .. })
    ));
    assert!(b.slot.fault().is_some_and(|f| f.contains("vanished")));
    // poll_removed cannot fail: it stays false and the fault says why.
    b.slot.remove();
    assert!(!b.slot.poll_removed());
}

#[test]
fn a_card_that_stays_seen_after_remove_ends_in_a_fault_not_a_hang() {
    let mut b = bench(None);
    b.slot.insert(&yamada()).expect("insert");
    assert!(poll_until(5, || b.slot.poll_inserted().expect("poll")).is_some());
    b.slot.remove();
    // The fixture says it lifted the card but the reader still sees one.
    b.field.lock().expect("field").on_reader = Some(1);
    let removed = poll_until(200, || {
        (b.slot.poll_removed() || b.slot.fault().is_some()).then_some(())
    });
    assert!(removed.is_some(), "bounded");
    assert!(!b.slot.poll_removed());
    let fault = b.slot.fault().unwrap_or_default().to_owned();
    assert!(
        fault.contains("removed the card") && fault.contains("Present"),
        "{fault}"
    );
}

#[test]
fn a_fixture_answering_garbage_fails_the_insert() {
    let mut b = bench(Some(FaultPlan {
        kind: crate::sim::FaultKind::Garbage,
        after: 0,
    }));
    let error = b.slot.insert(&yamada()).expect_err("error");
    let error = error.downcast::<BenchError>().expect("typed");
    assert!(
        matches!(
            &error,
            BenchError::Fixture {
                source: FixtureError::Protocol { .. },
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!b.slot.has_card());
}

#[test]
fn camera_power_and_display_go_through_the_fixture() {
    let b = bench(None);
    assert_eq!(b.slot.camera_powered().expect("sensors"), Sensed::Yes);
    b.slot.camera(Power::Off).expect("camera off");
    assert_eq!(b.slot.camera_powered().expect("sensors"), Sensed::No);
    b.slot
        .show(Display::Scene("eyepatch".into()))
        .expect("show");
}
