//! Enrollment sessions as stored: no chip file, no frame, no civil-status data; the
//! contact data is cleared once the session is decided.

use alicem_api::account::IdentityStatus;
use alicem_api::enrollment::{DecisionReason, EnrollmentPath, EnrollmentStatus, ErasedItem};
use sqlx::Row;

use super::audit::{self, Actor};
use super::identities::{self, Identity, StatusReason};
use super::{Store, StoreError};

pub fn status_str(status: EnrollmentStatus) -> &'static str {
    match status {
        EnrollmentStatus::Started => "started",
        EnrollmentStatus::AwaitingAgent => "awaiting_agent",
        EnrollmentStatus::NeedsReview => "needs_review",
        EnrollmentStatus::Approved => "approved",
        EnrollmentStatus::Rejected => "rejected",
        EnrollmentStatus::Abandoned => "abandoned",
    }
}

fn parse_status(text: &str) -> Option<EnrollmentStatus> {
    [
        EnrollmentStatus::Started,
        EnrollmentStatus::AwaitingAgent,
        EnrollmentStatus::NeedsReview,
        EnrollmentStatus::Approved,
        EnrollmentStatus::Rejected,
        EnrollmentStatus::Abandoned,
    ]
    .into_iter()
    .find(|s| status_str(*s) == text)
}

fn json_code<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_code<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

/// An enrollment session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub id: String,
    pub session_code: String,
    pub device_key: String,
    pub device_key_thumbprint: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub terms_version: String,
    pub path: EnrollmentPath,
    pub challenge: Vec<u8>,
    pub liveness_script: String,
    pub client_addr: Option<String>,
    pub status: EnrollmentStatus,
    pub reasons: Vec<DecisionReason>,
    pub document_fingerprint: Option<String>,
    pub document_expires_at: Option<i64>,
    pub identity_id: Option<String>,
    /// JSON list of [`ErasedItem`]s while evidence is held.
    pub received: Option<String>,
    /// JSON of the signed `ErasureReceipt`.
    pub erasure_receipt: Option<String>,
    pub created_at: i64,
    pub deadline: i64,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
}

impl Enrollment {
    pub fn received_items(&self) -> Vec<ErasedItem> {
        self.received
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }

    /// Waiting for an agent's decision.
    pub fn is_waiting(&self) -> bool {
        matches!(
            self.status,
            EnrollmentStatus::AwaitingAgent | EnrollmentStatus::NeedsReview
        )
    }
}

macro_rules! select {
    () => {
        "SELECT id, session_code, device_key, device_key_thumbprint, email, phone, terms_version, \
         path, challenge, liveness_script, client_addr, status, reasons, document_fingerprint, \
         document_expires_at, identity_id, received, erasure_receipt, created_at, deadline, \
         decided_at, decided_by FROM enrollments"
    };
}

fn enrollment(row: &sqlx::any::AnyRow) -> Result<Enrollment, StoreError> {
    let status: String = row.try_get("status")?;
    let path: String = row.try_get("path")?;
    let reasons: String = row.try_get("reasons")?;
    Ok(Enrollment {
        id: row.try_get("id")?,
        session_code: row.try_get("session_code")?,
        device_key: row.try_get("device_key")?,
        device_key_thumbprint: row.try_get("device_key_thumbprint")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        terms_version: row.try_get("terms_version")?,
        path: parse_code(&path).ok_or_else(|| StoreError::Corrupt(format!("path {path:?}")))?,
        challenge: row.try_get("challenge")?,
        liveness_script: row.try_get("liveness_script")?,
        client_addr: row.try_get("client_addr")?,
        status: parse_status(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("enrollment status {status:?}")))?,
        reasons: super::split_codes(&reasons)
            .filter_map(parse_code)
            .collect(),
        document_fingerprint: row.try_get("document_fingerprint")?,
        document_expires_at: row.try_get("document_expires_at")?,
        identity_id: row.try_get("identity_id")?,
        received: row.try_get("received")?,
        erasure_receipt: row.try_get("erasure_receipt")?,
        created_at: row.try_get("created_at")?,
        deadline: row.try_get("deadline")?,
        decided_at: row.try_get("decided_at")?,
        decided_by: row.try_get("decided_by")?,
    })
}

fn reasons_text(reasons: &[DecisionReason]) -> String {
    let codes: Vec<String> = reasons.iter().map(json_code).collect();
    super::join_codes(codes.iter().map(String::as_str))
}

/// A decision that creates no identity.
#[derive(Debug, Clone)]
pub struct Closing<'a> {
    pub status: EnrollmentStatus,
    pub reasons: &'a [DecisionReason],
    pub receipt_json: Option<String>,
    pub decided_by: &'a Actor,
}

impl Store {
    /// Inserts a new session; `false` when its session code is taken (draw another).
    pub async fn insert_enrollment(&self, e: &Enrollment) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO enrollments (id, session_code, device_key, device_key_thumbprint, email, \
             phone, terms_version, path, challenge, liveness_script, client_addr, status, reasons, \
             created_at, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', $13, $14) \
             ON CONFLICT (session_code) DO NOTHING",
        )
        .bind(&e.id)
        .bind(&e.session_code)
        .bind(&e.device_key)
        .bind(&e.device_key_thumbprint)
        .bind(e.email.clone())
        .bind(e.phone.clone())
        .bind(&e.terms_version)
        .bind(json_code(&e.path))
        .bind(e.challenge.clone())
        .bind(&e.liveness_script)
        .bind(e.client_addr.clone())
        .bind(status_str(e.status))
        .bind(e.created_at)
        .bind(e.deadline)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn enrollment(&self, id: &str) -> Result<Option<Enrollment>, StoreError> {
        let row = sqlx::query(concat!(select!(), " WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(enrollment).transpose()
    }

    pub async fn enrollment_by_code(&self, code: &str) -> Result<Option<Enrollment>, StoreError> {
        let row = sqlx::query(concat!(select!(), " WHERE session_code = $1"))
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(enrollment).transpose()
    }

    /// Sessions in `status`, oldest first.
    pub async fn enrollments_with_status(
        &self,
        status: EnrollmentStatus,
        limit: i64,
    ) -> Result<Vec<Enrollment>, StoreError> {
        let rows = sqlx::query(concat!(
            select!(),
            " WHERE status = $1 ORDER BY created_at LIMIT $2"
        ))
        .bind(status_str(status))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(enrollment).collect()
    }

    /// Evidence received and checked, now waiting for an agent: records what was
    /// received (for the receipt) and the document's fingerprint and expiry.
    pub async fn enrollment_waiting(
        &self,
        id: &str,
        status: EnrollmentStatus,
        reasons: &[DecisionReason],
        received: &[ErasedItem],
        fingerprint: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE enrollments SET status = $1, reasons = $2, received = $3, \
             document_fingerprint = $4, document_expires_at = $5 WHERE id = $6 AND status = 'started'",
        )
        .bind(status_str(status))
        .bind(reasons_text(reasons))
        .bind(serde_json::to_string(received).unwrap_or_default())
        .bind(fingerprint)
        .bind(expires_at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Rejects or abandons an open session (clears contact data); `false` if it was
    /// already decided.
    pub async fn close_enrollment(
        &self,
        id: &str,
        closing: &Closing<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let result = sqlx::query(
            "UPDATE enrollments SET status = $1, reasons = $2, erasure_receipt = $3, received = NULL, \
             email = NULL, phone = NULL, decided_at = $4, decided_by = $5 \
             WHERE id = $6 AND status IN ('started', 'awaiting_agent', 'needs_review')",
        )
        .bind(status_str(closing.status))
        .bind(reasons_text(closing.reasons))
        .bind(closing.receipt_json.clone())
        .bind(now)
        .bind(closing.decided_by.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if result.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        audit::record(
            &mut *tx,
            now,
            closing.decided_by,
            &format!("enrollment.{}", status_str(closing.status)),
            id,
            &reasons_text(closing.reasons),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Approves a session in one transaction: the identity is created, the session
    /// closed with its receipt, and identities built earlier on the same document are
    /// revoked (new phone). `false` (nothing written) if the session was decided
    /// meanwhile.
    pub async fn approve_enrollment(
        &self,
        identity: &Identity,
        receipt_json: &str,
        decided_by: &Actor,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let result = sqlx::query(
            "UPDATE enrollments SET status = 'approved', reasons = '', identity_id = $1, \
             erasure_receipt = $2, received = NULL, email = NULL, phone = NULL, decided_at = $3, \
             decided_by = $4, document_fingerprint = $5, document_expires_at = $6 \
             WHERE id = $7 AND status IN ('started', 'awaiting_agent', 'needs_review')",
        )
        .bind(&identity.id)
        .bind(receipt_json)
        .bind(now)
        .bind(decided_by.to_string())
        .bind(&identity.document_fingerprint)
        .bind(identity.document_expires_at)
        .bind(&identity.enrollment_id)
        .execute(&mut *tx)
        .await?;
        if result.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let older = sqlx::query(
            "SELECT id FROM identities WHERE document_fingerprint = $1 \
             AND status IN ('pending_pin', 'active', 'suspended', 'locked')",
        )
        .bind(&identity.document_fingerprint)
        .fetch_all(&mut *tx)
        .await?;
        for row in older {
            let old: String = row.try_get("id")?;
            identities::set_status(
                &mut *tx,
                &old,
                IdentityStatus::Revoked,
                Some(StatusReason::Replaced),
                now,
            )
            .await?;
            audit::record(
                &mut *tx,
                now,
                &Actor::System,
                "identity.revoked",
                &old,
                &format!("replaced by {}", identity.id),
            )
            .await?;
        }
        identities::insert(&mut *tx, identity).await?;
        audit::record(
            &mut *tx,
            now,
            decided_by,
            "enrollment.approved",
            &identity.enrollment_id,
            &identity.id,
        )
        .await?;
        audit::record(
            &mut *tx,
            now,
            decided_by,
            "identity.created",
            &identity.id,
            &identity.level,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Open sessions past their deadline (no evidence held).
    pub async fn enrollments_overdue(&self, now: i64) -> Result<Vec<Enrollment>, StoreError> {
        let rows = sqlx::query(concat!(
            select!(),
            " WHERE status = 'started' AND deadline < $1 ORDER BY deadline LIMIT 500"
        ))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(enrollment).collect()
    }

    /// Deletes decided session records older than `cutoff` (they hold no personal
    /// data, only the audit trail's anchor).
    pub async fn purge_enrollments(&self, cutoff: i64) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "DELETE FROM enrollments WHERE status IN ('approved', 'rejected', 'abandoned') \
             AND decided_at < $1",
        )
        .bind(cutoff)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected())
    }
}
