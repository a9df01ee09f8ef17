//! APDU round trip through pcscd + vpcd, for our virtual card and for vsmartcard's Python `vicc`
//! in the same run, plus the in-process rate of our card. Prints numbers; asserts nothing.
//!
//! Run by `ci/bench-apdu.sh`, which starts pcscd, our card and vicc, and sets:
//!   HARNESS_BENCH_OURS    reader with our card            (e.g. "Virtual PCD 0 00 00")
//!   HARNESS_BENCH_VICC    reader with vicc -t iso7816     (optional)
//!   HARNESS_BENCH_PROFILE card profile for the in-process rate
//!   HARNESS_BENCH_ROUNDS  round trips per reader (default 2000; vicc gets at most 200)

use std::time::{Duration, Instant};

use card_protocol::{Application, Select};
use harness_transport::{CardChannel, InProcessCard, PcscChannel};

/// SELECT the JPKI AP by AID (both cards answer it: ours 9000, vicc an error status word).
fn select_jpki() -> Vec<u8> {
    Select::application(Application::Jpki).encode()
}

struct Stats {
    median: Duration,
    p99: Duration,
    mean: Duration,
    rounds: usize,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let rounds = samples.len();
    let at = |q: f64| samples[((rounds as f64 - 1.0) * q).round() as usize];
    let total: Duration = samples.iter().sum();
    Stats {
        median: at(0.5),
        p99: at(0.99),
        mean: total / rounds as u32,
        rounds,
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn round_trips(reader: &str, rounds: usize) -> Result<Stats, String> {
    let select = select_jpki();
    let mut channel = PcscChannel::connect(reader).map_err(|e| format!("{reader}: {e}"))?;
    // Warm up (first power-up, caches).
    for _ in 0..20 {
        channel.transmit(&select).map_err(|e| e.to_string())?;
    }
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = Instant::now();
        let response = channel.transmit(&select).map_err(|e| e.to_string())?;
        samples.push(started.elapsed());
        if response.len() < 2 {
            return Err(format!("short response {response:02X?}"));
        }
    }
    Ok(stats(samples))
}

fn print_stats(label: &str, s: &Stats) {
    println!(
        "{label:<34} median {:>8.3} ms   p99 {:>8.3} ms   mean {:>8.3} ms   ({} round trips)",
        ms(s.median),
        ms(s.p99),
        ms(s.mean),
        s.rounds
    );
}

fn main() {
    let rounds: usize = std::env::var("HARNESS_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let (Ok(ours), Ok(profile)) = (
        std::env::var("HARNESS_BENCH_OURS"),
        std::env::var("HARNESS_BENCH_PROFILE"),
    ) else {
        println!("apdu_roundtrip: HARNESS_BENCH_OURS / HARNESS_BENCH_PROFILE not set; run ci/bench-apdu.sh");
        return;
    };
    println!("APDU round trip (SELECT JPKI AP, 15 bytes in, 2 out) through pcscd + vpcd:");
    let ours_stats = match round_trips(&ours, rounds) {
        Ok(s) => s,
        Err(error) => {
            eprintln!("our card: {error}");
            std::process::exit(1);
        }
    };
    print_stats(&format!("virtual-card  [{ours}]"), &ours_stats);
    if let Ok(vicc) = std::env::var("HARNESS_BENCH_VICC") {
        match round_trips(&vicc, rounds.min(200)) {
            Ok(vicc_stats) => {
                print_stats(&format!("vicc -t iso7816 [{vicc}]"), &vicc_stats);
                println!(
                    "speed-up (median): {:.0}x",
                    vicc_stats.median.as_secs_f64() / ours_stats.median.as_secs_f64()
                );
            }
            Err(error) => {
                eprintln!("vicc: {error}");
                std::process::exit(1);
            }
        }
    }
    let mut card = match InProcessCard::open(std::path::Path::new(&profile), None) {
        Ok(card) => card,
        Err(error) => {
            eprintln!("in-process card: {error}");
            std::process::exit(1);
        }
    };
    let select = select_jpki();
    let in_process_rounds = 200_000;
    let started = Instant::now();
    for _ in 0..in_process_rounds {
        if card.transmit(&select).map(|r| r.len()).unwrap_or(0) < 2 {
            eprintln!("in-process card: bad response");
            std::process::exit(1);
        }
    }
    let elapsed = started.elapsed();
    println!(
        "in-process virtual-card: {:.0} APDUs/s ({:.2} µs each, {in_process_rounds} APDUs)",
        in_process_rounds as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / in_process_rounds as f64
    );
}
