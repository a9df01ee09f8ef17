//! The card photo (券面AP 顔写真): rendering, JPEG 2000 encoding (OpenJPEG) and decoding
//! (pure-Rust hayro-jpeg2000, safe on bytes that came from a card).

use image::{Rgb, RgbImage};

use crate::raster::Canvas;
use crate::synth::{render_face, Alteration, FaceIdentity, Lighting, Pose};

/// Card photo width in pixels.
pub const CARD_PHOTO_WIDTH: u32 = 150;
/// Card photo height in pixels.
pub const CARD_PHOTO_HEIGHT: u32 = 200;
/// Compression ratio for the fixtures (raw RGB bytes / encoded bytes): a few KB per photo.
pub const CARD_PHOTO_RATE: f32 = 20.0;

/// Renders the card photo of `id` as they looked at `age_years`: frontal, even light, plain background.
pub fn render_card_photo(id: &FaceIdentity, age_years: f32) -> RgbImage {
    let aged = id.at_age(age_years);
    let mut canvas = Canvas::new(CARD_PHOTO_WIDTH, CARD_PHOTO_HEIGHT, [214.0, 222.0, 232.0]);
    // Slight vertical gradient of the studio backdrop.
    for y in 0..CARD_PHOTO_HEIGHT {
        for x in 0..CARD_PHOTO_WIDTH {
            let k = 1.0 - 0.06 * y as f32 / CARD_PHOTO_HEIGHT as f32;
            let p = canvas.get(x, y);
            canvas.blend(x, y, [p[0] * k, p[1] * k, p[2] * k], 1.0);
        }
    }
    let pose = Pose {
        cx: CARD_PHOTO_WIDTH as f32 / 2.0,
        cy: 92.0,
        scale: 42.0,
        roll: 0.0,
        yaw: 0.0,
        eye_open: 1.0,
        gaze: (0.0, 0.0),
    };
    render_face(
        &mut canvas,
        &aged,
        age_years,
        &pose,
        &Lighting::studio(),
        Alteration::None,
    );
    canvas.to_image(1.5, id.seed ^ 0xCA4D)
}

/// Errors from the JPEG 2000 codec.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("JPEG 2000 decode failed: {0}")]
    Decode(String),
    #[error("unsupported photo layout: {0}")]
    Layout(String),
    #[error("JPEG 2000 encode failed: {0}")]
    Encode(&'static str),
}

/// Decodes the card photo (JP2 container or raw codestream) into RGB pixels.
/// Never panics on malformed input.
pub fn decode_card_photo(bytes: &[u8]) -> Result<RgbImage, PhotoError> {
    use hayro_jpeg2000::{DecodeSettings, DecoderContext, Image};
    let image = Image::new(bytes, &DecodeSettings::default())
        .map_err(|e| PhotoError::Decode(format!("{e:?}")))?;
    let (w, h) = (image.width(), image.height());
    if w == 0 || h == 0 || w > 4096 || h > 4096 {
        return Err(PhotoError::Layout(format!("size {w}x{h}")));
    }
    let channels = usize::from(image.color_space().num_channels()) + usize::from(image.has_alpha());
    let mut ctx = DecoderContext::default();
    let bitmap = image
        .decode(&mut ctx)
        .map_err(|e| PhotoError::Decode(format!("{e:?}")))?;
    let data = bitmap.data_u8();
    let n = (w as usize) * (h as usize);
    if data.len() < n * channels || channels == 0 {
        return Err(PhotoError::Layout(format!(
            "{} bytes for {w}x{h}x{channels}",
            data.len()
        )));
    }
    let mut out = RgbImage::new(w, h);
    for (i, px) in out.pixels_mut().enumerate() {
        let base = i * channels;
        let get = |k: usize| data.get(base + k).copied().unwrap_or(0);
        *px = if channels >= 3 {
            Rgb([get(0), get(1), get(2)])
        } else {
            let g = get(0);
            Rgb([g, g, g])
        };
    }
    Ok(out)
}

/// Encodes an RGB image as a lossy JP2 file at `rate` (raw bytes / encoded bytes).
pub fn encode_card_photo(img: &RgbImage, rate: f32) -> Result<Vec<u8>, PhotoError> {
    ffi::encode_jp2(img, rate)
}

mod ffi {
    //! The only unsafe code of the crate: OpenJPEG's encoder writing to a memory buffer.
    #![allow(unsafe_code)]
    use super::PhotoError;
    use image::RgbImage;
    use openjpeg_sys as opj;
    use std::os::raw::c_void;

    struct Sink {
        buf: Vec<u8>,
        pos: usize,
    }

    unsafe extern "C" fn write_fn(p: *mut c_void, n: usize, user: *mut c_void) -> usize {
        // SAFETY: OpenJPEG passes back the Sink pointer we registered and a buffer of n bytes.
        let sink = unsafe { &mut *(user as *mut Sink) };
        let src = unsafe { std::slice::from_raw_parts(p as *const u8, n) };
        let end = sink.pos + n;
        if sink.buf.len() < end {
            sink.buf.resize(end, 0);
        }
        sink.buf[sink.pos..end].copy_from_slice(src);
        sink.pos = end;
        n
    }

    unsafe extern "C" fn skip_fn(n: i64, user: *mut c_void) -> i64 {
        // SAFETY: as above.
        let sink = unsafe { &mut *(user as *mut Sink) };
        let new = sink.pos as i64 + n;
        if new < 0 {
            return -1;
        }
        sink.pos = new as usize;
        if sink.buf.len() < sink.pos {
            sink.buf.resize(sink.pos, 0);
        }
        n
    }

    unsafe extern "C" fn seek_fn(n: i64, user: *mut c_void) -> i32 {
        // SAFETY: as above.
        let sink = unsafe { &mut *(user as *mut Sink) };
        if n < 0 {
            return 0;
        }
        sink.pos = n as usize;
        if sink.buf.len() < sink.pos {
            sink.buf.resize(sink.pos, 0);
        }
        1
    }

    pub fn encode_jp2(img: &RgbImage, rate: f32) -> Result<Vec<u8>, PhotoError> {
        let (w, h) = img.dimensions();
        if w == 0 || h == 0 {
            return Err(PhotoError::Encode("empty image"));
        }
        let mut params: [opj::opj_image_cmptparm_t; 3] = [opj::opj_image_cmptparm_t {
            dx: 1,
            dy: 1,
            w,
            h,
            x0: 0,
            y0: 0,
            prec: 8,
            bpp: 8,
            sgnd: 0,
        }; 3];
        let mut sink = Box::new(Sink {
            buf: Vec::new(),
            pos: 0,
        });
        // SAFETY: standard OpenJPEG encode sequence; every pointer is checked for null and every
        // object created here is destroyed before returning. Component buffers are w*h i32 as
        // allocated by opj_image_create.
        unsafe {
            let image = opj::opj_image_create(
                3,
                params.as_mut_ptr(),
                opj::OPJ_COLOR_SPACE::OPJ_CLRSPC_SRGB,
            );
            if image.is_null() {
                return Err(PhotoError::Encode("opj_image_create"));
            }
            (*image).x0 = 0;
            (*image).y0 = 0;
            (*image).x1 = w;
            (*image).y1 = h;
            let comps = std::slice::from_raw_parts_mut((*image).comps, 3);
            for (ci, comp) in comps.iter_mut().enumerate() {
                let data = std::slice::from_raw_parts_mut(comp.data, (w as usize) * (h as usize));
                for (d, p) in data.iter_mut().zip(img.pixels()) {
                    *d = i32::from(p[ci]);
                }
            }
            let mut cp: opj::opj_cparameters_t = std::mem::zeroed();
            opj::opj_set_default_encoder_parameters(&mut cp);
            cp.tcp_numlayers = 1;
            cp.tcp_rates[0] = rate;
            cp.cp_disto_alloc = 1;
            cp.irreversible = 1;
            cp.tcp_mct = 1;
            cp.numresolution = 4;
            let codec = opj::opj_create_compress(opj::OPJ_CODEC_FORMAT::OPJ_CODEC_JP2);
            if codec.is_null() {
                opj::opj_image_destroy(image);
                return Err(PhotoError::Encode("opj_create_compress"));
            }
            let mut result = Err(PhotoError::Encode("opj_setup_encoder"));
            if opj::opj_setup_encoder(codec, &mut cp, image) != 0 {
                let stream = opj::opj_stream_create(1 << 16, 0);
                if stream.is_null() {
                    result = Err(PhotoError::Encode("opj_stream_create"));
                } else {
                    opj::opj_stream_set_user_data(
                        stream,
                        (&mut *sink) as *mut Sink as *mut c_void,
                        None,
                    );
                    opj::opj_stream_set_write_function(stream, Some(write_fn));
                    opj::opj_stream_set_skip_function(stream, Some(skip_fn));
                    opj::opj_stream_set_seek_function(stream, Some(seek_fn));
                    let ok = opj::opj_start_compress(codec, image, stream) != 0
                        && opj::opj_encode(codec, stream) != 0
                        && opj::opj_end_compress(codec, stream) != 0;
                    opj::opj_stream_destroy(stream);
                    result = if ok {
                        Ok(())
                    } else {
                        Err(PhotoError::Encode("opj_encode"))
                    };
                }
            }
            opj::opj_destroy_codec(codec);
            opj::opj_image_destroy(image);
            result?;
        }
        Ok(sink.buf)
    }
}
