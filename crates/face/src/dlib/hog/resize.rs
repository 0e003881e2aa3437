//! dlib's bilinear `resize_image` for RGB images (interpolation.h), and the two image
//! pyramids the frontal face detector uses: `pyramid_up` (the Python binding's
//! upsampling, through `pyramid_down<2>`) and `pyramid_down<6>` (the detector's scales).
//!
//! Bit-exact matters here: the HOG features see single pixel differences, and a score
//! near the threshold decides whether a face is found. So the arithmetic is dlib's,
//! including its quirks: dlib interpolates blocks of 4 output columns in `float` with
//! the column position *accumulated* (`x += 4·scale`) and truncates, and finishes the
//! row (the columns whose right neighbour would fall outside) in `double`.

use crate::frame::RgbFrame;

/// The output size of dlib's `pyramid_up` with `pyramid_down<2>`: the input rectangle
/// mapped up (`(p + (1.25, 0.75))·2`, rounded), so `2w + 2` columns and `2h + 1` rows.
pub fn pyramid_up_size(width: usize, height: usize) -> (usize, usize) {
    if width == 0 || height == 0 {
        return (0, 0);
    }
    let right = ((width as f64 - 1.0 + 1.25) * 2.0).round() as usize;
    let bottom = ((height as f64 - 1.0 + 0.75) * 2.0).round() as usize;
    (right + 1, bottom + 1)
}

/// The output size of one `pyramid_down<N>` step: `⌊(N−1)·size / N⌋` each way.
pub fn pyramid_down_size(width: usize, height: usize, n: usize) -> (usize, usize) {
    ((n - 1) * width / n, (n - 1) * height / n)
}

/// dlib's `pyramid_up(img, out, pyramid_down<2>())`: a bilinear upsampling to
/// [`pyramid_up_size`].
pub fn pyramid_up(img: &RgbFrame) -> RgbFrame {
    let (w, h) = pyramid_up_size(img.width(), img.height());
    resize_bilinear(img, w, h)
}

/// One level of `pyramid_down<N>` (N ≥ 2): a bilinear resize to [`pyramid_down_size`].
pub fn pyramid_down(img: &RgbFrame, n: usize) -> RgbFrame {
    let (w, h) = pyramid_down_size(img.width(), img.height(), n.max(2));
    resize_bilinear(img, w, h)
}

/// dlib's `resize_image(in, out, interpolate_bilinear())` for RGB images.
pub fn resize_bilinear(img: &RgbFrame, out_w: usize, out_h: usize) -> RgbFrame {
    let mut out = RgbFrame::black(out_w, out_h);
    let (in_w, in_h) = (img.width(), img.height());
    if out_w == 0 || out_h == 0 || in_w == 0 || in_h == 0 {
        return out;
    }
    let src = img.as_raw();
    let px = |x: usize, y: usize, ch: usize| -> u8 {
        src.get((y * in_w + x) * 3 + ch)
            .copied()
            .unwrap_or_default()
    };
    let x_scale = (in_w - 1) as f64 / (out_w.max(2) - 1) as f64;
    let y_scale = (in_h - 1) as f64 / (out_h.max(2) - 1) as f64;
    let dst = out.as_raw_mut();
    let mut y = -y_scale;
    for r in 0..out_h {
        y += y_scale;
        let top = (y.floor().max(0.0) as usize).min(in_h - 1);
        let bottom = (top + 1).min(in_h - 1);
        let tb = y - top as f64;
        let row = &mut dst[r * out_w * 3..(r + 1) * out_w * 3];
        // Blocks of 4 columns in float, as dlib's simd4f loop.
        let tbf = tb as f32;
        let inv_tbf = (1.0 - tb) as f32;
        let step = (4.0 * x_scale) as f32;
        let x0 = -4.0 * x_scale;
        let mut lanes = [
            x0 as f32,
            (x0 + x_scale) as f32,
            (x0 + 2.0 * x_scale) as f32,
            (x0 + 3.0 * x_scale) as f32,
        ];
        let mut c = 0usize;
        loop {
            let mut left = [0usize; 4];
            let mut w = [[0f32; 4]; 4];
            for (i, lane) in lanes.iter_mut().enumerate() {
                *lane += step;
                let l = *lane as i32; // truncation, as _mm_cvttps_epi32
                let lr = *lane - l as f32;
                let inv_lr = 1.0 - lr;
                left[i] = l.max(0) as usize;
                w[i] = [inv_tbf * inv_lr, inv_tbf * lr, tbf * inv_lr, tbf * lr];
            }
            if left[3] + 1 >= in_w || c + 3 >= out_w {
                break;
            }
            for i in 0..4 {
                let (l, rt) = (left[i], left[i] + 1);
                let [tlf, trf, blf, brf] = w[i];
                for ch in 0..3 {
                    let v = tlf * f32::from(px(l, top, ch))
                        + trf * f32::from(px(rt, top, ch))
                        + blf * f32::from(px(l, bottom, ch))
                        + brf * f32::from(px(rt, bottom, ch));
                    row[(c + i) * 3 + ch] = v as i32 as u8;
                }
            }
            c += 4;
        }
        // The rest of the row in double.
        let mut x = -x_scale + c as f64 * x_scale;
        for c in c..out_w {
            x += x_scale;
            let left = (x.floor().max(0.0) as usize).min(in_w - 1);
            let right = (left + 1).min(in_w - 1);
            let lr = x - left as f64;
            for ch in 0..3 {
                let t =
                    (1.0 - lr) * f64::from(px(left, top, ch)) + lr * f64::from(px(right, top, ch));
                let b = (1.0 - lr) * f64::from(px(left, bottom, ch))
                    + lr * f64::from(px(right, bottom, ch));
                row[c * 3 + ch] = ((1.0 - tb) * t + tb * b) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyramid_up_gives_dlibs_odd_size() {
        assert_eq!(pyramid_up_size(275, 253), (552, 507));
        assert_eq!(pyramid_up_size(0, 10), (0, 0));
    }

    #[test]
    fn pyramid_down_6_keeps_five_sixths_rounded_down() {
        assert_eq!(pyramid_down_size(640, 480, 6), (533, 400));
        assert_eq!(pyramid_down_size(5, 7, 6), (4, 5));
    }

    #[test]
    fn resizing_a_flat_image_keeps_it_flat_up_to_truncation() {
        // The float weights may sum to just under 1 and dlib truncates: a level can go.
        let img = RgbFrame::from_raw(5, 4, [10u8, 20, 30].repeat(20)).unwrap();
        let up = pyramid_up(&img);
        assert_eq!((up.width(), up.height()), (12, 9));
        let near = |v: u8, want: u8| v == want || v + 1 == want;
        assert!(
            up.as_raw()
                .chunks(3)
                .all(|p| near(p[0], 10) && near(p[1], 20) && near(p[2], 30))
        );
    }

    #[test]
    fn resizing_interpolates_between_neighbours_and_truncates() {
        // A horizontal ramp 0, 100: the middle of a 3-wide output is 50.
        let img = RgbFrame::from_raw(2, 1, vec![0, 0, 0, 100, 100, 100]).unwrap();
        let out = resize_bilinear(&img, 3, 1);
        assert_eq!(out.as_raw(), &[0, 0, 0, 50, 50, 50, 100, 100, 100]);
        let out = resize_bilinear(&img, 4, 1);
        assert_eq!(out.get(1, 0), Some([33, 33, 33]));
    }
}
