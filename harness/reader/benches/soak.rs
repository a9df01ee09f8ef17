//! Soak: every PC/SC reader of this run (up to 16, pcscd's maximum) runs whole reader visits at
//! once for a bounded time, one thread per reader, each with its own reader, eligibility service
//! and `virtual-card serve` process behind pcscd + vpcd. Prints visits/s (total and per reader),
//! APDUs/s, errors by kind, p50/p99 visit time; checks nothing is lost (every visit started ends
//! with exactly one result, and every card's user-auth PIN is back at 3 tries at the end).
//! Exits non-zero on any error, on a lost or duplicated result, or when a visit hangs.
//!
//!   ci/soak.sh [SECONDS]          (starts pcscd and 16 cards, runs this, stops everything)
//!
//! Environment (ci/soak.sh sets it): HARNESS_PCSC=1, HARNESS_PCSC_CARDS (ci/pcscd-start.sh's
//! cards.tsv), SOAK_SECONDS (default 30), SOAK_ROUTE (`pin`, default, or `face`),
//! SOAK_VISIT_BOUND_SECS (a visit running longer counts as a hang; default 30), SOAK_CAMERA_SECS
//! (face route: seconds the patient stands in front of the camera, added to the reader's clock
//! before the frames; default 0, i.e. the reader's clock is real time).

#[path = "../tests/pcsc_visits/mod.rs"]
mod pcsc_visits;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use harness_transport::{CardChannel, PcscChannel};
use pcsc_visits::{auth_pin_tries, lanes_from_env, transport_kind, Counter, Lane, Route};

/// What one reader's thread reports at the end.
#[derive(Debug, Default)]
struct LaneReport {
    reader: String,
    person: String,
    visits_started: u64,
    visits_ended: u64,
    /// Visits that ended with exactly one result, with none, with several.
    one_result: u64,
    no_result: u64,
    several_results: u64,
    completed: u64,
    apdus: u64,
    errors: BTreeMap<String, u64>,
    visit_times: Vec<Duration>,
    final_tries: Option<Result<u8, String>>,
}

impl LaneReport {
    fn error(&mut self, kind: impl Into<String>) {
        *self.errors.entry(kind.into()).or_default() += 1;
    }
}

/// Per-lane progress the watchdog reads: ms (since the soak's start) at which the running visit
/// began, or 0 when none runs.
struct Progress {
    visit_started_ms: Vec<AtomicU64>,
}

fn run_lane(
    index: usize,
    lane: Lane,
    route: Route,
    camera_time: Duration,
    stop: Arc<AtomicBool>,
    progress: Arc<Progress>,
    epoch: Instant,
) -> LaneReport {
    let mut report = LaneReport {
        reader: lane.reader.clone(),
        person: lane
            .profile
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..LaneReport::default()
    };
    let mut counter = match Counter::new(&lane.reader, &lane.profile, route) {
        Ok(mut counter) => {
            counter.camera_time = camera_time;
            counter
        }
        Err(error) => {
            report.error(format!("setup: {error}"));
            return report;
        }
    };
    let mut channel = match PcscChannel::connect(&lane.reader) {
        Ok(channel) => channel,
        Err(error) => {
            report.error(format!("connect: {}", transport_kind(&error)));
            eprintln!("soak: {}: connect: {error}", lane.reader);
            return report;
        }
    };
    let mark = |ms: u64| {
        if let Some(slot) = progress.visit_started_ms.get(index) {
            slot.store(ms, Ordering::Relaxed);
        }
    };
    while !stop.load(Ordering::Relaxed) {
        mark(epoch.elapsed().as_millis().max(1) as u64);
        report.visits_started += 1;
        let visit = counter.visit(&mut channel, route);
        mark(0);
        report.visits_ended += 1;
        match visit.results.len() {
            0 => report.no_result += 1,
            1 => report.one_result += 1,
            _ => report.several_results += 1,
        }
        report.apdus += visit.apdus;
        report.visit_times.push(visit.elapsed);
        for error in &visit.channel_errors {
            report.error(format!(
                "channel: {}",
                error.split(':').next().unwrap_or(error)
            ));
        }
        if visit.is_clean_completion() {
            report.completed += 1;
        } else {
            let kind = visit.kind();
            if kind == "completed" {
                report.error(format!(
                    "result after the card was taken off ({} before)",
                    visit.results_before_removal
                ));
            } else {
                report.error(kind);
            }
            if report.errors.values().sum::<u64>() <= 3 {
                eprintln!(
                    "soak: {}: visit {} ended {:?}; channel errors {:?}; service errors {:?}",
                    lane.reader,
                    report.visits_started,
                    visit.results.iter().map(|r| &r.outcome).collect::<Vec<_>>(),
                    visit.channel_errors,
                    visit.service_errors
                );
            }
        }
    }
    report.final_tries = Some(
        channel
            .reset()
            .map_err(|e| e.to_string())
            .and_then(|()| auth_pin_tries(&mut channel)),
    );
    report
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = (sorted.len() * p / 100).min(sorted.len() - 1);
    sorted.get(index).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn env_number(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .map_err(|_| format!("{name}={text:?} is not a whole number")),
        Err(_) => Ok(default),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("soak: {error}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, String> {
    let Some(lanes) = lanes_from_env() else {
        return Err("HARNESS_PCSC is not 1: run ci/soak.sh (it starts pcscd and the cards)".into());
    };
    let lanes = lanes?;
    if lanes.is_empty() {
        return Err("no cards in HARNESS_PCSC_CARDS".into());
    }
    let seconds = env_number("SOAK_SECONDS", 30)?;
    let bound = Duration::from_secs(env_number("SOAK_VISIT_BOUND_SECS", 30)?);
    let camera_time = Duration::from_secs(env_number("SOAK_CAMERA_SECS", 0)?);
    let route_name = std::env::var("SOAK_ROUTE").unwrap_or_else(|_| "pin".into());
    let route =
        Route::parse(&route_name).ok_or(format!("SOAK_ROUTE={route_name:?}: pin or face"))?;

    println!(
        "soak: {} readers, {} route, {seconds} s, a visit over {} s counts as a hang{}",
        lanes.len(),
        route.name(),
        bound.as_secs(),
        if route == Route::Face {
            format!(", patient's camera time {} s", camera_time.as_secs())
        } else {
            String::new()
        }
    );
    let stop = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(Progress {
        visit_started_ms: lanes.iter().map(|_| AtomicU64::new(0)).collect(),
    });
    let epoch = Instant::now();
    let (done_tx, done_rx) = mpsc::channel();
    for (index, lane) in lanes.iter().cloned().enumerate() {
        let (stop, progress, done) = (Arc::clone(&stop), Arc::clone(&progress), done_tx.clone());
        std::thread::Builder::new()
            .name(format!("lane-{index}"))
            .spawn(move || {
                let reader = lane.reader.clone();
                let report = std::panic::catch_unwind(move || {
                    run_lane(index, lane, route, camera_time, stop, progress, epoch)
                })
                .unwrap_or_else(|_| {
                    let mut report = LaneReport {
                        reader,
                        ..LaneReport::default()
                    };
                    report.error("panic in the reader thread");
                    report
                });
                let _ = done.send((index, report));
            })
            .map_err(|error| format!("spawn: {error}"))?;
    }
    drop(done_tx);

    // Watchdog: stop at the end of the soak; give up on a visit that runs past the bound.
    let soak_end = epoch + Duration::from_secs(seconds);
    let mut reports: Vec<Option<LaneReport>> = lanes.iter().map(|_| None).collect();
    let mut hung = Vec::new();
    while reports.iter().any(Option::is_none) {
        match done_rx.recv_timeout(Duration::from_millis(100)) {
            Ok((index, report)) => {
                if let Some(slot) = reports.get_mut(index) {
                    *slot = Some(report);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if Instant::now() >= soak_end {
            stop.store(true, Ordering::Relaxed);
        }
        let now_ms = epoch.elapsed().as_millis() as u64;
        hung = progress
            .visit_started_ms
            .iter()
            .enumerate()
            .filter(|(index, started)| {
                let started = started.load(Ordering::Relaxed);
                reports.get(*index).is_some_and(Option::is_none)
                    && started != 0
                    && now_ms.saturating_sub(started) > bound.as_millis() as u64
            })
            .map(|(index, _)| index)
            .collect();
        if !hung.is_empty() {
            break;
        }
        if Instant::now() > soak_end + bound * 2 {
            // Threads that never report (e.g. a connect that does not return).
            hung = reports
                .iter()
                .enumerate()
                .filter(|(_, report)| report.is_none())
                .map(|(index, _)| index)
                .collect();
            break;
        }
    }
    let wall = epoch
        .elapsed()
        .min(Duration::from_secs(seconds))
        .max(Duration::from_millis(1));
    stop.store(true, Ordering::Relaxed);
    if !hung.is_empty() {
        for index in &hung {
            let reader = lanes
                .get(*index)
                .map(|lane| lane.reader.as_str())
                .unwrap_or("?");
            println!(
                "soak: HANG: {reader}: a visit ran past {} s",
                bound.as_secs()
            );
        }
        println!("soak: FAILED (hang)");
        // The hung threads block in PC/SC calls; leave without waiting for them.
        std::process::exit(3);
    }

    let reports: Vec<LaneReport> = reports.into_iter().flatten().collect();
    let mut ok = reports.len() == lanes.len();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut times = Vec::new();
    let (mut started, mut ended, mut completed, mut apdus) = (0, 0, 0, 0);
    let (mut one_result, mut no_result, mut several_results) = (0, 0, 0);
    println!("\nper reader:");
    for report in &reports {
        let mut sorted = report.visit_times.clone();
        sorted.sort();
        let tries = match &report.final_tries {
            Some(Ok(tries)) => format!("{tries}"),
            Some(Err(error)) => format!("query failed: {error}"),
            None => "not queried".into(),
        };
        println!(
            "  {:<20} {:<14} {:>5} visits {:>7.2}/s  p50 {:>7.1} ms  p99 {:>7.1} ms  PIN tries at end {tries}",
            report.reader,
            report.person,
            report.completed,
            report.completed as f64 / wall.as_secs_f64(),
            ms(percentile(&sorted, 50)),
            ms(percentile(&sorted, 99)),
        );
        if report.final_tries != Some(Ok(3)) {
            let kind = match &report.final_tries {
                Some(Ok(_)) => "PIN tries at end not 3".to_owned(),
                _ => "PIN query at end failed".to_owned(),
            };
            *errors.entry(kind).or_default() += 1;
        }
        for (kind, count) in &report.errors {
            *errors.entry(kind.clone()).or_default() += count;
        }
        started += report.visits_started;
        ended += report.visits_ended;
        one_result += report.one_result;
        no_result += report.no_result;
        several_results += report.several_results;
        completed += report.completed;
        apdus += report.apdus;
        times.extend(sorted);
    }
    times.sort();
    let unfinished = started - ended;
    println!("\ntotal over {:.1} s:", wall.as_secs_f64());
    println!(
        "  visits: {started} started, {one_result} ended with exactly one result, {no_result} with none, {several_results} with several, {unfinished} unfinished; {completed} completed"
    );
    println!(
        "  {:.1} visits/s ({:.2}/s per reader), {:.0} APDUs/s, {:.1} APDUs per visit",
        completed as f64 / wall.as_secs_f64(),
        completed as f64 / wall.as_secs_f64() / reports.len().max(1) as f64,
        apdus as f64 / wall.as_secs_f64(),
        apdus as f64 / ended.max(1) as f64
    );
    println!(
        "  visit time p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(&times, 50)),
        ms(percentile(&times, 99)),
        ms(times.last().copied().unwrap_or_default())
    );
    if errors.is_empty() {
        println!("  errors: none");
    } else {
        println!("  errors by kind:");
        for (kind, count) in &errors {
            println!("    {count:>6}  {kind}");
        }
        ok = false;
    }
    if unfinished != 0 || one_result != started || completed == 0 {
        ok = false;
    }
    println!("soak: {}", if ok { "OK" } else { "FAILED" });
    Ok(ok)
}
