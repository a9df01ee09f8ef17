//! FAR / FRR of the default matcher over a generated population, the rejection rate of every seed
//! condition, and the time to match one frame.
//!
//! `cargo bench -p harness-face` (env: FACE_BENCH_PEOPLE, default 200; FACE_BENCH_BASE, the
//! population's first face seed, default 500000 — the threshold was tuned on base 100000).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use harness_face::camera::{Camera, CameraSetup, DeviceFault, Scene, Subject, DEFAULT_BURST};
use harness_face::matching::{BurstObservation, FrameFinding, LbpMatcher};
use harness_face::photo::{
    decode_card_photo, encode_card_photo, render_card_photo, CARD_PHOTO_RATE,
};
use harness_face::raster::{hash01, splitmix};
use harness_face::synth::{FaceIdentity, Sex};
use harness_face::MatchDecision;
use image::RgbImage;

const GENUINE_BURSTS: u64 = 3;

struct Person {
    subject: Subject,
    card_finding: FrameFinding,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Card photo as the reader gets it: rendered, encoded to JPEG 2000, decoded.
fn card_photo(identity: &FaceIdentity, age: f32) -> RgbImage {
    let photo = render_card_photo(identity, age);
    match encode_card_photo(&photo, CARD_PHOTO_RATE).map(|b| decode_card_photo(&b)) {
        Ok(Ok(img)) => img,
        _ => photo,
    }
}

fn percentile(sorted: &[f32], q: f64) -> f32 {
    if sorted.is_empty() {
        return f32::NAN;
    }
    let idx = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    // `cargo bench` passes --bench; ignore arguments.
    let n = env_u64("FACE_BENCH_PEOPLE", 200) as usize;
    let base = env_u64("FACE_BENCH_BASE", 500_000);
    let matcher = LbpMatcher::default();
    let started = Instant::now();

    let people: Vec<Person> = (0..n as u64)
        .map(|i| {
            let seed = base + i;
            let sex = if hash01(seed, 1) < 0.5 {
                Sex::Male
            } else {
                Sex::Female
            };
            let identity = FaceIdentity::from_seed(seed, sex);
            let age = 18.0 + 62.0 * hash01(seed, 2);
            // Adult card photos are up to 10 years old (the card's validity).
            let photo_age = (age - 9.0 * hash01(seed, 3)).max(18.0);
            let card = card_photo(&identity, photo_age);
            let card_finding = matcher.analyse_frame(&card);
            Person {
                subject: Subject {
                    identity,
                    age_years: age,
                },
                card_finding,
            }
        })
        .collect();
    let cards_without_face = people
        .iter()
        .filter(|p| !matches!(p.card_finding, FrameFinding::Face(_)))
        .count();

    // Genuine bursts (clean frames of the holder).
    let mut frame_times: Vec<Duration> = Vec::new();
    let mut burst_times: Vec<Duration> = Vec::new();
    let mut genuine_scores: Vec<f32> = Vec::new();
    let mut genuine_decisions: BTreeMap<String, usize> = BTreeMap::new();
    // Per burst: (owner, observation, live) for the impostor cross-comparison.
    let mut observed: Vec<(usize, BurstObservation)> = Vec::new();
    for (i, person) in people.iter().enumerate() {
        for g in 0..GENUINE_BURSTS {
            let cam = Camera::open(CameraSetup {
                subject: person.subject.clone(),
                scene: Scene::CardHolder,
                seed: splitmix(base ^ (i as u64) << 8 ^ g),
                fault: None,
            })
            .expect("camera opens without a fault");
            let frames = cam.burst(DEFAULT_BURST);
            // Time one frame: find, normalise, describe, compare with the (pre-analysed) card.
            for frame in &frames {
                let t = Instant::now();
                let finding = matcher.analyse_frame(frame);
                if let (FrameFinding::Face(obs), FrameFinding::Face(card)) =
                    (&finding, &person.card_finding)
                {
                    std::hint::black_box(matcher.similarity(obs, card));
                }
                frame_times.push(t.elapsed());
            }
            let t = Instant::now();
            let burst = matcher.observe(&frames);
            let analysis = matcher.judge(&person.card_finding, &burst);
            burst_times.push(t.elapsed());
            genuine_scores.push(analysis.report.score);
            *genuine_decisions
                .entry(format!("{:?}", analysis.report.decision))
                .or_default() += 1;
            observed.push((i, burst));
        }
    }

    // Impostors: every card against every other person's genuine bursts.
    let mut impostor_scores: Vec<f32> = Vec::new();
    let mut impostor_accepts = 0usize;
    let mut impostor_attempts = 0usize;
    for (i, person) in people.iter().enumerate() {
        for (owner, burst) in &observed {
            if *owner == i {
                continue;
            }
            let analysis = matcher.judge(&person.card_finding, burst);
            impostor_attempts += 1;
            impostor_scores.push(analysis.report.score);
            if analysis.report.decision == MatchDecision::Match {
                impostor_accepts += 1;
            }
        }
    }

    let genuine_total = genuine_scores.len();
    let genuine_accepts = genuine_decisions.get("Match").copied().unwrap_or(0);
    let frr = 1.0 - genuine_accepts as f64 / genuine_total.max(1) as f64;
    let far = impostor_accepts as f64 / impostor_attempts.max(1) as f64;

    // Conditions.
    let mut conditions: Vec<(String, Option<DeviceFault>, Scene)> = Scene::ALL
        .iter()
        .filter(|s| **s != Scene::CardHolder)
        .map(|s| {
            let name = match s {
                Scene::GrownUp { .. } => "grown-up (card photo at 1)".to_string(),
                _ => s.name(),
            };
            (name, None, *s)
        })
        .collect();
    for fault in DeviceFault::ALL {
        conditions.push((fault.name().to_string(), Some(fault), Scene::CardHolder));
    }
    let mut condition_rows = Vec::new();
    for (name, fault, scene) in &conditions {
        let mut decisions: BTreeMap<String, usize> = BTreeMap::new();
        let mut rejected = 0usize;
        for (i, person) in people.iter().enumerate() {
            let (scene, card_finding) = match scene {
                Scene::GrownUp { .. } => {
                    // The infant grown up: the card photo shows them at 1, the camera at 5–12.
                    let baby = card_photo(&person.subject.identity, 1.0);
                    let age = 5 + (i % 8) as u8;
                    (
                        Scene::GrownUp { age_years: age },
                        matcher.analyse_frame(&baby),
                    )
                }
                other => (*other, person.card_finding.clone()),
            };
            let cam = Camera::open(CameraSetup {
                subject: person.subject.clone(),
                scene,
                seed: splitmix(base ^ 0xC0DE ^ (i as u64) << 8),
                fault: *fault,
            });
            let decision = match cam {
                Err(_) => "CameraError".to_string(),
                Ok(cam) => {
                    let frames = cam.burst(DEFAULT_BURST);
                    let analysis = matcher.judge(&card_finding, &matcher.observe(&frames));
                    format!("{:?}", analysis.report.decision)
                }
            };
            if decision != "Match" {
                rejected += 1;
            }
            *decisions.entry(decision).or_default() += 1;
        }
        condition_rows.push((name.clone(), rejected, decisions));
    }

    let mut g = genuine_scores.clone();
    g.sort_by(f32::total_cmp);
    let mut im = impostor_scores.clone();
    im.sort_by(f32::total_cmp);
    let mut ft: Vec<f64> = frame_times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ft.sort_by(f64::total_cmp);
    let mut bt: Vec<f64> = burst_times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    bt.sort_by(f64::total_cmp);
    let pct = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];

    println!("harness-face FAR/FRR benchmark (LbpMatcher::default)");
    println!(
        "population: {n} people (face seeds {base}..{}), card photos through JPEG 2000 at rate {CARD_PHOTO_RATE}; {cards_without_face} card photos without a detectable face",
        base + n as u64
    );
    println!(
        "threshold {:.3}; bursts of {DEFAULT_BURST} frames (320x240)",
        matcher.threshold()
    );
    println!(
        "genuine clean bursts: {genuine_total}, accepted {genuine_accepts}, FRR {:.3} %  decisions {genuine_decisions:?}",
        frr * 100.0
    );
    println!(
        "impostor comparisons (card i vs clean bursts of person j != i): {impostor_attempts}, accepted {impostor_accepts}, FAR {:.4} %",
        far * 100.0
    );
    println!(
        "genuine score: min {:.3} p1 {:.3} p2 {:.3} p5 {:.3} median {:.3}",
        percentile(&g, 0.0),
        percentile(&g, 0.01),
        percentile(&g, 0.02),
        percentile(&g, 0.05),
        percentile(&g, 0.5)
    );
    println!(
        "impostor score: median {:.3} p99 {:.3} p99.9 {:.3} p99.99 {:.3} max {:.3}",
        percentile(&im, 0.5),
        percentile(&im, 0.99),
        percentile(&im, 0.999),
        percentile(&im, 0.9999),
        percentile(&im, 1.0)
    );
    println!("threshold sweep (scores only, liveness as decided):");
    for t in [0.70f32, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82, 0.84] {
        let fa = im.iter().filter(|s| **s >= t).count() as f64 / im.len().max(1) as f64;
        let fr = g.iter().filter(|s| **s < t).count() as f64 / g.len().max(1) as f64;
        println!(
            "  t={t:.2}  FAR {:.4} %  FRR {:.3} %",
            fa * 100.0,
            fr * 100.0
        );
    }
    println!("conditions ({n} bursts each; rejected = decision other than Match):");
    for (name, rejected, decisions) in &condition_rows {
        println!(
            "  {name:<28} rejected {:>6.2} %  {decisions:?}",
            *rejected as f64 * 100.0 / n.max(1) as f64
        );
    }
    println!(
        "time per frame match (find + normalise + describe + compare): median {:.2} ms, p99 {:.2} ms over {} frames",
        pct(&ft, 0.5),
        pct(&ft, 0.99),
        ft.len()
    );
    println!(
        "time per burst decision ({DEFAULT_BURST} frames, incl. liveness): median {:.2} ms, p99 {:.2} ms",
        pct(&bt, 0.5),
        pct(&bt, 0.99)
    );
    println!("total bench time {:.1} s", started.elapsed().as_secs_f64());
}
