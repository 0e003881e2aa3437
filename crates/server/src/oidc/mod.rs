//! The OpenID Connect provider, FranceConnect(+) profile: authorization code flow
//! only, logins approved on the citizen's phone.
//!
//! One file per endpoint or concept: [`discovery`], [`jwks`], [`authorize`] (request
//! validation), [`interaction`] (the browser pages between `/authorize` and the
//! redirect), [`token`], [`id_token`], [`userinfo`], [`session_end`],
//! [`revocation`]; and beneath them [`client`] / [`client_auth`], [`keys`] (rotation),
//! [`scope`], [`acr`], [`sub`] (pairwise), [`flows`] (codes and tokens, in memory),
//! [`pages`] (HTML, French and English) and the storage seam [`store`].

pub mod acr;
pub mod app;
pub mod authorize;
pub mod client;
pub mod client_auth;
pub mod client_secret;
pub mod config;
pub mod db;
pub mod discovery;
pub mod error;
pub mod flows;
pub mod grant;
pub mod id_token;
pub mod interaction;
pub mod jwks;
pub mod keys;
pub mod long_poll;
pub mod pages;
pub mod params;
pub mod revocation;
pub mod scope;
pub mod session_end;
pub mod store;
pub mod sub;
pub mod token;
pub mod userinfo;

use std::sync::{Arc, RwLock};

use alicem_credential::jose::jwe;
use alicem_credential::jose::jwt::Clock;
use alicem_credential::jose::{JwkSet, JwsAlgorithm, jws};
use alicem_credential::pin::Pepper;
use alicem_credential::rng::os_rng;
use alicem_credential::sd_jwt::IssuerSignatureCache;
use axum::Router;
use axum::routing::{get, post};

pub use config::OidcConfig;

use client::{ClientError, ClientRegistry};
use client_auth::AssertionReplayCache;
use flows::Flows;
use keys::{KeyError, KeyRing, KeyWrap, Rotation};
use store::OidcStore;
use sub::PairwiseKey;

/// Why the provider could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("OpenID Connect secret: {0}")]
    Io(String),
}

/// What the provider needs to verify the wallet's credential presentations.
#[derive(Debug, Clone)]
pub struct CredentialTrust {
    /// The server's credential issuer keys.
    pub issuer_keys: JwkSet,
    /// `iss` of issued credentials.
    pub issuer: String,
    /// `vct` of issued credentials.
    pub vct: String,
}

/// Everything the provider's endpoints share.
pub struct Provider {
    pub issuer: String,
    pub config: OidcConfig,
    pub clients: ClientRegistry,
    pub store: Arc<dyn OidcStore>,
    pub pepper: Pepper,
    pub pairwise: PairwiseKey,
    pub credential: CredentialTrust,
    /// Connection history retention (days).
    pub retention_days: u32,
    key_wrap: KeyWrap,
    keys: RwLock<KeyRing>,
    pub flows: Flows,
    pub assertion_replay: AssertionReplayCache,
    /// Credentials whose issuer signature already verified (once per credential
    /// rather than once per login; see `IssuerSignatureCache` for why it is safe).
    pub issuer_signatures: IssuerSignatureCache,
}

impl core::fmt::Debug for Provider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// The seeds of a [`Provider`].
pub struct ProviderSetup {
    pub issuer: String,
    pub config: OidcConfig,
    pub store: Arc<dyn OidcStore>,
    pub pepper: Pepper,
    pub pairwise: PairwiseKey,
    pub key_wrap: KeyWrap,
    pub credential: CredentialTrust,
    pub retention_days: u32,
}

/// Unix seconds now.
pub fn now() -> i64 {
    alicem_credential::jose::jwt::now_unix()
}

/// A fresh random identifier: `bytes` random bytes, base64url.
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand_core::Rng::fill_bytes(&mut os_rng(), &mut buf);
    alicem_credential::jose::b64::encode(&buf)
}

impl Provider {
    pub async fn new(setup: ProviderSetup) -> Result<Arc<Self>, SetupError> {
        let clients = ClientRegistry::from_specs(&setup.config.clients)?;
        let provider = Self {
            issuer: setup.issuer,
            clients,
            store: setup.store,
            pepper: setup.pepper,
            pairwise: setup.pairwise,
            credential: setup.credential,
            retention_days: setup.retention_days,
            key_wrap: setup.key_wrap,
            keys: RwLock::new(KeyRing::default()),
            flows: Flows::default(),
            assertion_replay: AssertionReplayCache::default(),
            issuer_signatures: IssuerSignatureCache::default(),
            config: setup.config,
        };
        provider.maintain_keys().await?;
        if let Err(e) = provider.clients.reload(provider.store.as_ref()).await {
            tracing::warn!(error = %e, "registered clients could not be loaded; retried on use");
        }
        Ok(Arc::new(provider))
    }

    fn rotation(&self) -> Rotation {
        let day = 86_400i64;
        Rotation {
            period: i64::try_from(self.config.key_rotation_days)
                .unwrap_or(90)
                .saturating_mul(day),
            overlap: i64::try_from(self.config.key_overlap_days)
                .unwrap_or(14)
                .saturating_mul(day),
        }
    }

    pub fn algorithms(&self) -> Vec<JwsAlgorithm> {
        if self.config.rs256 {
            vec![JwsAlgorithm::Es256, JwsAlgorithm::Rs256]
        } else {
            vec![JwsAlgorithm::Es256]
        }
    }

    /// Loads, rotates and prunes the signing keys (at start, then periodically).
    pub async fn maintain_keys(&self) -> Result<(), KeyError> {
        let ring = KeyRing::maintain(
            self.store.as_ref(),
            &self.key_wrap,
            &self.algorithms(),
            self.rotation(),
            now(),
        )
        .await?;
        if let Ok(mut keys) = self.keys.write() {
            *keys = ring;
        }
        Ok(())
    }

    /// The published key set.
    pub fn jwks(&self) -> JwkSet {
        match self.keys.read() {
            Ok(k) => k.jwks(self.rotation(), now()),
            Err(_) => JwkSet::default(),
        }
    }

    /// Signs `claims` as a JWT with the current `alg` key, then encrypts it when the
    /// client registered an encryption key. `typ` is the JWS `typ`.
    pub fn sign_for(
        &self,
        client: &client::Client,
        alg: JwsAlgorithm,
        typ: Option<&str>,
        claims: &serde_json::Value,
    ) -> Result<String, error::OAuthError> {
        let signer = self
            .keys
            .read()
            .ok()
            .and_then(|k| k.signer(alg, now()))
            .ok_or_else(|| error::OAuthError::server_error("no signing key"))?;
        let signed = jws::sign_json(typ, claims, signer.as_ref())
            .map_err(|_| error::OAuthError::server_error("signing failed"))?;
        match &client.encryption_key {
            None => Ok(signed),
            Some(key) => jwe::encrypt(signed.as_bytes(), key, Some("JWT"), &mut os_rng())
                .map_err(|_| error::OAuthError::server_error("encryption failed")),
        }
    }

    pub fn clock(&self) -> Clock {
        Clock::new(now(), 30)
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

/// The provider's routes (browser, relying parties, and the wallet's login API).
pub fn router() -> Router<crate::state::AppState> {
    Router::new()
        .route(discovery::PATH, get(discovery::handle))
        .route(jwks::PATH, get(jwks::handle))
        .route(authorize::PATH, get(authorize::get).post(authorize::post))
        .route(
            "/login/{tx}",
            get(interaction::identify_page).post(interaction::identify),
        )
        .route("/login/{tx}/wait", get(interaction::wait))
        .route("/login/{tx}/status", get(interaction::status))
        .route(
            "/login/{tx}/consent",
            get(interaction::consent_page).post(interaction::consent),
        )
        .route("/login/{tx}/cancel", post(interaction::cancel))
        .route(token::PATH, post(token::handle))
        .route(userinfo::PATH, get(userinfo::get).post(userinfo::post))
        .route(
            session_end::PATH,
            get(session_end::get).post(session_end::post),
        )
        .route(revocation::PATH, post(revocation::handle))
        .merge(crate::login::router())
}
