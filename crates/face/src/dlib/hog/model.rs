//! Reading a serialized `object_detector<scan_fhog_pyramid<pyramid_down<6>>>` (what
//! `dlib.get_frontal_face_detector().save()` writes) and building its filter banks
//! as dlib's `processed_weight_vector::init` does.
//!
//! Layout: detector version (2; 1 has a single weight vector), then the scanner
//! (version 1, an empty feature-extractor, the cached feature pyramid (empty when
//! saved), cell size, padding, window width and height, max pyramid levels, minimum
//! layer width and height, nuclear-norm strength, number of dimensions), the overlap
//! tester (IoU and covered-fraction thresholds), then the weight vectors (dlib
//! matrices: −rows, −cols, the doubles), each one filter of `planes × height × width`
//! weights and the detection threshold last.

use super::fhog::PLANES;
use super::mapping::{centered_rect, image_to_fhog_point};
use super::svd::svd;
use crate::dlib::serialize::{DlibError, Reader};

/// One weight vector, ready to score: per plane, its rank-1 terms `(row, col)`.
pub struct FilterBank {
    pub terms: Vec<Vec<(Vec<f32>, Vec<f32>)>>,
    /// The score a window must reach (`w[dims]`).
    pub threshold: f64,
}

impl FilterBank {
    pub fn num_separable_filters(&self) -> usize {
        self.terms.iter().map(Vec::len).sum()
    }
}

/// The scanner's configuration and the detectors' weights.
pub struct HogModel {
    pub cell_size: usize,
    pub padding: usize,
    /// The filter size in cells (window plus padding).
    pub filter_rows: usize,
    pub filter_cols: usize,
    pub max_pyramid_levels: usize,
    pub min_pyramid_layer_width: usize,
    pub min_pyramid_layer_height: usize,
    pub iou_thresh: f64,
    pub percent_covered_thresh: f64,
    pub banks: Vec<FilterBank>,
}

const MAX_CELL: i64 = 64;
const MAX_WINDOW: i64 = 4096;
const MAX_DETECTORS: usize = 64;

fn small(r: &mut Reader<'_>, what: &str, lo: i64, hi: i64) -> Result<usize, DlibError> {
    let at = r.position();
    let v = r.int(8)?;
    if v < lo || v > hi {
        return Err(DlibError {
            offset: at,
            what: format!("{what} {v} outside {lo}..={hi}"),
        });
    }
    usize::try_from(v).map_err(|_| r.error(format!("{what} {v}")))
}

fn double_column(r: &mut Reader<'_>, expected: usize) -> Result<Vec<f64>, DlibError> {
    let at = r.position();
    let nr = r.int(8)?.unsigned_abs();
    let nc = r.int(8)?.unsigned_abs();
    if nc != 1 || nr != expected as u64 {
        return Err(DlibError {
            offset: at,
            what: format!("weight vector is {nr}×{nc}, expected {expected}×1"),
        });
    }
    (0..expected).map(|_| r.f64()).collect()
}

impl HogModel {
    /// Parses the detector file. Never panics: any inconsistency is an error.
    pub fn parse(bytes: &[u8]) -> Result<Self, DlibError> {
        let mut r = Reader::new(bytes);
        let version = r.expect_version(&[1, 2], "object_detector")?;
        r.expect_version(&[1], "scan_fhog_pyramid")?;
        // The cached feature pyramid: a dlib::array (max size, size), empty on disk.
        let _max_size = r.uint(8)?;
        if r.uint(8)? != 0 {
            return Err(r.error("a saved feature pyramid is not supported"));
        }
        let cell_size = small(&mut r, "cell size", 2, MAX_CELL)?;
        let padding = small(&mut r, "padding", 0, 64)?;
        let window_width = small(&mut r, "window width", 1, MAX_WINDOW)?;
        let window_height = small(&mut r, "window height", 1, MAX_WINDOW)?;
        let max_pyramid_levels = small(&mut r, "max pyramid levels", 1, 1 << 20)?;
        let min_pyramid_layer_width = small(&mut r, "min layer width", 1, 1 << 20)?;
        let min_pyramid_layer_height = small(&mut r, "min layer height", 1, 1 << 20)?;
        let _nuclear_norm = r.f64()?;
        let dims = small(&mut r, "dimensions", 1, 1 << 24)?;

        // compute_fhog_window_size: the window in feature cells, grown by the padding.
        let c = cell_size as i64;
        let w = centered_rect(0, 0, window_width as i64, window_height as i64);
        let tl = image_to_fhog_point(w.left, w.top, c, 1, 1);
        let br = image_to_fhog_point(w.right, w.bottom, c, 1, 1);
        let filter_cols = usize::try_from(br.0 - tl.0 + 1 + 2 * padding as i64).unwrap_or(0);
        let filter_rows = usize::try_from(br.1 - tl.1 + 1 + 2 * padding as i64).unwrap_or(0);
        if filter_cols == 0 || filter_rows == 0 || filter_cols * filter_rows * PLANES != dims {
            return Err(r.error(format!(
                "{dims} dimensions do not match a {filter_cols}×{filter_rows} filter of {PLANES} planes"
            )));
        }

        let mut weights = Vec::new();
        let (iou_thresh, percent_covered_thresh);
        if version == 1 {
            weights.push(double_column(&mut r, dims + 1)?);
            iou_thresh = r.f64()?;
            percent_covered_thresh = r.f64()?;
        } else {
            iou_thresh = r.f64()?;
            percent_covered_thresh = r.f64()?;
            let n = r.count(MAX_DETECTORS)?;
            for _ in 0..n {
                weights.push(double_column(&mut r, dims + 1)?);
            }
        }
        if weights.is_empty() {
            return Err(r.error("no weight vectors"));
        }
        let ok = |x: f64| (0.0..=1.0).contains(&x);
        if !ok(iou_thresh) || !ok(percent_covered_thresh) {
            return Err(r.error("overlap thresholds outside [0, 1]"));
        }
        if weights.iter().flatten().any(|x| !x.is_finite()) {
            return Err(r.error("non-finite weight"));
        }
        let banks = weights
            .iter()
            .map(|w| build_filter_bank(w, filter_rows, filter_cols))
            .collect();
        Ok(Self {
            cell_size,
            padding,
            filter_rows,
            filter_cols,
            max_pyramid_levels,
            min_pyramid_layer_width,
            min_pyramid_layer_height,
            iou_thresh,
            percent_covered_thresh,
            banks,
        })
    }

    /// The detection box in cells (the filter without its padding).
    pub fn box_cells(&self) -> (usize, usize) {
        (
            self.filter_rows.saturating_sub(2 * self.padding),
            self.filter_cols.saturating_sub(2 * self.padding),
        )
    }
}

/// `build_fhog_filterbank`: each plane's `rows × cols` filter (row-major in `w`) split
/// by SVD into `u_j·√s_j` (column filter) and `v_j·√s_j` (row filter) for the
/// singular values dlib keeps (≥ max(1e−4, 0.001·largest)), largest first.
fn build_filter_bank(w: &[f64], rows: usize, cols: usize) -> FilterBank {
    let size = rows * cols;
    let terms = (0..PLANES)
        .map(|i| {
            let f = w.get(i * size..(i + 1) * size).unwrap_or_default();
            let d = svd(f, rows, cols);
            let largest = d.s.first().copied().unwrap_or(0.0);
            let keep = 1e-4f64.max(largest * 0.001);
            d.s.iter()
                .zip(d.u.iter().zip(&d.v))
                .filter(|(s, _)| **s >= keep)
                .map(|(s, (u, v))| {
                    let k = s.sqrt();
                    let row = v.iter().map(|x| (x * k) as f32).collect();
                    let col = u.iter().map(|x| (x * k) as f32).collect();
                    (row, col)
                })
                .collect()
        })
        .collect();
    FilterBank {
        terms,
        threshold: w.get(PLANES * size).copied().unwrap_or(f64::INFINITY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncations_are_errors_not_panics() {
        assert!(HogModel::parse(&[]).is_err());
        assert!(HogModel::parse(&[0xff; 64]).is_err());
        assert!(HogModel::parse(&[1, 2, 1, 1]).is_err());
    }

    #[test]
    fn the_filter_bank_keeps_the_singular_values_dlib_keeps() {
        // One plane with a rank-2 filter (singular values 12 and 0.02, over the 0.1 %
        // cut), the others zero.
        let (rows, cols) = (3, 3);
        let mut w = vec![0.0; PLANES * 9 + 1];
        let (a, b) = ([1.0, 2.0, 1.0], [1.0, 0.0, -1.0]);
        for i in 0..3 {
            for j in 0..3 {
                w[i * 3 + j] = 2.0 * a[i] * a[j] + 0.01 * b[i] * b[j];
            }
        }
        w[PLANES * 9] = -0.5;
        let bank = build_filter_bank(&w, rows, cols);
        assert_eq!(bank.threshold, -0.5);
        assert_eq!(bank.num_separable_filters(), 2);
        assert_eq!(bank.terms[0].len(), 2);
        assert!(bank.terms[1..].iter().all(Vec::is_empty));
        // The terms rebuild the filter.
        for i in 0..3 {
            for j in 0..3 {
                let x: f32 = bank.terms[0].iter().map(|(r, c)| c[i] * r[j]).sum();
                assert!((f64::from(x) - w[i * 3 + j]).abs() < 1e-6);
            }
        }
    }
}
