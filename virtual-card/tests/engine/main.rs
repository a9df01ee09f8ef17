//! The card engine against the committed fixture cards: every status word, PIN counters,
//! signatures, certificates, the 入力補助AP and 券面AP, the face-only and infant cards. One
//! module per part of the card; the fixture cards and commands are in ../common, the few
//! helpers only these modules use are below.

#[path = "../common/mod.rs"]
mod common;

mod apdus;
mod certificates;
mod pins;
mod signatures;
mod text_and_face;

use card_protocol::{fid, StatusWord};
use sha2::{Digest, Sha256};
use virtual_card::Card;

use common::*;

/// SELECT the JPKI application and its user-auth PIN EF, then VERIFY `pin`.
fn verify_auth_pin(card: &mut Card, pin: &[u8]) -> StatusWord {
    select_jpki(card);
    assert_eq!(
        sw(card, &cmd::select_ef(fid::JPKI_AUTH_PIN)),
        StatusWord::OK
    );
    sw(card, &cmd::verify(pin))
}

/// SELECT `df` and `ef`, then read the whole BER-TLV file.
fn read_ef(card: &mut Card, df: &[u8], ef: u16) -> Vec<u8> {
    assert_eq!(sw(card, &cmd::select_df(df)), StatusWord::OK);
    assert_eq!(sw(card, &cmd::select_ef(ef)), StatusWord::OK);
    read_tlv_file(card)
}

/// The SHA-256 hash of `message` and its DigestInfo (what COMPUTE DIGITAL SIGNATURE signs).
fn sha256_digest_info(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let hash = Sha256::digest(message).to_vec();
    let mut di = SHA256_PREFIX.to_vec();
    di.extend_from_slice(&hash);
    (hash, di)
}
