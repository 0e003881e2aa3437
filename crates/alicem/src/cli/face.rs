//! `alicem face …`: compare two face images, check a liveness script on frames.

use std::path::PathBuf;
use std::process::ExitCode;

use alicem_face::{FaceConfig, FaceEngine, LivenessAction, RgbFrame};
use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::json;

use super::emit;

#[derive(Subcommand)]
pub enum FaceCommand {
    /// Compare the faces of two images (JPEG, PNG, JPEG 2000): descriptor distance and
    /// decision at the threshold. Exit code 0 on a match, 1 otherwise.
    Compare(CompareArgs),
    /// Check a liveness script on a sequence of frames (JPEG files, taken in name
    /// order). Exit code 0 when it passes, 1 otherwise.
    Liveness(LivenessArgs),
}

#[derive(Args)]
pub struct Common {
    /// Where the models are (default: $ALICEM_MODELS or the user cache directory);
    /// fetched on first use.
    #[arg(long, env = "ALICEM_MODELS")]
    models: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct CompareArgs {
    /// The reference image (e.g. the document photo).
    a: PathBuf,
    /// The probe image.
    b: PathBuf,
    /// Largest distance counted as the same person.
    #[arg(long, default_value_t = 0.6)]
    threshold: f32,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
pub struct LivenessArgs {
    /// Comma-separated actions: turn_left, turn_right, smile, nod (the citizen's own
    /// left and right).
    #[arg(long, value_delimiter = ',', required = true)]
    script: Vec<LivenessAction>,
    /// Folder of JPEG frames, taken in name order.
    #[arg(long)]
    frames: PathBuf,
    /// Frame rate, for the timestamps.
    #[arg(long, default_value_t = 10.0)]
    fps: f64,
    #[command(flatten)]
    common: Common,
}

pub fn run(command: FaceCommand) -> anyhow::Result<ExitCode> {
    match command {
        FaceCommand::Compare(args) => compare(args),
        FaceCommand::Liveness(args) => liveness(args),
    }
}

fn engine(common: &Common) -> anyhow::Result<FaceEngine> {
    let dir = common
        .models
        .clone()
        .unwrap_or_else(FaceEngine::default_models_dir);
    super::models::ensure_models(&dir)?;
    Ok(FaceEngine::load(&dir)?)
}

fn compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let engine = engine(&args.common)?;
    let a = std::fs::read(&args.a).with_context(|| format!("reading {}", args.a.display()))?;
    let b = std::fs::read(&args.b).with_context(|| format!("reading {}", args.b.display()))?;
    let config = FaceConfig {
        match_threshold: args.threshold,
        ..FaceConfig::default()
    };
    let outcome = engine.compare(&a, &b, &config)?;
    let (distance, matched, error) = match &outcome {
        Ok(d) => (Some(*d), *d <= args.threshold, None),
        Err(failure) => {
            // Name the file, not "the reference image"/"frame 0".
            let which = match failure.image {
                alicem_face::quality::ImageRef::Reference => args.a.display().to_string(),
                alicem_face::quality::ImageRef::Frame(_) => args.b.display().to_string(),
            };
            let text = failure.to_string();
            let text = text
                .replace("the reference image", &which)
                .replace("frame 0", &which);
            (None, false, Some(text))
        }
    };
    if args.common.json {
        let mut v = json!({
            "distance": distance,
            "threshold": args.threshold,
            "match": matched,
        });
        if let Some(e) = &error {
            v["error"] = json!(e);
        }
        emit(&format!("{}\n", serde_json::to_string_pretty(&v)?));
    } else {
        match (distance, error) {
            (Some(d), _) => emit(&format!(
                "distance {d:.4} (threshold {}): {}\n",
                args.threshold,
                if matched {
                    "same person"
                } else {
                    "different people"
                }
            )),
            (None, Some(e)) => emit(&format!("unusable image: {e}\n")),
            (None, None) => {}
        }
    }
    Ok(if matched {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn liveness(args: LivenessArgs) -> anyhow::Result<ExitCode> {
    if !(args.fps > 0.0 && args.fps.is_finite()) {
        anyhow::bail!("--fps must be positive");
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.frames)
        .with_context(|| format!("reading {}", args.frames.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no JPEG frames in {}", args.frames.display());
    }
    let engine = engine(&args.common)?;
    let mut frames = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let img = RgbFrame::decode(&bytes).with_context(|| format!("decoding {}", f.display()))?;
        frames.push((img, (i as f64 * 1000.0 / args.fps).round() as u64));
    }
    let config = FaceConfig::default();
    let (report, failures) = engine.check_liveness(&frames, &args.script, &config)?;
    if args.common.json {
        let v = json!({
            "passed": report.passed,
            "steps": report.steps,
            "baseline_frames": report.baseline_frames,
            "baseline": report.baseline,
            "same_face": report.same_face,
            "max_consecutive_distance": report.max_consecutive_distance,
            "failure": report.failure,
            "quality_failures": failures.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
            "frames": files.iter().map(|f| f.file_name().map(|n| n.to_string_lossy().to_string())).collect::<Vec<_>>(),
        });
        emit(&format!("{}\n", serde_json::to_string_pretty(&v)?));
    } else {
        for step in &report.steps {
            let at = step
                .frames
                .first()
                .and_then(|i| files.get(*i))
                .and_then(|f| f.file_name())
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "-".into());
            emit(&format!(
                "{:<10} {:<8} first frame {at}, peak {:.3} (threshold {:.2})\n",
                step.action.as_str(),
                if step.seen { "seen" } else { "not seen" },
                step.values.iter().copied().fold(f64::NAN, f64::max),
                step.threshold
            ));
        }
        emit(&format!(
            "liveness {}{}\n",
            if report.passed { "passed" } else { "failed" },
            report
                .failure
                .as_deref()
                .map(|f| format!(": {f}"))
                .unwrap_or_default()
        ));
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
