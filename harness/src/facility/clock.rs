//! The facility's clock: one input for the terminal (wall time, JST) and the readers (monotonic
//! time since the facility opened). Scenarios own a [`ScenarioClock`] and move it by hand; the live
//! clinic and the bench read the machine's clock ([`WallClock`]).

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeDelta, Utc};

/// What the facility reads the time from.
#[derive(Debug, Clone)]
pub enum FacilityClock {
    /// Time that moves only when the driver says so (the Gherkin features).
    Scenario(ScenarioClock),
    /// The machine's clock in Japan Standard Time (live clinic, bench).
    Wall(WallClock),
}

impl FacilityClock {
    /// Facility local time (JST): consent times, 資格確認日, file names.
    pub fn wall(&self) -> NaiveDateTime {
        match self {
            Self::Scenario(c) => c.wall(),
            Self::Wall(c) => c.wall(),
        }
    }

    /// Time since the facility opened: the readers' clock.
    pub fn mono(&self) -> Duration {
        match self {
            Self::Scenario(c) => c.elapsed,
            Self::Wall(c) => c.opened.elapsed(),
        }
    }

    /// Moves a scenario clock forward; a wall clock cannot be moved.
    pub fn advance(&mut self, by: Duration) -> Result<(), ClockError> {
        match self {
            Self::Scenario(c) => {
                c.elapsed = c.elapsed.saturating_add(by);
                Ok(())
            }
            Self::Wall(_) => Err(ClockError::WallClock),
        }
    }

    /// A patient's action takes a moment: two seconds on a scenario clock; real time passes by
    /// itself on a wall clock.
    pub fn patient_pause(&mut self) {
        if let Self::Scenario(c) = self {
            c.elapsed = c.elapsed.saturating_add(PATIENT_ACTION);
        }
    }
}

/// How long one patient action takes on a scenario clock (touch, PIN, placing a card).
pub const PATIENT_ACTION: Duration = Duration::from_secs(2);

/// The clock cannot do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Only scenario time can be moved by hand.
    #[error("時刻を進められるのはシナリオの時計だけです（実時間で動いています）")]
    WallClock,
}

/// Scenario time: an origin and the time elapsed since, moved by the driver.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioClock {
    origin: NaiveDateTime,
    elapsed: Duration,
}

impl ScenarioClock {
    /// A clock starting at `origin` (JST).
    pub fn new(origin: NaiveDateTime) -> Self {
        Self {
            origin,
            elapsed: Duration::ZERO,
        }
    }

    fn wall(&self) -> NaiveDateTime {
        let delta = TimeDelta::from_std(self.elapsed).unwrap_or(TimeDelta::MAX);
        self.origin
            .checked_add_signed(delta)
            .unwrap_or(NaiveDateTime::MAX)
    }
}

/// The machine's clock, shown in JST (UTC+9, no daylight saving).
#[derive(Debug, Clone, Copy)]
pub struct WallClock {
    opened: Instant,
}

impl WallClock {
    /// A wall clock whose monotonic time starts now.
    pub fn start() -> Self {
        Self {
            opened: Instant::now(),
        }
    }

    fn wall(&self) -> NaiveDateTime {
        Utc::now().naive_utc() + JST_OFFSET
    }
}

/// Japan Standard Time is UTC+9 all year.
const JST_OFFSET: TimeDelta = TimeDelta::hours(9);
