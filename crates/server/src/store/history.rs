//! The connection history: one row per login (claim names, never values), written by
//! the OIDC provider, read by the citizen, purged by the retention job.

use alicem_api::account::HistoryEntry;
use sqlx::Row;

use super::{Store, StoreError};

impl Store {
    /// Records one login.
    pub async fn record_connection(
        &self,
        identity_id: &str,
        entry: &HistoryEntry,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO connection_history (identity_id, at, client_id, service_provider, claims, acr, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(identity_id)
        .bind(i64::try_from(entry.at).unwrap_or(i64::MAX))
        .bind(&entry.client_id)
        .bind(&entry.service_provider)
        .bind(entry.claims.join(" "))
        .bind(&entry.acr)
        .bind(&entry.outcome)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// An identity's history, newest first.
    pub async fn connection_history(
        &self,
        identity_id: &str,
        limit: i64,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, client_id, service_provider, claims, acr, outcome FROM connection_history \
             WHERE identity_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(identity_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let at: i64 = row.try_get("at")?;
                let claims: String = row.try_get("claims")?;
                Ok(HistoryEntry {
                    at: u64::try_from(at).unwrap_or(0),
                    client_id: row.try_get("client_id")?,
                    service_provider: row.try_get("service_provider")?,
                    claims: claims.split_whitespace().map(str::to_owned).collect(),
                    acr: row.try_get("acr")?,
                    outcome: row.try_get("outcome")?,
                })
            })
            .collect()
    }

    /// Deletes up to `batch` entries older than `cutoff`; returns how many.
    pub async fn purge_history_batch(&self, cutoff: i64, batch: i64) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "DELETE FROM connection_history WHERE id IN \
             (SELECT id FROM connection_history WHERE at < $1 ORDER BY id LIMIT $2)",
        )
        .bind(cutoff)
        .bind(batch)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected())
    }
}
