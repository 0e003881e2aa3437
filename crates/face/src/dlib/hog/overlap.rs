//! dlib's `test_box_overlap` and the non-maximum suppression of `object_detector`:
//! detections of all the detector's filters, best first, each kept unless it overlaps
//! one already kept (IoU above a threshold, or one box covered by the other beyond a
//! fraction).

use crate::geometry::Rect;

fn area(r: &Rect) -> f64 {
    (r.width().max(0) * r.height().max(0)) as f64
}

fn intersect(a: &Rect, b: &Rect) -> Rect {
    Rect {
        left: a.left.max(b.left),
        top: a.top.max(b.top),
        right: a.right.min(b.right),
        bottom: a.bottom.min(b.bottom),
    }
}

fn union_box(a: &Rect, b: &Rect) -> Rect {
    Rect {
        left: a.left.min(b.left),
        top: a.top.min(b.top),
        right: a.right.max(b.right),
        bottom: a.bottom.max(b.bottom),
    }
}

/// `test_box_overlap(iou, covered)(a, b)`; "union" is the bounding box of both, as
/// dlib's `(a + b).area()`.
pub fn boxes_overlap(a: &Rect, b: &Rect, iou_thresh: f64, covered_thresh: f64) -> bool {
    let inner = area(&intersect(a, b));
    if inner == 0.0 {
        return false;
    }
    inner / area(&union_box(a, b)) > iou_thresh
        || inner / area(a) > covered_thresh
        || inner / area(b) > covered_thresh
}

/// Keeps, in order, every box that does not overlap one kept before it.
pub fn suppress<T>(sorted: Vec<T>, rect: impl Fn(&T) -> Rect, iou: f64, covered: f64) -> Vec<T> {
    let mut kept: Vec<T> = Vec::new();
    for d in sorted {
        let r = rect(&d);
        if !kept
            .iter()
            .any(|k| boxes_overlap(&rect(k), &r, iou, covered))
        {
            kept.push(d);
        }
    }
    kept
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
    fn disjoint_boxes_never_overlap() {
        assert!(!boxes_overlap(&r(0, 0, 9, 9), &r(10, 0, 19, 9), 0.0, 0.0));
    }

    #[test]
    fn overlap_is_intersection_over_the_bounding_box() {
        // Intersection 50, bounding box 200: 1/4.
        let (a, b) = (r(0, 0, 9, 9), r(5, 0, 19, 9));
        assert!(boxes_overlap(&a, &b, 0.24, 1.0));
        assert!(!boxes_overlap(&a, &b, 0.26, 1.0));
        // Half of a is covered.
        assert!(boxes_overlap(&a, &b, 0.9, 0.49));
    }

    #[test]
    fn suppression_keeps_the_first_of_overlapping_boxes() {
        let dets = vec![r(0, 0, 9, 9), r(1, 1, 10, 10), r(30, 30, 39, 39)];
        let kept = suppress(dets, |d| *d, 0.33, 0.79);
        assert_eq!(kept, vec![r(0, 0, 9, 9), r(30, 30, 39, 39)]);
    }
}
