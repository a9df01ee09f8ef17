//! The card OS's volatile security state: the selected DF and EF and the PINs verified in this
//! session. Forgotten on reset (DESIGN.md §2 and the choices in card.rs); never persisted (what
//! persists is [`crate::card_state::CardState`]).

use std::collections::BTreeSet;

use card_protocol::FileId;

use crate::model::PinId;

/// Selection and security status of one card session.
#[derive(Debug, Clone, Default)]
pub(crate) struct SecurityState {
    current_df: Option<usize>,
    current_ef: Option<FileId>,
    verified: BTreeSet<PinId>,
}

impl SecurityState {
    /// The selected DF (index into the card's DFs).
    pub(crate) fn current_df(&self) -> Option<usize> {
        self.current_df
    }

    /// The selected EF.
    pub(crate) fn current_ef(&self) -> Option<FileId> {
        self.current_ef
    }

    /// Enters a DF: no EF selected; the security status is forgotten if it is another DF.
    pub(crate) fn enter_df(&mut self, index: usize) {
        if self.current_df != Some(index) {
            self.verified.clear();
        }
        self.current_df = Some(index);
        self.current_ef = None;
    }

    /// Back to the MF: no DF, no EF; the security status is forgotten if a DF was selected.
    pub(crate) fn leave_to_mf(&mut self) {
        if self.current_df.is_some() {
            self.verified.clear();
        }
        self.current_df = None;
        self.current_ef = None;
    }

    /// Selects an EF of the current DF.
    pub(crate) fn select_ef(&mut self, fid: FileId) {
        self.current_ef = Some(fid);
    }

    /// Records a successful VERIFY.
    pub(crate) fn grant(&mut self, pin: PinId) {
        self.verified.insert(pin);
    }

    /// Forgets a PIN's verification (a failed or refused VERIFY).
    pub(crate) fn revoke(&mut self, pin: PinId) {
        self.verified.remove(&pin);
    }

    /// True if the PIN was verified in this session.
    pub(crate) fn is_verified(&self, pin: PinId) -> bool {
        self.verified.contains(&pin)
    }

    /// True if any of the PINs was verified in this session.
    pub(crate) fn any_verified(&self, pins: &[PinId]) -> bool {
        pins.iter().any(|pin| self.verified.contains(pin))
    }

    /// Warm reset: nothing selected, nothing verified.
    pub(crate) fn reset(&mut self) {
        *self = SecurityState::default();
    }
}
