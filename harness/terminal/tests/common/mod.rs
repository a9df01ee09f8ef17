//! Helpers shared by the terminal's test binaries: the two readers of the demo configuration and
//! the test day.

#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};

pub const R0: &str = "Identiv CLOUD 3701 F Contactless Reader 0";
pub const R1: &str = "Identiv CLOUD 3701 F Contactless Reader 1";

/// 2026-11-25 at `hour:minute`.
pub fn at(hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(hour, minute, 0)
        .unwrap()
}
