//! Writes a contact sheet of every scene for one person: `cargo run -p harness-face --example scenes -- <person-seed> <camera-seed> <out.png>`.

use harness_face::camera::{Camera, CameraSetup, Scene, Subject, FRAME_HEIGHT, FRAME_WIDTH};
use harness_face::synth::{FaceIdentity, Sex};
use image::RgbImage;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let person: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1001);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let out = args.get(3).cloned().unwrap_or_else(|| "scenes.png".into());
    let subject = Subject {
        identity: FaceIdentity::from_seed(person, Sex::Female),
        age_years: 40.0,
    };
    let cols = 4u32;
    let rows = (Scene::ALL.len() as u32).div_ceil(cols);
    let mut sheet = RgbImage::new(FRAME_WIDTH * cols, FRAME_HEIGHT * rows);
    for (i, scene) in Scene::ALL.iter().enumerate() {
        let cam = Camera::open(CameraSetup {
            subject: subject.clone(),
            scene: *scene,
            seed,
            fault: None,
        })?;
        if let Some(frame) = cam.frame(0) {
            let (x, y) = (
                (i as u32 % cols) * FRAME_WIDTH,
                (i as u32 / cols) * FRAME_HEIGHT,
            );
            image::imageops::replace(&mut sheet, &frame, i64::from(x), i64::from(y));
        }
    }
    sheet.save(&out)?;
    Ok(())
}
