//! Experiment: compares scoring variants on a generated population (genuine vs impostor separation).
//! `cargo run --release -p harness-face --example tune -- <people> <base-seed>`

use harness_face::camera::{Camera, CameraSetup, Scene, Subject, DEFAULT_BURST};
use harness_face::matching::{
    FaceObservation, FrameFinding, ScoreTuning, Similarity, GEOMETRY_FEATURES,
};
use harness_face::photo::{
    decode_card_photo, encode_card_photo, render_card_photo, CARD_PHOTO_RATE,
};
use harness_face::raster::{hash01, splitmix};
use harness_face::synth::{FaceIdentity, Sex};

/// The library's similarity with the default scoring.
fn similarity(a: &FaceObservation, b: &FaceObservation) -> Similarity {
    harness_face::matching::similarity(a, b, &ScoreTuning::default())
}

fn person(seed: u64) -> (Subject, f32) {
    let sex = if hash01(seed, 1) < 0.5 {
        Sex::Male
    } else {
        Sex::Female
    };
    let identity = FaceIdentity::from_seed(seed, sex);
    let age = 18.0 + 62.0 * hash01(seed, 2);
    let photo_age = (age - 9.0 * hash01(seed, 3)).max(18.0);
    (
        Subject {
            identity,
            age_years: age,
        },
        photo_age,
    )
}

fn card_obs(subject: &Subject, photo_age: f32) -> Option<FaceObservation> {
    let photo = render_card_photo(&subject.identity, photo_age);
    let photo = encode_card_photo(&photo, CARD_PHOTO_RATE)
        .ok()
        .and_then(|b| decode_card_photo(&b).ok())
        .unwrap_or(photo);
    match harness_face::analyse_frame(&photo, &Default::default()) {
        FrameFinding::Face(o) => Some(*o),
        _ => None,
    }
}

fn burst_obs(subject: &Subject, seed: u64) -> Vec<FaceObservation> {
    let cam = Camera::open(CameraSetup {
        subject: subject.clone(),
        scene: Scene::CardHolder,
        seed,
        fault: None,
    })
    .expect("camera");
    cam.burst(DEFAULT_BURST)
        .iter()
        .filter_map(
            |f| match harness_face::analyse_frame(f, &Default::default()) {
                FrameFinding::Face(o) => Some(*o),
                _ => None,
            },
        )
        .collect()
}

fn report(name: &str, genuine: &mut [f32], impostor: &mut [f32]) {
    genuine.sort_by(f32::total_cmp);
    impostor.sort_by(f32::total_cmp);
    let p = |v: &[f32], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    // Threshold at FAR 0.1 %: FRR there.
    let t = p(impostor, 0.999);
    let frr = genuine.iter().filter(|s| **s < t).count() as f64 / genuine.len() as f64;
    let t2 = p(genuine, 0.02);
    let far = impostor.iter().filter(|s| **s >= t2).count() as f64 / impostor.len() as f64;
    println!(
        "{name:<28} gen p2 {:.3} med {:.3} | imp med {:.3} p99.9 {:.3} max {:.3} | FRR@FAR0.1% {:.2}% FAR@FRR2% {:.3}%",
        p(genuine, 0.02),
        p(genuine, 0.5),
        p(impostor, 0.5),
        t,
        p(impostor, 1.0),
        frr * 100.0,
        far * 100.0
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let base: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let mut cards = Vec::new();
    let mut bursts = Vec::new();
    for i in 0..n {
        let (subject, photo_age) = person(base + i);
        cards.push(card_obs(&subject, photo_age));
        for g in 0..2u64 {
            bursts.push((
                i as usize,
                burst_obs(&subject, splitmix(base ^ (i << 8) ^ g)),
            ));
        }
    }
    // Per-feature genuine and impostor differences.
    let k = GEOMETRY_FEATURES.len();
    let mut sigma = vec![0.05f32; k];
    for (fi, name) in GEOMETRY_FEATURES.iter().enumerate() {
        let mut g = Vec::new();
        let mut im = Vec::new();
        let mut nan = 0usize;
        let mut total = 0usize;
        for (ci, card) in cards.iter().enumerate() {
            let Some(card) = card else { continue };
            for (owner, burst) in &bursts {
                for o in burst {
                    total += 1;
                    let diff = (o.geometry[fi] - card.geometry[fi]).abs();
                    if diff.is_nan() {
                        nan += 1;
                        continue;
                    }
                    if *owner == ci {
                        g.push(diff);
                    } else {
                        im.push(diff);
                    }
                }
            }
        }
        g.sort_by(f32::total_cmp);
        im.sort_by(f32::total_cmp);
        let p = |v: &[f32], q: f64| {
            if v.is_empty() {
                f32::NAN
            } else {
                v[((v.len() - 1) as f64 * q).round() as usize]
            }
        };
        sigma[fi] = p(&g, 0.9).max(0.005);
        println!(
            "{name:<12} genuine |diff| med {:.3} p90 {:.3} p99 {:.3} | impostor med {:.3} | NaN {:.1}%",
            p(&g, 0.5),
            p(&g, 0.9),
            p(&g, 0.99),
            p(&im, 0.5),
            nan as f64 * 100.0 / total.max(1) as f64
        );
    }
    println!("sigma (genuine p90): {sigma:?}");
    for (ci, card) in cards.iter().enumerate() {
        let Some(card) = card else { continue };
        for (owner, burst) in &bursts {
            if *owner != ci {
                continue;
            }
            if burst.is_empty() {
                println!("person {ci}: no face in any frame");
            }
            let best = burst.iter().max_by(|a, b| {
                similarity(a, card)
                    .score
                    .total_cmp(&similarity(b, card).score)
            });
            if let Some(o) = best {
                let sim = similarity(o, card);
                let g = sim.geometry;
                if sim.score < 0.8 {
                    println!(
                        "  score {:.3} lbp {:.3} app {:.3} frames {}",
                        sim.score,
                        sim.lbp,
                        sim.appearance,
                        burst.len()
                    );
                    let diffs: Vec<String> = o
                        .geometry
                        .iter()
                        .zip(&card.geometry)
                        .map(|(a, b)| format!("{:+.2}", a - b))
                        .collect();
                    println!("person {ci} geo {g:.2}: {}", diffs.join(" "));
                }
            }
        }
    }
    type Scorer = Box<dyn Fn(&FaceObservation, &FaceObservation) -> f32>;
    let sig = sigma.clone();
    let geo = move |a: &FaceObservation, b: &FaceObservation| {
        let mut sum = 0.0f32;
        let mut n = 0.0f32;
        for (i, s) in sig.iter().enumerate() {
            let diff = a.geometry[i] - b.geometry[i];
            if diff.is_nan() {
                continue;
            }
            let z = diff / s;
            sum += (z * z).min(9.0);
            n += 1.0;
        }
        if n < 6.0 {
            0.0
        } else {
            (-sum / n / 2.0).exp()
        }
    };
    let variants: Vec<(&str, Scorer)> = vec![
        ("combined", Box::new(|a, b| similarity(a, b).score)),
        ("lbp", Box::new(|a, b| similarity(a, b).lbp)),
        ("appearance", Box::new(|a, b| similarity(a, b).appearance)),
        ("tone", Box::new(|a, b| similarity(a, b).tone)),
        ("geometry(lib)", Box::new(|a, b| similarity(a, b).geometry)),
        ("geometry(p90 sigma)", Box::new(geo)),
        (
            "g.7 l.2 a.1",
            Box::new(|a, b| {
                let s = similarity(a, b);
                0.7 * s.geometry + 0.2 * s.lbp + 0.1 * s.appearance
            }),
        ),
        (
            "g.45 l.35 a.2",
            Box::new(|a, b| {
                let s = similarity(a, b);
                0.45 * s.geometry + 0.35 * s.lbp + 0.2 * s.appearance
            }),
        ),
        (
            "g.6 l.4",
            Box::new(|a, b| {
                let s = similarity(a, b);
                0.6 * s.geometry + 0.4 * s.lbp
            }),
        ),
        (
            "g*l",
            Box::new(|a, b| {
                let s = similarity(a, b);
                s.geometry.sqrt() * s.lbp
            }),
        ),
    ];
    for (name, f) in &variants {
        let mut genuine = Vec::new();
        let mut impostor = Vec::new();
        for (ci, card) in cards.iter().enumerate() {
            let Some(card) = card else { continue };
            for (owner, burst) in &bursts {
                let best = burst.iter().map(|o| f(o, card)).fold(f32::MIN, f32::max);
                if *owner == ci {
                    genuine.push(best);
                } else {
                    impostor.push(best);
                }
            }
        }
        report(name, &mut genuine, &mut impostor);
    }
}
