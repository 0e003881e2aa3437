//! The admin surface behind `alicem admin`: lost/stolen documents, trust material,
//! service providers, agents. Each change is audited as `admin`.

use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::config::Config;
use crate::keys::ServerKeys;
use crate::store::audit::Actor;
use crate::store::service_providers::{ServiceProvider, TokenAuthMethod};
use crate::store::{Store, StoreError};
use crate::trust::{TrustLoadError, load_file};

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keys(#[from] crate::keys::KeyError),
    #[error(transparent)]
    Trust(#[from] TrustLoadError),
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// What admin commands need: the store and the keys (for document fingerprints).
pub struct Admin {
    pub config: Config,
    pub store: Store,
    pub keys: ServerKeys,
}

fn now() -> i64 {
    alicem_credential::jose::jwt::now_unix()
}

/// An argon2id PHC hash of a secret (client secrets, agent passwords).
pub fn hash_secret(secret: &str) -> Result<String, AdminError> {
    let hash: argon2::password_hash::phc::PasswordHash = Argon2::default()
        .hash_password(secret.as_bytes())
        .map_err(|e| AdminError::Invalid(e.to_string()))?;
    Ok(hash.to_string())
}

/// Checks a secret against its PHC hash (constant time inside argon2).
pub fn verify_secret(secret: &str, phc: &str) -> bool {
    PasswordVerifier::<str>::verify_password(&Argon2::default(), secret.as_bytes(), phc).is_ok()
}

/// A random secret, base64url (32 bytes).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut bytes);
    alicem_credential::jose::b64::encode(&bytes)
}

/// A new service provider registration.
#[derive(Debug, Clone)]
pub struct NewServiceProvider {
    pub client_id: Option<String>,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub sector_identifier: Option<String>,
    pub token_auth_method: TokenAuthMethod,
    pub id_token_alg: String,
    pub jwks: Option<String>,
}

/// The registered client and, for secret-based methods, its secret (shown once).
#[derive(Debug, Clone)]
pub struct Registered {
    pub client_id: String,
    pub client_secret: Option<String>,
}

fn host_of(uri: &str) -> Option<&str> {
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then_some(host)
}

impl Admin {
    /// Opens the configured store (migrating it) and keys.
    pub async fn open(config: Config) -> Result<Self, AdminError> {
        crate::fsutil::create_private_dir(&config.data_dir).map_err(|source| AdminError::Io {
            path: config.data_dir.display().to_string(),
            source,
        })?;
        let keys = ServerKeys::load_or_create(&config)?;
        let store = Store::open(&config.database_url()).await?;
        Ok(Self {
            config,
            store,
            keys,
        })
    }

    /// Reports a document lost or stolen; returns the identities suspended.
    pub async fn report_document(
        &self,
        issuing_state: &str,
        number: &str,
        source: &str,
    ) -> Result<Vec<String>, AdminError> {
        let state = issuing_state.trim().to_ascii_uppercase();
        let number = number.trim().to_ascii_uppercase();
        if state.is_empty()
            || state.len() > 3
            || number.is_empty()
            || number.len() > 20
            || !number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '<')
        {
            return Err(AdminError::Invalid(
                "expected an ICAO state code (e.g. FRA) and a document number".into(),
            ));
        }
        let fingerprint = self.keys.document_fingerprint(&state, &number);
        Ok(self
            .store
            .report_lost(&fingerprint, source, &Actor::Admin, now())
            .await?)
    }

    /// Imports a list of `STATE,NUMBER` lines (`#` comments, blank lines skipped);
    /// returns (documents, identities suspended).
    pub async fn import_documents(
        &self,
        text: &str,
        source: &str,
    ) -> Result<(usize, usize), AdminError> {
        let mut documents = 0;
        let mut suspended = 0;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((state, number)) = line.split_once([',', ';', '\t']) else {
                return Err(AdminError::Invalid(format!(
                    "line {}: expected STATE,NUMBER",
                    i + 1
                )));
            };
            suspended += self
                .report_document(state, number, source)
                .await
                .map_err(|e| AdminError::Invalid(format!("line {}: {e}", i + 1)))?
                .len();
            documents += 1;
        }
        Ok((documents, suspended))
    }

    /// Checks trust files (master list signatures, CA certificates, CRLs) and copies
    /// them into the trust directory; the server loads them at its next start.
    pub fn import_trust(&self, files: &[&Path]) -> Result<Vec<String>, AdminError> {
        let dir = self.config.trust_dir();
        std::fs::create_dir_all(&dir).map_err(|source| AdminError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let mut check = alicem_emrtd::verify::TrustStore::new();
        for file in files {
            load_file(&mut check, file)?;
        }
        let mut copied = Vec::new();
        for file in files {
            let name = file
                .file_name()
                .ok_or_else(|| AdminError::Invalid(format!("{}: not a file", file.display())))?;
            let target = dir.join(name);
            std::fs::copy(file, &target).map_err(|source| AdminError::Io {
                path: target.display().to_string(),
                source,
            })?;
            copied.push(target.display().to_string());
        }
        Ok(copied)
    }

    /// Registers a service provider.
    pub async fn add_service_provider(
        &self,
        sp: NewServiceProvider,
    ) -> Result<Registered, AdminError> {
        if sp.name.trim().is_empty() {
            return Err(AdminError::Invalid("--name is empty".into()));
        }
        if sp.redirect_uris.is_empty() {
            return Err(AdminError::Invalid("at least one --redirect-uri".into()));
        }
        for uri in sp.redirect_uris.iter().chain(&sp.post_logout_redirect_uris) {
            let loopback =
                uri.starts_with("http://127.0.0.1") || uri.starts_with("http://localhost");
            if !(uri.starts_with("https://") || loopback)
                || uri.contains('#')
                || host_of(uri).is_none()
            {
                return Err(AdminError::Invalid(format!(
                    "{uri}: redirect URIs are absolute https URLs (http only on loopback), without fragment"
                )));
            }
        }
        if !sp.scopes.iter().any(|s| s == "openid") {
            return Err(AdminError::Invalid("--scopes must include openid".into()));
        }
        if !matches!(sp.id_token_alg.as_str(), "ES256" | "RS256") {
            return Err(AdminError::Invalid(
                "--id-token-alg is ES256 or RS256".into(),
            ));
        }
        if sp.token_auth_method == TokenAuthMethod::PrivateKeyJwt {
            let jwks = sp
                .jwks
                .as_deref()
                .ok_or_else(|| AdminError::Invalid("private_key_jwt needs --jwks".into()))?;
            alicem_credential::jose::JwkSet::parse(jwks.as_bytes())
                .map_err(|e| AdminError::Invalid(format!("--jwks: {e}")))?;
        }
        let sector = match &sp.sector_identifier {
            Some(s) => s.clone(),
            None => {
                let hosts: std::collections::BTreeSet<&str> =
                    sp.redirect_uris.iter().filter_map(|u| host_of(u)).collect();
                if hosts.len() != 1 {
                    return Err(AdminError::Invalid(
                        "redirect URIs on several hosts: give --sector".into(),
                    ));
                }
                hosts.into_iter().next().unwrap_or_default().to_owned()
            }
        };
        let client_id = sp.client_id.clone().unwrap_or_else(|| {
            let mut b = [0u8; 12];
            rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut b);
            alicem_credential::jose::b64::encode(&b)
        });
        let secret = matches!(
            sp.token_auth_method,
            TokenAuthMethod::ClientSecretBasic | TokenAuthMethod::ClientSecretPost
        )
        .then(random_secret);
        let record = ServiceProvider {
            client_id: client_id.clone(),
            name: sp.name.trim().to_owned(),
            client_secret_hash: secret.as_deref().map(hash_secret).transpose()?,
            redirect_uris: sp.redirect_uris,
            post_logout_redirect_uris: sp.post_logout_redirect_uris,
            scopes: sp.scopes,
            sector_identifier: sector,
            token_auth_method: sp.token_auth_method,
            id_token_alg: sp.id_token_alg,
            jwks: sp.jwks,
            created_at: now(),
        };
        if !self.store.insert_service_provider(&record).await? {
            return Err(AdminError::Invalid(format!(
                "client id {client_id} is taken"
            )));
        }
        self.store
            .audit(
                now(),
                &Actor::Admin,
                "service_provider.added",
                &client_id,
                &record.name,
            )
            .await?;
        Ok(Registered {
            client_id,
            client_secret: secret,
        })
    }

    /// Creates an agent of the console.
    pub async fn add_agent(
        &self,
        login: &str,
        display_name: &str,
        password: &str,
    ) -> Result<(), AdminError> {
        if login.is_empty()
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
        {
            return Err(AdminError::Invalid(
                "a login is letters, digits, . - _".into(),
            ));
        }
        if password.chars().count() < 12 {
            return Err(AdminError::Invalid(
                "an agent password has at least 12 characters".into(),
            ));
        }
        let hash = hash_secret(password)?;
        if !self
            .store
            .insert_agent(login, display_name, &hash, now())
            .await?
        {
            return Err(AdminError::Invalid(format!("agent {login} exists")));
        }
        self.store
            .audit(now(), &Actor::Admin, "agent.added", login, display_name)
            .await?;
        Ok(())
    }
}
