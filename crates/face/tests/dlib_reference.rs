//! Faithfulness to dlib on the shared references (`../shared/vectors/face/`).

mod common;

use alicem_face::RgbFrame;
use alicem_face::chip::face_chip;
use alicem_face::geometry::Rect;
use common::*;

fn faces() -> Vec<(String, serde_json::Value)> {
    reference()["images"]
        .as_array()
        .expect("images")
        .iter()
        .flat_map(|im| {
            let file = im["file"].as_str().unwrap_or_default().to_string();
            im["faces"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |f| (file.clone(), f))
        })
        .collect()
}

fn load(path: &std::path::Path) -> RgbFrame {
    RgbFrame::decode(&std::fs::read(path).expect("read image")).expect("decode image")
}

#[test]
fn network_reproduces_dlib_embeddings_on_dlibs_own_chips() {
    let engine = engine();
    let mut worst = 0f32;
    let mut n = 0;
    for (file, face) in faces() {
        let chip = load(&shared(&format!(
            "reference/{}",
            face["chip"].as_str().expect("chip")
        )));
        let ours = engine.embed_chip(&chip).expect("embed");
        let d = l2(ours.values(), &floats(&face["embedding_from_chip"]));
        assert!(d <= 1e-4, "{file}: L2 {d} from dlib's embedding");
        worst = worst.max(d);
        n += 1;
    }
    assert!(n >= 50, "only {n} chips");
    eprintln!("network: {n} chips, worst L2 {worst:e}");
}

#[test]
#[ignore = "open (issue 5): 3 coordinates of clm_Justin-Bieber2_crop.jpg are 1 px off dlib; cause not found"]
fn shape_predictor_gives_dlibs_landmarks_exactly() {
    let engine = engine();
    let mut n = 0;
    for (file, face) in faces() {
        let Some(path) = media(&file) else { continue };
        let img = load(&path);
        let r = &face["hog_rect"];
        let rect = Rect {
            left: r[0].as_i64().expect("l"),
            top: r[1].as_i64().expect("t"),
            right: r[2].as_i64().expect("r"),
            bottom: r[3].as_i64().expect("b"),
        };
        let ours = engine.landmarks(&img, rect);
        assert_eq!(ours, points5(&face["landmarks5"]), "{file}");
        n += 1;
    }
    assert!(n >= 30, "only {n} faces checked");
}

#[test]
fn chip_extraction_matches_dlibs_get_face_chip() {
    let mut n = 0;
    let mut worst = 0f64;
    for (file, face) in faces() {
        let Some(path) = media(&file) else { continue };
        let img = load(&path);
        let chip = face_chip(&img, &points5(&face["landmarks5"]), 150, 0.25);
        let theirs = load(&shared(&format!(
            "reference/{}",
            face["chip"].as_str().expect("chip")
        )));
        let diff: f64 = chip
            .as_raw()
            .iter()
            .zip(theirs.as_raw())
            .map(|(a, b)| (f64::from(*a) - f64::from(*b)).abs())
            .sum::<f64>()
            / chip.as_raw().len() as f64;
        assert!(diff < 1.0, "{file}: mean absolute difference {diff}");
        worst = worst.max(diff);
        n += 1;
    }
    assert!(n >= 30, "only {n} faces checked");
    eprintln!("chips: {n}, worst mean abs diff {worst}");
}

#[test]
fn alignment_and_embedding_from_dlib_landmarks_match_dlib() {
    let engine = engine();
    let mut n = 0;
    for (file, face) in faces() {
        let Some(path) = media(&file) else { continue };
        let img = load(&path);
        let e = engine
            .embed(&img, &points5(&face["landmarks5"]))
            .expect("embed");
        let d = l2(e.values(), &floats(&face["embedding"]));
        assert!(d <= 0.01, "{file}: {d}");
        n += 1;
    }
    assert!(n >= 30);
}
