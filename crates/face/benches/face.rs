//! Speed of the face path on one core: descriptor per face, MTCNN detection and dlib's
//! HOG detector per 640×480 frame, and a whole enrollment decision (DG2 + 10 frames).
//! Needs the models (fetched on first use) and the test media
//! (scripts/fetch-face-test-media). Run pinned to one core:
//! `taskset -c 1 cargo bench -p alicem-face`.
//!
//! The clock is this process's CPU time, not wall time: on a shared machine wall time
//! also counts the turns of other processes on the same core. Set
//! `ALICEM_BENCH_WALL=1` for wall time (on an idle machine the two agree).

use std::path::PathBuf;
use std::time::Duration;

use alicem_face::{FaceConfig, FaceEngine, LivenessAction, RgbFrame, TimedFrame, fetch_models};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput};

/// Criterion measurement: CPU time consumed by this process (all its threads).
struct ProcessCpuTime;

fn cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

impl Measurement for ProcessCpuTime {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        cpu_now()
    }
    fn end(&self, start: Duration) -> Duration {
        cpu_now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// Nanoseconds shown as ns/µs/ms/s of CPU time.
struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (div, unit) = if typical < 1e3 {
            (1.0, "ns cpu")
        } else if typical < 1e6 {
            (1e3, "µs cpu")
        } else if typical < 1e9 {
            (1e6, "ms cpu")
        } else {
            (1e9, "s cpu")
        };
        values.iter_mut().for_each(|v| *v /= div);
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, values: &mut [f64]) -> &'static str {
        values.iter_mut().for_each(|v| *v = f64::NAN);
        "n/a"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

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

fn benches<M: Measurement + 'static>(c: &mut Criterion<M>) {
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

    for upsample in [0, 1] {
        c.bench_function(
            &format!("dlib HOG detector per 640x480 frame (upsample {upsample})"),
            |b| b.iter(|| engine.hog_faces(&frame, upsample)),
        );
    }

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

fn main() {
    if std::env::var_os("ALICEM_BENCH_WALL").is_some() {
        let mut c = Criterion::default()
            .with_measurement(WallTime)
            .configure_from_args();
        benches(&mut c);
        c.final_summary();
    } else {
        let mut c = Criterion::default()
            .with_measurement(ProcessCpuTime)
            .configure_from_args();
        benches(&mut c);
        c.final_summary();
    }
}
