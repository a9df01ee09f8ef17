//! The host side of the fixture protocol as a sans-IO state machine: requests out as bytes,
//! received bytes in, responses matched to the pending request by id, events kept apart, and
//! timeouts decided by a `now` the caller gives (docs/bench-fixture-protocol.md §3, §5).
//! Nothing received can make it panic: every bad line is a [`ProtocolError`].

use std::time::{Duration, Instant};

use crate::line::{self, LineDecoder, LineError};
use crate::protocol::{
    Event, Fields, FixtureFailure, FixtureLine, MessageError, Request, RequestId, Timeouts,
};

/// Bytes to write for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The request's id.
    pub id: RequestId,
    /// The line without CR LF (for logs).
    pub line: String,
    /// The framed bytes.
    pub bytes: Vec<u8>,
}

/// The fixture's answer to the pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The request's id.
    pub id: RequestId,
    /// The request.
    pub request: Request,
    /// `OK` fields or the `ERR`.
    pub outcome: Result<Fields, FixtureFailure>,
}

/// Something received that is not garbage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// The response to the pending request.
    Reply(Reply),
    /// An unsolicited event.
    Event(Event),
    /// A `#` note.
    Note(String),
}

/// A protocol error: after one, the fixture's state is unknown (§7).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// A line breaking the framing rules.
    #[error("garbage from the fixture: {0}")]
    Line(#[from] LineError),
    /// A line that is not a response, event or note.
    #[error("garbage from the fixture: {0}")]
    Message(#[from] MessageError),
    /// A response whose id is not the pending request's (`expected` is `None` when nothing was
    /// pending: a late answer or an answer out of nowhere).
    #[error("the fixture answered id {got} while {} was pending: {line:?}", expected.map_or("no request".to_owned(), |id| format!("id {id}")))]
    UnexpectedId {
        /// The id received.
        got: RequestId,
        /// The pending id.
        expected: Option<RequestId>,
        /// The line.
        line: String,
    },
    /// No response in time.
    #[error("the fixture did not answer `{request}` within {} ms", after.as_millis())]
    Timeout {
        /// The request (without id).
        request: String,
        /// How long the host waited.
        after: Duration,
    },
    /// A request was started while another is pending (a host bug; §3 "one request at a time").
    #[error("`{wanted}` while `{pending}` is still pending")]
    Busy {
        /// The pending request.
        pending: String,
        /// The refused one.
        wanted: String,
    },
}

#[derive(Debug)]
struct Pending {
    id: RequestId,
    request: Request,
    sent_at: Instant,
    deadline: Instant,
}

/// One conversation with one fixture.
#[derive(Debug)]
pub struct Session {
    decoder: LineDecoder,
    timeouts: Timeouts,
    next_id: RequestId,
    pending: Option<Pending>,
    last_sent: Option<Instant>,
}

impl Session {
    /// A new session; the first request gets id 1.
    pub fn new(timeouts: Timeouts) -> Self {
        Self {
            decoder: LineDecoder::new(),
            timeouts,
            next_id: 1,
            pending: None,
            last_sent: None,
        }
    }

    /// The timeouts in use.
    pub fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }

    /// Starts a request at `now`: returns the bytes to write. Refused while one is pending.
    pub fn start(&mut self, request: Request, now: Instant) -> Result<Outgoing, ProtocolError> {
        if let Some(pending) = &self.pending {
            return Err(ProtocolError::Busy {
                pending: pending.request.body(),
                wanted: request.body(),
            });
        }
        let id = self.next_id;
        self.next_id = if id == RequestId::MAX { 1 } else { id + 1 };
        let line = request.line(id);
        let bytes = line::frame(&line);
        let deadline = now + self.timeouts.for_class(request.class());
        self.pending = Some(Pending {
            id,
            request,
            sent_at: now,
            deadline,
        });
        self.last_sent = Some(now);
        Ok(Outgoing { id, line, bytes })
    }

    /// Takes bytes read from the port.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The next complete line received, interpreted. A response to the pending request ends it.
    pub fn next_incoming(&mut self) -> Option<Result<Incoming, ProtocolError>> {
        let line = match self.decoder.next_line()? {
            Ok(line) => line,
            Err(error) => return Some(Err(error.into())),
        };
        Some(self.interpret(&line))
    }

    fn interpret(&mut self, line: &str) -> Result<Incoming, ProtocolError> {
        match FixtureLine::parse(line)? {
            FixtureLine::Event(event) => Ok(Incoming::Event(event)),
            FixtureLine::Note(note) => Ok(Incoming::Note(note)),
            FixtureLine::Response(response) => {
                let expected = self.pending.as_ref().map(|p| p.id);
                if expected != Some(response.id) {
                    return Err(ProtocolError::UnexpectedId {
                        got: response.id,
                        expected,
                        line: line.into(),
                    });
                }
                let pending = self.pending.take().ok_or(ProtocolError::UnexpectedId {
                    got: response.id,
                    expected,
                    line: line.into(),
                })?;
                Ok(Incoming::Reply(Reply {
                    id: pending.id,
                    request: pending.request,
                    outcome: response.outcome,
                }))
            }
        }
    }

    /// When the pending request times out, if one is pending.
    pub fn deadline(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.deadline)
    }

    /// The pending request.
    pub fn pending(&self) -> Option<(RequestId, &Request)> {
        self.pending.as_ref().map(|p| (p.id, &p.request))
    }

    /// How long the pending request has been waiting at `now`.
    pub fn waited(&self, now: Instant) -> Option<Duration> {
        self.pending
            .as_ref()
            .map(|p| now.saturating_duration_since(p.sent_at))
    }

    /// At `now`: a timeout error if the pending request's time is up (it is then abandoned:
    /// a late answer to it is an [`ProtocolError::UnexpectedId`]).
    pub fn check_timeout(&mut self, now: Instant) -> Result<(), ProtocolError> {
        match &self.pending {
            Some(pending) if now >= pending.deadline => {
                let error = ProtocolError::Timeout {
                    request: pending.request.body(),
                    after: now.saturating_duration_since(pending.sent_at),
                };
                self.pending = None;
                Err(error)
            }
            _ => Ok(()),
        }
    }

    /// True if nothing is pending and no request was sent for the heartbeat interval.
    pub fn heartbeat_due(&self, now: Instant) -> bool {
        self.pending.is_none()
            && self
                .last_sent
                .is_none_or(|sent| now.saturating_duration_since(sent) >= self.timeouts.heartbeat)
    }

    /// Forgets everything received and any pending request (before `RESET`, §5).
    pub fn clear(&mut self) {
        self.decoder.clear();
        self.pending = None;
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
