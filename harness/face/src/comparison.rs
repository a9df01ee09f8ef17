//! A comparison picture for reports: the camera frame beside the card photo, with the score as a
//! bar against the threshold and as numbers, drawn with a built-in 5×7 pixel font (no font files).

use image::{Rgb, RgbImage};

use crate::match_report::{MatchDecision, MatchReport};

const GLYPH_W: u32 = 5;

/// 5×7 glyphs: each row is 5 bits, most significant bit on the left.
fn glyph(c: char) -> [u8; 7] {
    match c {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        '/' => [0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        _ => [0; 7],
    }
}

/// Draws `text` (digits, '.', ':', '/', '-', upper-case letters) at (x, y) with pixel size `scale`.
pub fn draw_text(img: &mut RgbImage, x: u32, y: u32, text: &str, scale: u32, color: Rgb<u8>) {
    let scale = scale.max(1);
    for (i, c) in text.chars().enumerate() {
        let rows = glyph(c.to_ascii_uppercase());
        let gx = x + i as u32 * (GLYPH_W + 1) * scale;
        for (row, bits) in rows.iter().enumerate() {
            for col in 0..GLYPH_W {
                if bits & (1 << (GLYPH_W - 1 - col)) == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        let px = gx + col * scale + dx;
                        let py = y + row as u32 * scale + dy;
                        if px < img.width() && py < img.height() {
                            img.put_pixel(px, py, color);
                        }
                    }
                }
            }
        }
    }
}

pub(crate) fn fill(img: &mut RgbImage, x0: u32, y0: u32, w: u32, h: u32, color: Rgb<u8>) {
    for y in y0..(y0 + h).min(img.height()) {
        for x in x0..(x0 + w).min(img.width()) {
            img.put_pixel(x, y, color);
        }
    }
}

/// Upper-case label of a decision.
pub fn decision_label(decision: MatchDecision) -> &'static str {
    match decision {
        MatchDecision::Match => "MATCH",
        MatchDecision::NoMatch => "NO MATCH",
        MatchDecision::NoFace => "NO FACE",
        MatchDecision::Occluded => "OCCLUDED",
        MatchDecision::PoorImage => "POOR IMAGE",
        MatchDecision::NotLive => "NOT LIVE",
    }
}

/// The camera frame (left) beside the card photo (right), and below them the score bar with the
/// threshold mark, the score, the threshold and the decision.
pub fn comparison_image(
    card_photo: &RgbImage,
    frame: Option<&RgbImage>,
    report: &MatchReport,
) -> RgbImage {
    let margin = 8u32;
    let (fw, fh) = frame.map_or((320, 240), |f| f.dimensions());
    let (cw, ch) = card_photo.dimensions();
    let panel_h = 64u32;
    let width = margin * 3 + fw + cw;
    let height = margin * 2 + fh.max(ch) + panel_h;
    let mut img = RgbImage::from_pixel(width, height, Rgb([32, 34, 38]));
    match frame {
        Some(f) => image::imageops::replace(&mut img, f, i64::from(margin), i64::from(margin)),
        None => {
            fill(&mut img, margin, margin, fw, fh, Rgb([0, 0, 0]));
            draw_text(
                &mut img,
                margin + 20,
                margin + fh / 2 - 7,
                "NO FRAME",
                2,
                Rgb([200, 60, 60]),
            );
        }
    }
    image::imageops::replace(
        &mut img,
        card_photo,
        i64::from(margin * 2 + fw),
        i64::from(margin),
    );
    let top = margin * 2 + fh.max(ch);
    let bar_w = width - 2 * margin;
    let bar_h = 14u32;
    fill(&mut img, margin, top, bar_w, bar_h, Rgb([70, 72, 78]));
    let accepted = report.decision == MatchDecision::Match;
    let bar_color = if accepted {
        Rgb([60, 190, 90])
    } else {
        Rgb([210, 70, 60])
    };
    let filled = (report.score.clamp(0.0, 1.0) * bar_w as f32).round() as u32;
    fill(&mut img, margin, top, filled, bar_h, bar_color);
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
        "SCORE {:.3}  THRESHOLD {:.3}  {}",
        report.score,
        report.threshold,
        decision_label(report.decision)
    );
    draw_text(
        &mut img,
        margin,
        top + bar_h + 10,
        &text,
        2,
        Rgb([235, 235, 235]),
    );
    img
}

/// [`comparison_image`] encoded as PNG.
pub fn comparison_png(
    card_photo: &RgbImage,
    frame: Option<&RgbImage>,
    report: &MatchReport,
) -> Result<Vec<u8>, image::ImageError> {
    crate::camera::png_bytes(&comparison_image(card_photo, frame, report))
}
