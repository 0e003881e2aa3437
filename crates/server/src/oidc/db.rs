//! The provider's storage seam over the server's database ([`crate::store::Store`]):
//! identities and the connection history through the foundation's queries, and the
//! provider's own tables (migration 0100): signing keys, consents, login identifiers.

use alicem_api::account::HistoryEntry;
use alicem_credential::jose::JwsAlgorithm;
use alicem_credential::pin::PinAttempts;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sqlx::Row;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::acr::Acr;
use super::keys::{BoxFut, KeyError, KeyStore, StoredKey};
use super::store::{IdentityRecord, OidcStore, StoreError};
use crate::store::Store;
use crate::store::service_providers::ServiceProvider;

/// Most history rows returned at once.
const HISTORY_LIMIT: i64 = 1000;

/// The key of login identifier hashes.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct IdentifierKey([u8; 32]);

impl IdentifierKey {
    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// Keyed hash of a login identifier (trimmed, lower-cased).
    pub fn hash(&self, identifier: &str) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(b"alicem-login-identifier-v1");
        mac.update(identifier.trim().to_lowercase().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// [`OidcStore`] on the server's database.
#[derive(Clone)]
pub struct DbStore {
    pub store: Store,
    identifiers: IdentifierKey,
}

impl DbStore {
    pub fn new(store: Store, identifiers: IdentifierKey) -> Self {
        Self { store, identifiers }
    }
}

fn db(e: impl core::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn key_err(e: impl core::fmt::Display) -> KeyError {
    KeyError::Storage(e.to_string())
}

impl KeyStore for DbStore {
    fn load_keys(&self) -> BoxFut<'_, Result<Vec<StoredKey>, KeyError>> {
        Box::pin(async move {
            let rows = sqlx::query("SELECT kid, alg, created_at, sealed FROM oidc_signing_keys")
                .fetch_all(self.store.pool())
                .await
                .map_err(key_err)?;
            rows.iter()
                .map(|r| {
                    let alg: String = r.try_get("alg").map_err(key_err)?;
                    Ok(StoredKey {
                        kid: r.try_get("kid").map_err(key_err)?,
                        alg: JwsAlgorithm::from_name(&alg).map_err(key_err)?,
                        created_at: r.try_get("created_at").map_err(key_err)?,
                        sealed: r.try_get("sealed").map_err(key_err)?,
                    })
                })
                .collect()
        })
    }

    fn save_key<'a>(&'a self, key: &'a StoredKey) -> BoxFut<'a, Result<(), KeyError>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO oidc_signing_keys (kid, alg, created_at, sealed) VALUES ($1, $2, $3, $4)",
            )
            .bind(&key.kid)
            .bind(key.alg.name())
            .bind(key.created_at)
            .bind(&key.sealed)
            .execute(self.store.pool())
            .await
            .map_err(key_err)?;
            Ok(())
        })
    }

    fn delete_key<'a>(&'a self, kid: &'a str) -> BoxFut<'a, Result<(), KeyError>> {
        Box::pin(async move {
            sqlx::query("DELETE FROM oidc_signing_keys WHERE kid = $1")
                .bind(kid)
                .execute(self.store.pool())
                .await
                .map_err(key_err)?;
            Ok(())
        })
    }
}

impl OidcStore for DbStore {
    fn service_providers(&self) -> BoxFut<'_, Result<Vec<ServiceProvider>, StoreError>> {
        Box::pin(async move { self.store.service_providers().await.map_err(db) })
    }

    /// Links a login identifier (the enrollment's contact e-mail) to an identity:
    /// called when an enrollment is approved, before contact data is cleared.
    fn link_identifier<'a>(
        &'a self,
        identity: &'a str,
        email: &'a str,
        now: i64,
    ) -> BoxFut<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let hash = self.identifiers.hash(email);
            sqlx::query("DELETE FROM oidc_login_identifiers WHERE identifier_hash = $1")
                .bind(&hash)
                .execute(self.store.pool())
                .await
                .map_err(db)?;
            sqlx::query(
            "INSERT INTO oidc_login_identifiers (identifier_hash, identity_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(&hash)
        .bind(identity)
        .bind(now)
        .execute(self.store.pool())
        .await
        .map_err(db)?;
            Ok(())
        })
    }

    fn identity_by_email<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFut<'a, Result<Option<String>, StoreError>> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT identity_id FROM oidc_login_identifiers WHERE identifier_hash = $1",
            )
            .bind(self.identifiers.hash(email))
            .fetch_optional(self.store.pool())
            .await
            .map_err(db)?;
            row.map(|r| r.try_get::<String, _>("identity_id").map_err(db))
                .transpose()
        })
    }

    fn identity<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFut<'a, Result<Option<IdentityRecord>, StoreError>> {
        Box::pin(async move {
            let Some(identity) = self.store.identity(id).await.map_err(db)? else {
                return Ok(None);
            };
            let level = Acr::from_name(&identity.level)
                .ok_or_else(|| StoreError(format!("identity level {:?}", identity.level)))?;
            Ok(Some(IdentityRecord {
                pin_verifier: identity.verifier().map_err(db)?,
                pin_attempts: identity.pin_attempts(),
                id: identity.id,
                status: identity.status,
                level,
                device_key_thumbprint: identity.device_key_thumbprint,
            }))
        })
    }

    fn record_pin_attempts<'a>(
        &'a self,
        id: &'a str,
        attempts: PinAttempts,
    ) -> BoxFut<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.store
                .record_pin_attempts(id, attempts, super::now())
                .await
                .map_err(db)
        })
    }

    fn has_consent<'a>(
        &'a self,
        identity: &'a str,
        client_id: &'a str,
    ) -> BoxFut<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT at FROM oidc_consents WHERE identity_id = $1 AND client_id = $2",
            )
            .bind(identity)
            .bind(client_id)
            .fetch_optional(self.store.pool())
            .await
            .map_err(db)?;
            Ok(row.is_some())
        })
    }

    fn record_consent<'a>(
        &'a self,
        identity: &'a str,
        client_id: &'a str,
        at: i64,
    ) -> BoxFut<'a, Result<(), StoreError>> {
        Box::pin(async move {
            sqlx::query("DELETE FROM oidc_consents WHERE identity_id = $1 AND client_id = $2")
                .bind(identity)
                .bind(client_id)
                .execute(self.store.pool())
                .await
                .map_err(db)?;
            sqlx::query(
                "INSERT INTO oidc_consents (identity_id, client_id, at) VALUES ($1, $2, $3)",
            )
            .bind(identity)
            .bind(client_id)
            .bind(at)
            .execute(self.store.pool())
            .await
            .map_err(db)?;
            Ok(())
        })
    }

    fn append_history<'a>(
        &'a self,
        identity: &'a str,
        entry: &'a HistoryEntry,
    ) -> BoxFut<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.store
                .record_connection(identity, entry)
                .await
                .map_err(db)
        })
    }

    fn history<'a>(
        &'a self,
        identity: &'a str,
        since: i64,
    ) -> BoxFut<'a, Result<Vec<HistoryEntry>, StoreError>> {
        Box::pin(async move {
            let entries = self
                .store
                .connection_history(identity, HISTORY_LIMIT)
                .await
                .map_err(db)?;
            let since = u64::try_from(since).unwrap_or_default();
            Ok(entries.into_iter().filter(|e| e.at >= since).collect())
        })
    }
}
