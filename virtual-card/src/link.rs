//! The edge: links a card to pcscd's vpcd driver over TCP (`virtual-card serve`).

/// Arguments of `virtual-card serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Runs `virtual-card serve`.
pub fn run(_args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("serve is not built yet")
}
