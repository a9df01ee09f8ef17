//! Fixture to host (§3, §6, §7): `OK`/`ERR` [`Response`]s with their [`Fields`], unsolicited
//! [`Event`]s and `#` notes, as one [`FixtureLine`] each, formatted (fixture side) and parsed
//! (host side).

use super::errors::{ErrorCode, FixtureFailure, MessageError};
use super::numbers::{parse_decimal, RequestId, Station};

/// `name=value` fields of an `OK` answer or event, in the order received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The value of `name` (the first one).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Adds a field (fixture side).
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// Every field.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    fn parse<'a>(words: impl Iterator<Item = &'a str>, line: &str) -> Result<Fields, MessageError> {
        let mut fields = Vec::new();
        for word in words {
            let bad = || MessageError::BadField {
                field: word.into(),
                line: line.into(),
            };
            let (name, value) = word.split_once('=').ok_or_else(bad)?;
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !name_ok || value.is_empty() || value.len() > 40 || value.contains('=') {
                return Err(bad());
            }
            fields.push((name.into(), value.into()));
        }
        Ok(Fields(fields))
    }

    fn render(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!(" {n}={v}"))
            .collect::<String>()
    }
}

/// A response line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The request's id.
    pub id: RequestId,
    /// `OK` with its fields, or `ERR`.
    pub outcome: Result<Fields, FixtureFailure>,
}

impl Response {
    /// `id OK fields`.
    pub fn ok(id: RequestId, fields: Fields) -> Self {
        Self {
            id,
            outcome: Ok(fields),
        }
    }

    /// `id ERR code name detail`.
    pub fn err(id: RequestId, code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            id,
            outcome: Err(FixtureFailure {
                code,
                name: code.name().into(),
                detail: detail.into(),
            }),
        }
    }

    /// The line content (fixture side). An `ERR` detail is cut to fit the maximum line length;
    /// `OK` fields are never cut (the fixture must keep them short enough).
    pub fn line(&self) -> String {
        match &self.outcome {
            Ok(fields) => format!("{} OK{}", self.id, fields.render()),
            Err(failure) => {
                let mut line =
                    format!("{} ERR {} {}", self.id, failure.code.number(), failure.name);
                if !failure.detail.is_empty() {
                    line.push(' ');
                    line.extend(failure.detail.chars().map(|c| {
                        if c == ' ' || c.is_ascii_graphic() {
                            c
                        } else {
                            '?'
                        }
                    }));
                }
                // Every character is ASCII here, so truncating cannot split one.
                line.truncate(crate::line::MAX_LINE);
                line
            }
        }
    }
}

/// An unsolicited event (§7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `EVT BOOT …`: the fixture (re)started.
    Boot(Fields),
    /// `EVT CARD PRESENT station=n`.
    CardPresent(Station),
    /// `EVT CARD ABSENT station=n`.
    CardAbsent(Station),
    /// `EVT LID OPEN`.
    LidOpen,
    /// `EVT LID CLOSED`.
    LidClosed,
    /// `EVT FAULT code name [detail]`.
    Fault(FixtureFailure),
    /// An event kind this host does not know (ignored, logged): the line after `EVT `.
    Other(String),
}

impl Event {
    /// The line content (fixture side).
    pub fn line(&self) -> String {
        match self {
            Event::Boot(fields) => format!("EVT BOOT{}", fields.render()),
            Event::CardPresent(station) => format!("EVT CARD PRESENT station={station}"),
            Event::CardAbsent(station) => format!("EVT CARD ABSENT station={station}"),
            Event::LidOpen => "EVT LID OPEN".into(),
            Event::LidClosed => "EVT LID CLOSED".into(),
            Event::Fault(failure) => format!(
                "EVT FAULT {} {} {}",
                failure.code.number(),
                failure.name,
                failure.detail
            )
            .trim_end()
            .to_owned(),
            Event::Other(rest) => format!("EVT {rest}"),
        }
    }
}

/// A line from the fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixtureLine {
    /// A response.
    Response(Response),
    /// An event.
    Event(Event),
    /// A `#` note.
    Note(String),
}

impl FixtureLine {
    /// Parses a (framing-valid) line from the fixture.
    pub fn parse(line: &str) -> Result<FixtureLine, MessageError> {
        if let Some(note) = line.strip_prefix('#') {
            return Ok(FixtureLine::Note(note.trim().into()));
        }
        let mut words = line.split_ascii_whitespace();
        let first = words.next().unwrap_or_default();
        if line.starts_with(' ') {
            return Err(MessageError::Unrecognised(line.into()));
        }
        if first == "EVT" {
            return parse_event(words, line).map(FixtureLine::Event);
        }
        if !first.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            return Err(MessageError::Unrecognised(line.into()));
        }
        let id = parse_decimal::<u16>(first).ok_or_else(|| MessageError::BadId(line.into()))?;
        let outcome = match words.next() {
            Some("OK") => Ok(Fields::parse(words, line)?),
            Some("ERR") => {
                let code = words
                    .next()
                    .and_then(parse_decimal::<u16>)
                    .ok_or_else(|| MessageError::BadStatus(line.into()))?;
                let name = words
                    .next()
                    .ok_or_else(|| MessageError::BadStatus(line.into()))?;
                Err(FixtureFailure {
                    code: ErrorCode::from_number(code),
                    name: name.into(),
                    detail: words.collect::<Vec<_>>().join(" "),
                })
            }
            _ => return Err(MessageError::BadStatus(line.into())),
        };
        Ok(FixtureLine::Response(Response { id, outcome }))
    }
}

fn parse_event<'a>(
    mut words: impl Iterator<Item = &'a str>,
    line: &str,
) -> Result<Event, MessageError> {
    let rest = line.get(4..).unwrap_or_default().to_owned();
    let station = |fields: &Fields| -> Result<Station, MessageError> {
        fields
            .get("station")
            .and_then(parse_decimal::<u8>)
            .ok_or_else(|| MessageError::BadField {
                field: "station".into(),
                line: line.into(),
            })
    };
    Ok(match words.next() {
        Some("BOOT") => Event::Boot(Fields::parse(words, line)?),
        Some("CARD") => match words.next() {
            Some("PRESENT") => Event::CardPresent(station(&Fields::parse(words, line)?)?),
            Some("ABSENT") => Event::CardAbsent(station(&Fields::parse(words, line)?)?),
            _ => Event::Other(rest),
        },
        Some("LID") => match words.next() {
            Some("OPEN") => Event::LidOpen,
            Some("CLOSED") => Event::LidClosed,
            _ => Event::Other(rest),
        },
        Some("FAULT") => {
            let code = words
                .next()
                .and_then(parse_decimal::<u16>)
                .ok_or_else(|| MessageError::BadStatus(line.into()))?;
            let name = words.next().unwrap_or("unknown").to_owned();
            Event::Fault(FixtureFailure {
                code: ErrorCode::from_number(code),
                name,
                detail: words.collect::<Vec<_>>().join(" "),
            })
        }
        Some(_) => Event::Other(rest),
        None => return Err(MessageError::Unrecognised(line.into())),
    })
}
