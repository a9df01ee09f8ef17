//! Every path of the reader, driven through the card-channel driver against the in-process
//! virtual card engine, with a clock the tests own. One module per kind of path; the bench is in
//! ../common, the few helpers only these modules use are below.

#[path = "../common/mod.rs"]
mod common;

mod face;
mod faults;
mod guards;
mod interruptions;
mod routes;
mod visual_check;

use std::time::Duration;

use harness_reader::{CheckOutcome, FailureReason};
use rsa::{Pkcs1v15Sign, PrivateKey};
use sha2::{Digest, Sha256};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Whether `signature` is `key`'s PKCS#1 v1.5 signature over the SHA-256 of `message`.
fn verify_pkcs1_sha256(key: &PrivateKey, message: &[u8], signature: &[u8]) -> bool {
    key.to_public_key()
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            signature,
        )
        .is_ok()
}

fn failed(reason: FailureReason) -> CheckOutcome {
    CheckOutcome::Failed(reason)
}
