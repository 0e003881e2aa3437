//! `alicem serve`: the identity server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use alicem_server::config::{Config, Overrides};
use anyhow::Context;
use clap::Args;

/// Where the server takes its settings: built-in defaults, then `--config FILE`
/// (TOML), then these flags (or their `ALICEM_*` environment variables).
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = "ALICEM_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8443].
    #[arg(long, env = "ALICEM_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory of the SQLite database, keys, PIN pepper and trust store
    /// [default: ./alicem-data].
    #[arg(long, env = "ALICEM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` for PostgreSQL [default: SQLite file in the data directory].
    #[arg(long, env = "ALICEM_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Public base URL of the server (issuer of credentials and ID tokens).
    #[arg(long, env = "ALICEM_ISSUER")]
    pub issuer: Option<String>,
}

impl ServeArgs {
    /// The configuration these arguments describe.
    pub fn load(&self) -> anyhow::Result<Config> {
        Ok(Config::load(
            self.config.as_deref(),
            Overrides {
                listen: self.listen,
                data_dir: self.data_dir.clone(),
                database_url: self.database_url.clone(),
                issuer: self.issuer.clone(),
            },
        )?)
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = args.load()?;
    let face = face_pipeline(&config.face);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime
        .block_on(alicem_server::serve_with_face(config, face))
        .context("identity server")?;
    Ok(ExitCode::SUCCESS)
}

/// The face pipeline of `[face]`: the models are fetched on first use (when allowed),
/// then loaded once. Without them the server still runs, and says that face-path
/// enrollments will go to an agent's review.
fn face_pipeline(
    settings: &alicem_server::config::FaceSettings,
) -> Option<std::sync::Arc<dyn alicem_server::enrollment::face_check::FaceCheck>> {
    let models = settings.models_dir();
    if settings.fetch_models
        && let Err(e) = super::models::ensure_models(&models)
    {
        eprintln!(
            "face models could not be fetched into {} ({e:#}): face-path enrollments will go to an agent's review",
            models.display()
        );
        return None;
    }
    match alicem_face::FaceEngine::load(&models) {
        Ok(engine) => {
            eprintln!(
                "face models loaded from {} (match threshold {})",
                models.display(),
                settings.match_threshold
            );
            Some(std::sync::Arc::new(
                alicem_server::enrollment::face_engine::EngineFaceCheck::new(
                    std::sync::Arc::new(engine),
                    settings.engine_config(),
                ),
            ))
        }
        Err(e) => {
            eprintln!(
                "face models not loaded from {} ({e}): face-path enrollments will go to an agent's review; run `alicem models fetch`",
                models.display()
            );
            None
        }
    }
}
