//! dlib's shape predictor (dlib/image_processing/shape_predictor.h): a cascade of
//! regression-tree forests (Kazemi & Sullivan 2014). Each cascade level samples pixel
//! intensities at points anchored to the current shape estimate, walks every tree by
//! comparing pixel pairs, and adds the leaves' shape deltas.

use super::serialize::{DlibError, Reader};
use crate::frame::RgbFrame;
use crate::geometry::{Affine, Point, Rect};

struct Split {
    idx1: usize,
    idx2: usize,
    thresh: f32,
}

struct Tree {
    splits: Vec<Split>,
    /// Each leaf: a delta of the whole shape (x0, y0, x1, y1, …), normalized coordinates.
    leaves: Vec<Vec<f32>>,
}

struct Level {
    trees: Vec<Tree>,
    /// For each sampled pixel: the shape point it is anchored to and its offset.
    anchors: Vec<usize>,
    deltas: Vec<[f32; 2]>,
}

/// A loaded shape predictor.
pub struct ShapePredictor {
    initial: Vec<f32>,
    levels: Vec<Level>,
}

const MAX_ITEMS: usize = 1 << 20;

fn float_column(r: &mut Reader<'_>) -> Result<Vec<f32>, DlibError> {
    let nr = r.int(8)?.unsigned_abs();
    let nc = r.int(8)?.unsigned_abs();
    if nc != 1 || nr > MAX_ITEMS as u64 {
        return Err(r.error(format!("expected a column vector, found {nr}x{nc}")));
    }
    (0..nr).map(|_| r.f32()).collect()
}

impl ShapePredictor {
    /// Parses `shape_predictor_5_face_landmarks.dat` (any dlib shape predictor file).
    pub fn parse(bytes: &[u8]) -> Result<Self, DlibError> {
        let mut r = Reader::new(bytes);
        r.expect_version(&[1], "shape_predictor")?;
        let initial = float_column(&mut r)?;
        if initial.is_empty() || initial.len() % 2 != 0 {
            return Err(r.error("initial shape has an odd number of coordinates"));
        }
        let n_points = initial.len() / 2;
        let n_levels = r.count(1000)?;
        let mut forests = Vec::with_capacity(n_levels);
        for _ in 0..n_levels {
            let n_trees = r.count(100_000)?;
            let mut trees = Vec::with_capacity(n_trees.min(4096));
            for _ in 0..n_trees {
                let n_splits = r.count(MAX_ITEMS)?;
                let mut splits = Vec::with_capacity(n_splits.min(4096));
                for _ in 0..n_splits {
                    let idx1 = r.count(MAX_ITEMS)?;
                    let idx2 = r.count(MAX_ITEMS)?;
                    let thresh = r.f32()?;
                    splits.push(Split { idx1, idx2, thresh });
                }
                let n_leaves = r.count(MAX_ITEMS)?;
                if n_leaves != n_splits + 1 {
                    return Err(r.error("a tree needs one more leaf than splits"));
                }
                let mut leaves = Vec::with_capacity(n_leaves.min(4096));
                for _ in 0..n_leaves {
                    let leaf = float_column(&mut r)?;
                    if leaf.len() != initial.len() {
                        return Err(r.error("leaf size differs from the shape size"));
                    }
                    leaves.push(leaf);
                }
                trees.push(Tree { splits, leaves });
            }
            forests.push(trees);
        }
        let n_anchor_levels = r.count(1000)?;
        if n_anchor_levels != n_levels {
            return Err(r.error("anchor levels differ from forest levels"));
        }
        let mut anchors = Vec::with_capacity(n_levels);
        for _ in 0..n_levels {
            let n = r.count(MAX_ITEMS)?;
            let mut level = Vec::with_capacity(n.min(4096));
            for _ in 0..n {
                let a = r.count(MAX_ITEMS)?;
                if a >= n_points {
                    return Err(r.error("anchor index out of the shape"));
                }
                level.push(a);
            }
            anchors.push(level);
        }
        let n_delta_levels = r.count(1000)?;
        if n_delta_levels != n_levels {
            return Err(r.error("delta levels differ from forest levels"));
        }
        let mut levels = Vec::with_capacity(n_levels);
        for (trees, anchors) in forests.into_iter().zip(anchors) {
            let n = r.count(MAX_ITEMS)?;
            if n != anchors.len() {
                return Err(r.error("deltas and anchors differ in number"));
            }
            let mut deltas = Vec::with_capacity(n.min(4096));
            for _ in 0..n {
                deltas.push([r.f32()?, r.f32()?]);
            }
            for tree in &trees {
                if tree.splits.iter().any(|s| s.idx1 >= n || s.idx2 >= n) {
                    return Err(r.error("split refers to a pixel that is not sampled"));
                }
            }
            levels.push(Level {
                trees,
                anchors,
                deltas,
            });
        }
        Ok(Self { initial, levels })
    }

    pub fn num_parts(&self) -> usize {
        self.initial.len() / 2
    }

    /// Predicts the shape inside `rect`, returning integer pixel points as dlib does.
    pub fn predict(&self, img: &RgbFrame, rect: Rect) -> Vec<(i64, i64)> {
        let mut current = self.initial.clone();
        // Maps the normalized [0,1]² square onto the rectangle.
        let (l, t) = (rect.left as f64, rect.top as f64);
        let (sx, sy) = (
            (rect.right - rect.left) as f64,
            (rect.bottom - rect.top) as f64,
        );
        let to_img = |x: f32, y: f32| Point::new(l + sx * f64::from(x), t + sy * f64::from(y));
        let mut pixels: Vec<f32> = Vec::new();
        for level in &self.levels {
            let tform = similarity_f32(&self.initial, &current);
            pixels.clear();
            for (anchor, delta) in level.anchors.iter().zip(&level.deltas) {
                let dx = tform[0][0] * delta[0] + tform[0][1] * delta[1];
                let dy = tform[1][0] * delta[0] + tform[1][1] * delta[1];
                let ax = current.get(anchor * 2).copied().unwrap_or_default();
                let ay = current.get(anchor * 2 + 1).copied().unwrap_or_default();
                let (px, py) = to_img(dx + ax, dy + ay).rounded();
                pixels.push(img.intensity(px, py).map(f32::from).unwrap_or(0.0));
            }
            for tree in &level.trees {
                let mut i = 0usize;
                while let Some(split) = tree.splits.get(i) {
                    let a = pixels.get(split.idx1).copied().unwrap_or_default();
                    let b = pixels.get(split.idx2).copied().unwrap_or_default();
                    i = if a - b > split.thresh {
                        2 * i + 1
                    } else {
                        2 * i + 2
                    };
                }
                if let Some(leaf) = tree.leaves.get(i - tree.splits.len()) {
                    for (c, d) in current.iter_mut().zip(leaf) {
                        *c += d;
                    }
                }
            }
        }
        current
            .chunks_exact(2)
            .map(|p| to_img(p[0], p[1]).rounded())
            .collect()
    }
}

/// The similarity between two shapes, as the 2×2 float matrix dlib uses.
fn similarity_f32(from: &[f32], to: &[f32]) -> [[f32; 2]; 2] {
    let pts = |s: &[f32]| -> Vec<Point> {
        s.chunks_exact(2)
            .map(|p| Point::new(f64::from(p[0]), f64::from(p[1])))
            .collect()
    };
    let t = Affine::similarity(&pts(from), &pts(to));
    [
        [t.m[0][0] as f32, t.m[0][1] as f32],
        [t.m[1][0] as f32, t.m[1][1] as f32],
    ]
}
