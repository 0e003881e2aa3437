//! The provider's settings: lifetimes (FranceConnect+ values by default), key
//! rotation, and the registered relying parties.

use serde::Deserialize;

use super::client::ClientSpec;

/// `[oidc]` in the server configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct OidcConfig {
    /// Authorization code lifetime (seconds): 30 in FranceConnect+.
    pub code_ttl_seconds: u64,
    /// Access token lifetime (seconds): 60 in FranceConnect+.
    pub access_token_ttl_seconds: u64,
    /// ID token lifetime (seconds): 60 in FranceConnect+.
    pub id_token_ttl_seconds: u64,
    /// How long the browser waits for the phone before the login is abandoned.
    pub login_ttl_seconds: u64,
    /// A signing key signs for this long, then a new one takes over.
    pub key_rotation_days: u64,
    /// A retired key stays in the JWKS this long, so tokens it signed still verify
    /// and relying parties that cache the JWKS see the next key before it is used.
    pub key_overlap_days: u64,
    /// Publish (and allow clients to choose) RS256 besides ES256.
    pub rs256: bool,
    /// The registered relying parties.
    pub clients: Vec<ClientSpec>,
}

impl Default for OidcConfig {
    fn default() -> Self {
        Self {
            code_ttl_seconds: 30,
            access_token_ttl_seconds: 60,
            id_token_ttl_seconds: 60,
            login_ttl_seconds: 300,
            key_rotation_days: 90,
            key_overlap_days: 14,
            rs256: true,
            clients: Vec::new(),
        }
    }
}
