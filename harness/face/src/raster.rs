//! Small floating-point canvas with anti-aliased shapes, used by the face renderer and the camera.

use image::{Rgb, RgbImage};

/// Linear RGB colour, components 0.0..=255.0.
pub type Color = [f32; 3];

/// A floating-point RGB canvas.
#[derive(Clone)]
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<Color>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, fill: Color) -> Self {
        Self {
            width,
            height,
            pixels: vec![fill; (width as usize) * (height as usize)],
        }
    }

    pub fn from_image(img: &RgbImage) -> Self {
        Self {
            width: img.width(),
            height: img.height(),
            pixels: img
                .pixels()
                .map(|p| [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])])
                .collect(),
        }
    }

    pub fn get(&self, x: u32, y: u32) -> Color {
        self.pixels
            .get((y as usize) * (self.width as usize) + x as usize)
            .copied()
            .unwrap_or([0.0; 3])
    }

    /// Bilinear sample with clamping at the borders.
    pub fn sample(&self, x: f32, y: f32) -> Color {
        let maxx = self.width.saturating_sub(1) as f32;
        let maxy = self.height.saturating_sub(1) as f32;
        let x = x.clamp(0.0, maxx);
        let y = y.clamp(0.0, maxy);
        let x0 = x.floor();
        let y0 = y.floor();
        let fx = x - x0;
        let fy = y - y0;
        let x1 = (x0 + 1.0).min(maxx);
        let y1 = (y0 + 1.0).min(maxy);
        let a = self.get(x0 as u32, y0 as u32);
        let b = self.get(x1 as u32, y0 as u32);
        let c = self.get(x0 as u32, y1 as u32);
        let d = self.get(x1 as u32, y1 as u32);
        let mut out = [0.0; 3];
        for i in 0..3 {
            let top = a[i] + (b[i] - a[i]) * fx;
            let bot = c[i] + (d[i] - c[i]) * fx;
            out[i] = top + (bot - top) * fy;
        }
        out
    }

    /// Blends `color` with weight `alpha` (0..=1) into pixel (x, y).
    pub fn blend(&mut self, x: u32, y: u32, color: Color, alpha: f32) {
        if alpha <= 0.0 || x >= self.width || y >= self.height {
            return;
        }
        let a = alpha.min(1.0);
        let idx = (y as usize) * (self.width as usize) + x as usize;
        if let Some(p) = self.pixels.get_mut(idx) {
            for i in 0..3 {
                p[i] += (color[i] - p[i]) * a;
            }
        }
    }

    /// Converts to 8-bit, adding per-pixel sensor noise of standard deviation `noise`
    /// (deterministic for `noise_seed`).
    pub fn to_image(&self, noise: f32, noise_seed: u64) -> RgbImage {
        let mut img = RgbImage::new(self.width, self.height);
        for (i, (p, out)) in self.pixels.iter().zip(img.pixels_mut()).enumerate() {
            let n = if noise > 0.0 {
                gauss_hash(noise_seed, i as u64) * noise
            } else {
                0.0
            };
            *out = Rgb([
                to_u8(p[0] + n),
                to_u8(p[1] + n * 0.9),
                to_u8(p[2] + n * 1.1),
            ]);
        }
        img
    }
}

/// Rounds half away from zero and clamps to 0..=255 (NaN gives 0).
pub fn to_u8(v: f32) -> u8 {
    // After clamping v is 0..=255 (or NaN), where half away from zero is half up; in f64 the sum
    // v + 0.5 is exact for every f32, so truncating it gives what `f32::round` would, without the
    // `roundf` library call that baseline x86-64 makes of it (it dominated frame conversion).
    (f64::from(v.clamp(0.0, 255.0)) + 0.5) as u8
}

pub fn mix(a: Color, b: Color, t: f32) -> Color {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

pub fn scale(c: Color, k: f32) -> Color {
    [c[0] * k, c[1] * k, c[2] * k]
}

/// SplitMix64 step: a good 64-bit mixer for deterministic hashing.
pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform value in [0, 1) from a seed and an index.
pub fn hash01(seed: u64, index: u64) -> f32 {
    (splitmix(seed ^ splitmix(index)) >> 40) as f32 / (1u64 << 24) as f32
}

/// Approximately normal value (mean 0, sd 1) from a seed and an index (sum of uniforms).
pub fn gauss_hash(seed: u64, index: u64) -> f32 {
    let h = splitmix(seed ^ splitmix(index));
    let a = (h & 0xFFFF) as f32 / 65535.0;
    let b = ((h >> 16) & 0xFFFF) as f32 / 65535.0;
    let c = ((h >> 32) & 0xFFFF) as f32 / 65535.0;
    let d = ((h >> 48) & 0xFFFF) as f32 / 65535.0;
    (a + b + c + d - 2.0) * 1.732
}

/// Smooth value noise in [0, 1] on a lattice of spacing 1 (bilinear, smoothstep).
pub fn value_noise(seed: u64, x: f32, y: f32) -> f32 {
    let xi = x.floor();
    let yi = y.floor();
    let fx = x - xi;
    let fy = y - yi;
    let sx = fx * fx * (3.0 - 2.0 * fx);
    let sy = fy * fy * (3.0 - 2.0 * fy);
    let h = |dx: f32, dy: f32| -> f32 {
        let kx = (xi + dx) as i64 as u64;
        let ky = (yi + dy) as i64 as u64;
        hash01(
            seed,
            kx.wrapping_mul(0x1_0000_0001)
                .wrapping_add(ky.wrapping_mul(7919)),
        )
    };
    let a = h(0.0, 0.0);
    let b = h(1.0, 0.0);
    let c = h(0.0, 1.0);
    let d = h(1.0, 1.0);
    let top = a + (b - a) * sx;
    let bot = c + (d - c) * sx;
    top + (bot - top) * sy
}

/// Coverage of a pixel by a shape from its signed distance in pixels (negative inside).
pub fn coverage(dist_px: f32) -> f32 {
    (0.5 - dist_px).clamp(0.0, 1.0)
}

/// Approximate signed distance to an axis-aligned ellipse centred at the origin with radii (a, b).
pub fn ellipse_sd(x: f32, y: f32, a: f32, b: f32) -> f32 {
    let a = a.max(1e-4);
    let b = b.max(1e-4);
    let nx = x / a;
    let ny = y / b;
    let k = (nx * nx + ny * ny).sqrt();
    if k < 1e-6 {
        return -a.min(b);
    }
    let gx = nx / (a * k);
    let gy = ny / (b * k);
    let g = (gx * gx + gy * gy).sqrt().max(1e-6);
    (k - 1.0) / g
}

/// Signed distance to a rotated ellipse centred at (cx, cy).
pub fn rot_ellipse_sd(x: f32, y: f32, cx: f32, cy: f32, a: f32, b: f32, angle: f32) -> f32 {
    let (s, c) = angle.sin_cos();
    let dx = x - cx;
    let dy = y - cy;
    ellipse_sd(dx * c + dy * s, -dx * s + dy * c, a, b)
}

/// Signed distance to a rounded box centred at the origin with half-sizes (hx, hy) and corner radius r.
pub fn round_box_sd(x: f32, y: f32, hx: f32, hy: f32, r: f32) -> f32 {
    let qx = x.abs() - hx + r;
    let qy = y.abs() - hy + r;
    let ox = qx.max(0.0);
    let oy = qy.max(0.0);
    (ox * ox + oy * oy).sqrt() + qx.max(qy).min(0.0) - r
}

/// Distance to a segment from (ax, ay) to (bx, by).
pub fn segment_dist(x: f32, y: f32, ax: f32, ay: f32, bx: f32, by: f32) -> f32 {
    let px = x - ax;
    let py = y - ay;
    let vx = bx - ax;
    let vy = by - ay;
    let len2 = (vx * vx + vy * vy).max(1e-9);
    let t = ((px * vx + py * vy) / len2).clamp(0.0, 1.0);
    let dx = px - vx * t;
    let dy = py - vy * t;
    (dx * dx + dy * dy).sqrt()
}

/// Luma (BT.601) of an 8-bit RGB pixel.
pub fn luma(p: &Rgb<u8>) -> f32 {
    0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2])
}
