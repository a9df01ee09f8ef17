//! The synchronous edge: pumps the reader's card commands through a [`CardChannel`] and feeds the
//! answers back, so the same reader runs against the in-process card and a card behind pcscd.

use std::time::Duration;

use card_protocol::trace::{hex, masked_command_hex};
use card_protocol::Command;
use harness_transport::{CardChannel, TransportError};

use crate::io::{Input, Output};
use crate::reader::Reader;

/// One command and the card's answer (or the channel's error), for the APDU trace.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The command sent.
    pub command: Command,
    /// The response bytes (data + SW), or the channel error.
    pub response: Result<Vec<u8>, String>,
}

impl Exchange {
    /// `>> 00 A4 … / << 90 00`, with the data of VERIFY (PINs, 照合番号B) masked.
    pub fn to_trace_string(&self) -> String {
        let command = masked_command_hex(&self.command.encode());
        match &self.response {
            Ok(response) => format!(">> {command}\n<< {}", hex(response)),
            Err(error) => format!(">> {command}\n!! {error}"),
        }
    }
}

/// What one pump produced.
#[derive(Debug, Default)]
pub struct Pumped {
    /// The reader's outputs other than [`Output::Transmit`], in order.
    pub outputs: Vec<Output>,
    /// Every card exchange made.
    pub exchanges: Vec<Exchange>,
}

/// Feeds `input` at `now`, then answers every [`Output::Transmit`] through `channel` until the
/// reader waits for something other than the card. Channel errors become
/// [`Input::CardRemoved`] (no card / removed) or [`Input::CardTransportFailed`].
pub fn run_until_idle<C: CardChannel + ?Sized>(
    reader: &mut Reader,
    channel: &mut C,
    input: Input,
    now: Duration,
) -> Pumped {
    let mut pumped = Pumped::default();
    let mut queue: std::collections::VecDeque<Output> = reader.handle(input, now).into();
    while let Some(output) = queue.pop_front() {
        let Output::Transmit(command) = output else {
            pumped.outputs.push(output);
            continue;
        };
        let (next, response) = match channel.transmit(&command.encode()) {
            Ok(response) => (Input::CardResponse(response.clone()), Ok(response)),
            Err(error @ (TransportError::NoCard | TransportError::CardRemoved)) => {
                (Input::CardRemoved, Err(error.to_string()))
            }
            Err(error) => (
                Input::CardTransportFailed(error.to_string()),
                Err(error.to_string()),
            ),
        };
        pumped.exchanges.push(Exchange { command, response });
        queue.extend(reader.handle(next, now));
    }
    pumped
}
