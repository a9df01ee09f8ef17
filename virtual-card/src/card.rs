//! The card OS: command bytes in, response bytes out, no I/O. Parses every command with
//! `card_protocol`, dispatches it against the file system ([`crate::filesystem`]) and the security
//! state ([`crate::security`]), and keeps the retry counters in the persistent
//! [`CardState`](crate::card_state::CardState).
//!
//! A [`Card`] is built from [`CardData`] (what a profile and the test PKI describe) and a
//! [`CardState`]. [`Card::exchange`] answers one APDU and says whether the persistent state
//! changed, so the edge can save it before the response goes out.
//!
//! Choices where the real card is not documented (see also DESIGN.md §2):
//! - A PIN that is not set (the face-only card, 顔認証マイナンバーカード) answers VERIFY (also the
//!   retry query) and CHANGE REFERENCE DATA with **6A88** (referenced data not found), distinct
//!   from 6984 (blocked).
//! - Security status is forgotten when another DF is selected, on reset, and for a PIN whose
//!   VERIFY fails.
//! - READ BINARY / VERIFY on a key EF, or READ BINARY on a PIN EF → 6982 (never readable).
//! - The card answers every command at once (never 61xx), so GET RESPONSE has nothing to return
//!   (6985).

use std::collections::BTreeMap;

use card_protocol::{
    ChangeReferenceData, Command, ComputeDigitalSignature, FileId, KeyTarget, PinTarget,
    ReadBinary, ReadTarget, ResponseApdu, Select, StatusWord, Verify,
};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PrivateKey};

use crate::card_state::{CardState, PinRecord};
use crate::filesystem::{build_applications, Access, Df, Ef, KeyId};
use crate::model::{CardData, PinId};
use crate::secret::Secret;
use crate::security::SecurityState;

/// The answer to one command, and whether the persistent state (PIN counters, changed PINs)
/// changed: if so the edge must persist [`Card::state`] before sending `response`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Response data and SW1 SW2.
    pub response: Vec<u8>,
    /// True if [`Card::state`] changed while answering.
    pub state_changed: bool,
}

/// A virtual My Number card. Pure: no I/O. Cloning gives an independent card in the same state.
#[derive(Clone)]
pub struct Card {
    dfs: Vec<Df>,
    atr: Vec<u8>,
    auth_key: PrivateKey,
    sign_key: Option<PrivateKey>,
    issued: BTreeMap<PinId, Option<Secret>>,
    state: CardState,
    state_generation: u64,
    security: SecurityState,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("state", &self.state)
            .field("state_generation", &self.state_generation)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

impl Card {
    /// Builds a card from its data with the state as issued ([`CardState::issued`]).
    pub fn new(data: &CardData) -> Card {
        Card::with_state(data, CardState::issued())
    }

    /// Builds a card from its data and a saved state (PIN counters, changed PINs).
    pub fn with_state(data: &CardData, state: CardState) -> Card {
        let issued = PinId::ALL
            .iter()
            .map(|p| (*p, data.issued_value(*p)))
            .collect();
        Card {
            dfs: build_applications(data),
            atr: data.atr.bytes().to_vec(),
            auth_key: data.auth.key.clone(),
            sign_key: data.sign.as_ref().map(|s| s.key.clone()),
            issued,
            state,
            state_generation: 0,
            security: SecurityState::default(),
        }
    }

    /// The answer to reset (the profile's `atr`, see [`crate::atr`]).
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Warm reset: forgets the selection and every verified PIN. Counters stay.
    pub fn reset(&mut self) {
        self.security.reset();
    }

    /// The persistent state (PIN counters and changed PINs).
    pub fn state(&self) -> &CardState {
        &self.state
    }

    /// Counts changes of [`Card::state`] since the card was built.
    pub fn state_generation(&self) -> u64 {
        self.state_generation
    }

    /// Tries left for a piece of reference data (as stored; a PIN never used has its maximum).
    pub fn tries_left(&self, pin: PinId) -> u8 {
        self.record(pin).tries_left
    }

    /// True if the PIN is verified in this session.
    pub fn is_verified(&self, pin: PinId) -> bool {
        self.security.is_verified(pin)
    }

    /// Answers one command APDU (response data and SW1 SW2). Use [`Card::exchange`] at an edge
    /// that persists the state.
    pub fn execute(&mut self, command: &[u8]) -> Vec<u8> {
        self.exchange(command).response
    }

    /// Answers one command APDU and says whether the persistent state changed.
    pub fn exchange(&mut self, command: &[u8]) -> Exchange {
        let before = self.state_generation;
        let result = match Command::parse(command) {
            Err(error) => Err(error.status_word()),
            Ok(Command::Select(c)) => self.select(c),
            Ok(Command::ReadBinary(c)) => self.read_binary(c),
            Ok(Command::Verify(c)) => self.verify(c),
            Ok(Command::ChangeReferenceData(c)) => self.change_reference_data(c),
            Ok(Command::ComputeDigitalSignature(c)) => self.compute_digital_signature(c),
            Ok(Command::GetResponse(_)) => Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        };
        let response = result.unwrap_or_else(ResponseApdu::status);
        Exchange {
            response: response.to_bytes(),
            state_changed: self.state_generation != before,
        }
    }

    fn df(&self) -> Option<&Df> {
        self.security.current_df().and_then(|i| self.dfs.get(i))
    }

    fn record(&self, pin: PinId) -> PinRecord {
        self.state.pins.get(&pin).cloned().unwrap_or(PinRecord {
            tries_left: pin.max_tries(),
            changed_value: None,
        })
    }

    fn set_record(&mut self, pin: PinId, record: PinRecord) {
        if self.state.pins.get(&pin) != Some(&record) {
            // A record equal to the issued default is stored too: the state file then says so.
            self.state.pins.insert(pin, record);
            self.state_generation += 1;
        }
    }

    fn current_value(&self, pin: PinId) -> Option<Secret> {
        let record = self.record(pin);
        match record.changed_value {
            Some(v) => Some(v),
            None => self.issued.get(&pin).cloned().flatten(),
        }
    }

    fn select(&mut self, select: Select) -> Result<ResponseApdu, StatusWord> {
        match select {
            Select::Df(name) => {
                let index = self
                    .dfs
                    .iter()
                    .position(|df| df.application.aid().as_slice() == name.as_bytes())
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.security.enter_df(index);
            }
            Select::MasterFile => self.security.leave_to_mf(),
            Select::Ef(fid) => {
                let df = self.df().ok_or(StatusWord::FILE_NOT_FOUND)?;
                df.file(fid).ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.security.select_ef(fid);
            }
        }
        Ok(ResponseApdu::status(StatusWord::OK))
    }

    fn short_ef(&self, sfi: u8) -> Result<(FileId, &Ef), StatusWord> {
        let df = self.df().ok_or(StatusWord::FILE_NOT_FOUND)?;
        let fid = FileId::from(sfi);
        df.file(fid)
            .map(|ef| (fid, ef))
            .ok_or(StatusWord::FILE_NOT_FOUND)
    }

    fn current(&self) -> Result<&Ef, StatusWord> {
        let fid = self
            .security
            .current_ef()
            .ok_or(StatusWord::NO_CURRENT_EF)?;
        self.df()
            .and_then(|df| df.file(fid))
            .ok_or(StatusWord::NO_CURRENT_EF)
    }

    fn read_binary(&mut self, read: ReadBinary) -> Result<ResponseApdu, StatusWord> {
        if let ReadTarget::ShortEf(sfi) = read.target() {
            let (fid, _) = self.short_ef(sfi)?;
            self.security.select_ef(fid);
        }
        let (data, access) = match self.current()? {
            Ef::Binary { data, access } => (data, *access),
            Ef::Pin(_) | Ef::Key(_) => return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
        };
        if let Access::AnyOf(pins) = access {
            if !self.security.any_verified(pins) {
                return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
            }
        }
        if read.offset() >= data.len() {
            return Err(StatusWord::OFFSET_OUTSIDE_EF);
        }
        let end = read.offset().saturating_add(read.le()).min(data.len());
        let chunk = data
            .get(read.offset()..end)
            .ok_or(StatusWord::OFFSET_OUTSIDE_EF)?;
        Ok(ResponseApdu::new(chunk.to_vec(), StatusWord::OK))
    }

    fn pin_of(&self, target: PinTarget) -> Result<PinId, StatusWord> {
        let ef = match target {
            PinTarget::CurrentEf => self.current()?,
            PinTarget::ShortEf(ef) => self
                .short_ef(ef)
                .map(|(_, ef)| ef)
                .map_err(|_| StatusWord::REFERENCED_DATA_NOT_FOUND)?,
        };
        match ef {
            Ef::Pin(pin) => Ok(*pin),
            Ef::Key(_) => Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED),
            Ef::Binary { .. } => Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
        }
    }

    fn verify(&mut self, verify: Verify) -> Result<ResponseApdu, StatusWord> {
        let pin = self.pin_of(verify.target())?;
        let expected = self
            .current_value(pin)
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        let record = self.record(pin);
        let Some(given) = verify.pin() else {
            // Retry-counter query: always 63Cx, also right after a success and when blocked.
            return Err(StatusWord::verify_failed(record.tries_left));
        };
        if record.tries_left == 0 {
            self.security.revoke(pin);
            return Err(StatusWord::REFERENCE_DATA_NOT_USABLE);
        }
        if constant_time_eq(expected.expose().as_bytes(), given.expose()) {
            self.set_record(
                pin,
                PinRecord {
                    tries_left: pin.max_tries(),
                    changed_value: record.changed_value,
                },
            );
            self.security.grant(pin);
            Ok(ResponseApdu::status(StatusWord::OK))
        } else {
            let tries_left = record.tries_left.saturating_sub(1);
            self.set_record(
                pin,
                PinRecord {
                    tries_left,
                    changed_value: record.changed_value,
                },
            );
            self.security.revoke(pin);
            Err(StatusWord::verify_failed(tries_left))
        }
    }

    fn change_reference_data(
        &mut self,
        change: ChangeReferenceData,
    ) -> Result<ResponseApdu, StatusWord> {
        let pin = self.pin_of(change.target())?;
        if self.current_value(pin).is_none() {
            return Err(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        if !pin.changeable() {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let record = self.record(pin);
        if record.tries_left == 0 {
            return Err(StatusWord::REFERENCE_DATA_NOT_USABLE);
        }
        if !self.security.is_verified(pin) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let new_pin = change.new_pin().expose();
        if !pin.format().accepts(new_pin) {
            return Err(StatusWord::WRONG_DATA);
        }
        let new_value = String::from_utf8(new_pin.to_vec()).map_err(|_| StatusWord::WRONG_DATA)?;
        self.set_record(
            pin,
            PinRecord {
                tries_left: pin.max_tries(),
                changed_value: Some(Secret::new(new_value)),
            },
        );
        Ok(ResponseApdu::status(StatusWord::OK))
    }

    fn compute_digital_signature(
        &mut self,
        cds: ComputeDigitalSignature,
    ) -> Result<ResponseApdu, StatusWord> {
        let ef = match cds.target() {
            KeyTarget::CurrentEf => self.current()?,
            KeyTarget::ShortEf(ef) => self
                .short_ef(ef)
                .map(|(_, ef)| ef)
                .map_err(|_| StatusWord::REFERENCED_DATA_NOT_FOUND)?,
        };
        let key_id = match ef {
            Ef::Key(k) => *k,
            Ef::Pin(_) | Ef::Binary { .. } => return Err(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
        };
        if !self.security.is_verified(key_id.pin()) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let key = match key_id {
            KeyId::Auth => Some(&self.auth_key),
            KeyId::Sign => self.sign_key.as_ref(),
        }
        .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        // PKCS#1 v1.5 type 1 needs 11 bytes of padding: at most 245 bytes of DigestInfo.
        if cds.digest_info().len() + 11 > key.size() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let signature = key
            .sign(Pkcs1v15Sign::new_unprefixed(), cds.digest_info())
            .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
        Ok(ResponseApdu::new(signature, StatusWord::OK))
    }
}

/// Compares a PIN without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
