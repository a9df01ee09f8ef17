//! Prints what the matcher finds for every scene of one person:
//! `cargo run -p harness-face --example probe -- <person-seed> <camera-seed>`.

use harness_face::camera::{Camera, CameraSetup, DeviceFault, Scene, Subject, DEFAULT_BURST};
use harness_face::matching::{FrameFinding, LbpMatcher};
use harness_face::photo::render_card_photo;
use harness_face::synth::{FaceIdentity, Sex};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let person: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1001);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let subject = Subject {
        identity: FaceIdentity::from_seed(person, Sex::Female),
        age_years: 40.0,
    };
    let card = render_card_photo(&subject.identity, 40.0);
    let matcher = LbpMatcher::default();
    let mut setups: Vec<(String, Option<DeviceFault>, Scene)> =
        Scene::ALL.iter().map(|s| (s.name(), None, *s)).collect();
    for f in DeviceFault::ALL {
        setups.push((f.name().into(), Some(f), Scene::CardHolder));
    }
    for (name, fault, scene) in setups {
        let Ok(cam) = Camera::open(CameraSetup {
            subject: subject.clone(),
            scene,
            seed,
            fault,
        }) else {
            println!("{name:>16}: camera error");
            continue;
        };
        let frames = cam.burst(DEFAULT_BURST);
        let a = matcher.analyse(&card, &frames);
        let kinds: Vec<String> = a
            .findings
            .iter()
            .map(|f| match f {
                FrameFinding::Face(o) => format!("Face(hf={:.1})", o.high_freq),
                other => format!("{other:?}"),
            })
            .collect();
        let sims: Vec<String> = a
            .similarities
            .iter()
            .map(|s| {
                format!(
                    "{:.3}/{:.3}/{:.3}={:.3}",
                    s.lbp, s.appearance, s.tone, s.score
                )
            })
            .collect();
        println!(
            "{name:>16}: {:?} score {:.3} motion {:?}\n{:>18}{}\n{:>18}{}",
            a.report.decision,
            a.report.score,
            a.motion,
            "",
            kinds.join(" "),
            "",
            sims.join(" ")
        );
    }
}
