//! Shared test helpers: the engine (models fetched on first use), the third-party
//! media (fetched by scripts/fetch-face-test-media), dlib's references.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use alicem_face::{FaceEngine, FetchProgress, fetch_models};

pub fn engine() -> &'static FaceEngine {
    static ENGINE: OnceLock<FaceEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = FaceEngine::default_models_dir();
        fetch_models(&dir, &|p| {
            if p != FetchProgress::UpToDate {
                eprintln!("face models: {p:?}");
            }
        })
        .expect("fetching the face models");
        FaceEngine::load(&dir).expect("loading the face models")
    })
}

/// The directory of the fetched photos and videos.
pub fn media_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/fetch-face-test-media"
        );
        let out = std::process::Command::new(script)
            .output()
            .expect("running scripts/fetch-face-test-media");
        assert!(
            out.status.success(),
            "fetch-face-test-media failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string())
    })
    .clone()
}

/// A reference file name (`fr_obama.jpg`, `clm_cage.jpg`) to its fetched path.
pub fn media(file: &str) -> Option<PathBuf> {
    let dir = media_dir();
    let path = if let Some(rest) = file.strip_prefix("fr_") {
        dir.join("fr").join(rest)
    } else if let Some(rest) = file.strip_prefix("clm_") {
        dir.join("clm").join(rest)
    } else {
        return None;
    };
    path.is_file().then_some(path)
}

pub fn shared(relative: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors/face/"
    ))
    .join(relative)
}

pub fn reference() -> &'static serde_json::Value {
    static REF: OnceLock<serde_json::Value> = OnceLock::new();
    REF.get_or_init(|| {
        let text =
            std::fs::read_to_string(shared("reference/reference.json")).expect("reference.json");
        serde_json::from_str(&text).expect("reference.json is JSON")
    })
}

pub fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number") as f32)
        .collect()
}

pub fn l2(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

pub fn points5(v: &serde_json::Value) -> [(i64, i64); 5] {
    let mut out = [(0, 0); 5];
    for (o, p) in out.iter_mut().zip(v.as_array().expect("points")) {
        *o = (p[0].as_i64().expect("x"), p[1].as_i64().expect("y"));
    }
    out
}
