//! The trust store of Passive Authentication, loaded at start from the trust directory
//! (CSCA certificates, master lists whose signature verifies, CRLs). `alicem admin
//! trust import` checks a file the same way before copying it there.

use std::path::{Path, PathBuf};

use alicem_emrtd::verify::TrustStore;
use alicem_emrtd::verify::trust::Loaded;

/// Why the trust directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TrustLoadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("trust store: {0}")]
    Invalid(#[from] alicem_emrtd::verify::trust::TrustError),
    #[error(
        "{0}: not a CA certificate: a Document Signer or other end-entity certificate cannot be a trust anchor"
    )]
    NotCa(String),
}

/// Loads one file into `store`, refusing files that add no trust anchor or CRL.
pub fn load_file(store: &mut TrustStore, path: &Path) -> Result<Loaded, TrustLoadError> {
    let bytes = std::fs::read(path).map_err(|source| TrustLoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.display().to_string();
    match store.load(&name, &bytes)? {
        Loaded::NotCa(_) => Err(TrustLoadError::NotCa(name)),
        loaded => Ok(loaded),
    }
}

/// Loads every file of `dir` (created empty if missing), in name order.
pub fn load_trust_dir(dir: &Path) -> Result<TrustStore, TrustLoadError> {
    let io = |source| TrustLoadError::Io {
        path: dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut store = TrustStore::new();
    for file in files {
        load_file(&mut store, &file)?;
    }
    if store.is_empty() {
        tracing::warn!(dir = %dir.display(), "the trust store is empty: every document will be refused as of unknown issuer");
    } else {
        tracing::info!(
            anchors = store.len(),
            crls = store.crls().len(),
            "trust store loaded"
        );
    }
    Ok(store)
}
