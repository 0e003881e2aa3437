//! A small dense SVD (one-sided Jacobi, in `f64`), for splitting each HOG filter into
//! rank-1 row × column terms as dlib's `build_fhog_filterbank` does with its `svd3`.
//! Jacobi is accurate to the last bits on such small matrices, so the `float` filter
//! taps come out as dlib's.

/// `a = u · diag(s) · vᵀ` with `s` in decreasing order; `u` is `rows × k`, `v` is
/// `cols × k` (k = cols), both column-major (`u[j]` is column j).
pub struct Svd {
    pub s: Vec<f64>,
    pub u: Vec<Vec<f64>>,
    pub v: Vec<Vec<f64>>,
}

/// The SVD of the row-major `rows × cols` matrix `a` (rows ≥ 1, cols ≥ 1).
pub fn svd(a: &[f64], rows: usize, cols: usize) -> Svd {
    // Work on columns: w[j] is column j of a, v accumulates the rotations.
    let mut w: Vec<Vec<f64>> = (0..cols)
        .map(|j| {
            (0..rows)
                .map(|i| a.get(i * cols + j).copied().unwrap_or(0.0))
                .collect()
        })
        .collect();
    let mut v: Vec<Vec<f64>> = (0..cols)
        .map(|j| (0..cols).map(|i| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let dot = |x: &[f64], y: &[f64]| x.iter().zip(y).map(|(a, b)| a * b).sum::<f64>();
    for _sweep in 0..60 {
        let mut rotated = false;
        for p in 0..cols {
            for q in p + 1..cols {
                let alpha = dot(&w[p], &w[p]);
                let beta = dot(&w[q], &w[q]);
                let gamma = dot(&w[p], &w[q]);
                if gamma == 0.0 || gamma.abs() <= 1e-15 * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let t = if zeta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                for m in [&mut w, &mut v] {
                    let (lo, hi) = m.split_at_mut(q);
                    for (x, y) in lo[p].iter_mut().zip(hi[0].iter_mut()) {
                        let (xp, yq) = (*x, *y);
                        *x = c * xp - s * yq;
                        *y = s * xp + c * yq;
                    }
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let mut order: Vec<(f64, usize)> = w.iter().map(|c| dot(c, c).sqrt()).zip(0..).collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = Svd {
        s: Vec::with_capacity(cols),
        u: Vec::with_capacity(cols),
        v: Vec::with_capacity(cols),
    };
    for (s, j) in order {
        let u = if s > 0.0 {
            w[j].iter().map(|x| x / s).collect()
        } else {
            vec![0.0; rows]
        };
        out.s.push(s);
        out.u.push(u);
        out.v.push(v[j].clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factors_rebuild_the_matrix_with_sorted_singular_values() {
        let a: Vec<f64> = (0..30)
            .map(|i| ((i * 7919) % 23) as f64 / 7.0 - 1.5)
            .collect();
        let d = svd(&a, 5, 6);
        assert!(d.s.windows(2).all(|p| p[0] >= p[1]));
        for i in 0..5 {
            for j in 0..6 {
                let x: f64 = (0..6).map(|k| d.u[k][i] * d.s[k] * d.v[k][j]).sum();
                assert!((x - a[i * 6 + j]).abs() < 1e-12, "{i},{j}");
            }
        }
    }

    #[test]
    fn a_rank_one_matrix_has_one_nonzero_singular_value() {
        let (x, y) = ([1.0, 2.0, 3.0], [0.5, -1.0]);
        let a: Vec<f64> = x
            .iter()
            .flat_map(|a| y.iter().map(move |b| a * b))
            .collect();
        let d = svd(&a, 3, 2);
        let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
        assert!((d.s[0] - norm(&x) * norm(&y)).abs() < 1e-12);
        assert!(d.s[1].abs() < 1e-12);
    }
}
