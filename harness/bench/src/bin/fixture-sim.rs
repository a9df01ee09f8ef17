//! `fixture-sim`: a bench fixture that speaks docs/bench-fixture-protocol.md on a
//! pseudo-terminal (or a given serial device) and does for real what it is told: PLACE starts a
//! `virtual-card serve` process linked to the station's vpcd reader, REMOVE stops it, CAMERA OFF
//! shows in SENSORS. `--dry` only records what it would run. `--fault` injects faults for tests;
//! `--caps`, `--scene`, `--frames` and `--motion-ms` make it another kind of fixture.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use clap::Parser;
use harness_bench::answers::FixtureCaps;
use harness_bench::client::FixturePort;
use harness_bench::config::BenchConfig;
use harness_bench::protocol::{Display, Slot, Station};
use harness_bench::sim::{CardMover, FaultPlan, SimFixture, DEFAULT_FRAMES};
use harness_bench::sim_cards::{CardProcesses, DryMover, ProcessMover};
use harness_bench::sim_serve::{serve, ServeEnd};

#[derive(Parser)]
#[command(
    version,
    about = "Simulated bench fixture on a pseudo-terminal (docs/bench-fixture-protocol.md)"
)]
struct Args {
    /// Create a pseudo-terminal pair and print the path the harness opens (default when no
    /// --port is given).
    #[arg(long, conflicts_with = "port")]
    pty: bool,
    /// Serve on this existing serial device instead.
    #[arg(long)]
    port: Option<String>,
    /// Also write the pseudo-terminal's path to this file (for scripts).
    #[arg(long)]
    path_file: Option<PathBuf>,
    /// Take the cards (slot → profile) and stations from this bench file.
    #[arg(long)]
    bench: Option<PathBuf>,
    /// A card: SLOT=PROFILE (repeatable; overrides the bench file).
    #[arg(long = "card", value_parser = parse_card)]
    cards: Vec<(Slot, PathBuf)>,
    /// A station: N or N=HOST:PORT, the vpcd endpoint of its reader (repeatable).
    #[arg(long = "station", value_parser = parse_station)]
    stations: Vec<(Station, Option<String>)>,
    /// Where card state files and card logs go (default: a new folder under the temp dir).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// The virtual-card binary [env: HARNESS_VIRTUAL_CARD_BIN].
    #[arg(long)]
    virtual_card_bin: Option<PathBuf>,
    /// Command prefix for card processes, split on spaces [env: HARNESS_PCSC_NETNS_EXEC].
    #[arg(long, allow_hyphen_values = true)]
    exec_prefix: Option<String>,
    /// Start no process: print what would run.
    #[arg(long)]
    dry: bool,
    /// Inject a fault: garbage, silent, vanish, or KIND-after=N (N requests answered first).
    #[arg(long)]
    fault: Option<FaultPlan>,
    /// Serial log: every line received and sent.
    #[arg(long)]
    log: Option<PathBuf>,
    /// Capabilities, comma-separated from place,camera,display,card-sensor,lid, or `none`
    /// [default: all].
    #[arg(long, value_parser = parse_caps)]
    caps: Option<FixtureCaps>,
    /// A stored scene name (repeatable) [default: bandage, eyepatch, printed-photo]; `SHOW
    /// SCENE` of any other is `ERR 14 no-such-scene`.
    #[arg(long = "scene", value_parser = parse_scene)]
    scenes: Vec<String>,
    /// Stored frames: 0 to N−1; `SHOW FRAME` of a higher one is `ERR 14 no-such-scene`.
    #[arg(long, default_value_t = DEFAULT_FRAMES)]
    frames: u32,
    /// How long PLACE, REMOVE and RESET take, in milliseconds; a request received meanwhile is
    /// answered `ERR 4 busy`.
    #[arg(long, default_value_t = 0)]
    motion_ms: u64,
}

fn parse_caps(s: &str) -> Result<FixtureCaps, String> {
    if s == "none" {
        return Ok(FixtureCaps::default());
    }
    for word in s.split(',') {
        if FixtureCaps::parse(word) == FixtureCaps::default() {
            return Err(format!(
                "unknown capability {word:?} (place, camera, display, card-sensor, lid, none)"
            ));
        }
    }
    Ok(FixtureCaps::parse(s))
}

fn parse_scene(s: &str) -> Result<String, String> {
    if Display::valid_scene_name(s) {
        Ok(s.to_owned())
    } else {
        Err("scene names are 1–32 of a-z 0-9 - _ .".into())
    }
}

fn parse_card(s: &str) -> Result<(Slot, PathBuf), String> {
    let (slot, profile) = s.split_once('=').ok_or("expected SLOT=PROFILE")?;
    let slot = slot.parse::<Slot>().map_err(|e| format!("slot: {e}"))?;
    Ok((slot, PathBuf::from(profile)))
}

fn parse_station(s: &str) -> Result<(Station, Option<String>), String> {
    let (n, endpoint) = match s.split_once('=') {
        Some((n, endpoint)) => (n, Some(endpoint.to_owned())),
        None => (s, None),
    };
    let n = n.parse::<Station>().map_err(|e| format!("station: {e}"))?;
    if n == 0 {
        return Err("stations count from 1".into());
    }
    Ok((n, endpoint))
}

fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    if args.virtual_card_bin.is_none() {
        args.virtual_card_bin = std::env::var_os("HARNESS_VIRTUAL_CARD_BIN").map(PathBuf::from);
    }
    if args.exec_prefix.is_none() {
        args.exec_prefix = std::env::var("HARNESS_PCSC_NETNS_EXEC").ok();
    }
    let mut profiles: BTreeMap<Slot, PathBuf> = BTreeMap::new();
    let mut station_count: Station = 1;
    if let Some(path) = &args.bench {
        let bench = BenchConfig::load(path)?;
        for card in &bench.cards {
            if let Some(profile) = &card.profile {
                profiles.insert(card.slot, profile.clone());
            } else if !args.dry {
                bail!(
                    "{}: slot {} has no profile; the simulated fixture needs one",
                    path.display(),
                    card.slot
                );
            }
        }
        station_count = bench.readers.iter().map(|r| r.station).max().unwrap_or(1);
    }
    profiles.extend(args.cards.iter().cloned());
    let endpoints: BTreeMap<Station, String> = args
        .stations
        .iter()
        .filter_map(|(n, e)| e.clone().map(|e| (*n, e)))
        .collect();
    station_count = args
        .stations
        .iter()
        .map(|(n, _)| *n)
        .chain([station_count])
        .max()
        .unwrap_or(1);
    let slots: Vec<Slot> = profiles.keys().copied().collect();
    if slots.is_empty() {
        bail!("no cards: give --bench FILE or --card SLOT=PROFILE");
    }
    let state_dir = args.state_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("fixture-sim-{}", std::process::id()))
    });
    let processes = CardProcesses {
        bin: args
            .virtual_card_bin
            .clone()
            .unwrap_or_else(|| PathBuf::from("virtual-card")),
        exec_prefix: args
            .exec_prefix
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        state_dir,
        profiles,
        endpoints,
    };
    let mut mover: Box<dyn CardMover> = if args.dry {
        Box::new(DryMover::new(processes, Box::new(std::io::stdout())))
    } else {
        if args.virtual_card_bin.is_none() {
            bail!("--virtual-card-bin or HARNESS_VIRTUAL_CARD_BIN is needed (or --dry)");
        }
        for station in 1..=station_count {
            if !processes.endpoints.contains_key(&station) {
                bail!("station {station} has no vpcd endpoint: --station {station}=HOST:PORT (or --dry)");
            }
        }
        Box::new(ProcessMover::new(processes).context("card state folder")?)
    };

    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop)).context("signal handler")?;
    }

    let mut log: Box<dyn Write> = match &args.log {
        Some(path) => {
            Box::new(std::fs::File::create(path).with_context(|| format!("{}", path.display()))?)
        }
        None => Box::new(std::io::sink()),
    };
    let mut sim = SimFixture::new(slots, station_count, args.fault)
        .with_caps(args.caps.unwrap_or(FixtureCaps::ALL))
        .with_frames(args.frames)
        .with_motion_time(std::time::Duration::from_millis(args.motion_ms));
    if !args.scenes.is_empty() {
        sim = sim.with_scenes(args.scenes.iter().cloned());
    }

    // Keep the pseudo-terminal's slave side open for the whole run, so the master never sees a
    // hang-up while the harness has not opened it yet (or between two harness runs).
    let (mut port, _slave): (Box<dyn FixturePort>, Option<serialport::TTYPort>) = match &args.port {
        Some(path) => (
            harness_bench::client::open_serial(&harness_bench::config::SerialSettings::new(
                path.clone(),
            ))?,
            None,
        ),
        None => {
            let (master, slave) =
                serialport::TTYPort::pair().context("creating a pseudo-terminal pair")?;
            let name =
                serialport::SerialPort::name(&slave).context("the pseudo-terminal has no path")?;
            println!("{name}");
            std::io::stdout().flush()?;
            if let Some(file) = &args.path_file {
                std::fs::write(file, format!("{name}\n"))
                    .with_context(|| format!("{}", file.display()))?;
            }
            (Box::new(Box::new(master)), Some(slave))
        }
    };
    let _ = args.pty;
    eprintln!(
        "fixture-sim: {} slot(s), {station_count} station(s){}{}",
        sim.identity().slots,
        if args.dry { ", dry" } else { "" },
        args.fault
            .map(|f| format!(", fault {f:?}"))
            .unwrap_or_default()
    );
    let end = serve(port.as_mut(), &mut sim, mover.as_mut(), &stop, log.as_mut());
    drop(mover); // stops the card processes
    match end {
        Ok(ServeEnd::Stopped) => Ok(()),
        Ok(ServeEnd::Vanished) => {
            eprintln!("fixture-sim: vanished (fault injection)");
            std::process::exit(3)
        }
        Err(error) => Err(error).context("serving the fixture protocol"),
    }
}
