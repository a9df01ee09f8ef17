//! Captures a burst for a fixture person in a scene, matches it against their card photo and writes
//! the comparison PNG (best frame beside the card photo, with the score).
//!
//! `cargo run -p harness-face --bin face-lab -- yamada-taro card-holder 7`

use std::path::PathBuf;

use clap::Parser;
use harness_face::camera::{Camera, CameraSetup, DeviceFault, Scene, Subject, DEFAULT_BURST};
use harness_face::comparison::comparison_png;
use harness_face::matching::{FrameFinding, LbpMatcher};
use harness_face::people::{parse_people, Date, FIXTURE_DATE};
use harness_face::photo::decode_card_photo;

#[derive(Parser)]
#[command(about = "Match a camera burst against a fixture card photo and write the comparison PNG")]
struct Args {
    /// Person id from fixtures/people.toml (e.g. yamada-taro).
    person: String,
    /// Scene (card-holder, another-person, injured, bandage, eyepatch, mask, grown-up-<age>,
    /// below-frame, backlight, printed-photo, nobody) or a device fault (camera-missing,
    /// black-frames, frozen-frame, no-frames; the holder is in front of the camera).
    scene: String,
    /// Camera seed.
    seed: u64,
    /// Output PNG (default: face-lab-<person>-<scene>-<seed>.png).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Frames in the burst.
    #[arg(long, default_value_t = DEFAULT_BURST)]
    frames: usize,
    #[arg(long, default_value = "fixtures/people.toml")]
    people: PathBuf,
    #[arg(long, default_value = "fixtures/faces")]
    faces: PathBuf,
    /// Date for the person's current age (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let today = match &args.as_of {
        Some(text) => Date::parse(text).ok_or("--as-of must be YYYY-MM-DD")?,
        None => FIXTURE_DATE,
    };
    let people = parse_people(&std::fs::read_to_string(&args.people)?)?;
    let person = people
        .iter()
        .find(|p| p.id == args.person)
        .ok_or_else(|| format!("no person {:?} in {}", args.person, args.people.display()))?;
    let photo_path = args.faces.join(format!("{}.jp2", person.id));
    let bytes = std::fs::read(&photo_path)
        .map_err(|e| format!("{}: {e} (no photo on the card?)", photo_path.display()))?;
    let card = decode_card_photo(&bytes)?;
    let (scene, fault) = match args.scene.parse::<DeviceFault>() {
        Ok(fault) => (Scene::CardHolder, Some(fault)),
        Err(_) => (args.scene.parse::<Scene>()?, None),
    };
    let subject = Subject {
        identity: person.identity(),
        age_years: person.age_on(&today),
    };
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "face-lab-{}-{}-{}.png",
            person.id, args.scene, args.seed
        ))
    });
    let matcher = LbpMatcher::default();
    let camera = match Camera::open(CameraSetup {
        subject,
        scene,
        seed: args.seed,
        fault,
    }) {
        Ok(camera) => camera,
        Err(e) => {
            println!("camera: {e}");
            let report = harness_face::MatchReport {
                decision: harness_face::MatchDecision::NoFace,
                score: 0.0,
                threshold: matcher.threshold(),
            };
            std::fs::write(&out, comparison_png(&card, None, &report)?)?;
            println!("decision NoFace (no camera), wrote {}", out.display());
            return Ok(());
        }
    };
    let frames = camera.burst(args.frames);
    let analysis = matcher.analyse(&card, &frames);
    for (i, finding) in analysis.findings.iter().enumerate() {
        let text = match finding {
            FrameFinding::Face(obs) => format!(
                "face, eyes at ({:.1}, {:.1}) ({:.1}, {:.1})",
                obs.eyes[0].0, obs.eyes[0].1, obs.eyes[1].0, obs.eyes[1].1
            ),
            other => format!("{other:?}"),
        };
        println!("frame {i}: {text}");
    }
    if let Some(m) = analysis.motion {
        println!(
            "inter-frame motion {m:.2} (live needs >= {:.2} or a blink)",
            matcher.tuning.liveness.motion_min
        );
    }
    let shown = analysis
        .best_frame
        .or(if frames.is_empty() { None } else { Some(0) });
    let frame = shown.and_then(|i| frames.get(i));
    std::fs::write(&out, comparison_png(&card, frame, &analysis.report)?)?;
    println!(
        "decision {:?} score {:.3} threshold {:.3}, wrote {}",
        analysis.report.decision,
        analysis.report.score,
        analysis.report.threshold,
        out.display()
    );
    Ok(())
}
