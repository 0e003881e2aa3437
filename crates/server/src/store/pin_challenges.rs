//! Single-use PIN challenges: stored with their purpose, deleted when a proof for
//! them arrives, whatever the outcome.

use sqlx::Row;

use super::{Store, StoreError};

/// A stored challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChallenge {
    pub id: String,
    pub identity_id: String,
    pub purpose: String,
    pub nonce: Vec<u8>,
    pub secret_id: String,
    pub expires_at: i64,
}

impl Store {
    pub async fn insert_pin_challenge(&self, c: &StoredChallenge) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pin_challenges (id, identity_id, purpose, nonce, secret_id, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&c.id)
        .bind(&c.identity_id)
        .bind(&c.purpose)
        .bind(c.nonce.clone())
        .bind(&c.secret_id)
        .bind(c.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Removes and returns a challenge (single use).
    pub async fn take_pin_challenge(
        &self,
        id: &str,
    ) -> Result<Option<StoredChallenge>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "SELECT id, identity_id, purpose, nonce, secret_id, expires_at FROM pin_challenges WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        let deleted = sqlx::query("DELETE FROM pin_challenges WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(StoredChallenge {
            id: row.try_get("id")?,
            identity_id: row.try_get("identity_id")?,
            purpose: row.try_get("purpose")?,
            nonce: row.try_get("nonce")?,
            secret_id: row.try_get("secret_id")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    pub async fn purge_pin_challenges(&self, now: i64) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM pin_challenges WHERE expires_at < $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected())
    }

    /// Deletes an identity (on the citizen's request); the connection history stays
    /// for its legal retention period and the audit log keeps the deletion.
    pub async fn delete_identity(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM pin_challenges WHERE identity_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let r = sqlx::query("DELETE FROM identities WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(r.rows_affected() == 1)
    }
}
