//! Questions the harness asks a card directly, beside the reader (never part of a visit).

use anyhow::{anyhow, bail};
use card_protocol::{aid, fid, PinTarget, Select, Verify};
use harness_reader::card_dialogue::{CardDialogue, CardFinding, CardTask, Progress};
use harness_transport::CardChannel;

/// The user-auth certificate (DER) of the card on `channel`, read without a PIN by the reader's
/// own probe ([`CardTask::Probe`]: SELECT JPKI AP, SELECT EF 000A and READ BINARY in chunks, then
/// whether EF 0001 exists and the PIN's tries left by VERIFY without data — the commands every
/// visit sends when a card is laid on the reader).
pub fn auth_certificate(channel: &mut dyn CardChannel) -> anyhow::Result<Vec<u8>> {
    let mut progress = CardDialogue::start(CardTask::Probe);
    loop {
        match progress {
            Progress::Send(dialogue, command) => {
                let response = channel
                    .transmit(&command.encode())
                    .map_err(|e| anyhow!("{}: {e}", dialogue.step_label()))?;
                progress = dialogue.on_response(&response);
            }
            Progress::Done(CardFinding::Probed {
                auth_certificate, ..
            }) => return Ok(auth_certificate),
            Progress::Done(CardFinding::NotAMyNumberCard) => {
                bail!("マイナンバーカードではありません（JPKI AP がありません）")
            }
            Progress::Done(CardFinding::Failed { step, status }) => {
                bail!("{step}でカードが {status:?} と答えました")
            }
            Progress::Done(other) => bail!("カードの読取が思わぬ結果で終わりました: {other:?}"),
        }
    }
}

/// User-auth PIN tries left: SELECT JPKI AP, SELECT EF 0018, VERIFY without data → 63Cx
/// (DESIGN.md §2); a blocked PIN answers 6984.
pub fn auth_pin_tries_left(channel: &mut dyn CardChannel) -> anyhow::Result<u8> {
    let sw = |response: &[u8]| -> anyhow::Result<(u8, u8)> {
        match response {
            [.., sw1, sw2] => Ok((*sw1, *sw2)),
            _ => bail!("card answered {} bytes", response.len()),
        }
    };
    let r = channel.transmit(&Select::df_name(&aid::JPKI)?.encode())?;
    anyhow::ensure!(
        sw(&r)? == (0x90, 0x00),
        "SELECT JPKI AP answered {:02X?}",
        sw(&r)?
    );
    let r = channel.transmit(&Select::ef(fid::JPKI_AUTH_PIN).encode())?;
    anyhow::ensure!(
        sw(&r)? == (0x90, 0x00),
        "SELECT EF 0018 answered {:02X?}",
        sw(&r)?
    );
    let r = channel.transmit(&Verify::retry_query(PinTarget::CurrentEf)?.encode())?;
    match sw(&r)? {
        (0x63, x) if x & 0xF0 == 0xC0 => Ok(x & 0x0F),
        (0x69, 0x84) => Ok(0),
        other => bail!("PIN query answered {other:02X?}"),
    }
}
