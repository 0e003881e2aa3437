//! dlib's HOG frontal face detector reproduced: the same rectangles as
//! `dlib.get_frontal_face_detector()(img, 1)` on every fetched reference photo.

mod common;

use alicem_face::RgbFrame;
use alicem_face::geometry::Rect;
use common::*;

fn rect(v: &serde_json::Value) -> Rect {
    Rect {
        left: v[0].as_i64().expect("l"),
        top: v[1].as_i64().expect("t"),
        right: v[2].as_i64().expect("r"),
        bottom: v[3].as_i64().expect("b"),
    }
}

#[test]
fn hog_detector_finds_dlibs_rectangles_on_every_reference_photo() {
    let engine = engine();
    let (mut photos, mut faces) = (0, 0);
    let mut wrong = Vec::new();
    for im in reference()["images"].as_array().expect("images") {
        let file = im["file"].as_str().expect("file");
        let Some(path) = media(file) else { continue };
        let img = RgbFrame::decode(&std::fs::read(&path).expect("read")).expect("decode");
        let mut want: Vec<Rect> = im["faces"]
            .as_array()
            .expect("faces")
            .iter()
            .map(|f| rect(&f["hog_rect"]))
            .collect();
        let mut got: Vec<Rect> = engine.hog_faces(&img, 1).iter().map(|d| d.rect).collect();
        want.sort_by_key(|r| (r.left, r.top));
        got.sort_by_key(|r| (r.left, r.top));
        if got != want {
            wrong.push(format!("{file}: dlib {want:?}, ours {got:?}"));
        }
        photos += 1;
        faces += want.len();
    }
    assert!(photos >= 40, "only {photos} photos");
    assert!(
        wrong.is_empty(),
        "{} of {photos} photos differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!("HOG detector: {photos} photos, {faces} faces, every rectangle dlib's");
}
