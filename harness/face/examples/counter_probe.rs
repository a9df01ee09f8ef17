//! Probe: the matcher's finding on counter views of generated people (debugging the staff check).
//! `cargo run --release -p harness-face --example counter_probe -- <base> <people> <scene>`

use harness_face::camera::{Camera, CameraSetup, Scene, Subject};
use harness_face::matching::{analyse_frame, FrameFinding, MatcherTuning};
use harness_face::raster::{hash01, splitmix};
use harness_face::synth::{FaceIdentity, Sex};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let scene: Scene = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(Scene::CardHolder);
    for i in 0..n {
        let seed = base + i;
        let sex = if hash01(seed, 1) < 0.5 {
            Sex::Male
        } else {
            Sex::Female
        };
        let identity = FaceIdentity::from_seed(seed, sex);
        let age = 18.0 + 62.0 * hash01(seed, 2);
        let frame = Camera::at_counter(CameraSetup {
            subject: Subject {
                identity,
                age_years: age,
            },
            scene,
            seed: splitmix(base ^ 0x57AF ^ i << 8),
            fault: None,
        })
        .frame(0)
        .unwrap_or_default();
        let finding = analyse_frame(&frame, &MatcherTuning::default());
        let label = match &finding {
            FrameFinding::Face(_) => "Face".to_string(),
            other => format!("{other:?}"),
        };
        println!("{i} {label}");
        if let Some(dir) = args.get(4) {
            let _ = frame.save(format!("{dir}/{i}.png"));
        }
    }
}
