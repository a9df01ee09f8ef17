//! The report picture of a staff photo check: the card photo beside the person at the counter,
//! the compared face areas outlined on the person, the score against the threshold and the
//! verdict.

use image::{Rgb, RgbImage};

use crate::comparison::{draw_text, fill};

use super::report::{AreaOutcome, StaffCheckReport, StaffVerdict};

/// Colour of an area's outline: green compared, amber set aside, grey covered.
fn outline_colour(outcome: &AreaOutcome) -> Rgb<u8> {
    match outcome {
        AreaOutcome::Used(_) => Rgb([70, 220, 110]),
        AreaOutcome::SetAside(_) => Rgb([240, 180, 40]),
        AreaOutcome::Covered => Rgb([150, 150, 150]),
    }
}

/// Draws the outline of the quadrilateral through `corners` (pixel coordinates).
fn outline(img: &mut RgbImage, corners: [(f32, f32); 4], colour: Rgb<u8>) {
    for k in 0..4 {
        let (a, b) = (corners[k], corners[(k + 1) % 4]);
        let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil() as usize).max(1);
        for s in 0..=steps {
            let t = s as f32 / steps as f32;
            let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            if x >= 0.0 && y >= 0.0 && (x as u32) < img.width() && (y as u32) < img.height() {
                img.put_pixel(x as u32, y as u32, colour);
            }
        }
    }
}

/// The card photo (left) beside the counter view (right, with the areas outlined), and below
/// them the score bar with the threshold mark, the numbers, the verdict and the areas used.
pub fn staff_check_image(
    card_photo: Option<&RgbImage>,
    counter: &RgbImage,
    report: &StaffCheckReport,
) -> RgbImage {
    let margin = 8u32;
    let (cw, ch) = card_photo.map_or((150, 200), |c| c.dimensions());
    let (fw, fh) = counter.dimensions();
    let panel_h = 84u32;
    let width = (margin * 3 + cw + fw).max(560);
    let height = margin * 2 + ch.max(fh) + panel_h;
    let mut img = RgbImage::from_pixel(width, height, Rgb([32, 34, 38]));
    match card_photo {
        Some(card) => {
            image::imageops::replace(&mut img, card, i64::from(margin), i64::from(margin))
        }
        None => {
            fill(&mut img, margin, margin, cw, ch, Rgb([0, 0, 0]));
            draw_text(
                &mut img,
                margin + 10,
                margin + ch / 2 - 7,
                "NO PHOTO",
                2,
                Rgb([200, 60, 60]),
            );
        }
    }
    let mut view = counter.clone();
    if let Some(frame) = report.counter_frame {
        for (area, outcome) in &report.areas {
            let (a0, a1, b0, b1) = area.bounds();
            let corners = [
                frame.pixel_coords(a0, b0),
                frame.pixel_coords(a1, b0),
                frame.pixel_coords(a1, b1),
                frame.pixel_coords(a0, b1),
            ];
            outline(&mut view, corners, outline_colour(outcome));
        }
    }
    let fx = margin * 2 + cw;
    image::imageops::replace(&mut img, &view, i64::from(fx), i64::from(margin));
    let top = margin * 2 + ch.max(fh);
    let bar_w = width - 2 * margin;
    let bar_h = 14u32;
    fill(&mut img, margin, top, bar_w, bar_h, Rgb([70, 72, 78]));
    let bar_colour = match report.verdict {
        StaffVerdict::SamePerson => Rgb([60, 190, 90]),
        StaffVerdict::DifferentPerson => Rgb([210, 70, 60]),
        StaffVerdict::CannotJudge(_) => Rgb([150, 150, 150]),
    };
    let filled = (report.score.clamp(0.0, 1.0) * bar_w as f32).round() as u32;
    fill(&mut img, margin, top, filled, bar_h, bar_colour);
    let tx = margin + (report.threshold.clamp(0.0, 1.0) * bar_w as f32).round() as u32;
    fill(
        &mut img,
        tx.saturating_sub(1),
        top.saturating_sub(3),
        3,
        bar_h + 6,
        Rgb([250, 250, 250]),
    );
    let text = format!(
        "STAFF CHECK {:.3} / {:.3}  {}",
        report.score,
        report.threshold,
        report.verdict.label()
    );
    draw_text(
        &mut img,
        margin,
        top + bar_h + 8,
        &text,
        2,
        Rgb([235, 235, 235]),
    );
    let used: Vec<&str> = report.used_areas().iter().map(|a| a.label()).collect();
    let areas = if used.is_empty() {
        "AREAS: NONE".to_string()
    } else {
        format!("AREAS: {}", used.join(" "))
    };
    draw_text(
        &mut img,
        margin,
        top + bar_h + 34,
        &areas,
        1,
        Rgb([200, 200, 200]),
    );
    img
}

/// [`staff_check_image`] encoded as PNG.
pub fn staff_check_png(
    card_photo: Option<&RgbImage>,
    counter: &RgbImage,
    report: &StaffCheckReport,
) -> Result<Vec<u8>, image::ImageError> {
    crate::camera::png_bytes(&staff_check_image(card_photo, counter, report))
}
