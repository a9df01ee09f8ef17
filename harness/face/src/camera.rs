//! Camera emulator: seeded frames of a scene in front of the reader's camera, with device faults.
//!
//! A frame is a pure function of (setup, frame index): the same seed gives the same pixels.

use std::str::FromStr;

use image::RgbImage;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::parallel::map_frames;
use crate::photo::render_card_photo;
use crate::raster::{hash01, mix, splitmix, value_noise, Canvas, Color};
use crate::synth::{render_face, Alteration, FaceIdentity, Lighting, Pose, Sex};

/// Frame width in pixels.
pub const FRAME_WIDTH: u32 = 320;
/// Frame height in pixels.
pub const FRAME_HEIGHT: u32 = 240;
/// Frames in a default burst.
pub const DEFAULT_BURST: usize = 5;

/// What is in front of the camera. The matcher never sees this value, only the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scene {
    /// The card holder, live, at their current age.
    CardHolder,
    /// Somebody else (drawn from the seed).
    AnotherPerson,
    /// The holder with a face changed by injury: swelling, bruise, stitched scar (顔面の外傷).
    Injured,
    /// The holder with a bandage over the head and one eye (包帯).
    Bandage,
    /// The holder with an eyepatch (眼帯).
    Eyepatch,
    /// The holder wearing a surgical mask.
    Mask,
    /// The holder rendered at `age_years` (the infant grown up: the card photo was taken as a baby).
    GrownUp { age_years: u8 },
    /// The holder's face below the camera's field of view (a wheelchair user under the reader).
    BelowFrame,
    /// Bright window behind the holder: the face is a dark, underexposed silhouette (逆光).
    Backlight,
    /// A printed photo of the holder held up to the camera (spoof).
    PrintedPhoto,
    /// Nobody in front of the camera.
    Nobody,
}

impl Scene {
    /// Every scene with a representative parameter, for tests and benchmarks.
    pub const ALL: [Scene; 11] = [
        Scene::CardHolder,
        Scene::AnotherPerson,
        Scene::Injured,
        Scene::Bandage,
        Scene::Eyepatch,
        Scene::Mask,
        Scene::GrownUp { age_years: 7 },
        Scene::BelowFrame,
        Scene::Backlight,
        Scene::PrintedPhoto,
        Scene::Nobody,
    ];

    /// Kebab-case name (as accepted by [`Scene::from_str`]).
    pub fn name(&self) -> String {
        match self {
            Scene::CardHolder => "card-holder".into(),
            Scene::AnotherPerson => "another-person".into(),
            Scene::Injured => "injured".into(),
            Scene::Bandage => "bandage".into(),
            Scene::Eyepatch => "eyepatch".into(),
            Scene::Mask => "mask".into(),
            Scene::GrownUp { age_years } => format!("grown-up-{age_years}"),
            Scene::BelowFrame => "below-frame".into(),
            Scene::Backlight => "backlight".into(),
            Scene::PrintedPhoto => "printed-photo".into(),
            Scene::Nobody => "nobody".into(),
        }
    }

    fn code(&self) -> u64 {
        match self {
            Scene::CardHolder => 1,
            Scene::AnotherPerson => 2,
            Scene::Injured => 3,
            Scene::Bandage => 4,
            Scene::Eyepatch => 5,
            Scene::Mask => 6,
            Scene::GrownUp { age_years } => 7 + (u64::from(*age_years) << 8),
            Scene::BelowFrame => 8,
            Scene::Backlight => 9,
            Scene::PrintedPhoto => 10,
            Scene::Nobody => 11,
        }
    }
}

/// Error parsing a scene name.
#[derive(Debug, thiserror::Error)]
#[error("unknown scene {0:?} (card-holder, another-person, injured, bandage, eyepatch, mask, grown-up-<age>, below-frame, backlight, printed-photo, nobody)")]
pub struct UnknownScene(pub String);

impl FromStr for Scene {
    type Err = UnknownScene;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(age) = s.strip_prefix("grown-up-") {
            return age
                .parse()
                .map(|age_years| Scene::GrownUp { age_years })
                .map_err(|_| UnknownScene(s.into()));
        }
        Scene::ALL
            .iter()
            .find(|scene| scene.name() == s)
            .copied()
            .ok_or_else(|| UnknownScene(s.into()))
    }
}

/// A fault of the camera device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceFault {
    /// No camera device: opening it fails.
    Missing,
    /// The sensor delivers black frames.
    BlackFrames,
    /// The driver repeats the same frame.
    FrozenFrame,
    /// The device opens but never delivers a frame.
    NoFrames,
}

impl DeviceFault {
    /// Every fault.
    pub const ALL: [DeviceFault; 4] = [
        DeviceFault::Missing,
        DeviceFault::BlackFrames,
        DeviceFault::FrozenFrame,
        DeviceFault::NoFrames,
    ];

    /// Kebab-case name.
    pub fn name(&self) -> &'static str {
        match self {
            DeviceFault::Missing => "camera-missing",
            DeviceFault::BlackFrames => "black-frames",
            DeviceFault::FrozenFrame => "frozen-frame",
            DeviceFault::NoFrames => "no-frames",
        }
    }
}

impl FromStr for DeviceFault {
    type Err = UnknownScene;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeviceFault::ALL
            .iter()
            .find(|f| f.name() == s)
            .copied()
            .ok_or_else(|| UnknownScene(s.into()))
    }
}

/// The person standing in front of the reader (the card holder in most scenes).
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub identity: FaceIdentity,
    /// Current age in years.
    pub age_years: f32,
}

/// Everything that determines the frames.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraSetup {
    pub subject: Subject,
    pub scene: Scene,
    pub seed: u64,
    pub fault: Option<DeviceFault>,
}

/// Camera errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    #[error("no camera device")]
    NotConnected,
}

/// Where the frames are seen from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Viewpoint {
    /// The reader's camera: fixed height, the scene's framing (a seated person is below it),
    /// the device's faults.
    ReaderCamera,
    /// The staff at the counter (窓口の職員): framed on the person whatever their height, in the
    /// counter's room light, no device in between. The scene's causes on the face (injury,
    /// bandage, eyepatch, mask, the grown-up infant) stay; the reader camera's own problems
    /// (height, backlight at the reader, device faults) do not. A printed photo held up to the
    /// reader is held by somebody: staff see that person.
    Counter,
}

/// An opened (emulated) camera.
#[derive(Debug, Clone)]
pub struct Camera {
    setup: CameraSetup,
    viewpoint: Viewpoint,
}

/// What a frame shows: the scene at a (live) frame index, or the dark frame of a broken sensor.
#[derive(Debug, Clone, Copy)]
enum Source {
    Live(u32),
    Black,
}

/// A session's conditions and the background drawn from them, shared by the frames of a burst.
struct Room {
    session: Session,
    background: Canvas,
}

/// Per-session (per seed) conditions: where the person stands, the room, the light.
struct Session {
    wall: Color,
    wall_seed: u64,
    door_x: f32,
    base: Pose,
    light: Lighting,
    gain: f32,
    noise: f32,
    other: FaceIdentity,
    other_age: f32,
    right_side: bool,
}

impl Camera {
    /// Opens the camera; fails when the device is missing.
    pub fn open(setup: CameraSetup) -> Result<Camera, CameraError> {
        if setup.fault == Some(DeviceFault::Missing) {
            return Err(CameraError::NotConnected);
        }
        Ok(Camera {
            setup,
            viewpoint: Viewpoint::ReaderCamera,
        })
    }

    /// What staff at the counter see of the person in `setup` (see [`Viewpoint::Counter`]):
    /// never fails, the setup's device fault does not apply.
    pub fn at_counter(setup: CameraSetup) -> Camera {
        Camera {
            setup,
            viewpoint: Viewpoint::Counter,
        }
    }

    /// Where this camera's frames are seen from.
    pub fn viewpoint(&self) -> Viewpoint {
        self.viewpoint
    }

    /// The setup this camera was opened with.
    pub fn setup(&self) -> &CameraSetup {
        &self.setup
    }

    /// Frame `index`, or None when the device delivers nothing.
    pub fn frame(&self, index: u32) -> Option<RgbImage> {
        match self.source(index)? {
            Source::Black => Some(black_frame(self.setup.seed, index)),
            Source::Live(live) => Some(self.render(&self.room(), live)),
        }
    }

    /// `count` consecutive frames starting at 0 (empty when the device delivers nothing): the
    /// same pixels as `count` calls of [`Camera::frame`]. The room (session and background) is
    /// drawn once, and the frames are drawn on the machine's cores side by side — each frame is
    /// a pure function of (setup, index), so the split changes no pixel.
    pub fn burst(&self, count: usize) -> Vec<RgbImage> {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let sources: Vec<(u32, Source)> = (0..count)
            .map_while(|i| self.source(i).map(|source| (i, source)))
            .collect();
        let room = sources
            .iter()
            .any(|(_, source)| matches!(source, Source::Live(_)))
            .then(|| self.room());
        let draw = |(index, source): &(u32, Source)| match (source, &room) {
            (Source::Live(live), Some(room)) => self.render(room, *live),
            _ => black_frame(self.setup.seed, *index),
        };
        map_frames(&sources, draw)
    }

    /// What frame `index` is made of, or None when the device delivers nothing.
    fn source(&self, index: u32) -> Option<Source> {
        match (self.viewpoint, self.setup.fault) {
            // Staff at the counter look with their own eyes: the reader's device faults do not apply.
            (Viewpoint::Counter, _) | (_, None) => Some(Source::Live(index)),
            (_, Some(DeviceFault::Missing) | Some(DeviceFault::NoFrames)) => None,
            (_, Some(DeviceFault::BlackFrames)) => Some(Source::Black),
            (_, Some(DeviceFault::FrozenFrame)) => Some(Source::Live(0)),
        }
    }

    /// Scene code mixed into the seeds: the counter's room and light differ from the reader's.
    fn view_code(&self) -> u64 {
        match self.viewpoint {
            Viewpoint::ReaderCamera => self.setup.scene.code(),
            Viewpoint::Counter => self.setup.scene.code() ^ 0xC0_4E7E_0000,
        }
    }

    fn session(&self) -> Session {
        let seed = splitmix(self.setup.seed ^ splitmix(self.view_code()));
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let walls: [Color; 5] = [
            [150.0, 165.0, 182.0],
            [170.0, 171.0, 168.0],
            [140.0, 160.0, 152.0],
            [200.0, 205.0, 212.0],
            [120.0, 130.0, 150.0],
        ];
        let wall = walls[rng.random_range(0..walls.len())];
        let scale = rng.random_range(44.0f32..52.0);
        let mut base = Pose {
            cx: FRAME_WIDTH as f32 / 2.0 + rng.random_range(-14.0f32..14.0),
            cy: 104.0 + rng.random_range(-6.0f32..8.0),
            scale,
            roll: rng.random_range(-0.06f32..0.06),
            yaw: rng.random_range(-0.08f32..0.08),
            eye_open: 1.0,
            gaze: (0.0, 0.0),
        };
        if self.viewpoint == Viewpoint::Counter {
            // Framed on the person: the face a little larger and near the middle.
            base.cx = FRAME_WIDTH as f32 / 2.0 + (base.cx - FRAME_WIDTH as f32 / 2.0) * 0.4;
            base.cy = 108.0 + (base.cy - 104.0) * 0.5;
            base.scale = scale * 1.1;
        }
        let light = Lighting {
            dir: (
                rng.random_range(-0.7f32..0.7),
                rng.random_range(-0.6f32..0.1),
            ),
            ambient: rng.random_range(0.5f32..0.66),
            diffuse: rng.random_range(0.3f32..0.45),
            tint: [
                rng.random_range(0.97f32..1.04),
                1.0,
                rng.random_range(0.95f32..1.03),
            ],
        };
        let other_sex = if rng.random_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        Session {
            wall,
            wall_seed: rng.random_range(0..u64::MAX),
            door_x: rng.random_range(0.0f32..FRAME_WIDTH as f32),
            base,
            light,
            gain: rng.random_range(0.93f32..1.07),
            noise: rng.random_range(2.0f32..3.5),
            other: FaceIdentity::from_seed(splitmix(seed ^ 0x07E4), other_sex),
            other_age: rng.random_range(20.0f32..70.0),
            right_side: rng.random_bool(0.5),
        }
    }

    /// The session's conditions and the empty room behind the person: the same for every frame.
    fn room(&self) -> Room {
        let session = self.session();
        let backlight =
            self.setup.scene == Scene::Backlight && self.viewpoint != Viewpoint::Counter;
        let background = background(&session, backlight);
        Room {
            session,
            background,
        }
    }

    fn render(&self, room: &Room, index: u32) -> RgbImage {
        let session = &room.session;
        let scene = self.setup.scene;
        let frame_seed =
            splitmix(self.setup.seed ^ splitmix(self.view_code() ^ (u64::from(index) << 32)));
        let counter = self.viewpoint == Viewpoint::Counter;
        let backlight = scene == Scene::Backlight && !counter;
        let mut canvas = room.background.clone();
        if scene == Scene::PrintedPhoto && !counter {
            draw_print(&mut canvas, &self.setup.subject, session);
            return finish(&canvas, session, frame_seed);
        }
        let subject = &self.setup.subject;
        let (identity, age) = match scene {
            Scene::Nobody => return finish(&canvas, session, frame_seed),
            Scene::AnotherPerson => (&session.other, session.other_age),
            // At the counter, whoever held the print up to the reader stands there.
            Scene::PrintedPhoto => (&session.other, session.other_age),
            Scene::GrownUp { age_years } => (&subject.identity, f32::from(age_years)),
            _ => (&subject.identity, subject.age_years),
        };
        let alteration = match scene {
            Scene::Injured => Alteration::Injury {
                seed: (splitmix(self.setup.seed) & !3) | 2 | u64::from(session.right_side),
            },
            Scene::Bandage => Alteration::Bandage {
                right_eye: session.right_side,
            },
            Scene::Eyepatch => Alteration::Eyepatch {
                right_eye: session.right_side,
            },
            Scene::Mask => Alteration::Mask {
                light_blue: session.right_side,
            },
            _ => Alteration::None,
        };
        // Live micro-motion: sway, tiny rotation, gaze, and now and then a blink.
        let mut rng = ChaCha8Rng::seed_from_u64(frame_seed);
        let mut pose = session.base;
        pose.cx += rng.random_range(-1.6f32..1.6);
        pose.cy += rng.random_range(-1.2f32..1.2);
        pose.scale *= 1.0 + rng.random_range(-0.012f32..0.012);
        pose.roll += rng.random_range(-0.012f32..0.012);
        pose.yaw += rng.random_range(-0.02f32..0.02);
        pose.gaze = (
            rng.random_range(-0.02f32..0.02),
            rng.random_range(-0.01f32..0.01),
        );
        let blink = hash01(frame_seed, 77);
        pose.eye_open = if blink < 0.1 {
            0.0
        } else if blink < 0.16 {
            0.55
        } else {
            1.0
        };
        let mut light = session.light;
        if backlight {
            light.ambient = 0.22;
            light.diffuse = 0.08;
        }
        if scene == Scene::BelowFrame && !counter {
            // Seated below the camera: only the top of the head (and perhaps the forehead) is seen.
            pose.cy = FRAME_HEIGHT as f32 + pose.scale * rng.random_range(0.05f32..0.9);
        }
        let aged = identity.at_age(age);
        render_face(&mut canvas, &aged, age, &pose, &light, alteration);
        finish(&canvas, session, frame_seed)
    }
}

fn background(session: &Session, backlight: bool) -> Canvas {
    let mut canvas = Canvas::new(FRAME_WIDTH, FRAME_HEIGHT, session.wall);
    for y in 0..FRAME_HEIGHT {
        for x in 0..FRAME_WIDTH {
            let fy = y as f32 / FRAME_HEIGHT as f32;
            let mut c = if backlight {
                // A window: nearly white, slightly blue, saturating the sensor.
                let k =
                    0.9 + 0.1 * value_noise(session.wall_seed, x as f32 / 40.0, y as f32 / 40.0);
                [300.0 * k, 304.0 * k, 310.0 * k]
            } else {
                let k = 1.04 - 0.12 * fy
                    + 0.04 * value_noise(session.wall_seed, x as f32 / 50.0, y as f32 / 50.0);
                [
                    session.wall[0] * k,
                    session.wall[1] * k,
                    session.wall[2] * k,
                ]
            };
            if !backlight && (x as f32 - session.door_x).abs() < 6.0 {
                c = mix(c, [90.0, 80.0, 75.0], 0.6);
            }
            canvas.blend(x, y, c, 1.0);
        }
    }
    canvas
}

/// Camera gain, slight vignetting and sensor noise.
fn finish(canvas: &Canvas, session: &Session, frame_seed: u64) -> RgbImage {
    let mut out = canvas.clone();
    let (cx, cy) = (FRAME_WIDTH as f32 / 2.0, FRAME_HEIGHT as f32 / 2.0);
    let r2max = cx * cx + cy * cy;
    for y in 0..FRAME_HEIGHT {
        for x in 0..FRAME_WIDTH {
            let dx = x as f32 - cx;
            let dy = y as f32 - cy;
            let vignette = 1.0 - 0.12 * (dx * dx + dy * dy) / r2max;
            let p = out.get(x, y);
            let k = session.gain * vignette;
            out.blend(x, y, [p[0] * k, p[1] * k, p[2] * k], 1.0);
        }
    }
    out.to_image(session.noise, frame_seed)
}

fn black_frame(seed: u64, index: u32) -> RgbImage {
    let canvas = Canvas::new(FRAME_WIDTH, FRAME_HEIGHT, [2.0, 2.0, 2.0]);
    canvas.to_image(1.0, splitmix(seed ^ u64::from(index) ^ 0xB1AC))
}

/// A printed copy of the holder's photo held still in front of the camera: paper border,
/// halftone dots, flat (planar) shading, no motion between frames.
fn draw_print(canvas: &mut Canvas, subject: &Subject, session: &Session) {
    let photo = render_card_photo(&subject.identity, subject.age_years);
    let photo = Canvas::from_image(&photo);
    let border = 12.0f32;
    let pw = photo.width as f32 + 2.0 * border;
    let ph = photo.height as f32 + 2.0 * border;
    // Face in the photo is 42 px per head unit; bring it to the live size.
    let mag = session.base.scale / 42.0;
    let angle = session.base.roll * 1.5;
    let (sa, ca) = angle.sin_cos();
    // Print centre so that the face lands where a live face would be.
    let pcx = session.base.cx;
    let pcy = session.base.cy + (ph / 2.0 - (92.0 + border)) * mag;
    let (lx, ly) = session.light.dir;
    for y in 0..FRAME_HEIGHT {
        for x in 0..FRAME_WIDTH {
            let dx = x as f32 + 0.5 - pcx;
            let dy = y as f32 + 0.5 - pcy;
            // Into print coordinates (pixels of the print, origin at its top-left corner).
            let u = (dx * ca + dy * sa) / mag + pw / 2.0;
            let v = (-dx * sa + dy * ca) / mag + ph / 2.0;
            if u < 0.0 || v < 0.0 || u >= pw || v >= ph {
                continue;
            }
            let edge = u.min(v).min(pw - u).min(ph - v) * mag;
            let cov = edge.clamp(0.0, 1.0);
            let inner_u = u - border;
            let inner_v = v - border;
            let ink = if inner_u >= 0.0
                && inner_v >= 0.0
                && inner_u < photo.width as f32
                && inner_v < photo.height as f32
            {
                halftone(photo.sample(inner_u, inner_v), x as f32, y as f32)
            } else {
                [246.0, 246.0, 240.0]
            };
            // Flat paper: a linear light gradient across the plane, no relief shading.
            let shade = 0.88 + 0.08 * (lx * (u / pw - 0.5) - ly * (v / ph - 0.5)) * 2.0;
            let c = [ink[0] * shade, ink[1] * shade, ink[2] * shade];
            canvas.blend(x, y, c, cov);
        }
    }
}

/// Clustered-dot halftone of one colour per channel on screens at different angles (CMY print).
fn halftone(c: Color, x: f32, y: f32) -> Color {
    let period = 3.2f32;
    let angles = [0.26f32, 1.31, 0.0];
    let mut out = [0.0f32; 3];
    for ch in 0..3 {
        let (s, co) = angles[ch].sin_cos();
        let u = (x * co + y * s) / period;
        let v = (-x * s + y * co) / period;
        let fu = u - u.floor() - 0.5;
        let fv = v - v.floor() - 0.5;
        // Dot radius grows with ink coverage (1 - value).
        let ink = 1.0 - (c[ch] / 255.0).clamp(0.0, 1.0);
        let r = (fu * fu + fv * fv).sqrt();
        let dot_r = (ink / std::f32::consts::PI).sqrt();
        let inked = ((dot_r - r) * period * 1.5 + 0.5).clamp(0.0, 1.0);
        // Paper white where no ink; the ink density mixes with the continuous tone (dot gain).
        let screened = 250.0 * (1.0 - inked);
        out[ch] = 0.55 * screened + 0.45 * c[ch];
    }
    out
}

/// Encodes a frame as PNG bytes.
pub fn png_bytes(img: &RgbImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}
