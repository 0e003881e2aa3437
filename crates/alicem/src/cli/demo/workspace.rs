//! Where the demo writes: a temporary directory removed at the end, or the directory
//! `--keep` names.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

pub enum Workspace {
    Temporary(tempfile::TempDir),
    Kept(PathBuf),
}

/// `$XDG_CACHE_HOME/alicem` or `~/.cache/alicem`.
pub fn default_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("alicem")
}

impl Workspace {
    pub fn new(keep: Option<&Path>) -> anyhow::Result<Self> {
        match keep {
            Some(dir) => {
                if dir.exists()
                    && std::fs::read_dir(dir)
                        .with_context(|| format!("reading {}", dir.display()))?
                        .next()
                        .is_some()
                {
                    bail!("--keep {}: the directory is not empty", dir.display());
                }
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Ok(Self::Kept(dir.to_path_buf()))
            }
            None => Ok(Self::Temporary(
                tempfile::Builder::new()
                    .prefix("alicem-demo-")
                    .tempdir()
                    .context("creating a temporary directory")?,
            )),
        }
    }

    pub fn root(&self) -> &Path {
        match self {
            Self::Temporary(dir) => dir.path(),
            Self::Kept(dir) => dir,
        }
    }

    pub fn server_dir(&self) -> PathBuf {
        self.root().join("server")
    }

    /// Removes a temporary workspace; returns the kept directory otherwise.
    pub fn finish(self) -> anyhow::Result<Option<PathBuf>> {
        match self {
            Self::Temporary(dir) => {
                dir.close()
                    .context("removing the demo's temporary directory")?;
                Ok(None)
            }
            Self::Kept(dir) => Ok(Some(dir)),
        }
    }
}
