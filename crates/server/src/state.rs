//! What every handler shares: the store, the configuration, the keys, the trust store,
//! the clock, and the in-memory parts of enrollment. Cheap to clone.

use std::sync::Arc;

use alicem_emrtd::verify::TrustStore;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::enrollment::face_check::FaceCheck;
use crate::enrollment::scratch::Scratch;
use crate::keys::{KeyError, ServerKeys};
use crate::rate_limit::RateLimiter;
use crate::store::{Store, StoreError};
use crate::trust::{TrustLoadError, load_trust_dir};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Trust(#[from] TrustLoadError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("listen: {0}")]
    Listen(std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
}

/// The shared state of the server.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub keys: Arc<ServerKeys>,
    pub trust: Arc<TrustStore>,
    pub clock: Arc<dyn Clock>,
    /// The face pipeline; `None` until one is configured: face-path enrollments then
    /// end `needs_review`, never approved.
    pub face: Option<Arc<dyn FaceCheck>>,
    /// Evidence held in memory between its upload and an agent's decision.
    pub scratch: Arc<Scratch>,
    /// Per-address limit on new enrollment sessions.
    pub enrollment_starts: Arc<RateLimiter>,
    /// The OpenID Connect provider, built on first use.
    pub oidc: Arc<crate::oidc::app::OidcSlot>,
    /// Set when the server begins to stop: held long polls are answered at once.
    pub stopping: crate::oidc::long_poll::Stopping,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("issuer", &self.config.issuer)
            .field("trust_anchors", &self.trust.len())
            .field("face", &self.face.is_some())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens everything the configuration names: creates the data directory, the
    /// database (migrated), the keys and pepper on first start; loads the trust store.
    pub async fn open(config: Config) -> Result<Self, StartError> {
        crate::fsutil::create_private_dir(&config.data_dir).map_err(|source| StartError::Io {
            path: config.data_dir.display().to_string(),
            source,
        })?;
        let keys = ServerKeys::load_or_create(&config)?;
        let trust = load_trust_dir(&config.trust_dir())?;
        let store = Store::open(&config.database_url()).await?;
        Ok(Self::from_parts(
            config,
            store,
            keys,
            trust,
            Arc::new(SystemClock),
        ))
    }

    /// Assembles a state from already opened parts (tests choose the clock).
    pub fn from_parts(
        config: Config,
        store: Store,
        keys: ServerKeys,
        trust: TrustStore,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let starts = config.enrollment.starts_per_minute;
        Self {
            store,
            config: Arc::new(config),
            keys: Arc::new(keys),
            trust: Arc::new(trust),
            clock,
            face: None,
            scratch: Arc::new(Scratch::default()),
            enrollment_starts: Arc::new(RateLimiter::per_minute(starts)),
            oidc: Arc::default(),
            stopping: crate::oidc::long_poll::Stopping::default(),
        }
    }

    /// Installs the face pipeline.
    pub fn with_face(mut self, face: Arc<dyn FaceCheck>) -> Self {
        self.face = Some(face);
        self
    }

    /// Unix seconds now.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The operating system's CSPRNG.
    pub fn rng(&self) -> impl rand_core::CryptoRng {
        alicem_credential::rng::os_rng()
    }
}
