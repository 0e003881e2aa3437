//! Decoding a face image (from DG2, or a selfie frame) to RGB pixels: JPEG and PNG with
//! the `image` crate, JPEG 2000 (JP2 file or bare J2K codestream) with `hayro-jpeg2000`,
//! a memory-safe pure-Rust decoder. (The earlier choice, `jpeg2k` over the c2rust port
//! `openjp2`, showed undefined behaviour on every JPEG 2000 image under the fuzzer: a
//! null `NonNull` built when its tile decoder was dropped.)

use hayro_jpeg2000::{ColorSpace, DecodeSettings, DecoderContext};
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
            DynamicImage::ImageRgb8(decode_jpeg2000(bytes, format)?)
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

/// Decodes a JP2 file or a J2K codestream to 8-bit RGB (grey is replicated, an alpha
/// channel dropped). The size is checked from the header, before any pixel is decoded.
fn decode_jpeg2000(bytes: &[u8], format: ImageFormat) -> Result<RgbImage, FaceImageError> {
    let settings = DecodeSettings {
        // A DG2 photo is not a palette image; an index image would decode to grey.
        resolve_palette_indices: true,
        strict: false,
        target_resolution: None,
    };
    let j2k = hayro_jpeg2000::Image::new(bytes, &settings)
        .map_err(|e| decode_error(format)(e.to_string()))?;
    let (width, height) = (j2k.width(), j2k.height());
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(FaceImageError::TooLarge { width, height });
    }
    let colour_channels = match j2k.color_space() {
        ColorSpace::Gray => 1,
        ColorSpace::RGB => 3,
        ColorSpace::Icc { num_channels, .. } if matches!(num_channels, 1 | 3) => {
            usize::from(*num_channels)
        }
        other => {
            return Err(decode_error(format)(format!(
                "colour space {} is not grey or RGB",
                colour_space_name(other)
            )));
        }
    };
    let channels = colour_channels + usize::from(j2k.has_alpha());
    let mut context = DecoderContext::default();
    let decoded = j2k
        .decode(&mut context)
        .map_err(|e| decode_error(format)(e.to_string()))?;
    if decoded.components().len() != channels
        || decoded
            .components()
            .iter()
            .any(|c| c.samples().len() as u64 != u64::from(width) * u64::from(height))
    {
        return Err(decode_error(format)(
            "its components do not cover the image".into(),
        ));
    }
    // The interleaved copy is a biometric buffer too (the decoder's own planes are not
    // reachable to wipe).
    let samples = zeroize::Zeroizing::new(decoded.data_u8());
    let mut rgb = RgbImage::new(width, height);
    for (pixel, source) in rgb.pixels_mut().zip(samples.chunks_exact(channels)) {
        pixel.0 = match colour_channels {
            1 => [source[0]; 3],
            _ => [source[0], source[1], source[2]],
        };
    }
    Ok(rgb)
}

fn colour_space_name(space: &ColorSpace) -> &'static str {
    match space {
        ColorSpace::Gray => "grey",
        ColorSpace::RGB => "RGB",
        ColorSpace::CMYK => "CMYK",
        ColorSpace::Unknown { .. } => "unknown",
        ColorSpace::Icc { .. } => "ICC-based",
    }
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
    fn refuses_a_jpeg2000_image_declaring_more_pixels_than_allowed_before_decoding_it() {
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_DG2_0102.bin");
        let dg2 = Dg2::parse(&bytes).unwrap();
        let mut data = dg2.faces[0].data.clone();
        // SIZ follows SOC in the codestream: marker, Lsiz, Rsiz, then Xsiz and Ysiz.
        let siz = data
            .windows(4)
            .position(|w| w == [0xFF, 0x4F, 0xFF, 0x51])
            .unwrap();
        data[siz + 8..siz + 16].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
        assert!(matches!(
            decode_face_image(&data),
            Err(FaceImageError::TooLarge {
                width: 100_000,
                height: 100_000
            })
        ));
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
