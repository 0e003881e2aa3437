//! Points and the 2-D transforms dlib uses (dlib/geometry/point_transforms.h): a
//! least-squares similarity (Umeyama) and an affine map through three or more points.

use serde::Serialize;

/// A point in image coordinates (x to the right, y down), in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    pub fn distance(self, other: Point) -> f64 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2)).sqrt()
    }

    pub fn midpoint(self, other: Point) -> Point {
        Point::new((self.x + other.x) / 2.0, (self.y + other.y) / 2.0)
    }

    /// dlib's conversion of a real point to integer pixels: `floor(v + 0.5)`.
    pub fn rounded(self) -> (i64, i64) {
        ((self.x + 0.5).floor() as i64, (self.y + 0.5).floor() as i64)
    }
}

/// `p ↦ m·p + b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine {
    pub m: [[f64; 2]; 2],
    pub b: [f64; 2],
}

impl Affine {
    pub const IDENTITY: Affine = Affine {
        m: [[1.0, 0.0], [0.0, 1.0]],
        b: [0.0, 0.0],
    };

    pub fn apply(&self, p: Point) -> Point {
        Point::new(
            self.m[0][0] * p.x + self.m[0][1] * p.y + self.b[0],
            self.m[1][0] * p.x + self.m[1][1] * p.y + self.b[1],
        )
    }

    /// The least-squares similarity transform (rotation, uniform scale, translation)
    /// mapping `from` onto `to` (Umeyama 1991, in its closed 2-D form, which equals the
    /// SVD solution dlib computes).
    pub fn similarity(from: &[Point], to: &[Point]) -> Affine {
        let n = from.len().min(to.len());
        if n < 2 {
            return Affine::IDENTITY;
        }
        let nf = n as f64;
        let mean = |ps: &[Point]| {
            let (sx, sy) = ps
                .iter()
                .take(n)
                .fold((0.0, 0.0), |(x, y), p| (x + p.x, y + p.y));
            Point::new(sx / nf, sy / nf)
        };
        let (mf, mt) = (mean(from), mean(to));
        let mut sigma_from = 0.0;
        let mut cov = [[0.0f64; 2]; 2];
        for (f, t) in from.iter().zip(to).take(n) {
            let (fx, fy) = (f.x - mf.x, f.y - mf.y);
            let (tx, ty) = (t.x - mt.x, t.y - mt.y);
            sigma_from += fx * fx + fy * fy;
            cov[0][0] += tx * fx;
            cov[0][1] += tx * fy;
            cov[1][0] += ty * fx;
            cov[1][1] += ty * fy;
        }
        sigma_from /= nf;
        for row in &mut cov {
            for v in row.iter_mut() {
                *v /= nf;
            }
        }
        let a = cov[0][0] + cov[1][1];
        let b = cov[1][0] - cov[0][1];
        let scale = if sigma_from != 0.0 { sigma_from } else { 1.0 };
        let norm = (a * a + b * b).sqrt();
        let m = if norm == 0.0 {
            [[1.0, 0.0], [0.0, 1.0]]
        } else if sigma_from != 0.0 {
            [[a / scale, -b / scale], [b / scale, a / scale]]
        } else {
            [[a / norm, -b / norm], [b / norm, a / norm]]
        };
        let b = [
            mt.x - (m[0][0] * mf.x + m[0][1] * mf.y),
            mt.y - (m[1][0] * mf.x + m[1][1] * mf.y),
        ];
        Affine { m, b }
    }

    /// The least-squares affine map from `from` to `to` (at least three points not on a
    /// line): `Q·Pᵀ·(P·Pᵀ)⁻¹`, which is what dlib's `Q·pinv(P)` is for such points.
    pub fn through(from: &[Point], to: &[Point]) -> Option<Affine> {
        // P·Pᵀ (3×3, symmetric) and Q·Pᵀ (2×3), P's columns being (x, y, 1).
        let mut ppt = [[0.0f64; 3]; 3];
        let mut qpt = [[0.0f64; 3]; 2];
        for (f, t) in from.iter().zip(to) {
            let p = [f.x, f.y, 1.0];
            for (i, pi) in p.iter().enumerate() {
                for (j, pj) in p.iter().enumerate() {
                    ppt[i][j] += pi * pj;
                }
                qpt[0][i] += t.x * pi;
                qpt[1][i] += t.y * pi;
            }
        }
        let inv = invert3(&ppt)?;
        let mut out = [[0.0f64; 3]; 2];
        for (r, row) in out.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = (0..3).map(|k| qpt[r][k] * inv[k][c]).sum();
            }
        }
        Some(Affine {
            m: [[out[0][0], out[0][1]], [out[1][0], out[1][1]]],
            b: [out[0][2], out[1][2]],
        })
    }
}

fn invert3(a: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    if !det.is_finite() || det.abs() < 1e-12 {
        return None;
    }
    let inv_det = 1.0 / det;
    let mut out = [[0.0; 3]; 3];
    out[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) * inv_det;
    out[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) * inv_det;
    out[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) * inv_det;
    out[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) * inv_det;
    out[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) * inv_det;
    out[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) * inv_det;
    out[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) * inv_det;
    out[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) * inv_det;
    out[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) * inv_det;
    Some(out)
}

/// An axis-aligned rectangle with inclusive integer corners, as dlib's `rectangle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rect {
    pub left: i64,
    pub top: i64,
    pub right: i64,
    pub bottom: i64,
}

impl Rect {
    pub fn width(&self) -> i64 {
        self.right - self.left + 1
    }
    pub fn height(&self) -> i64 {
        self.bottom - self.top + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_recovers_a_rotation_scale_and_shift() {
        let angle = 0.3f64;
        let (s, c) = angle.sin_cos();
        let from = [
            Point::new(0.0, 0.0),
            Point::new(10.0, 0.0),
            Point::new(3.0, 7.0),
        ];
        let to: Vec<Point> = from
            .iter()
            .map(|p| {
                Point::new(
                    2.0 * (c * p.x - s * p.y) + 5.0,
                    2.0 * (s * p.x + c * p.y) - 1.0,
                )
            })
            .collect();
        let t = Affine::similarity(&from, &to);
        for (f, e) in from.iter().zip(&to) {
            assert!(t.apply(*f).distance(*e) < 1e-9);
        }
    }

    #[test]
    fn affine_through_three_points_is_exact() {
        let from = [
            Point::new(0.0, 0.0),
            Point::new(1.0, 0.0),
            Point::new(1.0, 1.0),
        ];
        let to = [
            Point::new(5.0, 6.0),
            Point::new(9.0, 6.0),
            Point::new(9.0, 11.0),
        ];
        let t = Affine::through(&from, &to).unwrap();
        assert!(t.apply(Point::new(0.5, 0.5)).distance(Point::new(7.0, 8.5)) < 1e-9);
    }
}
