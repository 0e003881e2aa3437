//! Scoring a HOG pyramid level: dlib's `float_spatially_filter_image_separable`
//! summed over the rank-1 terms of every plane's filter (`apply_filters_to_fhog`).
//!
//! dlib filters 8 outputs at a time (AVX) while a whole block fits, then one at a
//! time; the vector path spreads each dot product over three accumulators (taps 0, 3,
//! 6, … / 1, 4, 7, … / 2, 5, 8, …) and adds them as `a + (b + c)`, the scalar path sums
//! the taps in order. Both orders are kept, per column, so scores are dlib's floats.

/// A float image, row-major.
#[derive(Clone)]
pub struct Plane {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

/// The inclusive range of output rows and columns a filter fully covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub top: usize,
    pub left: usize,
    pub bottom: usize,
    pub right: usize,
}

/// The taps of one output: `value(n)` for n in 0..len against `filter`, summed as
/// dlib's vector (`grouped`) or scalar path does.
#[inline]
fn dot(filter: &[f32], grouped: bool, value: impl Fn(usize) -> f32) -> f32 {
    if grouped {
        let (mut a, mut b, mut c) = (0f32, 0f32, 0f32);
        let mut n = 0;
        while n + 2 < filter.len() {
            a += value(n) * filter[n];
            b += value(n + 1) * filter[n + 1];
            c += value(n + 2) * filter[n + 2];
            n += 3;
        }
        while n < filter.len() {
            a += value(n) * filter[n];
            n += 1;
        }
        a + (b + c)
    } else {
        let mut a = 0f32;
        for (n, f) in filter.iter().enumerate() {
            a += value(n) * f;
        }
        a
    }
}

/// The first column past dlib's 8-wide blocks starting at `first` and ending before
/// `last`.
fn vector_end(first: usize, last: usize) -> usize {
    let mut c = first;
    while c + 7 < last {
        c += 8;
    }
    c
}

/// `float_spatially_filter_image_separable(input, out, row, col, scratch, add_to)`:
/// `out` (same size as `input`) gets (or, with `add`, adds) the filtered values on the
/// returned area; outside it, without `add`, zeros. `None` when the filter is larger
/// than the image or empty.
pub fn filter_separable(
    input: &Plane,
    row: &[f32],
    col: &[f32],
    scratch: &mut Vec<f32>,
    out: &mut Plane,
    add: bool,
) -> Option<Area> {
    let (nr, nc) = (input.rows, input.cols);
    if row.is_empty() || col.is_empty() || nr < col.len() || nc < row.len() {
        return None;
    }
    let (first_row, first_col) = (col.len() / 2, row.len() / 2);
    let last_row = nr - (col.len() - 1) / 2;
    let last_col = nc - (row.len() - 1) / 2;
    if !add || out.rows != nr || out.cols != nc || out.data.len() != nr * nc {
        out.rows = nr;
        out.cols = nc;
        out.data.clear();
        out.data.resize(nr * nc, 0.0);
    }
    scratch.clear();
    scratch.resize(nr * nc, 0.0);
    let split = vector_end(first_col, last_col);
    let at = |data: &[f32], r: usize, c: usize| data.get(r * nc + c).copied().unwrap_or_default();

    for r in 0..nr {
        for c in first_col..last_col {
            let v = dot(row, c < split, |n| at(&input.data, r, c - first_col + n));
            if let Some(s) = scratch.get_mut(r * nc + c) {
                *s = v;
            }
        }
    }
    for r in first_row..last_row {
        for c in first_col..last_col {
            let v = dot(col, c < split, |m| at(scratch, r - first_row + m, c));
            if let Some(o) = out.data.get_mut(r * nc + c) {
                *o = if add { v + *o } else { v };
            }
        }
    }
    Some(Area {
        top: first_row,
        left: first_col,
        bottom: last_row - 1,
        right: last_col - 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f32) -> Plane {
        let mut data = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                data.push(f(r, c));
            }
        }
        Plane { rows, cols, data }
    }

    #[test]
    fn a_separable_filter_is_the_outer_product_correlation() {
        let input = plane(6, 7, |r, c| (r * 7 + c) as f32);
        let (row, col) = ([1.0, 2.0, 0.5], [0.25, -1.0]);
        let mut out = Plane {
            rows: 0,
            cols: 0,
            data: Vec::new(),
        };
        let area = filter_separable(&input, &row, &col, &mut Vec::new(), &mut out, false).unwrap();
        assert_eq!(
            area,
            Area {
                top: 1,
                left: 1,
                bottom: 5,
                right: 5
            }
        );
        for r in area.top..=area.bottom {
            for c in area.left..=area.right {
                let mut want = 0f32;
                for (m, fc) in col.iter().enumerate() {
                    for (n, fr) in row.iter().enumerate() {
                        want += fc * fr * input.data[(r - 1 + m) * 7 + c - 1 + n];
                    }
                }
                assert_eq!(out.data[r * 7 + c], want, "({r}, {c})");
            }
        }
        // Outside the area: zeros.
        assert_eq!(out.data[0], 0.0);
        assert_eq!(out.data[6], 0.0);
    }

    #[test]
    fn adding_accumulates_onto_the_previous_output() {
        let input = plane(12, 12, |r, c| (r as f32 - c as f32) / 3.0);
        let row = [0.5, 1.0, 0.5];
        let mut once = Plane {
            rows: 0,
            cols: 0,
            data: Vec::new(),
        };
        let mut scratch = Vec::new();
        filter_separable(&input, &row, &row, &mut scratch, &mut once, false).unwrap();
        let mut twice = once.clone();
        filter_separable(&input, &row, &row, &mut scratch, &mut twice, true).unwrap();
        for (a, b) in once.data.iter().zip(&twice.data) {
            assert_eq!(2.0 * a, *b);
        }
    }

    #[test]
    fn vector_blocks_cover_whole_groups_of_eight() {
        assert_eq!(vector_end(5, 13), 13);
        assert_eq!(vector_end(5, 12), 5);
        assert_eq!(vector_end(5, 30), 29);
    }

    #[test]
    fn the_two_summation_orders_are_dlibs() {
        let f = [1e8f32, 1.0, -1e8, 1.0];
        // Scalar: ((1e8 + 1) − 1e8) + 1 = 1 (1e8 + 1 rounds to 1e8). Grouped: taps
        // 0 and 3 in one accumulator (1e8 + 1 = 1e8), then 1e8 + (1 − 1e8) = 0.
        assert_eq!(dot(&f, false, |_| 1.0), 1.0);
        assert_eq!(dot(&f, true, |_| 1.0), 0.0);
    }

    #[test]
    fn a_filter_larger_than_the_image_gives_nothing() {
        let input = plane(2, 2, |_, _| 1.0);
        let mut out = Plane {
            rows: 0,
            cols: 0,
            data: Vec::new(),
        };
        assert!(
            filter_separable(&input, &[1.0; 3], &[1.0], &mut Vec::new(), &mut out, false).is_none()
        );
    }
}
