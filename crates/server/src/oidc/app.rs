//! The provider inside the server: built once, lazily, from the [`AppState`] (its
//! store, configuration and keys), and handed to handlers by the [`Op`] extractor.
//! Lazily so that `AppState::from_parts` stays synchronous.

use std::path::Path;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use hkdf::Hkdf;
use sha2::Sha256;
use tokio::sync::OnceCell;
use zeroize::Zeroizing;

use super::db::{DbStore, IdentifierKey};
use super::keys::KeyWrap;
use super::sub::PairwiseKey;
use super::{CredentialTrust, Provider, ProviderSetup, SetupError};
use crate::fsutil;
use crate::state::AppState;

/// The `vct` of the identity credential the server issues.
pub const CREDENTIAL_VCT: &str = "urn:alicem:identity:1";

/// Where the provider lives in the [`AppState`].
#[derive(Default)]
pub struct OidcSlot(OnceCell<Arc<Provider>>);

impl core::fmt::Debug for OidcSlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("OidcSlot")
    }
}

/// Reads `keys/oidc.key` (32 random bytes, created 0600 on first start).
fn master_secret(dir: &Path) -> Result<Zeroizing<Vec<u8>>, std::io::Error> {
    let path = dir.join("oidc.key");
    fsutil::create_private_dir(dir)?;
    match fsutil::read_private_file(&path) {
        Ok(bytes) if bytes.len() == 32 => Ok(Zeroizing::new(bytes)),
        Ok(_) => Err(std::io::Error::other("oidc.key must be 32 bytes")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = Zeroizing::new(vec![0u8; 32]);
            rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut bytes);
            fsutil::create_private_file(&path, &bytes)?;
            tracing::info!(path = %path.display(), "created the OpenID Connect secret");
            Ok(bytes)
        }
        Err(e) => Err(e),
    }
}

fn derive(secret: &[u8], label: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 bytes is always a valid HKDF-SHA-256 output length.
    let _ = Hkdf::<Sha256>::new(Some(b"alicem-oidc-v1"), secret).expand(label, &mut out);
    out
}

/// Builds the provider from the server's state.
pub async fn build(state: &AppState) -> Result<Arc<Provider>, SetupError> {
    let secret =
        master_secret(&state.config.keys_dir()).map_err(|e| SetupError::Io(e.to_string()))?;
    let store = Arc::new(DbStore::new(
        state.store.clone(),
        IdentifierKey::new(derive(&secret, b"login identifiers")),
    ));
    Provider::new(ProviderSetup {
        issuer: state.config.issuer.clone(),
        config: state.config.oidc.clone(),
        store,
        pepper: state.keys.pepper.clone(),
        pairwise: PairwiseKey::new(derive(&secret, b"pairwise sub")),
        key_wrap: KeyWrap::new(derive(&secret, b"signing key wrap")),
        credential: CredentialTrust {
            issuer_keys: state.keys.issuer_jwks(),
            issuer: state.config.issuer.clone(),
            vct: CREDENTIAL_VCT.to_owned(),
        },
        retention_days: state.config.retention_days,
    })
    .await
}

/// The provider of this server, built on first use.
pub async fn provider(state: &AppState) -> Result<Arc<Provider>, SetupError> {
    state
        .oidc
        .0
        .get_or_try_init(|| build(state))
        .await
        .map(Arc::clone)
}

/// The provider if it has been built (the periodic jobs do not build it).
pub fn built_provider(state: &AppState) -> Option<Arc<Provider>> {
    state.oidc.0.get().map(Arc::clone)
}

/// Extractor: the provider.
pub struct Op(pub Arc<Provider>);

impl FromRequestParts<AppState> for Op {
    type Rejection = crate::problem::Problem;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        provider(state)
            .await
            .map(Op)
            .map_err(|e| crate::problem::Problem::internal(&e))
    }
}
