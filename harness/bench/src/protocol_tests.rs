use super::*;

#[test]
fn requests_round_trip_through_their_lines() {
    let requests = [
        Request::Identify,
        Request::Ping,
        Request::Reset,
        Request::Sensors { station: 2 },
        Request::Place {
            slot: 3,
            station: 1,
        },
        Request::Remove { station: 1 },
        Request::Camera {
            power: Power::Off,
            station: 2,
        },
        Request::Camera {
            power: Power::On,
            station: 1,
        },
        Request::Show {
            display: Display::Scene("bandage".into()),
            station: 1,
        },
        Request::Show {
            display: Display::Frame(65535),
            station: 1,
        },
        Request::Show {
            display: Display::Blank,
            station: 3,
        },
    ];
    for (i, request) in requests.iter().enumerate() {
        let id = u16::try_from(i + 1).unwrap_or(1);
        let line = request.line(id);
        assert!(line.len() <= crate::line::MAX_LINE);
        assert_eq!(
            Request::parse_line(&line),
            Ok((id, request.clone())),
            "{line}"
        );
    }
    assert_eq!(
        Request::parse_line("42 PLACE 3").map(|(_, r)| r),
        Ok(Request::Place {
            slot: 3,
            station: 1
        }),
        "the station defaults to 1"
    );
}

#[test]
fn bad_requests_are_answerable_errors() {
    for (line, id) in [
        ("hello", 0),
        ("0 PING", 0),
        ("007 PING", 0),
        ("70000 PING", 0),
        ("5", 5),
        ("5 FLY", 5),
        ("5 ping", 5),
        (" 5 PING", 0),
        ("", 0),
    ] {
        assert!(
            matches!(Request::parse_line(line), Err((got, MessageError::BadRequest(_))) if got == id),
            "{line}"
        );
    }
    for line in [
        "6 PLACE",
        "6 PLACE x 1",
        "6 PLACE 01",
        "6 PLACE 1 -1",
        "6 PLACE 1 1 1",
        "6 CAMERA MAYBE",
        "6 CAMERA on",
        "6 SHOW SCENE Bandage",
        "6 SHOW FRAME 70000",
        "6 SHOW",
        "6 ID 1",
        "6 SENSORS 1 1",
    ] {
        assert!(
            matches!(
                Request::parse_line(line),
                Err((6, MessageError::BadArgument(_)))
            ),
            "{line}"
        );
    }
}

/// Protocol §4/§6: a well-formed number that names no slot or station is `no-such-slot` /
/// `no-such-station`, not `bad-argument`, whatever its size; it parses as 0, which names none.
#[test]
fn numbers_naming_no_slot_or_station_parse_as_zero() {
    for (line, slot, station) in [
        ("6 PLACE 0", 0, 1),
        ("6 PLACE 256 1", 0, 1),
        ("6 PLACE 1 0", 1, 0),
        ("6 PLACE 99999999999999999999 300", 0, 0),
    ] {
        assert_eq!(
            Request::parse_line(line),
            Ok((6, Request::Place { slot, station })),
            "{line}"
        );
    }
    assert_eq!(
        Request::parse_line("7 SENSORS 0"),
        Ok((7, Request::Sensors { station: 0 }))
    );
    assert_eq!(
        Request::parse_line("8  SHOW  BLANK  2 "),
        Ok((
            8,
            Request::Show {
                display: Display::Blank,
                station: 2
            }
        )),
        "several spaces between words and trailing spaces are accepted"
    );
    assert!(is_decimal("0") && is_decimal("300") && !is_decimal("01") && !is_decimal("+1"));
}

#[test]
fn fixture_lines_parse_to_responses_events_and_notes() {
    assert_eq!(
        FixtureLine::parse("42 OK slot=3 station=1"),
        Ok(FixtureLine::Response(Response::ok(
            42,
            Fields::default().with("slot", "3").with("station", "1")
        )))
    );
    assert_eq!(
        FixtureLine::parse("42 ERR 8 slot-empty card is on reader 2"),
        Ok(FixtureLine::Response(Response {
            id: 42,
            outcome: Err(FixtureFailure {
                code: ErrorCode::SlotEmpty,
                name: "slot-empty".into(),
                detail: "card is on reader 2".into(),
            })
        }))
    );
    assert_eq!(
        FixtureLine::parse("7 ERR 99 laser-overheat"),
        Ok(FixtureLine::Response(Response {
            id: 7,
            outcome: Err(FixtureFailure {
                code: ErrorCode::Unknown(99),
                name: "laser-overheat".into(),
                detail: String::new(),
            })
        }))
    );
    assert_eq!(
        FixtureLine::parse("EVT CARD PRESENT station=2"),
        Ok(FixtureLine::Event(Event::CardPresent(2)))
    );
    assert_eq!(
        FixtureLine::parse("EVT LID OPEN"),
        Ok(FixtureLine::Event(Event::LidOpen))
    );
    assert_eq!(
        FixtureLine::parse("EVT TEMPERATURE 31C"),
        Ok(FixtureLine::Event(Event::Other("TEMPERATURE 31C".into())))
    );
    assert_eq!(
        FixtureLine::parse("EVT LID AJAR"),
        Ok(FixtureLine::Event(Event::Other("LID AJAR".into()))),
        "an unknown second word is an unknown event, not garbage"
    );
    assert!(matches!(
        FixtureLine::parse("EVT BOOT proto=1"),
        Ok(FixtureLine::Event(Event::Boot(f))) if f.get("proto") == Some("1")
    ));
    assert_eq!(
        FixtureLine::parse("# servo at 87"),
        Ok(FixtureLine::Note("servo at 87".into()))
    );
    for event in [
        Event::CardAbsent(1),
        Event::LidClosed,
        Event::Fault(FixtureFailure {
            code: ErrorCode::HardwareFault,
            name: "hardware-fault".into(),
            detail: "relay 2".into(),
        }),
    ] {
        assert_eq!(
            FixtureLine::parse(&event.line()),
            Ok(FixtureLine::Event(event))
        );
    }
}

#[test]
fn garbage_lines_are_typed_errors() {
    for line in [
        "OK",
        "hello 1 OK",
        " 1 OK",
        " EVT LID OPEN",
        "EVT BOOT v2",
        "EVT FAULT x",
        "   ",
        "EVT",
        "EVT CARD PRESENT",
        "EVT CARD PRESENT station=x",
    ] {
        assert!(FixtureLine::parse(line).is_err(), "{line}");
    }
    assert!(matches!(
        FixtureLine::parse("01 OK"),
        Err(MessageError::BadId(_))
    ));
    assert!(matches!(
        FixtureLine::parse("99999 OK"),
        Err(MessageError::BadId(_))
    ));
    assert!(matches!(
        FixtureLine::parse("3 YES"),
        Err(MessageError::BadStatus(_))
    ));
    assert!(matches!(
        FixtureLine::parse("3 ERR x busy"),
        Err(MessageError::BadStatus(_))
    ));
    assert!(matches!(
        FixtureLine::parse("3 OK slot"),
        Err(MessageError::BadField { .. })
    ));
    assert!(matches!(
        FixtureLine::parse("3 OK Slot=1"),
        Err(MessageError::BadField { .. })
    ));
    assert!(matches!(
        FixtureLine::parse("3 OK a=b=c"),
        Err(MessageError::BadField { .. })
    ));
}

#[test]
fn error_codes_have_fixed_numbers_and_names() {
    for n in 1..=14 {
        let code = ErrorCode::from_number(n);
        assert_eq!(code.number(), n);
        assert_ne!(code.name(), "unknown");
        let line = Response::err(9, code, "detail here").line();
        assert_eq!(
            FixtureLine::parse(&line),
            Ok(FixtureLine::Response(Response::err(9, code, "detail here")))
        );
    }
    assert_eq!(ErrorCode::from_number(15), ErrorCode::Unknown(15));
    assert!(ErrorCode::MotionFailed.leaves_state_unknown());
    assert!(ErrorCode::Unknown(40).leaves_state_unknown());
    assert!(!ErrorCode::SlotEmpty.leaves_state_unknown());
    let long = Response::err(9, ErrorCode::HardwareFault, "x".repeat(500)).line();
    assert_eq!(long.len(), crate::line::MAX_LINE);
}
