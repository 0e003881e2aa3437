//! Speed of the face path on one core: descriptor per face, MTCNN detection per
//! 640×480 frame, and a whole enrollment decision (DG2 + 10 frames).
//! Needs the models (fetched on first use) and the test media
//! (scripts/fetch-face-test-media).

use std::path::PathBuf;
use std::time::Duration;

use alicem_face::{FaceConfig, FaceEngine, LivenessAction, RgbFrame, TimedFrame, fetch_models};
use criterion::{Criterion, criterion_group, criterion_main};

fn media() -> PathBuf {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/fetch-face-test-media"
    );
    let out = std::process::Command::new(script)
        .output()
        .expect("fetch-face-test-media");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn frame_640x480(path: &std::path::Path) -> Vec<u8> {
    // Scale the frame to 640×480 and re-encode it as the phone would upload it.
    let img = image::open(path).expect("frame").resize_exact(
        640,
        480,
        image::imageops::FilterType::Triangle,
    );
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        image::ImageFormat::Jpeg,
    )
    .expect("jpeg");
    out
}

fn benches(c: &mut Criterion) {
    let dir = FaceEngine::default_models_dir();
    fetch_models(&dir, &|_| {}).expect("models");
    let engine = FaceEngine::load(&dir).expect("engine");
    let media = media();

    let chip = RgbFrame::decode(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/vectors/face/reference/chips/fr_obama_face0_chip150.png"
        ))
        .expect("chip"),
    )
    .expect("decode chip");
    c.bench_function("embedding per face (150x150 chip)", |b| {
        b.iter(|| engine.embed_chip(&chip).expect("embed"))
    });

    let frames_dir = media.join("clm/frames/franck");
    let frame_path = |n: usize| frames_dir.join(format!("{n:05}.jpg"));
    let frame = RgbFrame::decode(&frame_640x480(&frame_path(1))).expect("frame");
    let config = FaceConfig::default();
    c.bench_function("detection per 640x480 frame (MTCNN, min face 40)", |b| {
        b.iter(|| engine.detect(&frame, config.min_face_size).expect("detect"))
    });

    let reference = std::fs::read(media.join("clm/franck_01829.jpg")).expect("reference");
    let frames: Vec<Vec<u8>> = (0..10)
        .map(|i| frame_640x480(&frame_path(1 + i * 10)))
        .collect();
    let timed: Vec<TimedFrame<'_>> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| TimedFrame {
            jpeg: f,
            timestamp_ms: i as u64 * 400,
        })
        .collect();
    let mut group = c.benchmark_group("enrollment");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("decision (DG2 + 10 frames of 640x480)", |b| {
        b.iter(|| {
            engine
                .check_enrollment(&reference, &timed, &[LivenessAction::TurnLeft], &config)
                .expect("decision")
        })
    });
    group.finish();
}

criterion_group!(face, benches);
criterion_main!(face);
