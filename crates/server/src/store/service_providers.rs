//! OpenID Connect relying parties, registered with `alicem admin sp add` and read by
//! the OIDC provider.

use sqlx::Row;

use super::{Store, StoreError};

/// How a relying party authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// Public client (PKCE only).
    None,
}

impl TokenAuthMethod {
    pub const ALL: [TokenAuthMethod; 4] = [
        TokenAuthMethod::ClientSecretBasic,
        TokenAuthMethod::ClientSecretPost,
        TokenAuthMethod::PrivateKeyJwt,
        TokenAuthMethod::None,
    ];

    /// The OAuth registry name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAuthMethod::ClientSecretBasic => "client_secret_basic",
            TokenAuthMethod::ClientSecretPost => "client_secret_post",
            TokenAuthMethod::PrivateKeyJwt => "private_key_jwt",
            TokenAuthMethod::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// A registered service provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceProvider {
    pub client_id: String,
    /// Display name shown to the citizen ("Impôts démo").
    pub name: String,
    /// PHC string (argon2id) of the client secret; `None` for `private_key_jwt` and
    /// public clients.
    pub client_secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    /// The pairwise `sub` sector (host of the redirect URIs by default).
    pub sector_identifier: String,
    pub token_auth_method: TokenAuthMethod,
    /// `ES256` or `RS256`.
    pub id_token_alg: String,
    /// The relying party's JWK Set (JSON), for `private_key_jwt`.
    pub jwks: Option<String>,
    pub created_at: i64,
}

macro_rules! select {
    () => {
        "SELECT client_id, name, client_secret_hash, redirect_uris, \
    post_logout_redirect_uris, scopes, sector_identifier, token_endpoint_auth_method, \
    id_token_signed_response_alg, jwks, created_at FROM service_providers"
    };
}

fn list_json(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn parse_list(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("URI list: {e}")))
}

impl Store {
    /// Registers a service provider; `false` if the client id is taken.
    pub async fn insert_service_provider(&self, sp: &ServiceProvider) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO service_providers (client_id, name, client_secret_hash, redirect_uris, \
             post_logout_redirect_uris, scopes, sector_identifier, token_endpoint_auth_method, \
             id_token_signed_response_alg, jwks, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (client_id) DO NOTHING",
        )
        .bind(&sp.client_id)
        .bind(&sp.name)
        .bind(sp.client_secret_hash.clone())
        .bind(list_json(&sp.redirect_uris))
        .bind(list_json(&sp.post_logout_redirect_uris))
        .bind(sp.scopes.join(" "))
        .bind(&sp.sector_identifier)
        .bind(sp.token_auth_method.as_str())
        .bind(&sp.id_token_alg)
        .bind(sp.jwks.clone())
        .bind(sp.created_at)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn service_provider(
        &self,
        client_id: &str,
    ) -> Result<Option<ServiceProvider>, StoreError> {
        let row = sqlx::query(concat!(select!(), " WHERE client_id = $1"))
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(service_provider).transpose()
    }

    pub async fn service_providers(&self) -> Result<Vec<ServiceProvider>, StoreError> {
        let rows = sqlx::query(concat!(select!(), " ORDER BY client_id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(service_provider).collect()
    }

    pub async fn delete_service_provider(&self, client_id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM service_providers WHERE client_id = $1")
            .bind(client_id)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected() == 1)
    }
}

fn service_provider(row: &sqlx::any::AnyRow) -> Result<ServiceProvider, StoreError> {
    let method: String = row.try_get("token_endpoint_auth_method")?;
    let scopes: String = row.try_get("scopes")?;
    Ok(ServiceProvider {
        client_id: row.try_get("client_id")?,
        name: row.try_get("name")?,
        client_secret_hash: row.try_get("client_secret_hash")?,
        redirect_uris: parse_list(&row.try_get::<String, _>("redirect_uris")?)?,
        post_logout_redirect_uris: parse_list(
            &row.try_get::<String, _>("post_logout_redirect_uris")?,
        )?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        sector_identifier: row.try_get("sector_identifier")?,
        token_auth_method: TokenAuthMethod::parse(&method)
            .ok_or_else(|| StoreError::Corrupt(format!("token auth method {method:?}")))?,
        id_token_alg: row.try_get("id_token_signed_response_alg")?,
        jwks: row.try_get("jwks")?,
        created_at: row.try_get("created_at")?,
    })
}
