//! What the provider needs from the server's database, as one seam: identities
//! (status, level, device key, PIN verifier and counter), consents, the connection
//! history, and signing keys ([`KeyStore`]).

use alicem_api::account::{HistoryEntry, IdentityStatus};
use alicem_credential::pin::{PinAttempts, PinVerifier};

use super::acr::Acr;
use super::keys::{BoxFut, KeyStore};
use crate::store::service_providers::ServiceProvider;

/// A storage failure (the message names the operation, never personal data).
#[derive(Debug, Clone, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

/// An identity, as far as login is concerned.
#[derive(Debug, Clone)]
pub struct IdentityRecord {
    pub id: String,
    pub status: IdentityStatus,
    /// The eIDAS level the identity was enrolled at.
    pub level: Acr,
    /// RFC 7638 thumbprint of the device key the credential is bound to.
    pub device_key_thumbprint: String,
    pub pin_verifier: Option<PinVerifier>,
    pub pin_attempts: PinAttempts,
}

/// The provider's storage seam.
pub trait OidcStore: KeyStore {
    /// The service providers registered with `alicem admin sp add`.
    fn service_providers(&self) -> BoxFut<'_, Result<Vec<ServiceProvider>, StoreError>>;
    /// The identity whose login identifier (the e-mail given at enrollment,
    /// compared case-insensitively) is `email`, if any.
    fn identity_by_email<'a>(
        &'a self,
        email: &'a str,
    ) -> BoxFut<'a, Result<Option<String>, StoreError>>;
    /// Links a login identifier (the enrollment's contact e-mail) to an identity;
    /// called when an enrollment is approved, before contact data is cleared.
    fn link_identifier<'a>(
        &'a self,
        identity: &'a str,
        email: &'a str,
        now: i64,
    ) -> BoxFut<'a, Result<(), StoreError>>;
    fn identity<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFut<'a, Result<Option<IdentityRecord>, StoreError>>;
    /// Stores the PIN counter; when it is locked, the identity's status becomes
    /// `locked` in the same write.
    fn record_pin_attempts<'a>(
        &'a self,
        id: &'a str,
        attempts: PinAttempts,
    ) -> BoxFut<'a, Result<(), StoreError>>;
    fn has_consent<'a>(
        &'a self,
        identity: &'a str,
        client_id: &'a str,
    ) -> BoxFut<'a, Result<bool, StoreError>>;
    fn record_consent<'a>(
        &'a self,
        identity: &'a str,
        client_id: &'a str,
        at: i64,
    ) -> BoxFut<'a, Result<(), StoreError>>;
    fn append_history<'a>(
        &'a self,
        identity: &'a str,
        entry: &'a HistoryEntry,
    ) -> BoxFut<'a, Result<(), StoreError>>;
    /// The identity's history, newest first, entries at or after `since`.
    fn history<'a>(
        &'a self,
        identity: &'a str,
        since: i64,
    ) -> BoxFut<'a, Result<Vec<HistoryEntry>, StoreError>>;
}
