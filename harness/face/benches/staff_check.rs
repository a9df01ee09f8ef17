//! The staff photo check (④) over a generated population, per seed cause: how often the holder
//! is judged the holder (本人と判断), and how often another person presenting the card is
//! judged somebody else (別人と判断).
//!
//! `cargo bench -p harness-face --bench staff_check` (env: STAFF_BENCH_PEOPLE, default 200;
//! STAFF_BENCH_BASE, first face seed, default 500000 — the tuning was done on base 100000;
//! STAFF_BENCH_OTHERS, other people's cards tried per frame, default 20).

use std::collections::BTreeMap;
use std::time::Instant;

use harness_face::camera::{Camera, CameraSetup, Scene, Subject};
use harness_face::photo::{
    decode_card_photo, encode_card_photo, render_card_photo, CARD_PHOTO_RATE,
};
use harness_face::raster::{hash01, splitmix};
use harness_face::staff_check::{AreaOutcome, FaceArea, StaffPhotoCheck, StaffVerdict};
use harness_face::synth::{FaceIdentity, Sex};
use image::RgbImage;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Card photo as staff see it printed (rendered, through JPEG 2000 like the chip's copy).
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
    sorted[(((sorted.len() - 1) as f64) * q).round() as usize]
}

#[derive(Default)]
struct Tally {
    verdicts: BTreeMap<String, usize>,
    scores: Vec<f32>,
    total: usize,
    same: usize,
}

impl Tally {
    fn add(&mut self, verdict: StaffVerdict, score: f32) {
        self.total += 1;
        if verdict == StaffVerdict::SamePerson {
            self.same += 1;
        }
        let key = match verdict {
            StaffVerdict::CannotJudge(r) => format!("{r:?}"),
            v => format!("{v:?}"),
        };
        *self.verdicts.entry(key).or_default() += 1;
        if !matches!(verdict, StaffVerdict::CannotJudge(_)) {
            self.scores.push(score);
        }
    }
}

struct Person {
    subject: Subject,
    card: RgbImage,
    baby_card: RgbImage,
}

fn main() {
    let n = env_u64("STAFF_BENCH_PEOPLE", 200) as usize;
    let base = env_u64("STAFF_BENCH_BASE", 500_000);
    let others = env_u64("STAFF_BENCH_OTHERS", 20) as usize;
    let check = StaffPhotoCheck::default();
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
            let photo_age = (age - 9.0 * hash01(seed, 3)).max(18.0);
            let card = card_photo(&identity, photo_age);
            let baby_card = card_photo(&identity, 1.0);
            Person {
                subject: Subject {
                    identity,
                    age_years: age,
                },
                card,
                baby_card,
            }
        })
        .collect();
    let causes: Vec<(&str, Scene)> = vec![
        ("no cause (holder as is)", Scene::CardHolder),
        ("injury", Scene::Injured),
        ("bandage", Scene::Bandage),
        ("eyepatch", Scene::Eyepatch),
        ("mask", Scene::Mask),
        ("wheelchair (below frame)", Scene::BelowFrame),
        ("infant grown up", Scene::GrownUp { age_years: 7 }),
    ];
    println!("harness-face staff photo check benchmark (StaffPhotoCheck::default)");
    println!(
        "population: {n} people (face seeds {base}..{}), card photos through JPEG 2000; counter view (Viewpoint::Counter); {others} other people's cards per frame; threshold {:.3}",
        base + n as u64,
        check.tuning.threshold
    );
    for (name, scene) in &causes {
        let mut genuine = Tally::default();
        let mut impostor = Tally::default();
        let mut area_used: BTreeMap<FaceArea, (usize, f32, usize, f32)> = BTreeMap::new();
        for (i, person) in people.iter().enumerate() {
            let grown = matches!(scene, Scene::GrownUp { .. });
            let scene = if grown {
                Scene::GrownUp {
                    age_years: 5 + (i % 8) as u8,
                }
            } else {
                *scene
            };
            let frame = Camera::at_counter(CameraSetup {
                subject: person.subject.clone(),
                scene,
                seed: splitmix(base ^ 0x57AF ^ (i as u64) << 8),
                fault: None,
            })
            .burst(3);
            let own = if grown {
                &person.baby_card
            } else {
                &person.card
            };
            let report = check.judge(Some(own), &frame);
            genuine.add(report.verdict, report.score);
            for (area, outcome) in &report.areas {
                if let AreaOutcome::Used(s) = outcome {
                    let e = area_used.entry(*area).or_default();
                    e.0 += 1;
                    e.1 += s.score;
                }
            }
            for k in 0..others.min(n.saturating_sub(1)) {
                let j = (i + 1 + (splitmix(base ^ (i * 1000 + k) as u64) as usize) % (n - 1)) % n;
                if j == i {
                    continue;
                }
                let card = if grown {
                    &people[j].baby_card
                } else {
                    &people[j].card
                };
                let report = check.judge(Some(card), &frame);
                impostor.add(report.verdict, report.score);
                for (area, outcome) in &report.areas {
                    if let AreaOutcome::Used(s) = outcome {
                        let e = area_used.entry(*area).or_default();
                        e.2 += 1;
                        e.3 += s.score;
                    }
                }
            }
        }
        let mut g = genuine.scores.clone();
        g.sort_by(f32::total_cmp);
        let mut im = impostor.scores.clone();
        im.sort_by(f32::total_cmp);
        println!("{name}:");
        println!(
            "  holder:        {:>5} frames, 本人と判断 {:>6.2} %  {:?}  score min {:.3} p5 {:.3} median {:.3}",
            genuine.total,
            genuine.same as f64 * 100.0 / genuine.total.max(1) as f64,
            genuine.verdicts,
            percentile(&g, 0.0),
            percentile(&g, 0.05),
            percentile(&g, 0.5)
        );
        println!(
            "  other person:  {:>5} tries,  本人と判断 {:>6.3} % (rejected {:.3} %)  {:?}  score median {:.3} p99 {:.3} max {:.3}",
            impostor.total,
            impostor.same as f64 * 100.0 / impostor.total.max(1) as f64,
            100.0 - impostor.same as f64 * 100.0 / impostor.total.max(1) as f64,
            impostor.verdicts,
            percentile(&im, 0.5),
            percentile(&im, 0.99),
            percentile(&im, 1.0)
        );
        if std::env::var("STAFF_BENCH_AREAS").is_ok() {
            for (area, (gn, gs, inn, is)) in &area_used {
                println!(
                    "    {area:?}: holder used {gn} mean {:.3}; other used {inn} mean {:.3}",
                    gs / (*gn).max(1) as f32,
                    is / (*inn).max(1) as f32
                );
            }
        }
    }
    println!("total bench time {:.1} s", started.elapsed().as_secs_f64());
}
