//! Lists what the matcher finds on card photos of a generated population:
//! `cargo run -p harness-face --example cards -- <first-seed> <count> [out-dir]`.

use harness_face::matching::{analyse_frame, FrameFinding, MatcherTuning};
use harness_face::photo::{
    decode_card_photo, encode_card_photo, render_card_photo, CARD_PHOTO_RATE,
};
use harness_face::raster::hash01;
use harness_face::synth::{FaceIdentity, Sex};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let count: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let out = args.get(3);
    for seed in base..base + count {
        let sex = if hash01(seed, 1) < 0.5 {
            Sex::Male
        } else {
            Sex::Female
        };
        let id = FaceIdentity::from_seed(seed, sex);
        let age = 18.0 + 62.0 * hash01(seed, 2);
        let photo = render_card_photo(&id, age);
        let photo = encode_card_photo(&photo, CARD_PHOTO_RATE)
            .ok()
            .and_then(|b| decode_card_photo(&b).ok())
            .unwrap_or(photo);
        let finding = analyse_frame(&photo, &MatcherTuning::default());
        let text = match &finding {
            FrameFinding::Face(o) => format!("Face eyes {:?}", o.eyes),
            other => format!("{other:?}"),
        };
        println!("{seed} age {age:.0}: {text}");
        if let Some(dir) = out {
            let _ = photo.save(format!("{dir}/{seed}.png"));
        }
    }
}
