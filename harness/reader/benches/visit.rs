//! Time of one whole visit at an in-process reader (card placed → consents → completed), for the
//! face route and the PIN route, with the virtual card engine behind the driver. Prints numbers.
//!
//!   cargo bench -p harness-reader --bench visit

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Bench, AUTH_PIN, HOLDER};
use harness_reader::Touch;
use virtual_card::CardKind;

fn face_visit(bench: &mut Bench) {
    bench.place_card();
    bench.face_route_to_camera();
    bench.show_face(HOLDER);
    bench.consent([true; 4]);
    bench.accept();
    assert!(bench.last_result().is_completed());
    bench.remove_card();
}

fn pin_visit(bench: &mut Bench) {
    bench.place_card();
    bench.touch(Touch::ChoosePin);
    bench.type_pin(AUTH_PIN);
    bench.give_challenge();
    bench.consent([true; 4]);
    bench.accept();
    assert!(bench.last_result().is_completed());
    bench.remove_card();
}

fn measure(name: &str, visits: usize, visit: fn(&mut Bench)) {
    let mut bench = Bench::new(CardKind::Standard);
    visit(&mut bench); // warm up
    let mut times: Vec<Duration> = (0..visits)
        .map(|_| {
            bench.outputs.clear();
            bench.exchanges.clear();
            let start = Instant::now();
            visit(&mut bench);
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    let total: Duration = times.iter().sum();
    println!(
        "{name}: {visits} visits, median {:.2} ms, p99 {:.2} ms, {:.0} visits/s",
        median.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        visits as f64 / total.as_secs_f64()
    );
}

fn main() {
    measure("face route (in-process)", 50, face_visit);
    measure("PIN route (in-process)", 50, pin_visit);
}
