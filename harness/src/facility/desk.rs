//! The terminal desk (受付の資格確認端末): who is logged in there, which screen is open, what the
//! terminal refused last, and what staff saw and judged at step ④. Kept by the facility engine
//! and changed only through the staff role.

use harness_face::staff_check::StaffVerdict;
use harness_terminal::{SessionInfo, TerminalError};

/// What the desk's screen shows and who is logged in there.
#[derive(Debug, Default)]
pub(super) struct Desk {
    pub(super) session: Option<SessionInfo>,
    pub(super) reader_screen_open: bool,
    pub(super) last_refusal: Option<TerminalError>,
    /// The last look from card photo to person: at which reader, and the reference verdict.
    pub(super) looked: Option<(usize, StaffVerdict)>,
    /// The last judgement (step ④): at which reader, and what.
    pub(super) judged: Option<(usize, StaffJudgement)>,
}

impl Desk {
    /// Forgets the look and judgement made at reader `index` (another person came).
    pub(super) fn forget_reader(&mut self, index: usize) {
        if self.looked.is_some_and(|(at, _)| at == index) {
            self.looked = None;
        }
        if self.judged.is_some_and(|(at, _)| at == index) {
            self.judged = None;
        }
    }
}

/// What staff decided at step ④.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffJudgement {
    /// 本人と判断: the person is the card's holder.
    SamePerson,
    /// 別人と判断: somebody else's card (the procedure sheet warns of third-party use).
    DifferentPerson,
}
