//! Time arithmetic that never panics.

use chrono::{NaiveDateTime, TimeDelta};

/// `at + delta`, or the end of time when that overflows chrono's range (a clock near its end must
/// not panic the terminal; found by fuzzing, see tests/fuzz_regressions.rs).
pub(crate) fn saturating_add(at: NaiveDateTime, delta: TimeDelta) -> NaiveDateTime {
    at.checked_add_signed(delta).unwrap_or(NaiveDateTime::MAX)
}
