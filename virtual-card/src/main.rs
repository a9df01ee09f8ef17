//! `virtual-card`: mint the test PKI, serve a card to pcscd through vpcd.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    version,
    about = "My Number card emulator for PC/SC through vsmartcard's vpcd"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make the test CAs and every card's keys and certificates under fixtures/pki.
    Mint(virtual_card::pki::MintArgs),
    /// Connect a card to pcscd's vpcd driver (or listen for it) and answer its APDUs.
    Serve(virtual_card::link::ServeArgs),
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Mint(args) => virtual_card::pki::run(args),
        Command::Serve(args) => virtual_card::link::run(args),
    }
}
