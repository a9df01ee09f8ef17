//! The PIN lock guard: real cards must not be locked by a test run by accident.
//!
//! Before a wrong-PIN step on a bench card it reads the PIN's retry counter (SELECT the AP and
//! the PIN EF, then VERIFY with no data, which answers 63Cx with x tries left, 6984 when blocked;
//! DESIGN.md §2) and refuses the step if it could lock the card — unless the bench file allows
//! locking that card — or if it would break the safety limits. After a scenario that entered
//! wrong PINs it restores the counter with the right PIN from the card's environment variable and
//! reads the counter again to check it is full. Why a restore is needed, and why it works: the
//! card counts wrong PINs *consecutively*: the count survives between uses and only the right PIN
//! before the lock clears it (JPKI support FAQ on locked passwords,
//! https://support.iam-jpki.jp/password/passwordgalocksareteimasu). Pure logic over a
//! [`CardChannel`].

use std::collections::{BTreeMap, BTreeSet};

use card_protocol::{aid, fid, FileId, PinBytes, PinTarget, Select, Verify};
use harness_transport::{CardChannel, TransportError};
use virtual_card::PinId;

use crate::config::{pin_key, BenchCard, PinSourceError, SafetyLimits};
use crate::protocol::Slot;

/// Why the guard stopped.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// The wrong PINs could lock the card, and the bench file does not allow it.
    #[error("wrong-PIN step refused: slot {slot} ({person}) has {tries_left} tries left on {pin}; {wrong_entries} wrong PIN(s) would lock it (allow_pin_lock = false)")]
    WouldLock {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// The PIN (bench-file key).
        pin: &'static str,
        /// The counter the guard read.
        tries_left: u8,
        /// Wrong PINs the step enters.
        wrong_entries: u8,
    },
    /// Fewer tries left than the safety limit asks for before a wrong PIN.
    #[error("wrong-PIN step refused: slot {slot} ({person}) has {tries_left} tries left on {pin}; the bench needs at least {minimum} before a wrong PIN")]
    BelowMinimum {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// The PIN.
        pin: &'static str,
        /// The counter the guard read.
        tries_left: u8,
        /// `min_tries_left_before_wrong_pin`.
        minimum: u8,
    },
    /// The run's budget of wrong PINs for this card is spent.
    #[error("wrong-PIN step refused: slot {slot} ({person}) already took {used} wrong PIN(s) this run; {wanted} more would pass max_wrong_pins_per_card = {max} (counter seen: {tries_left})")]
    RunBudget {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// Wrong PINs so far.
        used: u32,
        /// Wrong PINs the step enters.
        wanted: u8,
        /// The limit.
        max: u32,
        /// The counter the guard read.
        tries_left: u8,
    },
    /// The PIN is already blocked: nothing to protect, nothing the bench can restore.
    #[error("slot {slot} ({person}): {pin} is blocked (6984); the bench cannot unblock it")]
    Blocked {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// The PIN.
        pin: &'static str,
    },
    /// Restoring with the PIN from the environment did not succeed: that PIN is wrong.
    #[error("slot {slot} ({person}): restoring {pin} failed, the card answered {sw1:02X}{sw2:02X} (tries left {tries_left:?}); check the PIN environment variable")]
    RestoreRejected {
        /// The slot.
        slot: Slot,
        /// The person.
        person: String,
        /// The PIN.
        pin: &'static str,
        /// SW1.
        sw1: u8,
        /// SW2.
        sw2: u8,
        /// The counter after the attempt, if the card said.
        tries_left: Option<u8>,
    },
    /// An answer the guard did not expect (no such PIN on this card, …).
    #[error("slot {slot}: {command} answered {sw1:02X}{sw2:02X}")]
    Card {
        /// The slot.
        slot: Slot,
        /// What the guard sent.
        command: &'static str,
        /// SW1.
        sw1: u8,
        /// SW2.
        sw2: u8,
    },
    /// The channel failed.
    #[error("slot {slot}: {source}")]
    Transport {
        /// The slot.
        slot: Slot,
        /// The cause.
        source: TransportError,
    },
    /// The right PIN is not available.
    #[error(transparent)]
    PinSource(#[from] PinSourceError),
}

/// A wrong-PIN step the guard let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongPinPermit {
    /// The counter before the step.
    pub tries_left: u8,
}

/// What a restore did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restored {
    /// The PIN.
    pub pin: PinId,
    /// The counter before.
    pub tries_before: u8,
    /// The counter after (the maximum).
    pub tries_after: u8,
}

/// Where a PIN lives on the card: its AP and its EF (DESIGN.md §2).
fn pin_location(pin: PinId) -> Option<(&'static [u8], FileId)> {
    match pin {
        PinId::JpkiAuth => Some((&aid::JPKI, fid::JPKI_AUTH_PIN)),
        PinId::JpkiSign => Some((&aid::JPKI, fid::JPKI_SIGN_PIN)),
        PinId::TextPin => Some((&aid::TEXT, fid::TEXT_PIN)),
        _ => None,
    }
}

/// SELECT DF by AID (the AIDs are 10 bytes; a bad one is a SELECT the card refuses).
fn select_df(aid: &[u8]) -> Vec<u8> {
    Select::df_name(aid)
        .map(|s| s.encode())
        .unwrap_or_else(|_| vec![0x00, 0xA4, 0x04, 0x0C])
}

fn status(response: &[u8]) -> (u8, u8) {
    match response {
        [.., sw1, sw2] => (*sw1, *sw2),
        _ => (0, 0),
    }
}

/// The guard for one run: remembers wrong PINs per card and which counters need restoring.
#[derive(Debug, Default)]
pub struct PinLockGuard {
    limits: SafetyLimits,
    used: BTreeMap<Slot, u32>,
    to_restore: BTreeSet<(Slot, PinId)>,
}

impl PinLockGuard {
    /// A guard with the bench file's limits.
    pub fn new(limits: SafetyLimits) -> Self {
        Self {
            limits,
            used: BTreeMap::new(),
            to_restore: BTreeSet::new(),
        }
    }

    /// Reads `pin`'s retry counter: SELECT its AP and EF, VERIFY with no data.
    pub fn tries_left(
        card: &BenchCard,
        pin: PinId,
        channel: &mut dyn CardChannel,
    ) -> Result<u8, GuardError> {
        let slot = card.slot;
        let (ap, ef) = pin_location(pin).ok_or(GuardError::Card {
            slot,
            command: "(not a PIN)",
            sw1: 0,
            sw2: 0,
        })?;
        let mut send = |apdu: Vec<u8>| -> Result<(u8, u8), GuardError> {
            channel
                .transmit(&apdu)
                .map(|r| status(&r))
                .map_err(|source| GuardError::Transport { slot, source })
        };
        for (command, apdu) in [
            ("SELECT AP", select_df(ap)),
            ("SELECT PIN EF", Select::ef(ef).encode()),
        ] {
            let (sw1, sw2) = send(apdu)?;
            if (sw1, sw2) != (0x90, 0x00) {
                return Err(GuardError::Card {
                    slot,
                    command,
                    sw1,
                    sw2,
                });
            }
        }
        let query = Verify::retry_query(PinTarget::CurrentEf)
            .map(|v| v.encode())
            .map_err(|_| GuardError::Card {
                slot,
                command: "VERIFY (no data)",
                sw1: 0x6A,
                sw2: 0x86,
            })?;
        match send(query)? {
            (0x63, x) if x & 0xF0 == 0xC0 => Ok(x & 0x0F),
            (0x69, 0x84) => Ok(0),
            (sw1, sw2) => Err(GuardError::Card {
                slot,
                command: "VERIFY (no data)",
                sw1,
                sw2,
            }),
        }
    }

    /// Before a step that enters `wrong_entries` wrong values of `pin` into `card`: reads the
    /// counter and lets the step through or refuses it with the counter seen.
    pub fn before_wrong_pins(
        &mut self,
        card: &BenchCard,
        pin: PinId,
        wrong_entries: u8,
        channel: &mut dyn CardChannel,
    ) -> Result<WrongPinPermit, GuardError> {
        let tries_left = Self::tries_left(card, pin, channel)?;
        let (slot, person, key) = (card.slot, card.person.clone(), pin_key(pin));
        if tries_left == 0 {
            return Err(GuardError::Blocked {
                slot,
                person,
                pin: key,
            });
        }
        if !card.allow_pin_lock {
            if tries_left <= wrong_entries {
                return Err(GuardError::WouldLock {
                    slot,
                    person,
                    pin: key,
                    tries_left,
                    wrong_entries,
                });
            }
            if tries_left < self.limits.min_tries_left_before_wrong_pin {
                return Err(GuardError::BelowMinimum {
                    slot,
                    person,
                    pin: key,
                    tries_left,
                    minimum: self.limits.min_tries_left_before_wrong_pin,
                });
            }
        }
        let used = self.used.get(&slot).copied().unwrap_or(0);
        if used + u32::from(wrong_entries) > self.limits.max_wrong_pins_per_card {
            return Err(GuardError::RunBudget {
                slot,
                person,
                used,
                wanted: wrong_entries,
                max: self.limits.max_wrong_pins_per_card,
                tries_left,
            });
        }
        self.used.insert(slot, used + u32::from(wrong_entries));
        self.to_restore.insert((slot, pin));
        Ok(WrongPinPermit { tries_left })
    }

    /// True if wrong PINs went into this card since its last restore.
    pub fn needs_restore(&self, slot: Slot) -> bool {
        self.to_restore.iter().any(|(s, _)| *s == slot)
    }

    /// After the scenario: for every PIN of `card` that took wrong entries, VERIFY the right PIN
    /// (from its environment variable, read with `env`) and check the counter is full again.
    pub fn restore(
        &mut self,
        card: &BenchCard,
        channel: &mut dyn CardChannel,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vec<Restored>, GuardError> {
        let pins: Vec<PinId> = self
            .to_restore
            .iter()
            .filter(|(slot, _)| *slot == card.slot)
            .map(|(_, pin)| *pin)
            .collect();
        let mut restored = Vec::new();
        for pin in pins {
            let (slot, person, key) = (card.slot, card.person.clone(), pin_key(pin));
            let right = card.pin(pin, env)?;
            let tries_before = Self::tries_left(card, pin, channel)?;
            if tries_before == 0 {
                return Err(GuardError::Blocked {
                    slot,
                    person,
                    pin: key,
                });
            }
            // The PIN EF is selected by tries_left.
            let response = channel
                .transmit(
                    &Verify::new(
                        PinTarget::CurrentEf,
                        PinBytes::new(right.expose().as_bytes()),
                    )
                    .map(|v| v.encode())
                    .map_err(|_| GuardError::Card {
                        slot,
                        command: "VERIFY",
                        sw1: 0x67,
                        sw2: 0x00,
                    })?,
                )
                .map_err(|source| GuardError::Transport { slot, source })?;
            let (sw1, sw2) = status(&response);
            if (sw1, sw2) != (0x90, 0x00) {
                return Err(GuardError::RestoreRejected {
                    slot,
                    person,
                    pin: key,
                    sw1,
                    sw2,
                    tries_left: (sw1 == 0x63 && sw2 & 0xF0 == 0xC0).then_some(sw2 & 0x0F),
                });
            }
            let tries_after = Self::tries_left(card, pin, channel)?;
            if tries_after != pin.max_tries() {
                return Err(GuardError::RestoreRejected {
                    slot,
                    person,
                    pin: key,
                    sw1: 0x63,
                    sw2: 0xC0 | tries_after,
                    tries_left: Some(tries_after),
                });
            }
            self.to_restore.remove(&(slot, pin));
            restored.push(Restored {
                pin,
                tries_before,
                tries_after,
            });
        }
        Ok(restored)
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
