//! dlib's `extract_fhog_features` (image_transforms/fhog.h) for RGB images and cell
//! sizes above 1: the 31-plane HOG variant of Felzenszwalb et al. (PAMI 2010).
//!
//! Per pixel, the colour channel with the strongest gradient gives the gradient, snapped
//! to one of 18 orientations; its length votes bilinearly into the four nearest cells'
//! histograms. Each cell then gives 18 contrast-sensitive and 9 contrast-insensitive
//! features, each normalised by the four 2×2-cell blocks around it (clipped at 0.2),
//! and 4 texture features (the sums over orientations per block).
//!
//! dlib computes the interior of each row 8 pixels at a time (AVX) and the last
//! columns one by one, and the two paths do not round alike: on equal gradient lengths
//! the vector path prefers the later channel (blue over green over red) and the scalar
//! one the earlier; the vector path weights a vote as `vy·(vx·v)`, the scalar one as
//! `(vy·vx)·v`. Both are reproduced, column for column, so the features are dlib's to
//! the bit (the reference wheel is an AVX build without FMA, whose 4-lane sums add
//! `(a+b)+(c+d)`).

use crate::frame::RgbFrame;

/// The 31 feature planes of one image, each `rows × cols`, row-major, with a zero
/// border of `(filter − 1)` cells so a filter can be centred on every cell.
pub struct Fhog {
    pub rows: usize,
    pub cols: usize,
    pub planes: Vec<Vec<f32>>,
}

pub const PLANES: usize = 31;

/// dlib's 9 unit directions (0°, 20°, … 160°) as it spells them.
const DIRECTIONS: [(f32, f32); 9] = [
    (1.0000, 0.0000),
    (0.9397, 0.3420),
    (0.7660, 0.6428),
    (0.500, 0.8660),
    (0.1736, 0.9848),
    (-0.1736, 0.9848),
    (-0.5000, 0.8660),
    (-0.7660, 0.6428),
    (-0.9397, 0.3420),
];

impl Fhog {
    fn empty() -> Self {
        Self {
            rows: 0,
            cols: 0,
            planes: vec![Vec::new(); PLANES],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0 || self.cols == 0
    }

    pub fn at(&self, plane: usize, row: usize, col: usize) -> f32 {
        self.planes
            .get(plane)
            .and_then(|p| p.get(row * self.cols + col))
            .copied()
            .unwrap_or_default()
    }
}

/// The gradient at (x, y) of the channel with the longest one: `(gx, gy, length²)`.
/// `vector_path` selects dlib's tie-breaking of its 8-wide path (later channel wins).
fn gradient(
    px: &dyn Fn(usize, usize, usize) -> i32,
    x: usize,
    y: usize,
    vector_path: bool,
) -> (i32, i32, i32) {
    let mut best = (0, 0, -1);
    for ch in 0..3 {
        let gx = px(x + 1, y, ch) - px(x - 1, y, ch);
        let gy = px(x, y + 1, ch) - px(x, y - 1, ch);
        let len = gx * gx + gy * gy;
        let better = if vector_path {
            len >= best.2
        } else {
            len > best.2
        };
        if better {
            best = (gx, gy, len);
        }
    }
    best
}

/// The nearest of the 18 orientations (9 directions, both senses), dlib's search.
fn orientation(gx: f32, gy: f32) -> usize {
    let mut best_dot = 0f32;
    let mut best_o = 0;
    for (o, (dx, dy)) in DIRECTIONS.iter().enumerate() {
        let dot = gx * dx + gy * dy;
        if dot > best_dot {
            best_dot = dot;
            best_o = o;
        } else if -dot > best_dot {
            best_dot = -dot;
            best_o = o + 9;
        }
    }
    best_o
}

/// `extract_fhog_features(img, hog, cell_size, rows_pad, cols_pad)`; `cell_size ≥ 2`.
pub fn extract(img: &RgbFrame, cell_size: usize, rows_pad: usize, cols_pad: usize) -> Fhog {
    let (nr, nc) = (img.height(), img.width());
    let cs = cell_size.max(2);
    let cells_nr = (nr as f32 / cs as f32 + 0.5) as usize;
    let cells_nc = (nc as f32 / cs as f32 + 0.5) as usize;
    if cells_nr < 3 || cells_nc < 3 {
        return Fhog::empty();
    }
    let (hog_nr, hog_nc) = (cells_nr - 2, cells_nc - 2);
    let raw = img.as_raw();
    let px = |x: usize, y: usize, ch: usize| -> i32 {
        i32::from(raw.get((y * nc + x) * 3 + ch).copied().unwrap_or_default())
    };

    // Histograms with one cell of padding all round.
    let hist_nc = cells_nc + 2;
    let mut hist = vec![[0f32; 18]; (cells_nr + 2) * hist_nc];
    let visible_nr = (cells_nr * cs).min(nr) as i64 - 1;
    let visible_nc = (cells_nc * cs).min(nc) as i64 - 1;
    let csf = cs as f32;
    let mut add = |row: i64, col: i64, o: usize, v: f32| {
        if let Some(h) = usize::try_from(row * hist_nc as i64 + col)
            .ok()
            .and_then(|i| hist.get_mut(i))
        {
            h[o] += v;
        }
    };
    for y in 1..visible_nr.max(1) {
        let yp = ((y as f64 + 0.5) / f64::from(csf) - 0.5) as f32;
        let iyp = yp.floor() as i64;
        let vy0 = yp - iyp as f32;
        let vy1 = (1.0 - f64::from(vy0)) as f32;
        let mut x = 1i64;
        // dlib's 8-wide path.
        while x < visible_nc - 7 {
            for x in x..x + 8 {
                let (gx, gy, len) = gradient(&px, x as usize, y as usize, true);
                let v = (len as f32).sqrt();
                let o = orientation(gx as f32, gy as f32);
                let xp = (x as f32 + 0.5) / csf + 0.5;
                let ixp = xp as i64;
                let vx0 = xp - ixp as f32;
                let vx1 = 1.0 - vx0;
                let (wx1, wx0) = (vx1 * v, vx0 * v);
                add(iyp + 1, ixp, o, vy1 * wx1);
                add(iyp + 2, ixp, o, vy0 * wx1);
                add(iyp + 1, ixp + 1, o, vy1 * wx0);
                add(iyp + 2, ixp + 1, o, vy0 * wx0);
            }
            x += 8;
        }
        // The scalar tail.
        while x < visible_nc {
            let (gx, gy, len) = gradient(&px, x as usize, y as usize, false);
            let o = orientation(gx as f32, gy as f32);
            let v = (len as f32).sqrt();
            let xp = ((x as f64 + 0.5) / cs as f64 - 0.5) as f32;
            let ixp = xp.floor() as i64;
            let vx0 = xp - ixp as f32;
            let vx1 = (1.0 - f64::from(vx0)) as f32;
            add(iyp + 1, ixp + 1, o, vy1 * vx1 * v);
            add(iyp + 2, ixp + 1, o, vy0 * vx1 * v);
            add(iyp + 1, ixp + 2, o, vy1 * vx0 * v);
            add(iyp + 2, ixp + 2, o, vy0 * vx0 * v);
            x += 1;
        }
    }
    let cell = |r: usize, c: usize| -> &[f32; 18] {
        hist.get((r + 1) * hist_nc + c + 1).unwrap_or(&[0f32; 18])
    };

    // Energy of each cell: the squared sums of opposite orientations.
    let mut norm = vec![0f32; cells_nr * cells_nc];
    for r in 0..cells_nr {
        for c in 0..cells_nc {
            let h = cell(r, c);
            let mut e = 0f32;
            for o in 0..9 {
                let s = h[o] + h[o + 9];
                e += s * s;
            }
            norm[r * cells_nc + c] = e;
        }
    }
    let n = |r: usize, c: usize| norm[r * cells_nc + c];

    let rows = hog_nr + rows_pad.max(1) - 1;
    let cols = hog_nc + cols_pad.max(1) - 1;
    let mut planes = vec![vec![0f32; rows * cols]; PLANES];
    let (row_off, col_off) = ((rows_pad.max(1) - 1) / 2, (cols_pad.max(1) - 1) / 2);
    let eps = 0.0001f32;
    // dlib's 4-lane horizontal sum (SSE4.1 dpps): (a+b)+(c+d).
    let sum4 = |v: [f32; 4]| (v[0] + v[1]) + (v[2] + v[3]);
    for y in 0..hog_nr {
        for x in 0..hog_nc {
            // The four blocks around cell (y+1, x+1), in dlib's lane order.
            let z1 = [n(y + 1, x + 1), n(y, x + 1), n(y + 1, x), n(y, x)];
            let z2 = [n(y + 1, x + 2), n(y, x + 2), n(y + 1, x + 1), n(y, x + 1)];
            let z3 = [n(y + 2, x + 1), n(y + 1, x + 1), n(y + 2, x), n(y + 1, x)];
            let z4 = [
                n(y + 2, x + 2),
                n(y + 1, x + 2),
                n(y + 2, x + 1),
                n(y + 1, x + 1),
            ];
            let mut nn = [0f32; 4];
            let mut inv = [0f32; 4];
            for k in 0..4 {
                nn[k] = 0.2f32 * ((((z1[k] + z2[k]) + z3[k]) + z4[k]) + eps).sqrt();
                inv[k] = 0.1f32 / nn[k];
            }
            let clip = |v: f32| -> [f32; 4] {
                let mut h = [0f32; 4];
                for k in 0..4 {
                    h[k] = v.min(nn[k]) * inv[k];
                }
                h
            };
            let h = cell(y + 1, x + 1);
            let at = (y + row_off) * cols + x + col_off;
            let mut set = |plane: usize, v: f32| {
                if let Some(p) = planes.get_mut(plane).and_then(|p| p.get_mut(at)) {
                    *p = v;
                }
            };
            let mut t = [0f32; 4];
            for o in (0..18).step_by(3) {
                let (h0, h1, h2) = (clip(h[o]), clip(h[o + 1]), clip(h[o + 2]));
                set(o, sum4(h0));
                set(o + 1, sum4(h1));
                set(o + 2, sum4(h2));
                for k in 0..4 {
                    t[k] += (h0[k] + h1[k]) + h2[k];
                }
            }
            for o in 0..9 {
                set(18 + o, sum4(clip(h[o] + h[o + 9])));
            }
            for (k, tk) in t.iter().enumerate() {
                set(27 + k, tk * (2.0 * 0.2357) as f32);
            }
        }
    }
    Fhog { rows, cols, planes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(w: usize, h: usize, f: impl Fn(usize, usize) -> [u8; 3]) -> RgbFrame {
        let mut data = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                data.extend_from_slice(&f(x, y));
            }
        }
        RgbFrame::from_raw(w, h, data).unwrap()
    }

    #[test]
    fn a_flat_image_has_all_features_zero() {
        let hog = extract(&image(40, 32, |_, _| [90, 90, 90]), 8, 1, 1);
        assert_eq!((hog.rows, hog.cols), (2, 3));
        assert!(hog.planes.iter().flatten().all(|v| *v == 0.0));
    }

    #[test]
    fn images_under_three_cells_give_no_features() {
        assert!(extract(&image(19, 40, |_, _| [0, 0, 0]), 8, 1, 1).is_empty());
        assert_eq!(
            extract(&image(19, 40, |_, _| [0, 0, 0]), 8, 1, 1)
                .planes
                .len(),
            31
        );
    }

    #[test]
    fn filter_padding_adds_a_zero_border_around_the_features() {
        let hog = extract(&image(40, 40, |x, _| [(x * 6) as u8, 0, 0]), 8, 10, 10);
        assert_eq!((hog.rows, hog.cols), (3 + 9, 3 + 9));
        // Features sit at offset 4; the border stays zero.
        assert!(hog.at(0, 5, 5) > 0.0);
        assert_eq!(hog.at(0, 3, 5), 0.0);
        assert_eq!(hog.at(0, 5, 8), 0.0);
    }

    #[test]
    fn a_vertical_edge_votes_for_the_horizontal_orientation() {
        // Dark left, bright right: gradient +x, orientation 0 (contrast-sensitive) and
        // 18 (insensitive); the mirror edge gives 9 and again 18.
        let hog = extract(
            &image(48, 48, |x, _| if x < 24 { [0; 3] } else { [200; 3] }),
            8,
            1,
            1,
        );
        let best = |hog: &Fhog| {
            (0..18)
                .max_by(|a, b| hog.at(*a, 1, 1).total_cmp(&hog.at(*b, 1, 1)))
                .unwrap()
        };
        assert_eq!(best(&hog), 0);
        assert!(hog.at(18, 1, 1) > 0.0);
        let mirror = extract(
            &image(48, 48, |x, _| if x < 24 { [200; 3] } else { [0; 3] }),
            8,
            1,
            1,
        );
        assert_eq!(best(&mirror), 9);
        assert_eq!(mirror.at(18, 1, 1), hog.at(18, 1, 1));
    }

    #[test]
    fn the_strongest_channel_gives_the_gradient() {
        // Only blue changes (vertically): the features are those of a grey ramp.
        let blue = extract(&image(32, 32, |_, y| [50, 50, (y * 7) as u8]), 8, 1, 1);
        let grey = extract(&image(32, 32, |_, y| [(y * 7) as u8; 3]), 8, 1, 1);
        assert_eq!(blue.planes, grey.planes);
        assert!(blue.at(4, 1, 1) > 0.0 || blue.at(13, 1, 1) > 0.0);
    }

    #[test]
    fn contrast_is_clipped_at_two_tenths_of_the_block_energy() {
        let hog = extract(
            &image(48, 48, |x, y| [((x * 37 + y * 11) % 256) as u8; 3]),
            8,
            1,
            1,
        );
        // Each of the 4 normalisations contributes at most 0.1 to a feature.
        assert!(hog.planes[..27].iter().flatten().all(|v| *v <= 0.4 + 1e-6));
    }

    #[test]
    fn orientations_snap_to_the_nearest_of_eighteen() {
        assert_eq!(orientation(1.0, 0.0), 0);
        assert_eq!(orientation(-1.0, 0.0), 9);
        assert_eq!(orientation(0.0, 1.0), 4);
        assert_eq!(orientation(0.0, -1.0), 13);
        assert_eq!(orientation(0.0, 0.0), 0);
    }
}
