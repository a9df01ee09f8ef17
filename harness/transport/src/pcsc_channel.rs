//! PC/SC readers through pcscd (the `pcsc` crate; needs libpcsclite at build and run time).

use std::ffi::CString;

use crate::{CardChannel, TransportError};

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

    /// Runs `work` inside a PC/SC transaction: no other application's APDUs come in between.
    pub fn transaction<T>(
        &mut self,
        work: impl FnOnce(&mut dyn FnMut(&[u8]) -> Result<Vec<u8>, TransportError>) -> T,
    ) -> Result<T, TransportError> {
        let reader = self.reader.clone();
        let transaction = self
            .card
            .as_mut()
            .ok_or_else(|| TransportError::Other(format!("{reader}: disconnected")))?
            .transaction()
            .map_err(|error| map_error(&reader, error))?;
        let mut buffer = vec![0u8; MAX_RESPONSE];
        let mut send = |command: &[u8]| -> Result<Vec<u8>, TransportError> {
            transaction
                .transmit(command, &mut buffer)
                .map(<[u8]>::to_vec)
                .map_err(|error| map_error(&reader, error))
        };
        let result = work(&mut send);
        drop(transaction);
        Ok(result)
    }
}

impl CardChannel for PcscChannel {
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.card()?
            .status2_owned()
            .map(|status| status.atr().to_vec())
            .map_err(|error| map_error(&self.reader, error))
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut buffer = vec![0u8; MAX_RESPONSE];
        self.card()?
            .transmit(command, &mut buffer)
            .map(<[u8]>::to_vec)
            .map_err(|error| map_error(&self.reader, error))
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
