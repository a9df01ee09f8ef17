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
    let mut sim = SimFixture::new(slots, 255, None);
    let identity = Response::ok(u16::MAX, sim.identity().to_fields()).line();
    assert!(identity.len() <= crate::line::MAX_LINE, "{identity}");
    let shown = sim.handle(
        Ok("65535 SHOW SCENE abcdefghijklmnopqrstuvwxyz012345 255".into()),
        &mut Recorder::default(),
    );
    assert_eq!(shown.len(), 1);
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
        vec!["11 ERR 6 no-such-slot"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "12 PLACE 1 2"),
        vec!["12 ERR 7 no-such-station"]
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
        vec!["16 ERR 1 bad-request"]
    );
    assert_eq!(
        say(&mut sim, &mut mover, "hello"),
        vec!["0 ERR 1 bad-request"]
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
    // RESET brings the card back and the camera on.
    say(&mut sim, &mut mover, "18 CAMERA OFF");
    assert_eq!(say(&mut sim, &mut mover, "19 RESET"), vec!["19 OK"]);
    assert_eq!((sim.card_on(1), sim.camera(1)), (None, Some(Power::On)));
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
