//! Decoded pixels, held in memory only and zeroized on drop (they are biometric data).

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::FaceError;

/// An 8-bit RGB image, rows top to bottom, pixels left to right.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RgbFrame {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl core::fmt::Debug for RgbFrame {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RgbFrame({}x{})", self.width, self.height)
    }
}

impl RgbFrame {
    /// Wraps raw RGB bytes (`width·height·3` of them).
    pub fn from_raw(width: usize, height: usize, mut data: Vec<u8>) -> Result<Self, FaceError> {
        if width.checked_mul(height).and_then(|n| n.checked_mul(3)) != Some(data.len()) {
            data.zeroize();
            return Err(FaceError::Image(
                "pixel buffer does not match its size".into(),
            ));
        }
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// A black image.
    pub fn black(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            data: vec![0; width * height * 3],
        }
    }

    /// Decodes JPEG, PNG, JPEG 2000 (JP2 or J2K codestream) bytes.
    ///
    /// JPEG goes to [`crate::jpeg`], which gives libjpeg-turbo's pixels exactly (the
    /// decoder dlib's references and most face pipelines were fed); the few JPEG
    /// variants it does not handle, and other formats, go to the `image`/`hayro-jpeg2000`
    /// decoders of `alicem_emrtd::lds::face_image`.
    pub fn decode(bytes: &[u8]) -> Result<Self, FaceError> {
        if bytes.starts_with(&[0xFF, 0xD8])
            && let Ok(frame) = crate::jpeg::decode(bytes)
        {
            return Ok(frame);
        }
        let rgb = alicem_emrtd::lds::face_image::decode_face_image(bytes)
            .map_err(|e| FaceError::Image(e.to_string()))?;
        let (w, h) = (rgb.width() as usize, rgb.height() as usize);
        Self::from_raw(w, h, rgb.into_raw())
    }

    pub fn width(&self) -> usize {
        self.width
    }
    pub fn height(&self) -> usize {
        self.height
    }
    pub fn as_raw(&self) -> &[u8] {
        &self.data
    }
    pub fn as_raw_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// The pixel at (x, y), or `None` outside the image.
    #[inline]
    pub fn get(&self, x: i64, y: i64) -> Option<[u8; 3]> {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return None;
        }
        let i = (y as usize * self.width + x as usize) * 3;
        match self.data.get(i..i + 3) {
            Some([r, g, b]) => Some([*r, *g, *b]),
            _ => None,
        }
    }

    #[inline]
    pub fn put(&mut self, x: usize, y: usize, p: [u8; 3]) {
        let i = (y * self.width + x) * 3;
        if let Some(dst) = self.data.get_mut(i..i + 3) {
            dst.copy_from_slice(&p);
        }
    }

    /// dlib's grayscale intensity: the integer mean of the three channels.
    pub fn intensity(&self, x: i64, y: i64) -> Option<u8> {
        self.get(x, y)
            .map(|[r, g, b]| ((u32::from(r) + u32::from(g) + u32::from(b)) / 3) as u8)
    }

    /// A copy of the rectangle `[x0, x0+w) × [y0, y0+h)`, clipped to the image.
    pub fn crop(&self, x0: usize, y0: usize, w: usize, h: usize) -> RgbFrame {
        let x0 = x0.min(self.width);
        let y0 = y0.min(self.height);
        let w = w.min(self.width - x0);
        let h = h.min(self.height - y0);
        let mut out = RgbFrame::black(w, h);
        for y in 0..h {
            let src = ((y0 + y) * self.width + x0) * 3;
            let dst = y * w * 3;
            if let (Some(s), Some(d)) = (
                self.data.get(src..src + w * 3),
                out.data.get_mut(dst..dst + w * 3),
            ) {
                d.copy_from_slice(s);
            }
        }
        out
    }

    /// Mean luminance (0–255) and a sharpness measure (variance of the Laplacian of
    /// the grey image) over a region, for the quality gate.
    pub fn brightness_and_sharpness(&self, x0: usize, y0: usize, w: usize, h: usize) -> (f64, f64) {
        let region = self.crop(x0, y0, w, h);
        let (w, h) = (region.width, region.height);
        if w < 3 || h < 3 {
            return (0.0, 0.0);
        }
        let grey = |x: usize, y: usize| -> f64 {
            region
                .get(x as i64, y as i64)
                .map(|[r, g, b]| 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b))
                .unwrap_or(0.0)
        };
        let mut sum = 0.0;
        for y in 0..h {
            for x in 0..w {
                sum += grey(x, y);
            }
        }
        let mean = sum / (w * h) as f64;
        let (mut s, mut s2, mut n) = (0.0, 0.0, 0.0);
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let lap = grey(x - 1, y) + grey(x + 1, y) + grey(x, y - 1) + grey(x, y + 1)
                    - 4.0 * grey(x, y);
                s += lap;
                s2 += lap * lap;
                n += 1.0;
            }
        }
        let var = if n > 0.0 {
            s2 / n - (s / n).powi(2)
        } else {
            0.0
        };
        (mean, var)
    }
}
