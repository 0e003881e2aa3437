//! Selfie frames for the face path. The server's liveness script (e.g. `turn_left,
//! smile, turn_right`) is played step by step: the UI shows the instruction, then a
//! [`FrameSource`] captures the frames of that step. A phone implements it with its
//! camera; [`FolderFrames`] reads JPEG files prepared in advance (tests, demos, the
//! CLI's `--frames DIR`).
//!
//! # The frame folder
//!
//! Frames are JPEG files (`.jpg` / `.jpeg`, any case) named by script step, in either
//! of two layouts (which may be mixed):
//!
//! - one sub-folder per step: `turn_left/*.jpg`, `smile/*.jpg`, …
//! - flat files: `<step>[<suffix>].jpg`, e.g. `turn_left.jpg`, `smile_1.jpg`,
//!   `smile_2.jpg`.
//!
//! A name may start with a number and `_` or `-` to order it (`01_turn_left.jpg`,
//! `02-smile/`): the number is ignored when matching. A suffix after the step name
//! must start with `_`, `-` or `.`. The step names are the liveness actions
//! (`turn_left`, `turn_right`, `smile`, `nod`) and `neutral`: frames of the face
//! looking straight at the camera, sent first, before the first instruction, as a
//! live capture would start. Within a step, frames are in file-name order (byte
//! order). Files with other extensions are ignored; a JPEG whose name matches no step
//! is an error (a typo would otherwise silently drop frames). Steps of the script
//! without frames are an error. An action the script asks twice gets the same frames
//! twice.
//!
//! Files have no capture time: frames get timestamps [`FRAME_INTERVAL_MS`] apart, in
//! sending order, starting at 0.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use alicem_api::enrollment::LivenessAction;
use zeroize::Zeroizing;

/// One captured frame: JPEG bytes (wiped on drop) and capture time.
pub struct Frame {
    pub jpeg: Zeroizing<Vec<u8>>,
    /// Milliseconds since the first frame of the capture.
    pub timestamp_ms: u64,
}

impl core::fmt::Debug for Frame {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Frame")
            .field("bytes", &self.jpeg.len())
            .field("timestamp_ms", &self.timestamp_ms)
            .finish()
    }
}

/// Why frames could not be captured.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a JPEG image")]
    NotJpeg(PathBuf),
    #[error("{path} is larger than {limit} bytes")]
    TooLarge { path: PathBuf, limit: usize },
    #[error("more than {limit} frames")]
    TooMany { limit: usize },
    #[error(
        "{0}: the name matches no step (turn_left, turn_right, smile, nod, neutral; see docs/wallet.md)"
    )]
    UnknownStep(PathBuf),
    #[error("no frames for step {step} ({action}) of the liveness script")]
    NoFrames { step: usize, action: &'static str },
    #[error("the camera failed: {0}")]
    Camera(String),
}

/// Produces the frames of each step of a liveness script.
pub trait FrameSource {
    /// Frames before the first instruction (face straight at the camera); may be
    /// none.
    fn neutral(&mut self) -> Result<Vec<Frame>, FrameError>;
    /// Frames of step `step` (0-based) while the citizen performs `action`.
    fn capture(&mut self, step: usize, action: LivenessAction) -> Result<Vec<Frame>, FrameError>;
}

/// Spacing of the timestamps [`FolderFrames`] gives its frames.
pub const FRAME_INTERVAL_MS: u64 = 100;
/// Bound on one frame (the server's default `max_frame_bytes`).
pub const MAX_FRAME_LEN: usize = 512 * 1024;
/// Bound on the frames of one enrollment (the server's default `max_frames`).
pub const MAX_FRAMES: usize = 60;

/// A step of the folder layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Neutral,
    Action(usize),
}

fn is_jpeg_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"))
}

/// The step a file or folder name stands for (`01_turn_left_2` → turn_left).
fn step_of(name: &str) -> Option<Step> {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    let rest = if digits > 0 {
        name.get(digits..)?
            .strip_prefix(['_', '-'])
            .unwrap_or_else(|| name.get(digits..).unwrap_or_default())
    } else {
        name
    };
    let matches = |step: &str| {
        rest.strip_prefix(step)
            .is_some_and(|tail| tail.is_empty() || tail.starts_with(['_', '-', '.']))
    };
    if matches("neutral") {
        return Some(Step::Neutral);
    }
    LivenessAction::ALL
        .iter()
        .position(|a| matches(a.as_str()))
        .map(Step::Action)
}

/// Frames from a folder of JPEG files (see the module documentation for the layout).
#[derive(Debug)]
pub struct FolderFrames {
    files: BTreeMap<Step, Vec<PathBuf>>,
    next_timestamp: u64,
    sent: usize,
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> FrameError {
    let path = path.to_path_buf();
    move |source| FrameError::Io { op, path, source }
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, FrameError> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(io("list", dir))? {
        entries.push(entry.map_err(io("list", dir))?.path());
    }
    entries.sort();
    Ok(entries)
}

impl FolderFrames {
    /// Scans `dir` (names only; files are read when their step comes).
    pub fn open(dir: &Path) -> Result<Self, FrameError> {
        let mut files: BTreeMap<Step, Vec<PathBuf>> = BTreeMap::new();
        for path in sorted_entries(dir)? {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_dir() {
                let Some(step) = step_of(&name) else {
                    continue;
                };
                let inner: Vec<PathBuf> = sorted_entries(&path)?
                    .into_iter()
                    .filter(|p| p.is_file() && is_jpeg_name(p))
                    .collect();
                files.entry(step).or_default().extend(inner);
            } else if is_jpeg_name(&path) {
                let stem = path
                    .file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let step = step_of(&stem).ok_or_else(|| FrameError::UnknownStep(path.clone()))?;
                files.entry(step).or_default().push(path);
            }
        }
        Ok(Self {
            files,
            next_timestamp: 0,
            sent: 0,
        })
    }

    fn load(&mut self, step: Step) -> Result<Vec<Frame>, FrameError> {
        let paths = self.files.get(&step).cloned().unwrap_or_default();
        let mut frames = Vec::with_capacity(paths.len());
        for path in paths {
            if self.sent >= MAX_FRAMES {
                return Err(FrameError::TooMany { limit: MAX_FRAMES });
            }
            let len = fs::metadata(&path).map_err(io("stat", &path))?.len();
            if usize::try_from(len).map_or(true, |len| len > MAX_FRAME_LEN) {
                return Err(FrameError::TooLarge {
                    path,
                    limit: MAX_FRAME_LEN,
                });
            }
            let jpeg = Zeroizing::new(fs::read(&path).map_err(io("read", &path))?);
            // SOI marker then a marker segment: what every JPEG starts with.
            if !jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) {
                return Err(FrameError::NotJpeg(path));
            }
            frames.push(Frame {
                jpeg,
                timestamp_ms: self.next_timestamp,
            });
            self.next_timestamp = self.next_timestamp.saturating_add(FRAME_INTERVAL_MS);
            self.sent += 1;
        }
        Ok(frames)
    }
}

impl FrameSource for FolderFrames {
    fn neutral(&mut self) -> Result<Vec<Frame>, FrameError> {
        self.load(Step::Neutral)
    }

    fn capture(&mut self, step: usize, action: LivenessAction) -> Result<Vec<Frame>, FrameError> {
        let index = LivenessAction::ALL
            .iter()
            .position(|a| *a == action)
            .unwrap_or_default();
        let frames = self.load(Step::Action(index))?;
        if frames.is_empty() {
            return Err(FrameError::NoFrames {
                step: step + 1,
                action: action.as_str(),
            });
        }
        Ok(frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10];

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    fn tagged(n: u8) -> Vec<u8> {
        [JPEG, &[n]].concat()
    }

    #[test]
    fn names_map_to_steps_with_optional_order_numbers_and_suffixes() {
        use LivenessAction::*;
        let action = |a: LivenessAction| {
            Some(Step::Action(
                LivenessAction::ALL.iter().position(|x| *x == a).unwrap(),
            ))
        };
        assert_eq!(step_of("turn_left"), action(TurnLeft));
        assert_eq!(step_of("01_turn_left"), action(TurnLeft));
        assert_eq!(step_of("2-smile_b"), action(Smile));
        assert_eq!(step_of("nod-3"), action(Nod));
        assert_eq!(step_of("00_neutral"), Some(Step::Neutral));
        assert_eq!(step_of("turn_right"), action(TurnRight));
        assert_eq!(step_of("turn_leftish"), None);
        assert_eq!(step_of("turn"), None);
        assert_eq!(step_of("selfie"), None);
    }

    #[test]
    fn plays_the_script_from_sub_folders_and_flat_files_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "00_neutral.jpg", &tagged(0));
        write(dir.path(), "turn_left/b.jpg", &tagged(2));
        write(dir.path(), "turn_left/a.JPG", &tagged(1));
        write(dir.path(), "02_smile_1.jpeg", &tagged(3));
        write(dir.path(), "02_smile_2.jpeg", &tagged(4));
        write(dir.path(), "03_turn_right.jpg", &tagged(5));
        write(dir.path(), "README.txt", b"not a frame");
        let mut source = FolderFrames::open(dir.path()).unwrap();
        let mut tags = Vec::new();
        let mut times = Vec::new();
        let mut take = |frames: Vec<Frame>| {
            for f in frames {
                tags.push(*f.jpeg.last().unwrap());
                times.push(f.timestamp_ms);
            }
        };
        take(source.neutral().unwrap());
        take(source.capture(0, LivenessAction::TurnLeft).unwrap());
        take(source.capture(1, LivenessAction::Smile).unwrap());
        take(source.capture(2, LivenessAction::TurnRight).unwrap());
        assert_eq!(tags, [0, 1, 2, 3, 4, 5]);
        assert_eq!(times, [0, 100, 200, 300, 400, 500]);
    }

    #[test]
    fn a_step_without_frames_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "smile.jpg", JPEG);
        let mut source = FolderFrames::open(dir.path()).unwrap();
        assert!(source.neutral().unwrap().is_empty());
        let error = source.capture(1, LivenessAction::Nod).unwrap_err();
        assert!(matches!(
            error,
            FrameError::NoFrames {
                step: 2,
                action: "nod"
            }
        ));
    }

    #[test]
    fn refuses_misnamed_and_non_jpeg_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "turn_lefft.jpg", JPEG);
        assert!(matches!(
            FolderFrames::open(dir.path()),
            Err(FrameError::UnknownStep(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "nod.jpg", b"\x89PNG\r\n");
        let mut source = FolderFrames::open(dir.path()).unwrap();
        assert!(matches!(
            source.capture(0, LivenessAction::Nod),
            Err(FrameError::NotJpeg(_))
        ));
    }
}
