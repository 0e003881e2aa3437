//! The face stored in DG2: a given photo (JPEG or JPEG 2000, embedded as is), or a
//! small synthetic drawing generated here — never a photo of a real person.
//!
//! JPEG 2000 encoding: no maintained pure-Rust encoder exists (`jpeg2k` only wraps
//! OpenJPEG's encoder behind file output and raw pointers of `openjp2`, which this
//! workspace's `unsafe_code = "deny"` excludes), so the synthetic face ships pre-encoded
//! as JPEG 2000 (`assets/synthetic-face.jp2`, made from [`synthetic_face`] with
//! OpenJPEG's `opj_compress`), and a given JPEG is kept as JPEG.

use alicem_emrtd::lds::ImageFormat;
use image::{DynamicImage, Rgb, RgbImage};

use super::FactoryError;
use super::profiles::FaceFormat;

/// The synthetic face, pre-encoded as a JP2 file.
pub const SYNTHETIC_JP2: &[u8] = include_bytes!("../../assets/synthetic-face.jp2");

/// Width and height of the synthetic face (ICAO's 3:4 portrait proportion).
pub const SIZE: (u32, u32) = (180, 240);

fn inside_ellipse(x: f32, y: f32, cx: f32, cy: f32, rx: f32, ry: f32) -> bool {
    let dx = (x - cx) / rx;
    let dy = (y - cy) / ry;
    dx * dx + dy * dy <= 1.0
}

/// Draws a cartoon face: plain background, hair, face oval, eyes, nose, mouth.
pub fn synthetic_face() -> RgbImage {
    let (w, h) = SIZE;
    RgbImage::from_fn(w, h, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let (cx, cy) = (w as f32 / 2.0, h as f32 * 0.48);
        let background = Rgb([206, 214, 224]);
        let hair = Rgb([70, 48, 36]);
        let skin = Rgb([222, 184, 150]);
        let dark = Rgb([40, 40, 48]);
        let lips = Rgb([170, 90, 90]);
        let shoulders = inside_ellipse(x, y, cx, h as f32 * 1.05, 90.0, 60.0);
        if shoulders {
            return Rgb([60, 80, 120]);
        }
        let face = inside_ellipse(x, y, cx, cy, 52.0, 68.0);
        let hair_cap = inside_ellipse(x, y, cx, cy - 18.0, 60.0, 66.0) && y < cy - 20.0;
        if hair_cap && !face {
            return hair;
        }
        if y < cy - 40.0 && inside_ellipse(x, y, cx, cy - 18.0, 60.0, 66.0) {
            return hair;
        }
        if face {
            let eye_y = cy - 10.0;
            if inside_ellipse(x, y, cx - 20.0, eye_y, 7.0, 4.5)
                || inside_ellipse(x, y, cx + 20.0, eye_y, 7.0, 4.5)
            {
                return if inside_ellipse(x, y, cx - 20.0, eye_y, 3.0, 3.0)
                    || inside_ellipse(x, y, cx + 20.0, eye_y, 3.0, 3.0)
                {
                    dark
                } else {
                    Rgb([245, 245, 245])
                };
            }
            if (y - (eye_y - 12.0)).abs() < 2.0 && ((x - cx).abs() - 20.0).abs() < 9.0 {
                return hair;
            }
            if (x - cx).abs() < 3.0 && y > eye_y + 5.0 && y < cy + 15.0 {
                return Rgb([200, 160, 130]);
            }
            if inside_ellipse(x, y, cx, cy + 34.0, 16.0, 5.0) {
                return lips;
            }
            return skin;
        }
        if inside_ellipse(x, y, cx, h as f32 * 0.78, 16.0, 30.0) {
            return skin;
        }
        background
    })
}

/// Encodes an image as JPEG.
pub fn jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, FactoryError> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    DynamicImage::ImageRgb8(image.clone())
        .write_with_encoder(encoder)
        .map_err(|e| FactoryError::Face(e.to_string()))?;
    Ok(out)
}

/// The face to store.
#[derive(Debug, Clone)]
pub struct Face {
    pub data: Vec<u8>,
    pub format: ImageFormat,
    pub width: u16,
    pub height: u16,
}

/// Prepares the face: `given` bytes (JPEG or JPEG 2000) or the synthetic one, in the
/// `wanted` format when possible. Returns warnings for what could not be honoured.
pub fn prepare(
    given: Option<&[u8]>,
    wanted: FaceFormat,
) -> Result<(Face, Vec<String>), FactoryError> {
    let mut warnings = Vec::new();
    let data = match given {
        Some(bytes) => {
            let format = ImageFormat::sniff(bytes);
            if !matches!(
                format,
                ImageFormat::Jpeg | ImageFormat::Jpeg2000 | ImageFormat::Jpeg2000Codestream
            ) {
                return Err(FactoryError::Face(
                    "the face must be a JPEG or JPEG 2000 file".into(),
                ));
            }
            if wanted == FaceFormat::Jpeg2000 && format == ImageFormat::Jpeg {
                warnings.push(
                    "the profile stores JPEG 2000 but no JPEG 2000 encoder is available: the JPEG is stored as is".into(),
                );
            }
            bytes.to_vec()
        }
        None => match wanted {
            FaceFormat::Jpeg2000 => SYNTHETIC_JP2.to_vec(),
            FaceFormat::Jpeg => jpeg(&synthetic_face(), 80)?,
        },
    };
    let pixels = alicem_emrtd::lds::decode_face_image(&data)
        .map_err(|e| FactoryError::Face(e.to_string()))?;
    let dim =
        |v: u32| u16::try_from(v).map_err(|_| FactoryError::Face("face image too large".into()));
    Ok((
        Face {
            format: ImageFormat::sniff(&data),
            width: dim(pixels.width())?,
            height: dim(pixels.height())?,
            data,
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_jpeg_and_jpeg2000_faces_decode_to_the_drawing_size() {
        let (jpeg_face, warnings) = prepare(None, FaceFormat::Jpeg).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(jpeg_face.format, ImageFormat::Jpeg);
        assert_eq!((jpeg_face.width, jpeg_face.height), (180, 240));
        let (jp2_face, _) = prepare(None, FaceFormat::Jpeg2000).unwrap();
        assert_eq!(jp2_face.format, ImageFormat::Jpeg2000);
        assert_eq!((jp2_face.width, jp2_face.height), (180, 240));
        assert!(jpeg_face.data.len() < 20_000 && jp2_face.data.len() < 20_000);
    }

    #[test]
    fn refuses_a_face_that_is_not_an_image() {
        assert!(prepare(Some(b"not an image"), FaceFormat::Jpeg).is_err());
    }

    /// Regenerates the drawing as PNG (then `opj_compress -i face.png -o
    /// assets/synthetic-face.jp2 -r 40`): `ALICEM_FACE_PNG=face.png cargo test -- --ignored`.
    #[test]
    #[ignore]
    fn write_synthetic_face_png() {
        let path = std::env::var("ALICEM_FACE_PNG").unwrap();
        synthetic_face().save(path).unwrap();
    }
}
