//! Documents reported lost or stolen: a report suspends at once every identity built
//! on the document.

use alicem_api::account::IdentityStatus;
use sqlx::Row;

use super::audit::{self, Actor};
use super::identities::{self, StatusReason};
use super::{Store, StoreError};

impl Store {
    /// Whether a document (by fingerprint) is reported.
    pub async fn is_reported_lost(&self, fingerprint: &str) -> Result<bool, StoreError> {
        let row =
            sqlx::query("SELECT 1 AS one FROM lost_documents WHERE document_fingerprint = $1")
                .bind(fingerprint)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }

    /// Records a report and suspends the identities built on the document, in one
    /// transaction. Returns the identities suspended.
    pub async fn report_lost(
        &self,
        fingerprint: &str,
        source: &str,
        actor: &Actor,
        now: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO lost_documents (document_fingerprint, reported_at, source) VALUES ($1, $2, $3) \
             ON CONFLICT (document_fingerprint) DO NOTHING",
        )
        .bind(fingerprint)
        .bind(now)
        .bind(source)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query(
            "SELECT id FROM identities WHERE document_fingerprint = $1 \
             AND status IN ('pending_pin', 'active', 'locked', 'suspended')",
        )
        .bind(fingerprint)
        .fetch_all(&mut *tx)
        .await?;
        let mut suspended = Vec::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            identities::set_status(
                &mut *tx,
                &id,
                IdentityStatus::Suspended,
                Some(StatusReason::DocumentReportedLost),
                now,
            )
            .await?;
            audit::record(
                &mut *tx,
                now,
                actor,
                "identity.suspended",
                &id,
                "document reported lost or stolen",
            )
            .await?;
            suspended.push(id);
        }
        audit::record(
            &mut *tx,
            now,
            actor,
            "document.reported_lost",
            fingerprint,
            source,
        )
        .await?;
        tx.commit().await?;
        Ok(suspended)
    }
}
