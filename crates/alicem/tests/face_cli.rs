//! `alicem face compare` and `alicem face liveness`, the operators' commands, on
//! photos and video frames of real people fetched by scripts/fetch-face-test-media
//! (the models are fetched on first use, as the commands say).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn media() -> PathBuf {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/fetch-face-test-media"
    );
    let out = Command::new(script)
        .output()
        .expect("fetch-face-test-media runs");
    assert!(
        out.status.success(),
        "fetch-face-test-media: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn alicem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alicem"))
        .args(args)
        .output()
        .expect("alicem runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn compare(a: &Path, b: &Path) -> (Option<i32>, Value) {
    let out = alicem(&[
        "face",
        "compare",
        "--json",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    (out.status.code(), json(&out))
}

#[test]
fn compare_matches_two_photos_of_one_person_and_exits_zero() {
    let m = media().join("clm");
    let (code, v) = compare(&m.join("franck_01829.jpg"), &m.join("franck_02045.jpg"));
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["match"], true);
    assert!(v["distance"].as_f64().unwrap() < v["threshold"].as_f64().unwrap());
    assert!((v["threshold"].as_f64().unwrap() - 0.6).abs() < 1e-6, "{v}");
}

#[test]
fn compare_refuses_another_person_and_exits_one() {
    let m = media().join("clm");
    let (code, v) = compare(&m.join("audrey.jpg"), &m.join("franck_02045.jpg"));
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["match"], false);
    assert!(v["distance"].as_f64().unwrap() > 0.6, "{v}");
    assert!(v.get("error").is_none(), "{v}");
}

#[test]
fn compare_names_an_image_without_a_face() {
    let m = media().join("clm");
    let drawing = m.join("facemodel_numbering_new_small.png");
    let (code, v) = compare(&m.join("franck_01829.jpg"), &drawing);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["match"], false);
    assert!(v["distance"].is_null(), "{v}");
    let error = v["error"].as_str().unwrap();
    assert!(
        error.contains("no face") && error.contains("facemodel_numbering_new_small.png"),
        "{error}"
    );
}

/// Frames of `cap12_edit` (25 frames/s) at these seconds, copied into `dir` in upload
/// order: still at 1 s, a smile at 7.2 s, a nod at 22.56 s.
fn frames(dir: &Path, seconds: &[f64]) {
    let video = media().join("clm/frames/cap12_edit");
    for (i, t) in seconds.iter().enumerate() {
        let n = (t * 25.0).floor() as usize + 1;
        std::fs::copy(
            video.join(format!("{n:05}.jpg")),
            dir.join(format!("{i:03}.jpg")),
        )
        .unwrap();
    }
}

const STILL: [f64; 5] = [1.0, 1.2, 1.4, 1.6, 1.8];
const SMILE: [f64; 5] = [7.2, 7.4, 7.6, 7.8, 8.0];
const NOD: [f64; 5] = [22.56, 22.76, 22.96, 23.16, 23.36];

fn liveness(dir: &Path, script: &str) -> (Option<i32>, Value) {
    let out = alicem(&[
        "face",
        "liveness",
        "--json",
        "--script",
        script,
        "--frames",
        dir.to_str().unwrap(),
        "--fps",
        "5",
    ]);
    (out.status.code(), json(&out))
}

#[test]
fn liveness_passes_a_smile_then_a_nod_filmed_in_that_order() {
    let dir = tempfile::tempdir().unwrap();
    frames(dir.path(), &[&STILL[..], &SMILE, &NOD].concat());
    let (code, v) = liveness(dir.path(), "smile,nod");
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["passed"], true);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps[0]["action"], "smile");
    assert_eq!(steps[1]["action"], "nod");
    // Each seen within its own frames: 5–9 and 10–14.
    let indices = |s: &Value| -> Vec<u64> {
        s["frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap())
            .collect()
    };
    assert!(
        indices(&steps[0]).iter().all(|i| (5..=9).contains(i)),
        "{v}"
    );
    assert!(
        indices(&steps[1]).iter().all(|i| (10..=14).contains(i)),
        "{v}"
    );
    assert!(
        steps
            .iter()
            .all(|s| s["seen"] == true && !s["values"].as_array().unwrap().is_empty())
    );
}

#[test]
fn liveness_fails_the_same_movements_in_the_other_order() {
    let dir = tempfile::tempdir().unwrap();
    frames(dir.path(), &[&STILL[..], &NOD, &SMILE].concat());
    let (code, v) = liveness(dir.path(), "smile,nod");
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["passed"], false);
    assert_eq!(v["failure"], "nod not seen in order", "{v}");
}

#[test]
fn liveness_refuses_an_unknown_action_by_name() {
    let dir = tempfile::tempdir().unwrap();
    frames(dir.path(), &STILL);
    let out = alicem(&[
        "face",
        "liveness",
        "--script",
        "smile,wink",
        "--frames",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("wink"),
        "{out:?}"
    );
}
