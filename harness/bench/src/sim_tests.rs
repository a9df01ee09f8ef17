use super::*;

#[derive(Default)]
struct Recorder {
    actions: Vec<String>,
    fail_place: bool,
    gone: Vec<Station>,
}

impl CardMover for Recorder {
    fn place(&mut self, slot: Slot, station: Station) -> Result<(), String> {
        if self.fail_place {
            return Err("card process did not start".into());
        }
        self.actions.push(format!("place {slot} on {station}"));
        Ok(())
    }
    fn remove(&mut self, slot: Slot, station: Station) -> Result<(), String> {
        self.actions.push(format!("remove {slot} from {station}"));
        Ok(())
    }
    fn still_present(&mut self, station: Station) -> bool {
        !self.gone.contains(&station)
    }
}

fn say(sim: &mut SimFixture, mover: &mut Recorder, line: &str) -> Vec<String> {
    sim.handle(Ok(line.into()), mover)
        .into_iter()
        .map(|out| match out {
            SimOutput::Line(line) => line,
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn a_session_like_the_protocol_document() {
    let mut sim = SimFixture::new([1, 2, 3, 4], 2, None);
    let mut mover = Recorder::default();
    assert_eq!(sim.boot_line(), "EVT BOOT proto=1");
    let id = say(&mut sim, &mut mover, "1 ID");
    assert_eq!(
        id,
        vec![format!(
            "1 OK maker=kao-harness model=fixture-sim fw={} proto=1 slots=4 stations=2 caps=place,camera,display,card-sensor,lid",
            env!("CARGO_PKG_VERSION")
        )]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "3 SENSORS 1"),
        vec!["3 OK station=1 card=absent slot=none lid=closed camera=on display=blank"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "4 PLACE 2 1"),
        vec!["EVT CARD PRESENT station=1", "4 OK slot=2 station=1"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "5 SHOW SCENE bandage 1"),
        vec!["5 OK display=scene:bandage"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "7 CAMERA OFF 1"),
        vec!["7 OK camera=off"]
    );
    assert_eq!(sim.camera(1), Some(Power::Off));
    assert_eq!(
        say(&mut sim, &mut mover, "8 SENSORS 1"),
        vec!["8 OK station=1 card=present slot=2 lid=closed camera=off display=scene:bandage"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "9 REMOVE 1"),
        vec!["EVT CARD ABSENT station=1", "9 OK slot=2 station=1"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "10 REMOVE 1"),
        vec!["10 OK slot=none station=1"]
    );
    assert_eq!(mover.actions, vec!["place 2 on 1", "remove 2 from 1"]);
}

#[test]
fn the_longest_answers_fit_in_a_line() {
    let slots: Vec<Slot> = (1..=255).collect();
    let mut sim = SimFixture::new(slots, 255, None)
        .with_scenes(["abcdefghijklmnopqrstuvwxyz012345".to_owned()]);
    let identity = Response::ok(u16::MAX, sim.identity().to_fields()).line();
    assert!(identity.len() <= crate::line::MAX_LINE, "{identity}");
    let shown = sim.handle(
        Ok("65535 SHOW SCENE abcdefghijklmnopqrstuvwxyz012345 255".into()),
        &mut Recorder::default(),
    );
    assert_eq!(
        shown,
        vec![SimOutput::Line(
            "65535 OK display=scene:abcdefghijklmnopqrstuvwxyz012345".into()
        )]
    );
    let reading = sim.handle(Ok("65535 SENSORS 255".into()), &mut Recorder::default());
    let [SimOutput::Line(line)] = reading.as_slice() else {
        panic!("{reading:?}");
    };
    assert!(line.len() <= crate::line::MAX_LINE, "{line}");
}

#[test]
fn errors_follow_the_table() {
    let mut sim = SimFixture::new([1, 2], 1, None);
    let mut mover = Recorder::default();
    assert_eq!(
        say(&mut sim, &mut mover, "11 PLACE 9 1"),
        vec!["11 ERR 6 no-such-slot fixture has 2 slots"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "12 PLACE 1 2"),
        vec!["12 ERR 7 no-such-station fixture has 1 station"]
    );
    say(&mut sim, &mut mover, "13 PLACE 1 1");
    assert_eq!(
        say(&mut sim, &mut mover, "14 PLACE 2 1"),
        vec!["14 ERR 9 station-occupied card from slot 1 lies there"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "15 PLACE 1 1"),
        vec!["15 ERR 8 slot-empty its card is on station 1"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "16 FLY 1"),
        vec!["16 ERR 1 bad-request unknown verb"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "16"),
        vec!["16 ERR 1 bad-request no verb"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "hello"),
        vec!["0 ERR 1 bad-request no id"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "17 CAMERA MAYBE"),
        vec!["17 ERR 2 bad-argument"]
    );
    let too_long = sim.handle(
        Err(LineError::TooLong {
            head: String::new(),
        }),
        &mut mover,
    );
    assert_eq!(
        too_long,
        vec![SimOutput::Line("0 ERR 3 line-too-long".into())]
    );
    // RESET brings the card back (the card sensor sees it go) and the camera on.
    say(&mut sim, &mut mover, "18 CAMERA OFF");
    assert_eq!(
        say(&mut sim, &mut mover, "19 RESET"),
        vec!["EVT CARD ABSENT station=1", "19 OK"]
    );
    assert!(sim.moved(), "RESET moves the mechanics");
    assert_eq!((sim.card_on(1), sim.camera(1)), (None, Some(Power::On)));
    assert_eq!(say(&mut sim, &mut mover, "20 RESET"), vec!["20 OK"]);
}

/// Protocol §4/§6: slots are numbered 1 to `slots`; one in that range without a card is
/// `slot-empty`; a well-formed number naming no slot or station, of any size, is
/// `no-such-slot` / `no-such-station`; the station is checked before the slot.
#[test]
fn slot_and_station_numbers_follow_the_table() {
    let mut sim = SimFixture::new([1, 3], 2, None);
    let mut mover = Recorder::default();
    assert!(say(&mut sim, &mut mover, "1 ID")[0].contains(" slots=3 stations=2 "));
    for (line, answer) in [
        ("2 PLACE 2 1", "2 ERR 8 slot-empty slot 2 was never loaded"),
        ("3 PLACE 0 1", "3 ERR 6 no-such-slot fixture has 3 slots"),
        ("4 PLACE 4 1", "4 ERR 6 no-such-slot fixture has 3 slots"),
        ("5 PLACE 256 1", "5 ERR 6 no-such-slot fixture has 3 slots"),
        (
            "6 PLACE 1 0",
            "6 ERR 7 no-such-station fixture has 2 stations",
        ),
        (
            "7 PLACE 9 9",
            "7 ERR 7 no-such-station fixture has 2 stations",
        ),
        (
            "8 SENSORS 0",
            "8 ERR 7 no-such-station fixture has 2 stations",
        ),
        (
            "9 CAMERA ON 300",
            "9 ERR 7 no-such-station fixture has 2 stations",
        ),
        ("10 PLACE 01 1", "10 ERR 2 bad-argument"),
    ] {
        assert_eq!(say(&mut sim, &mut mover, line), vec![answer], "{line}");
        assert!(!sim.moved(), "{line}: refused before anything moves");
    }
    assert!(mover.actions.is_empty());
    assert_eq!(
        say(&mut sim, &mut mover, "11 PLACE 3 2"),
        vec!["EVT CARD PRESENT station=2", "11 OK slot=3 station=2"]
    );
    assert!(sim.moved());
    assert_eq!(
        say(&mut sim, &mut mover, "12 REMOVE 1"),
        vec!["12 OK slot=none station=1"]
    );
    assert!(!sim.moved(), "nothing to lift: answered at once");
}

/// Protocol §4: what a fixture lacks is `not-supported` (after the form of the arguments, before
/// their range) and reads `unknown`; stored scenes and frames are set up with the fixture.
#[test]
fn capabilities_scenes_and_frames() {
    let mut mover = Recorder::default();
    let mut bare = SimFixture::new([1], 1, None).with_caps(FixtureCaps::default());
    assert!(say(&mut bare, &mut mover, "1 ID")[0].ends_with(" caps=none"));
    for (line, answer) in [
        ("2 PLACE 1 1", "2 ERR 5 not-supported"),
        ("3 REMOVE 9", "3 ERR 5 not-supported"),
        ("4 CAMERA OFF", "4 ERR 5 not-supported"),
        ("5 SHOW BLANK", "5 ERR 5 not-supported"),
        ("6 SHOW NOTHING", "6 ERR 2 bad-argument"),
        (
            "7 SENSORS",
            "7 OK station=1 card=unknown slot=none lid=unknown camera=unknown display=unknown",
        ),
        ("8 RESET", "8 OK"),
    ] {
        assert_eq!(say(&mut bare, &mut mover, line), vec![answer], "{line}");
    }
    let mut blind = SimFixture::new([1], 1, None).with_caps(FixtureCaps {
        card_sensor: false,
        ..FixtureCaps::ALL
    });
    assert_eq!(
        say(&mut blind, &mut mover, "1 PLACE 1"),
        vec!["1 OK slot=1 station=1"],
        "no EVT CARD without a card sensor"
    );
    assert_eq!(say(&mut blind, &mut mover, "2 RESET"), vec!["2 OK"]);

    let mut sim = SimFixture::new([1], 2, None)
        .with_scenes(["mask".to_owned()])
        .with_frames(10);
    for (line, answer) in [
        ("1 SHOW SCENE mask 2", "1 OK display=scene:mask"),
        ("2 SHOW SCENE bandage", "2 ERR 14 no-such-scene"),
        (
            "3 SHOW SCENE mask 3",
            "3 ERR 7 no-such-station fixture has 2 stations",
        ),
        ("4 SHOW FRAME 9", "4 OK display=frame:9"),
        ("5 SHOW FRAME 10", "5 ERR 14 no-such-scene"),
        ("6 SHOW FRAME 65536", "6 ERR 2 bad-argument"),
        ("7 SHOW SCENE Mask", "7 ERR 2 bad-argument"),
    ] {
        assert_eq!(say(&mut sim, &mut mover, line), vec![answer], "{line}");
    }
    let default = SimFixture::new([1], 1, None);
    for scene in DEFAULT_SCENES {
        assert!(default.stores(&Display::Scene(scene.into())));
    }
    assert!(default.stores(&Display::Frame(99)) && !default.stores(&Display::Frame(100)));
}

/// Protocol §3: while a motion runs, a line with a readable id is answered `busy`; one without
/// gets its usual error.
#[test]
fn lines_during_a_motion_are_busy() {
    let sim = SimFixture::new([1], 1, None);
    assert_eq!(
        sim.busy(Ok("5 PING".into())),
        SimOutput::Line("5 ERR 4 busy a motion is running".into())
    );
    assert_eq!(
        sim.busy(Ok("6 FLY".into())),
        SimOutput::Line("6 ERR 4 busy a motion is running".into())
    );
    assert_eq!(
        sim.busy(Ok("hello".into())),
        SimOutput::Line("0 ERR 1 bad-request no id".into())
    );
    assert_eq!(
        sim.busy(Err(LineError::TooLong {
            head: String::new()
        })),
        SimOutput::Line("0 ERR 3 line-too-long".into())
    );
}

#[test]
fn a_card_process_that_fails_is_a_hardware_fault_and_one_that_dies_an_event() {
    let mut sim = SimFixture::new([1], 1, None);
    let mut mover = Recorder {
        fail_place: true,
        ..Recorder::default()
    };
    assert_eq!(
        say(&mut sim, &mut mover, "1 PLACE 1"),
        vec!["1 ERR 12 hardware-fault card process did not start"]
    );
    mover.fail_place = false;
    say(&mut sim, &mut mover, "2 PLACE 1");
    assert!(sim.check_cards(&mut mover).is_empty());
    mover.gone.push(1);
    assert_eq!(
        sim.check_cards(&mut mover),
        vec![SimOutput::Line("EVT CARD ABSENT station=1".into())]
    );
    assert_eq!(sim.card_on(1), None);
}

#[test]
fn faults_come_only_when_asked_and_after_the_given_count() {
    assert_eq!(
        "vanish-after=3".parse(),
        Ok(FaultPlan {
            kind: FaultKind::Vanish,
            after: 3
        })
    );
    assert_eq!(
        "garbage".parse(),
        Ok(FaultPlan {
            kind: FaultKind::Garbage,
            after: 0
        })
    );
    assert!("flood".parse::<FaultPlan>().is_err());
    assert!("silent-after=x".parse::<FaultPlan>().is_err());

    let mut mover = Recorder::default();
    let mut sim = SimFixture::new(
        [1],
        1,
        Some(FaultPlan {
            kind: FaultKind::Garbage,
            after: 1,
        }),
    );
    assert_eq!(say(&mut sim, &mut mover, "1 PING"), vec!["1 OK"]);
    assert_eq!(
        sim.handle(Ok("2 PING".into()), &mut mover),
        vec![SimOutput::Raw(GARBAGE.to_vec())]
    );
    let mut silent = SimFixture::new(
        [1],
        1,
        Some(FaultPlan {
            kind: FaultKind::Silent,
            after: 0,
        }),
    );
    assert!(silent.handle(Ok("1 PLACE 1".into()), &mut mover).is_empty());
    assert!(mover.actions.is_empty(), "a silent fixture does nothing");
    let mut vanishing = SimFixture::new(
        [1],
        1,
        Some(FaultPlan {
            kind: FaultKind::Vanish,
            after: 0,
        }),
    );
    assert_eq!(
        vanishing.handle(Ok("1 ID".into()), &mut mover),
        vec![SimOutput::Vanish]
    );
}
