//! Typed answers of `ID` and `SENSORS` (docs/bench-fixture-protocol.md §4), read from and
//! written to `OK` fields.

use crate::protocol::{parse_decimal, Display, Fields, Slot, Station};

/// What the fixture has (the `caps` of `ID`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixtureCaps {
    /// `place`: PLACE and REMOVE.
    pub place: bool,
    /// `camera`: CAMERA.
    pub camera: bool,
    /// `display`: SHOW.
    pub display: bool,
    /// `card-sensor`.
    pub card_sensor: bool,
    /// `lid`.
    pub lid: bool,
}

impl FixtureCaps {
    /// Every capability.
    pub const ALL: FixtureCaps = FixtureCaps {
        place: true,
        camera: true,
        display: true,
        card_sensor: true,
        lid: true,
    };

    /// Parses the comma-separated list; unknown words (and `none`) are ignored (later versions).
    pub fn parse(value: &str) -> Self {
        let mut caps = Self::default();
        for word in value.split(',') {
            match word {
                "place" => caps.place = true,
                "camera" => caps.camera = true,
                "display" => caps.display = true,
                "card-sensor" => caps.card_sensor = true,
                "lid" => caps.lid = true,
                _ => {}
            }
        }
        caps
    }

    /// The comma-separated list; `none` when empty (a field value is never empty, §3).
    pub fn render(&self) -> String {
        if *self == Self::default() {
            return "none".into();
        }
        [
            (self.place, "place"),
            (self.camera, "camera"),
            (self.display, "display"),
            (self.card_sensor, "card-sensor"),
            (self.lid, "lid"),
        ]
        .iter()
        .filter(|(has, _)| *has)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(",")
    }
}

/// The answer to `ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Maker.
    pub maker: String,
    /// Model.
    pub model: String,
    /// Firmware version.
    pub firmware: String,
    /// Protocol version.
    pub protocol: u32,
    /// Number of slots.
    pub slots: u8,
    /// Number of stations.
    pub stations: u8,
    /// Capabilities.
    pub caps: FixtureCaps,
}

impl Identity {
    /// Reads the `ID` answer's fields; `None` names the first missing or malformed one.
    pub fn from_fields(fields: &Fields) -> Result<Identity, &'static str> {
        let text = |name: &'static str| fields.get(name).map(str::to_owned).ok_or(name);
        let number =
            |name: &'static str| fields.get(name).and_then(parse_decimal::<u32>).ok_or(name);
        Ok(Identity {
            maker: text("maker")?,
            model: text("model")?,
            firmware: text("fw")?,
            protocol: number("proto")?,
            slots: u8::try_from(number("slots")?).map_err(|_| "slots")?,
            stations: u8::try_from(number("stations")?).map_err(|_| "stations")?,
            caps: FixtureCaps::parse(fields.get("caps").unwrap_or_default()),
        })
    }

    /// The `ID` answer's fields (fixture side).
    pub fn to_fields(&self) -> Fields {
        Fields::default()
            .with("maker", &self.maker)
            .with("model", &self.model)
            .with("fw", &self.firmware)
            .with("proto", self.protocol.to_string())
            .with("slots", self.slots.to_string())
            .with("stations", self.stations.to_string())
            .with("caps", self.caps.render())
    }
}

/// A three-way sensor value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensed {
    /// Yes (card present, lid closed, camera on).
    Yes,
    /// No.
    No,
    /// The fixture has no such sensor.
    Unknown,
}

/// The answer to `SENSORS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorReading {
    /// The station.
    pub station: Station,
    /// A card lies on the reader (the fixture's own sensor; `card=`).
    pub card: Sensed,
    /// The slot whose card the fixture put on the reader.
    pub slot: Option<Slot>,
    /// The lid is closed (`lid=`).
    pub lid_closed: Sensed,
    /// The camera has power (`camera=`): a harness maps `No` to a missing camera device.
    pub camera_powered: Sensed,
    /// The display, when known.
    pub display: Option<Display>,
}

impl SensorReading {
    /// Reads the `SENSORS` answer's fields.
    pub fn from_fields(fields: &Fields) -> Result<SensorReading, &'static str> {
        let sensed = |name: &'static str, yes: &str, no: &str| match fields.get(name) {
            Some(v) if v == yes => Ok(Sensed::Yes),
            Some(v) if v == no => Ok(Sensed::No),
            Some("unknown") | None => Ok(Sensed::Unknown),
            Some(_) => Err(name),
        };
        Ok(SensorReading {
            station: fields
                .get("station")
                .and_then(parse_decimal)
                .ok_or("station")?,
            card: sensed("card", "present", "absent")?,
            slot: match fields.get("slot") {
                None | Some("none") => None,
                Some(n) => Some(parse_decimal(n).ok_or("slot")?),
            },
            lid_closed: sensed("lid", "closed", "open")?,
            camera_powered: sensed("camera", "on", "off")?,
            display: match fields.get("display") {
                None | Some("unknown") => None,
                Some(v) => Some(Display::parse_field(v).ok_or("display")?),
            },
        })
    }

    /// The `SENSORS` answer's fields (fixture side).
    pub fn to_fields(&self) -> Fields {
        let sensed = |s: Sensed, yes: &str, no: &str| match s {
            Sensed::Yes => yes.to_owned(),
            Sensed::No => no.to_owned(),
            Sensed::Unknown => "unknown".to_owned(),
        };
        Fields::default()
            .with("station", self.station.to_string())
            .with("card", sensed(self.card, "present", "absent"))
            .with(
                "slot",
                self.slot.map_or("none".to_owned(), |s| s.to_string()),
            )
            .with("lid", sensed(self.lid_closed, "closed", "open"))
            .with("camera", sensed(self.camera_powered, "on", "off"))
            .with(
                "display",
                self.display
                    .as_ref()
                    .map_or("unknown".to_owned(), Display::field_value),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{FixtureLine, Response};

    #[test]
    fn identity_and_sensor_answers_round_trip() {
        let identity = Identity {
            maker: "example".into(),
            model: "kao-bench-2".into(),
            firmware: "1.4.0".into(),
            protocol: 1,
            slots: 4,
            stations: 2,
            caps: FixtureCaps::parse("place,camera,display,card-sensor,lid,laser"),
        };
        assert!(identity.caps.lid && identity.caps.place);
        assert_eq!(
            FixtureCaps::default().render(),
            "none",
            "a field value is never empty"
        );
        assert_eq!(FixtureCaps::parse("none"), FixtureCaps::default());
        assert_eq!(
            FixtureCaps::parse(&FixtureCaps::ALL.render()),
            FixtureCaps::ALL
        );
        assert_eq!(Identity::from_fields(&identity.to_fields()), Ok(identity));
        assert_eq!(
            Identity::from_fields(&Fields::default().with("maker", "x")),
            Err("model")
        );

        let reading = SensorReading {
            station: 1,
            card: Sensed::Yes,
            slot: Some(2),
            lid_closed: Sensed::Unknown,
            camera_powered: Sensed::No,
            display: Some(Display::Scene("eyepatch".into())),
        };
        assert_eq!(
            SensorReading::from_fields(&reading.to_fields()),
            Ok(reading)
        );
        let parsed = FixtureLine::parse(
            "8 OK station=1 card=present slot=2 lid=closed camera=off display=frame:7",
        );
        let Ok(FixtureLine::Response(Response {
            outcome: Ok(fields),
            ..
        })) = parsed
        else {
            panic!("{parsed:?}");
        };
        let reading = SensorReading::from_fields(&fields);
        assert_eq!(
            reading.map(|r| (r.camera_powered, r.display)),
            Ok((Sensed::No, Some(Display::Frame(7))))
        );
        assert_eq!(
            SensorReading::from_fields(
                &Fields::default().with("station", "1").with("card", "maybe")
            ),
            Err("card")
        );
    }
}
