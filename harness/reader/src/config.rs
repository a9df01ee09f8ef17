//! Reader configuration and the face engine it is given.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use harness_face::FaceMatcher;
use image::RgbImage;

use crate::attestation::ReaderCredentials;
use crate::mode::ReaderMode;
use crate::vocab::ConsentScreens;

/// Decodes the card photo (券面AP DF27, JPEG 2000) into pixels.
pub trait CardPhotoDecoder: Send + Sync {
    /// The photo's pixels, or why it could not be decoded.
    fn decode(&self, photo: &[u8]) -> Result<RgbImage, String>;
}

/// The card photo decoder of `harness-face` (JPEG 2000, pure-Rust decoder).
#[derive(Debug, Clone, Copy, Default)]
pub struct Jpeg2000PhotoDecoder;

impl CardPhotoDecoder for Jpeg2000PhotoDecoder {
    fn decode(&self, photo: &[u8]) -> Result<RgbImage, String> {
        harness_face::decode_card_photo(photo).map_err(|error| error.to_string())
    }
}

/// What the reader uses to look at faces: a photo decoder and a matcher.
#[derive(Clone)]
pub struct FaceEngine {
    /// Compares camera frames with the card photo.
    pub matcher: Arc<dyn FaceMatcher>,
    /// Decodes the card photo.
    pub photo_decoder: Arc<dyn CardPhotoDecoder>,
}

impl FaceEngine {
    /// A matcher with the JPEG 2000 photo decoder of `harness-face`.
    pub fn new(matcher: Arc<dyn FaceMatcher>) -> Self {
        Self {
            matcher,
            photo_decoder: Arc::new(Jpeg2000PhotoDecoder),
        }
    }
}

/// Settings of one reader.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    /// PC/SC name of the reader, e.g. "Identiv CLOUD 3701 F Contactless Reader 0".
    pub reader_name: String,
    /// The mode at start (無人運転 unless told otherwise).
    pub initial_mode: ReaderMode,
    /// Face comparisons offered per visit before only the PIN is offered (default 3).
    pub face_tries_per_visit: u32,
    /// Consecutive face failures on one card that lock face auth on it until the municipality
    /// unlocks it (default 10: TBS (itv), citing 厚生労働省, reports that 10 consecutive face
    /// failures lock face auth and that switching to 目視確認 resets neither this count nor the
    /// PIN's, <https://newsdig.tbs.co.jp/articles/itv/1447618?page=3>). Counted per card across
    /// visits, readers and modes by the facility's store; reset only by a face match.
    pub face_lock_threshold: u32,
    /// No touch for this long while the reader waits for the patient: the visit ends
    /// (patient walked away). Default 60 s.
    pub patient_timeout: Duration,
    /// No camera frame for this long after asking: the camera counts as failed. Default 10 s.
    pub camera_timeout: Duration,
    /// No card answer (or card-face scan) for this long: the card counts as unresponsive. Default 5 s.
    pub card_timeout: Duration,
    /// No challenge or answer from the eligibility service for this long: the visit fails.
    /// Default 30 s.
    pub service_timeout: Duration,
    /// How long an end screen stays after the card was taken off, before the idle screen.
    /// Default 5 s.
    pub end_screen_hold: Duration,
    /// Wall-clock time (facility local time, JST) at `now == 0`: consent and check times are
    /// `clock_origin + now`.
    pub clock_origin: NaiveDateTime,
    /// The reader's attestation key and certificate.
    pub credentials: ReaderCredentials,
    /// The consent screens the reader shows (dated: they changed on 2024-10-07). Default: the
    /// screens in force on the date of `clock_origin`.
    pub consent_screens: ConsentScreens,
}

impl ReaderConfig {
    /// A configuration with the defaults above.
    pub fn new(
        reader_name: impl Into<String>,
        clock_origin: NaiveDateTime,
        credentials: ReaderCredentials,
    ) -> Self {
        Self {
            reader_name: reader_name.into(),
            initial_mode: ReaderMode::Unattended,
            face_tries_per_visit: 3,
            face_lock_threshold: 10,
            patient_timeout: Duration::from_secs(60),
            camera_timeout: Duration::from_secs(10),
            card_timeout: Duration::from_secs(5),
            service_timeout: Duration::from_secs(30),
            end_screen_hold: Duration::from_secs(5),
            consent_screens: ConsentScreens::in_force_on(clock_origin.date()),
            clock_origin,
            credentials,
        }
    }
}
