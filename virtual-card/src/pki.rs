//! Test PKI: `virtual-card mint` makes the test CAs and per-card keys and certificates.

/// Arguments of `virtual-card mint`.
#[derive(Debug, clap::Args)]
pub struct MintArgs {}

/// Runs `virtual-card mint`.
pub fn run(_args: MintArgs) -> anyhow::Result<()> {
    anyhow::bail!("mint is not built yet")
}
