//! Registered relying parties: those of the configuration, checked once at start so
//! a request never meets a half-valid registration, and those registered in the
//! database with `alicem admin sp add`, loaded at start, by the periodic jobs, and
//! when a request names a client not yet seen (at most every [`MISS_REFRESH`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use alicem_credential::jose::jwe::{EncryptionKey, KeyManagement};
use alicem_credential::jose::{Jwk, JwkSet, JwsAlgorithm};
use serde::Deserialize;

use super::client_secret::{ClientSecret, SecretCheck};
use super::scope;
use super::store::{OidcStore, StoreError};
use crate::store::service_providers::{ServiceProvider, TokenAuthMethod as RegisteredAuthMethod};

/// A request naming an unknown client reloads the registrations at most this often.
pub const MISS_REFRESH: Duration = Duration::from_secs(2);

/// How a client authenticates at the token and revocation endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuthMethod {
    /// Secret in the form body (RFC 6749 §2.3.1); `client_secret_basic` also accepted.
    ClientSecretPost,
    /// Secret in the `Authorization: Basic` header; `client_secret_post` also accepted.
    ClientSecretBasic,
    /// A JWT signed by a key of the client's registered JWKS (RFC 7523).
    PrivateKeyJwt,
}

impl TokenAuthMethod {
    pub fn name(self) -> &'static str {
        match self {
            TokenAuthMethod::ClientSecretPost => "client_secret_post",
            TokenAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenAuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// A relying party as written in the configuration (`[[oidc.clients]]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub client_id: String,
    /// Shown to the citizen ("Impôts démo").
    pub name: String,
    pub client_secret: Option<String>,
    #[serde(default = "default_auth")]
    pub token_endpoint_auth_method: TokenAuthMethod,
    /// The client's public keys (JWK Set JSON text): signature keys for
    /// `private_key_jwt`, an encryption key (`use` "enc") for encrypted responses.
    pub jwks: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Scopes this client may ask (besides `openid`).
    pub scopes: Vec<String>,
    /// Pairwise `sub` sector; default: the host of the first redirect URI.
    pub sector_identifier: Option<String>,
    /// `ES256` (default) or `RS256`.
    #[serde(default)]
    pub id_token_signed_response_alg: Option<String>,
    /// `ES256`, `RS256`, or `none` for plain JSON userinfo. Default: signed like the
    /// ID token.
    #[serde(default)]
    pub userinfo_signed_response_alg: Option<String>,
    /// Encrypt the ID token and userinfo to the client's `enc` key (`RSA-OAEP-256` or
    /// `ECDH-ES`, with `A256GCM`).
    #[serde(default)]
    pub encrypt_responses: bool,
    /// Refuse authorization requests without PKCE S256.
    #[serde(default)]
    pub require_pkce: bool,
}

fn default_auth() -> TokenAuthMethod {
    TokenAuthMethod::ClientSecretPost
}

/// Why a client registration was refused at start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("client {0:?}: {1}")]
    Invalid(String, &'static str),
    #[error("client {0:?} is registered twice")]
    Duplicate(String),
}

/// A registered client, validated.
pub struct Client {
    pub client_id: String,
    pub name: String,
    secret: Option<ClientSecret>,
    pub auth_method: TokenAuthMethod,
    pub signature_keys: JwkSet,
    pub encryption_key: Option<EncryptionKey>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: BTreeSet<String>,
    pub sector: String,
    pub id_token_alg: JwsAlgorithm,
    /// `None`: userinfo as plain JSON.
    pub userinfo_alg: Option<JwsAlgorithm>,
    pub require_pkce: bool,
    /// For a database registration, its `created_at` (to notice a re-registration).
    registered_at: Option<i64>,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.client_id)
            .field("auth_method", &self.auth_method)
            .finish_non_exhaustive()
    }
}

fn alg(id: &str, name: Option<&str>, default: JwsAlgorithm) -> Result<JwsAlgorithm, ClientError> {
    match name {
        None => Ok(default),
        Some(n) => JwsAlgorithm::from_name(n).map_err(|_| {
            ClientError::Invalid(id.into(), "signing algorithm must be ES256 or RS256")
        }),
    }
}

impl Client {
    pub fn from_spec(spec: &ClientSpec) -> Result<Self, ClientError> {
        let id = spec.client_id.as_str();
        let bad = |what| ClientError::Invalid(id.to_owned(), what);
        let secret = match (&spec.client_secret, spec.token_endpoint_auth_method) {
            (Some(s), TokenAuthMethod::ClientSecretPost | TokenAuthMethod::ClientSecretBasic) => {
                if s.len() < 32 {
                    return Err(bad("client_secret must be at least 32 characters"));
                }
                Some(ClientSecret::configured(s))
            }
            (None, TokenAuthMethod::PrivateKeyJwt) => None,
            (Some(_), TokenAuthMethod::PrivateKeyJwt) => {
                return Err(bad("private_key_jwt clients have no client_secret"));
            }
            (None, _) => return Err(bad("client_secret is required for client_secret_*")),
        };
        Self::validated(spec, secret)
    }

    /// A client registered with `alicem admin sp add`.
    pub fn from_registered(sp: &ServiceProvider) -> Result<Self, ClientError> {
        let bad = |what| ClientError::Invalid(sp.client_id.clone(), what);
        let method = match sp.token_auth_method {
            RegisteredAuthMethod::ClientSecretBasic => TokenAuthMethod::ClientSecretBasic,
            RegisteredAuthMethod::ClientSecretPost => TokenAuthMethod::ClientSecretPost,
            RegisteredAuthMethod::PrivateKeyJwt => TokenAuthMethod::PrivateKeyJwt,
            RegisteredAuthMethod::None => {
                return Err(bad("public clients (auth method none) are not supported"));
            }
        };
        let secret = match (&sp.client_secret_hash, method) {
            (Some(phc), TokenAuthMethod::ClientSecretBasic | TokenAuthMethod::ClientSecretPost) => {
                Some(ClientSecret::hashed(phc.clone()))
            }
            (None, TokenAuthMethod::PrivateKeyJwt) => None,
            _ => return Err(bad("secret and authentication method disagree")),
        };
        let spec = ClientSpec {
            client_id: sp.client_id.clone(),
            name: sp.name.clone(),
            client_secret: None,
            token_endpoint_auth_method: method,
            jwks: sp.jwks.clone(),
            redirect_uris: sp.redirect_uris.clone(),
            post_logout_redirect_uris: sp.post_logout_redirect_uris.clone(),
            scopes: sp
                .scopes
                .iter()
                .filter(|s| s.as_str() != "openid")
                .cloned()
                .collect(),
            sector_identifier: Some(sp.sector_identifier.clone()),
            id_token_signed_response_alg: Some(sp.id_token_alg.clone()),
            userinfo_signed_response_alg: None,
            encrypt_responses: false,
            require_pkce: false,
        };
        Self::validated(&spec, secret)
    }

    /// Checks everything but the secret, which the caller has read.
    fn validated(spec: &ClientSpec, secret: Option<ClientSecret>) -> Result<Self, ClientError> {
        let id = spec.client_id.as_str();
        let bad = |what| ClientError::Invalid(id.to_owned(), what);
        if id.is_empty() || id.len() > 128 {
            return Err(bad("client_id must be 1 to 128 characters"));
        }
        if spec.redirect_uris.is_empty() {
            return Err(bad("at least one redirect URI is required"));
        }
        for uri in spec
            .redirect_uris
            .iter()
            .chain(&spec.post_logout_redirect_uris)
        {
            let parsed =
                url::Url::parse(uri).map_err(|_| bad("redirect URIs must be absolute URLs"))?;
            if parsed.fragment().is_some() {
                return Err(bad("redirect URIs must not have a fragment"));
            }
            if !matches!(parsed.scheme(), "https" | "http") {
                return Err(bad("redirect URIs must be http(s)"));
            }
        }
        let jwks = match &spec.jwks {
            Some(text) => {
                JwkSet::parse(text.as_bytes()).map_err(|_| bad("jwks is not a valid JWK Set"))?
            }
            None => JwkSet::default(),
        };
        let signature_keys = JwkSet::new(
            jwks.keys()
                .iter()
                .filter(|k| k.key_use.as_deref() != Some("enc"))
                .cloned()
                .collect(),
        );
        if spec.token_endpoint_auth_method == TokenAuthMethod::PrivateKeyJwt
            && signature_keys.keys().is_empty()
        {
            return Err(bad("private_key_jwt needs signature keys in jwks"));
        }
        let encryption_key = if spec.encrypt_responses {
            let jwk: &Jwk = jwks
                .keys()
                .iter()
                .find(|k| k.key_use.as_deref() == Some("enc"))
                .ok_or_else(|| bad("encrypt_responses needs a key with use \"enc\" in jwks"))?;
            let key = EncryptionKey::from_jwk(jwk).map_err(|_| bad("unusable encryption key"))?;
            debug_assert!(matches!(
                key.key_management(),
                KeyManagement::RsaOaep256 | KeyManagement::EcdhEs
            ));
            Some(key)
        } else {
            None
        };
        let mut scopes = BTreeSet::new();
        for s in &spec.scopes {
            if scope::claims_of(s).is_none() {
                return Err(bad("unknown scope in registration"));
            }
            scopes.insert(s.clone());
        }
        let sector = match &spec.sector_identifier {
            Some(s) => s.clone(),
            None => spec
                .redirect_uris
                .first()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_owned))
                .ok_or_else(|| bad("no sector: give sector_identifier"))?,
        };
        let id_token_alg = alg(
            id,
            spec.id_token_signed_response_alg.as_deref(),
            JwsAlgorithm::Es256,
        )?;
        let userinfo_alg = match spec.userinfo_signed_response_alg.as_deref() {
            Some("none") => None,
            other => Some(alg(id, other, id_token_alg)?),
        };
        Ok(Self {
            client_id: spec.client_id.clone(),
            name: spec.name.clone(),
            secret,
            auth_method: spec.token_endpoint_auth_method,
            signature_keys,
            encryption_key,
            redirect_uris: spec.redirect_uris.clone(),
            post_logout_redirect_uris: spec.post_logout_redirect_uris.clone(),
            scopes,
            sector,
            id_token_alg,
            userinfo_alg,
            require_pkce: spec.require_pkce,
            registered_at: None,
        })
    }

    /// Exact, character-for-character comparison (OIDC Core §3.1.2.1 "simple string
    /// comparison").
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }

    /// Compares a presented secret with the registered one in constant time (see
    /// [`ClientSecret::check`]); a client without a secret never matches.
    pub async fn check_secret(&self, presented: &str) -> SecretCheck {
        match &self.secret {
            Some(secret) => secret.check(presented).await,
            None => SecretCheck::Wrong,
        }
    }
}

/// Every registered client, by `client_id`: the configuration's, then the
/// database's (the configuration wins when both name the same id).
#[derive(Debug, Default)]
pub struct ClientRegistry {
    clients: HashMap<String, Arc<Client>>,
    registered: RwLock<HashMap<String, Arc<Client>>>,
    /// When the registrations were last reloaded for an unknown client id.
    reloaded_for_miss: tokio::sync::Mutex<Option<Instant>>,
}

impl ClientRegistry {
    pub fn from_specs(specs: &[ClientSpec]) -> Result<Self, ClientError> {
        let mut clients = HashMap::new();
        for spec in specs {
            let client = Client::from_spec(spec)?;
            if clients
                .insert(client.client_id.clone(), Arc::new(client))
                .is_some()
            {
                return Err(ClientError::Duplicate(spec.client_id.clone()));
            }
        }
        Ok(Self {
            clients,
            ..Self::default()
        })
    }

    pub fn get(&self, client_id: &str) -> Option<Arc<Client>> {
        if let Some(c) = self.clients.get(client_id) {
            return Some(Arc::clone(c));
        }
        self.registered.read().ok()?.get(client_id).cloned()
    }

    /// Reloads the clients registered in the database. A registration that cannot
    /// be used is skipped with a warning naming it, never half-loaded.
    pub async fn reload(&self, store: &dyn OidcStore) -> Result<usize, StoreError> {
        let registered = store.service_providers().await?;
        let mut loaded = HashMap::new();
        for sp in &registered {
            if self.clients.contains_key(&sp.client_id) {
                tracing::warn!(
                    client_id = %sp.client_id,
                    "client registered in the database and in the configuration: the configuration's is used"
                );
                continue;
            }
            // Keep what is already loaded (and its verified secret) when unchanged.
            let previous = self
                .registered
                .read()
                .ok()
                .and_then(|r| r.get(&sp.client_id).cloned());
            match previous {
                Some(c) if c.registered_at == Some(sp.created_at) => {
                    loaded.insert(sp.client_id.clone(), c);
                }
                _ => match Client::from_registered(sp) {
                    Ok(mut c) => {
                        c.registered_at = Some(sp.created_at);
                        loaded.insert(sp.client_id.clone(), Arc::new(c));
                    }
                    Err(e) => tracing::warn!(error = %e, "registered client skipped"),
                },
            }
        }
        let count = loaded.len();
        if let Ok(mut r) = self.registered.write() {
            *r = loaded;
        }
        Ok(count)
    }

    /// Makes sure a client registered since the last reload is known: reloads when
    /// `client_id` is unknown, at most every [`MISS_REFRESH`] (unknown ids sent by
    /// anyone must not turn into a database query each).
    pub async fn ensure(&self, client_id: &str, store: &dyn OidcStore) {
        if self.get(client_id).is_some() {
            return;
        }
        let mut last = self.reloaded_for_miss.lock().await;
        if last.is_some_and(|t| t.elapsed() < MISS_REFRESH) {
            return;
        }
        *last = Some(Instant::now());
        if let Err(e) = self.reload(store).await {
            tracing::warn!(error = %e, "reloading registered clients failed");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(crate) fn spec() -> ClientSpec {
        ClientSpec {
            client_id: "impots".into(),
            name: "Impôts démo".into(),
            client_secret: Some("s".repeat(40)),
            token_endpoint_auth_method: TokenAuthMethod::ClientSecretPost,
            jwks: None,
            redirect_uris: vec!["https://impots.example/callback".into()],
            post_logout_redirect_uris: vec![],
            scopes: vec!["identite_pivot".into()],
            sector_identifier: None,
            id_token_signed_response_alg: None,
            userinfo_signed_response_alg: None,
            encrypt_responses: false,
            require_pkce: false,
        }
    }

    #[tokio::test]
    async fn redirect_uris_match_exactly_and_secrets_in_constant_time() {
        let c = Client::from_spec(&spec()).unwrap();
        assert!(c.has_redirect_uri("https://impots.example/callback"));
        assert!(!c.has_redirect_uri("https://impots.example/callback/"));
        assert!(!c.has_redirect_uri("https://IMPOTS.example/callback"));
        assert!(!c.has_redirect_uri("https://impots.example/callback?x=1"));
        assert_eq!(c.check_secret(&"s".repeat(40)).await, SecretCheck::Matches);
        assert_eq!(c.check_secret(&"s".repeat(39)).await, SecretCheck::Wrong);
        assert_eq!(c.sector, "impots.example");
        assert_eq!(c.id_token_alg, JwsAlgorithm::Es256);
    }

    #[test]
    fn refuses_short_secrets_unknown_scopes_and_duplicates() {
        let mut s = spec();
        s.client_secret = Some("short".into());
        assert!(Client::from_spec(&s).is_err());
        let mut s = spec();
        s.scopes.push("phone".into());
        assert!(Client::from_spec(&s).is_err());
        assert!(matches!(
            ClientRegistry::from_specs(&[spec(), spec()]),
            Err(ClientError::Duplicate(_))
        ));
    }
}
