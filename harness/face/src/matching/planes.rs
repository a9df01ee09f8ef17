//! Pixel planes of a frame (raw luma; luma and chroma of the 3×3-smoothed frame), the skin mask,
//! connected regions, the eye-aligned coordinate frame and the normalised face crop.

use image::RgbImage;

use super::tuning::SkinTuning;

/// Width of the normalised face crop.
pub const CROP_W: usize = 64;
/// Height of the normalised face crop.
pub const CROP_H: usize = 72;
/// Eye distance in the normalised crop.
pub const CROP_EYE_DIST: f32 = 24.0;
/// Eye row in the normalised crop.
pub const CROP_EYE_Y: f32 = 22.0;

/// Planes computed once per frame.
pub(crate) struct Planes {
    pub(crate) w: usize,
    pub(crate) h: usize,
    /// Luma of the raw frame.
    pub(crate) y_raw: Vec<f32>,
    /// Luma and chroma of the smoothed frame.
    pub(crate) y: Vec<f32>,
    pub(crate) cb: Vec<f32>,
    pub(crate) cr: Vec<f32>,
}

fn box_blur(src: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mut tmp = vec![0.0f32; src.len()];
    let mut out = vec![0.0f32; src.len()];
    if w == 0 || h == 0 {
        return out;
    }
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let dst = &mut tmp[y * w..(y + 1) * w];
        for x in 0..w {
            let l = row[x.saturating_sub(1)];
            let r = row[(x + 1).min(w - 1)];
            dst[x] = (l + row[x] + r) / 3.0;
        }
    }
    for y in 0..h {
        let up = y.saturating_sub(1) * w;
        let mid = y * w;
        let down = (y + 1).min(h - 1) * w;
        for x in 0..w {
            out[mid + x] = (tmp[up + x] + tmp[mid + x] + tmp[down + x]) / 3.0;
        }
    }
    out
}

impl Planes {
    pub(crate) fn new(img: &RgbImage) -> Planes {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let n = w * h;
        let mut r = Vec::with_capacity(n);
        let mut g = Vec::with_capacity(n);
        let mut b = Vec::with_capacity(n);
        for p in img.pixels() {
            r.push(f32::from(p[0]));
            g.push(f32::from(p[1]));
            b.push(f32::from(p[2]));
        }
        let y_raw: Vec<f32> = (0..n)
            .map(|i| 0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i])
            .collect();
        let (r, g, b) = (box_blur(&r, w, h), box_blur(&g, w, h), box_blur(&b, w, h));
        let mut y = Vec::with_capacity(n);
        let mut cb = Vec::with_capacity(n);
        let mut cr = Vec::with_capacity(n);
        for i in 0..n {
            y.push(0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i]);
            cb.push(128.0 - 0.168_736 * r[i] - 0.331_264 * g[i] + 0.5 * b[i]);
            cr.push(128.0 + 0.5 * r[i] - 0.418_688 * g[i] - 0.081_312 * b[i]);
        }
        Planes {
            w,
            h,
            y_raw,
            y,
            cb,
            cr,
        }
    }

    /// Whether pixel `i` has skin colour.
    pub(crate) fn is_skin(&self, i: usize, t: &SkinTuning) -> bool {
        let (y, cb, cr) = (self.y[i], self.cb[i], self.cr[i]);
        y > t.luma_min
            && (t.cb_min..=t.cb_max).contains(&cb)
            && (t.cr_min..=t.cr_max).contains(&cr)
            && cr - cb > t.cr_minus_cb_min
    }

    /// The skin mask of the whole frame.
    pub(crate) fn skin_mask(&self, t: &SkinTuning) -> Vec<bool> {
        (0..self.w * self.h).map(|i| self.is_skin(i, t)).collect()
    }

    /// Bilinear sample of `plane` at (x, y), clamped to the frame.
    pub(crate) fn sample(plane: &[f32], w: usize, h: usize, x: f32, y: f32) -> f32 {
        if w == 0 || h == 0 {
            return 0.0;
        }
        let x = x.clamp(0.0, (w - 1) as f32);
        let y = y.clamp(0.0, (h - 1) as f32);
        let x0 = x.floor() as usize;
        let y0 = y.floor() as usize;
        let x1 = (x0 + 1).min(w - 1);
        let y1 = (y0 + 1).min(h - 1);
        let fx = x - x0 as f32;
        let fy = y - y0 as f32;
        let a = plane[y0 * w + x0];
        let b = plane[y0 * w + x1];
        let c = plane[y1 * w + x0];
        let d = plane[y1 * w + x1];
        let top = a + (b - a) * fx;
        let bot = c + (d - c) * fx;
        top + (bot - top) * fy
    }

    /// Mean |Y − mean of the 4 neighbours| over the given pixels (borders skipped).
    pub(crate) fn high_frequency(&self, pixels: &[usize]) -> f32 {
        let (w, h) = (self.w, self.h);
        let y = &self.y_raw;
        let mut sum = 0.0f32;
        let mut n = 0.0f32;
        for &i in pixels {
            let (px, py) = (i % w, i / w);
            if px == 0 || py == 0 || px + 1 >= w || py + 1 >= h {
                continue;
            }
            let local = (y[i - 1] + y[i + 1] + y[i - w] + y[i + w]) / 4.0;
            sum += (y[i] - local).abs();
            n += 1.0;
        }
        sum / n.max(1.0)
    }
}

/// A connected region (pixel indices and bounding box, inclusive).
pub(crate) struct Region {
    pub(crate) pixels: Vec<usize>,
    pub(crate) x0: usize,
    pub(crate) y0: usize,
    pub(crate) x1: usize,
    pub(crate) y1: usize,
}

impl Region {
    pub(crate) fn centroid(&self, w: usize) -> (f32, f32) {
        let n = self.pixels.len().max(1) as f32;
        let (sx, sy) = self.pixels.iter().fold((0.0f32, 0.0f32), |(sx, sy), &i| {
            (sx + (i % w) as f32, sy + (i / w) as f32)
        });
        (sx / n + 0.5, sy / n + 0.5)
    }
}

/// 4-connected components of `mask` inside the window [x0, x1) × [y0, y1).
pub(crate) fn components(
    mask: &[bool],
    w: usize,
    win: (usize, usize, usize, usize),
) -> Vec<Region> {
    let (wx0, wy0, wx1, wy1) = win;
    let mut seen = vec![false; mask.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for sy in wy0..wy1 {
        for sx in wx0..wx1 {
            let start = sy * w + sx;
            if !mask[start] || seen[start] {
                continue;
            }
            seen[start] = true;
            stack.push(start);
            let mut region = Region {
                pixels: Vec::new(),
                x0: sx,
                y0: sy,
                x1: sx,
                y1: sy,
            };
            while let Some(i) = stack.pop() {
                let (x, y) = (i % w, i / w);
                region.pixels.push(i);
                region.x0 = region.x0.min(x);
                region.x1 = region.x1.max(x);
                region.y0 = region.y0.min(y);
                region.y1 = region.y1.max(y);
                let mut push = |j: usize| {
                    if mask[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                };
                if x > wx0 {
                    push(i - 1);
                }
                if x + 1 < wx1 {
                    push(i + 1);
                }
                if y > wy0 {
                    push(i - w);
                }
                if y + 1 < wy1 {
                    push(i + w);
                }
            }
            out.push(region);
        }
    }
    out
}

/// Eye-aligned coordinates: origin at the eye midpoint, `a` along the eye line (to the image's
/// right), `b` down the face, both in eye distances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EyeFrame {
    /// Eye midpoint in pixels.
    pub mid: (f32, f32),
    /// Unit vector from the left eye (in the image) to the right one.
    pub u: (f32, f32),
    /// Unit vector down the face (perpendicular to `u`).
    pub v: (f32, f32),
    /// Eye distance in pixels.
    pub d: f32,
}

impl EyeFrame {
    /// The frame through two eye centres (left of the image first).
    pub fn from_eyes(le: (f32, f32), re: (f32, f32)) -> EyeFrame {
        let d = ((re.0 - le.0).powi(2) + (re.1 - le.1).powi(2)).sqrt();
        let (ux, uy) = ((re.0 - le.0) / d, (re.1 - le.1) / d);
        let (vx, vy) = (-uy, ux); // points down the face
        let mid = ((le.0 + re.0) / 2.0, (le.1 + re.1) / 2.0);
        EyeFrame {
            mid,
            u: (ux, uy),
            v: (vx, vy),
            d,
        }
    }

    /// Pixel position of face point (a, b) (the detector's rounding order).
    pub fn at(self, a: f32, b: f32) -> (f32, f32) {
        let (mid, (ux, uy), (vx, vy), d) = (self.mid, self.u, self.v, self.d);
        (
            mid.0 + ux * a * d + vx * b * d,
            mid.1 + uy * a * d + vy * b * d,
        )
    }

    /// Face coordinates of pixel (x, y).
    pub fn face_coords(self, x: f32, y: f32) -> (f32, f32) {
        let rx = x - self.mid.0;
        let ry = y - self.mid.1;
        (
            (rx * self.u.0 + ry * self.u.1) / self.d,
            (rx * self.v.0 + ry * self.v.1) / self.d,
        )
    }

    /// Pixel position of face point (a, b) (the feature measurements' rounding order).
    pub fn pixel_coords(self, a: f32, b: f32) -> (f32, f32) {
        (
            self.mid.0 + (self.u.0 * a + self.v.0 * b) * self.d,
            self.mid.1 + (self.u.1 * a + self.v.1 * b) * self.d,
        )
    }

    /// Pixel position of crop pixel (u, v) of the normalised crop.
    pub fn crop_to_pixel(self, u: usize, v: usize) -> (f32, f32) {
        let k = self.d / CROP_EYE_DIST;
        let a = (u as f32 - CROP_W as f32 / 2.0) * k;
        let b = (v as f32 - CROP_EYE_Y) * k;
        let (mid, (ux, uy), (vx, vy)) = (self.mid, self.u, self.v);
        (mid.0 + ux * a + vx * b, mid.1 + uy * a + vy * b)
    }
}

/// The normalised grey crop (CROP_W × CROP_H, smoothed luma, eyes at fixed points), not yet
/// normalised in contrast, and the mean (Cb, Cr) over the two cheek patches.
pub(crate) fn aligned_crop(planes: &Planes, frame: EyeFrame) -> (Vec<f32>, (f32, f32)) {
    let (w, h) = (planes.w, planes.h);
    let mut crop = vec![0.0f32; CROP_W * CROP_H];
    let mut cb_sum = 0.0f32;
    let mut cr_sum = 0.0f32;
    let mut tone_n = 0.0f32;
    for v in 0..CROP_H {
        for u in 0..CROP_W {
            let (x, y) = frame.crop_to_pixel(u, v);
            crop[v * CROP_W + u] = Planes::sample(&planes.y, w, h, x, y);
            // Cheeks: tone.
            let cheek_v = (40..48).contains(&v);
            let cheek_u = (12..20).contains(&u) || (44..52).contains(&u);
            if cheek_v && cheek_u {
                cb_sum += Planes::sample(&planes.cb, w, h, x, y);
                cr_sum += Planes::sample(&planes.cr, w, h, x, y);
                tone_n += 1.0;
            }
        }
    }
    (crop, (cb_sum / tone_n.max(1.0), cr_sum / tone_n.max(1.0)))
}

/// Zero mean, unit variance.
pub(crate) fn normalise(v: &mut [f32]) {
    let n = v.len().max(1) as f32;
    let mean = v.iter().sum::<f32>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / n;
    let sd = var.sqrt().max(1e-3);
    for x in v.iter_mut() {
        *x = (*x - mean) / sd;
    }
}

/// The skin mask the matcher uses, as a black/white image (for debugging and the lab).
pub fn skin_mask_image(img: &RgbImage, tuning: &SkinTuning) -> image::GrayImage {
    let planes = Planes::new(img);
    let mut out = image::GrayImage::new(img.width(), img.height());
    for (i, p) in out.pixels_mut().enumerate() {
        p[0] = if planes.is_skin(i, tuning) { 255 } else { 0 };
    }
    out
}
