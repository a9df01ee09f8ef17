//! PC/SC readers through pcscd (the `pcsc` crate; needs libpcsclite at build and run time).
//!
//! A shared connection (`SCARD_SHARE_SHARED`) shares the card's state with every other
//! application connected to the same card: one application's SELECT changes the current file of
//! all of them. A command sequence that relies on that state (SELECT, then READ BINARY; VERIFY,
//! then COMPUTE DIGITAL SIGNATURE) must therefore run inside a PC/SC transaction
//! ([`PcscChannel::transaction`], `SCardBeginTransaction`), which keeps other applications'
//! commands out until it ends. Seen here: `pcscd_card`'s two-card test read 6986 (no current EF)
//! right after a successful SELECT EF because another test's connection to the same card
//! selected a DF in between (pcscd's debug log shows the other client's SELECT between the two;
//! no power-off happened). Reported publicly for shared connections in general, e.g.
//! <https://github.com/selvakn/gsm-sip-bridge/pull/17> ("ShareMode::Shared allows their
//! stateful SELECT and READ commands to interleave") and
//! <https://github.com/santigimeno/node-pcsclite/issues/71> (shared connection plus
//! Begin/EndTransaction for reliable access).
//!
//! Keep transactions short (one sequence, never a wait for a person): pcsc-lite's SCardConnect
//! waits for any transaction on the reader to end, without a time limit
//! (<https://github.com/LudovicRousseau/PCSC/issues/254>), and Windows resets a card held in a
//! transaction for more than five seconds without commands (Remarks of `SCardBeginTransaction`,
//! <https://learn.microsoft.com/en-us/windows/win32/api/winscard/nf-winscard-scardbegintransaction>).

use std::ffi::CString;

use crate::channel::CardChannel;
use crate::error::TransportError;

/// Largest response buffer PC/SC allows (extended APDUs).
const MAX_RESPONSE: usize = pcsc::MAX_BUFFER_SIZE_EXTENDED;

/// One card in one PC/SC reader, connected in shared mode with T=0 or T=1.
pub struct PcscChannel {
    // Field order: the card handle is dropped (disconnected) before its context is released.
    // Always `Some` until drop or `disconnect_leaving_card`.
    card: Option<pcsc::Card>,
    _context: pcsc::Context,
    reader: String,
}

impl std::fmt::Debug for PcscChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscChannel")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

fn map_error(reader: &str, error: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match error {
        E::NoSmartcard => TransportError::NoCard,
        // A vpcd card whose process went away mid-transaction comes back as "not transacted"
        // (seen in the pcscd fault test): to the reader that is a card taken off.
        E::RemovedCard | E::NotTransacted => TransportError::CardRemoved,
        // SCARD_W_RESET_CARD: another handle reset the card since this handle's last command;
        // SCARD_W_UNPOWERED_CARD: the card has no power. Either way its state is gone.
        E::ResetCard | E::UnpoweredCard => TransportError::CardReset,
        E::UnknownReader
        | E::ReaderUnavailable
        | E::NoReadersAvailable
        | E::NoService
        | E::ServiceStopped => TransportError::ReaderUnavailable(format!("{reader}: {error}")),
        other => TransportError::Other(format!("{reader}: {other}")),
    }
}

fn context() -> Result<pcsc::Context, TransportError> {
    pcsc::Context::establish(pcsc::Scope::User).map_err(|error| map_error("pcscd", error))
}

/// Names of the readers pcscd knows, in its order.
pub fn list_readers() -> Result<Vec<String>, TransportError> {
    let context = context()?;
    match context.list_readers_owned() {
        Ok(names) => Ok(names
            .iter()
            .map(|name| name.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(error) => Err(map_error("pcscd", error)),
    }
}

impl PcscChannel {
    /// Connects to the card in the reader named `reader` (exact PC/SC name).
    pub fn connect(reader: &str) -> Result<Self, TransportError> {
        let context = context()?;
        let name = CString::new(reader).map_err(|_| {
            TransportError::ReaderUnavailable(format!("bad reader name {reader:?}"))
        })?;
        let card = context
            .connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
            .map_err(|error| map_error(reader, error))?;
        Ok(Self {
            card: Some(card),
            _context: context,
            reader: reader.to_owned(),
        })
    }

    fn card(&self) -> Result<&pcsc::Card, TransportError> {
        self.card
            .as_ref()
            .ok_or_else(|| TransportError::Other(format!("{}: disconnected", self.reader)))
    }

    /// The reader's PC/SC name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// Begins a PC/SC transaction (`SCardBeginTransaction`): until the returned channel is
    /// dropped (`SCardEndTransaction`, leaving the card as it is), no other application's
    /// command reaches the card. Waits while another application holds one. Run every command
    /// sequence that relies on the card's state (selected files, verified PINs) through it.
    pub fn transaction(&mut self) -> Result<PcscTransaction<'_>, TransportError> {
        let reader = self.reader.as_str();
        let transaction = self
            .card
            .as_mut()
            .ok_or_else(|| TransportError::Other(format!("{reader}: disconnected")))?
            .transaction()
            .map_err(|error| map_error(reader, error))?;
        Ok(PcscTransaction {
            transaction,
            reader,
        })
    }
}

/// A [`PcscChannel`] inside a PC/SC transaction: a card channel that no other application can
/// come between. Ends the transaction when dropped, leaving the card as it is.
pub struct PcscTransaction<'channel> {
    transaction: pcsc::Transaction<'channel>,
    reader: &'channel str,
}

impl std::fmt::Debug for PcscTransaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransaction")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

impl CardChannel for PcscTransaction<'_> {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        atr(&self.transaction, self.reader)
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        transmit(&self.transaction, self.reader, command)
    }

    /// Warm reset inside the transaction. pcsc-lite keeps the transaction across the reset;
    /// Windows ends it (OpenSC notes the difference:
    /// <https://github.com/OpenSC/OpenSC/issues/480>).
    fn reset(&mut self) -> Result<(), TransportError> {
        self.transaction
            .reconnect(
                pcsc::ShareMode::Shared,
                pcsc::Protocols::ANY,
                pcsc::Disposition::ResetCard,
            )
            .map_err(|error| map_error(self.reader, error))
    }
}

fn atr(card: &pcsc::Card, reader: &str) -> Result<Vec<u8>, TransportError> {
    card.status2_owned()
        .map(|status| status.atr().to_vec())
        .map_err(|error| map_error(reader, error))
}

fn transmit(card: &pcsc::Card, reader: &str, command: &[u8]) -> Result<Vec<u8>, TransportError> {
    let mut buffer = vec![0u8; MAX_RESPONSE];
    card.transmit(command, &mut buffer)
        .map(<[u8]>::to_vec)
        .map_err(|error| map_error(reader, error))
}

impl CardChannel for PcscChannel {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        atr(self.card()?, &self.reader)
    }

    /// One command on its own: another application's command may come before the next one
    /// (use [`PcscChannel::transaction`] for sequences).
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        transmit(self.card()?, &self.reader, command)
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.card
            .as_mut()
            .ok_or_else(|| TransportError::Other(format!("{}: disconnected", self.reader)))?
            .reconnect(
                pcsc::ShareMode::Shared,
                pcsc::Protocols::ANY,
                pcsc::Disposition::ResetCard,
            )
            .map_err(|error| map_error(&self.reader, error))
    }
}

/// Disconnects with `SCARD_LEAVE_CARD`: the card is not reset (use [`CardChannel::reset`] for
/// that). A reset on disconnect would fail when the card process behind vpcd has died, and
/// pcscd 1.9.9 then stops noticing the restarted card in that reader.
impl Drop for PcscChannel {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            if let Err((card, error)) = card.disconnect(pcsc::Disposition::LeaveCard) {
                tracing::debug!(reader = %self.reader, %error, "disconnect");
                // Dropping it would retry with a reset; releasing the context frees the handle.
                std::mem::forget(card);
            }
        }
    }
}
