//! Contact sheet of what staff see at the counter (Viewpoint::Counter) for every scene, and the
//! staff check's verdict against the holder's card photo.
//! `cargo run -p harness-face --example counter -- <face-seed> <out.png>`

use harness_face::camera::{Camera, CameraSetup, Scene, Subject, FRAME_HEIGHT, FRAME_WIDTH};
use harness_face::photo::render_card_photo;
use harness_face::staff_check::StaffPhotoCheck;
use harness_face::synth::{FaceIdentity, Sex};
use image::RgbImage;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1001);
    let out = args.get(2).cloned().unwrap_or_else(|| "counter.png".into());
    let identity = FaceIdentity::from_seed(seed, Sex::Male);
    let subject = Subject {
        identity: identity.clone(),
        age_years: 40.0,
    };
    let card = render_card_photo(&identity, 36.0);
    let check = StaffPhotoCheck::default();
    let cols = 4u32;
    let rows = (Scene::ALL.len() as u32).div_ceil(cols);
    let mut sheet = RgbImage::new(FRAME_WIDTH * cols, FRAME_HEIGHT * rows);
    for (k, scene) in Scene::ALL.iter().enumerate() {
        let frame = Camera::at_counter(CameraSetup {
            subject: subject.clone(),
            scene: *scene,
            seed: 7,
            fault: None,
        })
        .burst(3);
        let report = check.judge(Some(&card), &frame);
        println!(
            "{:<16} {} score {:.3} geometry {:?} alignment {:?} used {:?}",
            scene.name(),
            report.verdict.label_ja(),
            report.score,
            report.geometry,
            report.alignment,
            report.used_areas()
        );
        let (x, y) = (
            (k as u32 % cols) * FRAME_WIDTH,
            (k as u32 / cols) * FRAME_HEIGHT,
        );
        image::imageops::replace(&mut sheet, &frame[0], i64::from(x), i64::from(y));
    }
    sheet.save(&out)?;
    Ok(())
}
