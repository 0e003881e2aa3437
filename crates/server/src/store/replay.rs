//! The device-proof replay cache: a `jti` is accepted once within its validity window.

use super::{Store, StoreError};

impl Store {
    /// Records `jti` until `expires_at`; `false` when it was already seen.
    pub async fn remember_jti(&self, jti: &str, expires_at: i64) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO device_proof_jti (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Forgets the `jti`s whose window has passed.
    pub async fn purge_jtis(&self, now: i64) -> Result<u64, StoreError> {
        let result = sqlx::query("DELETE FROM device_proof_jti WHERE expires_at < $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected())
    }
}
