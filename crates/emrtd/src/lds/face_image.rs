//! Decoding a face image (from DG2, or a selfie frame) to RGB pixels: JPEG and PNG with
//! the `image` crate, JPEG 2000 (JP2 file or bare J2K codestream) with `jpeg2k` on its
//! pure-Rust OpenJPEG port.

use image::{DynamicImage, ImageReader, Limits, RgbImage};

use super::dg2::ImageFormat;

/// The largest image accepted, in pixels (a passport photo is well under a megapixel;
/// a selfie frame a few).
pub const MAX_PIXELS: u64 = 40_000_000;

#[derive(Debug, thiserror::Error)]
pub enum FaceImageError {
    #[error("not a JPEG, JPEG 2000 or PNG image")]
    UnknownFormat,
    #[error("could not decode the {format:?} image: {reason}")]
    Decode { format: ImageFormat, reason: String },
    #[error("image of {width}x{height} pixels is larger than allowed")]
    TooLarge { width: u32, height: u32 },
}

fn decode_error(format: ImageFormat) -> impl FnOnce(String) -> FaceImageError {
    move |reason| FaceImageError::Decode { format, reason }
}

/// Decodes an encoded image (format recognised from its bytes) to 8-bit RGB.
pub fn decode_face_image(bytes: &[u8]) -> Result<RgbImage, FaceImageError> {
    let format = ImageFormat::sniff(bytes);
    let image = match format {
        ImageFormat::Jpeg | ImageFormat::Png => {
            let mut reader = ImageReader::new(std::io::Cursor::new(bytes));
            reader.set_format(if format == ImageFormat::Jpeg {
                image::ImageFormat::Jpeg
            } else {
                image::ImageFormat::Png
            });
            let mut limits = Limits::default();
            limits.max_alloc = Some(MAX_PIXELS * 4);
            reader.limits(limits);
            reader
                .decode()
                .map_err(|e| decode_error(format)(e.to_string()))?
        }
        ImageFormat::Jpeg2000 | ImageFormat::Jpeg2000Codestream => {
            // The decoder is a port of C code: should malformed input make it panic,
            // that is a bad image, not a crashed server.
            let decoded = std::panic::catch_unwind(|| jpeg2k::Image::from_bytes(bytes))
                .map_err(|_| decode_error(format)("the JPEG 2000 decoder failed".into()))?;
            let j2k = decoded.map_err(|e| decode_error(format)(e.to_string()))?;
            let (width, height) = (j2k.width(), j2k.height());
            if u64::from(width) * u64::from(height) > MAX_PIXELS {
                return Err(FaceImageError::TooLarge { width, height });
            }
            DynamicImage::try_from(&j2k).map_err(|e| decode_error(format)(e.to_string()))?
        }
        ImageFormat::Unknown => return Err(FaceImageError::UnknownFormat),
    };
    if u64::from(image.width()) * u64::from(image.height()) > MAX_PIXELS {
        return Err(FaceImageError::TooLarge {
            width: image.width(),
            height: image.height(),
        });
    }
    Ok(image.to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lds::Dg2;

    #[test]
    fn decodes_the_jpeg2000_face_of_the_dutch_specimen() {
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_DG2_0102.bin");
        let dg2 = Dg2::parse(&bytes).unwrap();
        let rgb = decode_face_image(&dg2.faces[0].data).unwrap();
        assert_eq!((rgb.width(), rgb.height()), (449, 598));
        // A photo, not a blank: the pixels vary.
        let first = rgb.get_pixel(0, 0);
        assert!(rgb.pixels().any(|p| p != first));
    }

    #[test]
    fn decodes_a_jpeg() {
        let mut source = RgbImage::new(16, 8);
        for (x, _, p) in source.enumerate_pixels_mut() {
            *p = image::Rgb([(x * 16) as u8, 100, 200]);
        }
        let mut jpeg = Vec::new();
        DynamicImage::ImageRgb8(source)
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let rgb = decode_face_image(&jpeg).unwrap();
        assert_eq!((rgb.width(), rgb.height()), (16, 8));
    }

    #[test]
    fn refuses_garbage_and_truncated_images() {
        assert!(matches!(
            decode_face_image(b"hello"),
            Err(FaceImageError::UnknownFormat)
        ));
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_DG2_0102.bin");
        let dg2 = Dg2::parse(&bytes).unwrap();
        let data = &dg2.faces[0].data;
        assert!(decode_face_image(&data[..100]).is_err());
    }
}
