//! The audit log: every state change, who made it, on what.

use sqlx::Row;

use super::{Store, StoreError};

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Citizen(String),
    Agent(String),
    Admin,
    System,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Citizen(id) => write!(f, "citizen:{id}"),
            Actor::Agent(login) => write!(f, "agent:{login}"),
            Actor::Admin => f.write_str("admin"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// Appends an audit record inside an existing transaction or connection.
pub async fn record<'c, E>(
    executor: E,
    at: i64,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(at)
    .bind(actor.to_string())
    .bind(action)
    .bind(subject)
    .bind(detail)
    .execute(executor)
    .await?;
    Ok(())
}

impl Store {
    pub async fn audit(
        &self,
        at: i64,
        actor: &Actor,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        record(self.pool(), at, actor, action, subject, detail).await
    }

    /// The records about `subject`, oldest first.
    pub async fn audit_of(&self, subject: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, detail FROM audit_log WHERE subject = $1 ORDER BY id",
        )
        .bind(subject)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry).collect()
    }

    /// The latest `limit` records.
    pub async fn audit_recent(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry).collect()
    }
}

fn entry(row: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        detail: row.try_get("detail")?,
    })
}
