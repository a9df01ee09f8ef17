use super::*;
use crate::protocol::{ErrorCode, Response};

fn drain(session: &mut Session) -> Vec<Result<Incoming, ProtocolError>> {
    std::iter::from_fn(|| session.next_incoming()).collect()
}

#[test]
fn a_response_is_matched_to_its_request_and_events_are_kept_apart() {
    let t0 = Instant::now();
    let mut session = Session::new(Timeouts::default());
    let out = session
        .start(
            Request::Place {
                slot: 3,
                station: 1,
            },
            t0,
        )
        .expect("start");
    assert_eq!((out.id, out.line.as_str()), (1, "1 PLACE 3 1"));
    assert_eq!(out.bytes, b"1 PLACE 3 1\r\n");
    assert_eq!(session.deadline(), Some(t0 + Duration::from_secs(15)));

    session.feed(b"# moving\r\nEVT CARD PRESENT station=1\r\n1 OK sl");
    let got = drain(&mut session);
    assert_eq!(
        got,
        vec![
            Ok(Incoming::Note("moving".into())),
            Ok(Incoming::Event(Event::CardPresent(1)))
        ]
    );
    assert!(session.pending().is_some(), "a partial line is no answer");
    session.feed(b"ot=3 station=1\r\n");
    let got = drain(&mut session);
    assert_eq!(
        got,
        vec![Ok(Incoming::Reply(Reply {
            id: 1,
            request: Request::Place {
                slot: 3,
                station: 1
            },
            outcome: Ok(Fields::default().with("slot", "3").with("station", "1")),
        }))]
    );
    assert!(session.pending().is_none());
    assert_eq!(session.deadline(), None);
}

#[test]
fn an_err_answer_is_a_reply_not_a_protocol_error() {
    let t0 = Instant::now();
    let mut session = Session::new(Timeouts::default());
    session
        .start(
            Request::Place {
                slot: 3,
                station: 1,
            },
            t0,
        )
        .expect("start");
    session.feed(Response::err(1, ErrorCode::SlotEmpty, "").line().as_bytes());
    session.feed(b"\r\n");
    let got = drain(&mut session);
    assert!(matches!(
        &got[..],
        [Ok(Incoming::Reply(Reply { outcome: Err(f), .. }))] if f.code == ErrorCode::SlotEmpty
    ));
}

#[test]
fn wrong_ids_late_answers_and_answers_from_nowhere_are_errors() {
    let t0 = Instant::now();
    let mut session = Session::new(Timeouts::default());
    session.feed(b"5 OK\r\n");
    assert!(matches!(
        &drain(&mut session)[..],
        [Err(ProtocolError::UnexpectedId {
            got: 5,
            expected: None,
            ..
        })]
    ));
    session.start(Request::Ping, t0).expect("start");
    session.feed(b"2 OK\r\n");
    assert!(matches!(
        &drain(&mut session)[..],
        [Err(ProtocolError::UnexpectedId {
            got: 2,
            expected: Some(1),
            ..
        })]
    ));
    // Still pending: the wrong answer did not complete it; its timeout still runs.
    assert!(session.pending().is_some());
    let late = t0 + Duration::from_secs(2);
    assert!(matches!(
        session.check_timeout(late),
        Err(ProtocolError::Timeout { ref request, after }) if request == "PING" && after == Duration::from_secs(2)
    ));
    session.feed(b"1 OK\r\n");
    assert!(matches!(
        &drain(&mut session)[..],
        [Err(ProtocolError::UnexpectedId {
            got: 1,
            expected: None,
            ..
        })]
    ));
}

#[test]
fn timeouts_depend_on_the_class_and_the_given_clock() {
    let t0 = Instant::now();
    let timeouts = Timeouts::default();
    let mut session = Session::new(timeouts);
    for (request, limit) in [
        (Request::Identify, timeouts.quick),
        (Request::Remove { station: 1 }, timeouts.motion),
        (Request::Reset, timeouts.reset),
    ] {
        session.start(request, t0).expect("start");
        let just_before = t0 + limit - Duration::from_millis(1);
        assert_eq!(session.check_timeout(just_before), Ok(()));
        assert_eq!(
            session.waited(just_before),
            Some(limit - Duration::from_millis(1))
        );
        assert!(session.check_timeout(t0 + limit).is_err());
        assert!(session.pending().is_none());
    }
}

#[test]
fn one_request_at_a_time_and_ids_wrap_to_one() {
    let t0 = Instant::now();
    let mut session = Session::new(Timeouts::default());
    session.start(Request::Ping, t0).expect("start");
    assert!(matches!(
        session.start(Request::Reset, t0),
        Err(ProtocolError::Busy { .. })
    ));
    session.next_id = RequestId::MAX;
    session.clear();
    let out = session.start(Request::Ping, t0).expect("start");
    assert_eq!(out.id, RequestId::MAX);
    session.feed(b"65535 OK\r\n");
    assert!(matches!(&drain(&mut session)[..], [Ok(Incoming::Reply(_))]));
    assert_eq!(session.start(Request::Ping, t0).expect("start").id, 1);
}

#[test]
fn garbage_is_a_typed_error_and_the_session_goes_on_reading() {
    let t0 = Instant::now();
    let mut session = Session::new(Timeouts::default());
    session.start(Request::Identify, t0).expect("start");
    let mut noise = vec![0xFF, 0x00, b'x', b'\r', b'\n'];
    noise.extend_from_slice(&[b'Z'; 300]);
    noise.extend_from_slice(b"\r\nOK 1\r\n1 MAYBE\r\n");
    session.feed(&noise);
    let got = drain(&mut session);
    assert!(matches!(
        got[0],
        Err(ProtocolError::Line(LineError::BadByte { byte: 0xFF, .. }))
    ));
    assert!(matches!(
        got[1],
        Err(ProtocolError::Line(LineError::TooLong { .. }))
    ));
    assert!(matches!(
        got[2],
        Err(ProtocolError::Message(MessageError::Unrecognised(_)))
    ));
    assert!(matches!(
        got[3],
        Err(ProtocolError::Message(MessageError::BadStatus(_)))
    ));
    assert_eq!(got.len(), 4);
    let message = got[0]
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(message.contains("\\xFF"), "{message}");
}

#[test]
fn the_heartbeat_is_due_after_the_interval_when_idle() {
    let t0 = Instant::now();
    let mut session = Session::new(Timeouts::default());
    assert!(session.heartbeat_due(t0), "never sent: due");
    session.start(Request::Ping, t0).expect("start");
    assert!(
        !session.heartbeat_due(t0 + Duration::from_secs(5)),
        "pending"
    );
    session.feed(b"1 OK\r\n");
    drain(&mut session);
    assert!(!session.heartbeat_due(t0 + Duration::from_millis(1999)));
    assert!(session.heartbeat_due(t0 + Duration::from_secs(2)));
}
