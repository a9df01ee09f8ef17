//! How one picture of a face is taken: where the head is and how it is held ([`Pose`]), the
//! light on it ([`Lighting`]) and what is on or done to the face ([`Alteration`]).

use crate::raster::Color;

/// Where the face is in the image and how it is held.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    /// Head centre in pixels.
    pub cx: f32,
    pub cy: f32,
    /// Pixels per head unit (half the head width).
    pub scale: f32,
    /// In-plane rotation, radians.
    pub roll: f32,
    /// Left-right turn, about -0.2..0.2: shifts the features sideways.
    pub yaw: f32,
    /// 1.0 eyes open, 0.0 closed (blink).
    pub eye_open: f32,
    /// Gaze offset of the irises in head units.
    pub gaze: (f32, f32),
}

/// Light on the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lighting {
    /// Direction the light comes from (x right, y down), in the image plane.
    pub dir: (f32, f32),
    pub ambient: f32,
    pub diffuse: f32,
    /// Colour multiplier of the light (white = [1, 1, 1]).
    pub tint: Color,
}

impl Lighting {
    /// Even studio light, as for an ID photo.
    pub fn studio() -> Self {
        Self {
            dir: (0.0, -0.2),
            ambient: 0.62,
            diffuse: 0.4,
            tint: [1.0, 1.0, 1.0],
        }
    }
}

/// Something on or done to the face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alteration {
    None,
    /// Swelling, bruise and a stitched scar; `seed` picks the side and the shape.
    Injury {
        seed: u64,
    },
    /// Gauze bandage wrapped over the head and one eye.
    Bandage {
        right_eye: bool,
    },
    /// Eyepatch over one eye.
    Eyepatch {
        right_eye: bool,
    },
    /// Surgical mask over nose, mouth and chin.
    Mask {
        light_blue: bool,
    },
}
