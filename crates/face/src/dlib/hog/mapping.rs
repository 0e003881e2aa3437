//! Rectangle arithmetic of the detector, as dlib does it: from a position in a HOG
//! feature plane back to image pixels (`fhog_to_image`), between pyramid levels
//! (`pyramid_down<N>::rect_up`/`rect_down`, computed in `double` and rounded with
//! `lround`, halves away from zero), and `centered_rect`.

use crate::geometry::Rect;

/// `centered_rect(point(x, y), width, height)`.
pub fn centered_rect(x: i64, y: i64, width: i64, height: i64) -> Rect {
    let left = x - width / 2;
    let top = y - height / 2;
    Rect {
        left,
        top,
        right: left + width - 1,
        bottom: top + height - 1,
    }
}

/// `fhog_to_image(point)`: a feature-plane position (planes padded by the filter size)
/// to the centre of its cell in the image (the HOG image skips a one-pixel border and
/// one cell all round).
pub fn fhog_to_image_point(x: i64, y: i64, cell: i64, rows_pad: i64, cols_pad: i64) -> (i64, i64) {
    let px = (x + 1 - (cols_pad - 1) / 2) * cell + 1;
    let py = (y + 1 - (rows_pad - 1) / 2) * cell + 1;
    let half = cell / 2;
    let ox = if px >= 0 { half } else { -half };
    let oy = if py >= 0 { half } else { -half };
    (px + ox, py + oy)
}

/// `fhog_to_image(rectangle)`: both corners mapped.
pub fn fhog_to_image(rect: Rect, cell: i64, rows_pad: i64, cols_pad: i64) -> Rect {
    let (l, t) = fhog_to_image_point(rect.left, rect.top, cell, rows_pad, cols_pad);
    let (r, b) = fhog_to_image_point(rect.right, rect.bottom, cell, rows_pad, cols_pad);
    bounding(l as f64, t as f64, r as f64, b as f64)
}

/// `image_to_fhog(point)`, the inverse (integer division truncating toward zero).
pub fn image_to_fhog_point(x: i64, y: i64, cell: i64, rows_pad: i64, cols_pad: i64) -> (i64, i64) {
    (
        (x - 1) / cell - 1 + (cols_pad - 1) / 2,
        (y - 1) / cell - 1 + (rows_pad - 1) / 2,
    )
}

/// A rectangle from two corners as dlib's `drectangle(p1, p2)` → `rectangle`: the
/// bounding box, each side rounded with `lround`.
fn bounding(x1: f64, y1: f64, x2: f64, y2: f64) -> Rect {
    Rect {
        left: x1.min(x2).round() as i64,
        top: y1.min(y2).round() as i64,
        right: x1.max(x2).round() as i64,
        bottom: y1.max(y2).round() as i64,
    }
}

fn map_corners(rect: Rect, levels: u32, f: impl Fn(f64, f64) -> (f64, f64)) -> Rect {
    let mut tl = (rect.left as f64, rect.top as f64);
    let mut br = (rect.right as f64, rect.bottom as f64);
    for _ in 0..levels {
        tl = f(tl.0, tl.1);
        br = f(br.0, br.1);
    }
    bounding(tl.0, tl.1, br.0, br.1)
}

/// `pyramid_down<N>::rect_up(rect, levels)` for N ≥ 3: `p·N/(N−1) + 0.3` per level.
pub fn rect_up(rect: Rect, n: u32, levels: u32) -> Rect {
    let ratio = f64::from(n) / (f64::from(n) - 1.0);
    map_corners(rect, levels, |x, y| (x * ratio + 0.3, y * ratio + 0.3))
}

/// `pyramid_down<N>::rect_down(rect)` for N ≥ 3: `(p − 0.3)·(N−1)/N`.
pub fn rect_down(rect: Rect, n: u32) -> Rect {
    let ratio = (f64::from(n) - 1.0) / f64::from(n);
    map_corners(rect, 1, |x, y| ((x - 0.3) * ratio, (y - 0.3) * ratio))
}

/// `pyramid_down<2>::rect_down(rect, levels)`: `p/2 − (1.25, 0.75)` per level, the
/// Python binding's way back from its upsampled image.
pub fn rect_down_2(rect: Rect, levels: u32) -> Rect {
    map_corners(rect, levels, |x, y| (x / 2.0 - 1.25, y / 2.0 - 0.75))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(left: i64, top: i64, right: i64, bottom: i64) -> Rect {
        Rect {
            left,
            top,
            right,
            bottom,
        }
    }

    #[test]
    fn centered_rect_puts_the_extra_pixel_right_and_below() {
        assert_eq!(centered_rect(0, 0, 80, 80), r(-40, -40, 39, 39));
        assert_eq!(centered_rect(5, 5, 3, 3), r(4, 4, 6, 6));
    }

    #[test]
    fn the_80_pixel_window_is_10_cells() {
        let w = centered_rect(0, 0, 80, 80);
        let tl = image_to_fhog_point(w.left, w.top, 8, 1, 1);
        let br = image_to_fhog_point(w.right, w.bottom, 8, 1, 1);
        assert_eq!((br.0 - tl.0 + 1, br.1 - tl.1 + 1), (10, 10));
    }

    #[test]
    fn feature_positions_map_to_cell_centres_with_dlibs_offsets() {
        // Padding 10 (offset 4): feature column 4 is cell 0, whose centre is pixel 5+4.
        assert_eq!(fhog_to_image_point(4, 4, 8, 10, 10), (13, 13));
        // Left of the image the half-cell offset goes the other way.
        assert_eq!(fhog_to_image_point(2, 4, 8, 10, 10), (-11, 13));
        let det = fhog_to_image(centered_rect(9, 9, 10, 10), 8, 10, 10);
        assert_eq!(det, r(13, 13, 85, 85));
    }

    #[test]
    fn pyramid_levels_scale_by_six_fifths_and_round_half_away_from_zero() {
        assert_eq!(rect_up(r(13, 13, 85, 85), 6, 0), r(13, 13, 85, 85));
        // 13·1.2 + 0.3 = 15.9; 85·1.2 + 0.3 = 102.3.
        assert_eq!(rect_up(r(13, 13, 85, 85), 6, 1), r(16, 16, 102, 102));
        assert_eq!(rect_down(r(0, 0, 639, 479), 6), r(0, 0, 532, 399));
        // (2.5 → 3 with lround) and the Python binding's way down from pyramid_up.
        assert_eq!(rect_down_2(r(40, 30, 300, 200), 1), r(19, 14, 149, 99));
        assert_eq!(rect_down_2(r(3, 2, 3, 2), 1), r(0, 0, 0, 0));
    }
}
