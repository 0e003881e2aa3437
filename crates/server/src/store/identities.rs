//! Identities: what the server keeps about a citizen's digital identity (no
//! civil-status data, no biometrics).

use alicem_api::account::IdentityStatus;
use alicem_credential::pin::{PinAttempts, PinVerifier};
use sqlx::Row;

use super::{Store, StoreError};

/// The stored form of a status.
pub fn status_str(status: IdentityStatus) -> &'static str {
    match status {
        IdentityStatus::PendingPin => "pending_pin",
        IdentityStatus::Active => "active",
        IdentityStatus::Suspended => "suspended",
        IdentityStatus::Locked => "locked",
        IdentityStatus::Revoked => "revoked",
        IdentityStatus::Expired => "expired",
    }
}

pub fn parse_status(text: &str) -> Option<IdentityStatus> {
    [
        IdentityStatus::PendingPin,
        IdentityStatus::Active,
        IdentityStatus::Suspended,
        IdentityStatus::Locked,
        IdentityStatus::Revoked,
        IdentityStatus::Expired,
    ]
    .into_iter()
    .find(|s| status_str(*s) == text)
}

/// Why an identity is suspended (a citizen's suspension can be lifted by the citizen's
/// agent-verified request; a lost-document suspension only by an agent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusReason {
    ByCitizen,
    ByAgent,
    DocumentReportedLost,
    DocumentExpired,
    PinLocked,
    /// Replaced by a newer enrollment of the same document (new phone).
    Replaced,
}

impl StatusReason {
    pub const ALL: [StatusReason; 6] = [
        StatusReason::ByCitizen,
        StatusReason::ByAgent,
        StatusReason::DocumentReportedLost,
        StatusReason::DocumentExpired,
        StatusReason::PinLocked,
        StatusReason::Replaced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StatusReason::ByCitizen => "by_citizen",
            StatusReason::ByAgent => "by_agent",
            StatusReason::DocumentReportedLost => "document_reported_lost",
            StatusReason::DocumentExpired => "document_expired",
            StatusReason::PinLocked => "pin_locked",
            StatusReason::Replaced => "replaced",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// An identity as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Opaque random id (also the `account` of PIN proofs).
    pub id: String,
    /// The device public key, JWK JSON text.
    pub device_key: String,
    /// RFC 7638 thumbprint of the device key.
    pub device_key_thumbprint: String,
    /// Keyed hash of issuing state + document number.
    pub document_fingerprint: String,
    /// End of the document's validity (Unix seconds); the identity ends with it.
    pub document_expires_at: i64,
    /// `eidas3`.
    pub level: String,
    pub status: IdentityStatus,
    pub status_reason: Option<StatusReason>,
    /// `None` until the wallet registers its PIN.
    pub pin_verifier: Option<String>,
    pub pin_failures: i64,
    pub enrollment_id: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Identity {
    pub fn pin_attempts(&self) -> PinAttempts {
        PinAttempts {
            consecutive_failures: u32::try_from(self.pin_failures).unwrap_or(u32::MAX),
        }
    }

    pub fn verifier(&self) -> Result<Option<PinVerifier>, StoreError> {
        self.pin_verifier
            .as_deref()
            .map(|text| {
                PinVerifier::from_storage(text)
                    .map_err(|e| StoreError::Corrupt(format!("PIN verifier: {e}")))
            })
            .transpose()
    }
}

macro_rules! select {
    () => {
        "SELECT id, device_key, device_key_thumbprint, document_fingerprint, \
    document_expires_at, level, status, status_reason, pin_verifier, pin_failures, \
    enrollment_id, created_at, updated_at FROM identities"
    };
}

fn identity(row: &sqlx::any::AnyRow) -> Result<Identity, StoreError> {
    let status: String = row.try_get("status")?;
    let reason: Option<String> = row.try_get("status_reason")?;
    Ok(Identity {
        id: row.try_get("id")?,
        device_key: row.try_get("device_key")?,
        device_key_thumbprint: row.try_get("device_key_thumbprint")?,
        document_fingerprint: row.try_get("document_fingerprint")?,
        document_expires_at: row.try_get("document_expires_at")?,
        level: row.try_get("level")?,
        status: parse_status(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("identity status {status:?}")))?,
        status_reason: reason.as_deref().and_then(StatusReason::parse),
        pin_verifier: row.try_get("pin_verifier")?,
        pin_failures: row.try_get("pin_failures")?,
        enrollment_id: row.try_get("enrollment_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Inserts a new identity (inside the enrollment's decision transaction).
pub async fn insert<'c, E>(executor: E, identity: &Identity) -> Result<(), StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO identities (id, device_key, device_key_thumbprint, document_fingerprint, \
         document_expires_at, level, status, status_reason, pin_verifier, pin_failures, \
         enrollment_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&identity.id)
    .bind(&identity.device_key)
    .bind(&identity.device_key_thumbprint)
    .bind(&identity.document_fingerprint)
    .bind(identity.document_expires_at)
    .bind(&identity.level)
    .bind(status_str(identity.status))
    .bind(identity.status_reason.map(|r| r.as_str().to_owned()))
    .bind(identity.pin_verifier.clone())
    .bind(identity.pin_failures)
    .bind(&identity.enrollment_id)
    .bind(identity.created_at)
    .bind(identity.updated_at)
    .execute(executor)
    .await?;
    Ok(())
}

/// Sets the status of one identity; `false` if there is no such identity.
pub async fn set_status<'c, E>(
    executor: E,
    id: &str,
    status: IdentityStatus,
    reason: Option<StatusReason>,
    now: i64,
) -> Result<bool, StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let result = sqlx::query(
        "UPDATE identities SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(status_str(status))
    .bind(reason.map(|r| r.as_str().to_owned()))
    .bind(now)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Lifts a PIN lock: active again, counter at zero; `false` if the identity is not
/// (or no longer) locked.
pub async fn unlock_pin<'c, E>(executor: E, id: &str, now: i64) -> Result<bool, StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let result = sqlx::query(
        "UPDATE identities SET status = 'active', status_reason = 'by_agent', pin_failures = 0, \
         updated_at = $1 WHERE id = $2 AND status = 'locked'",
    )
    .bind(now)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

impl Store {
    pub async fn identity(&self, id: &str) -> Result<Option<Identity>, StoreError> {
        let row = sqlx::query(concat!(select!(), " WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(identity).transpose()
    }

    /// The identities built on a document, whatever their status.
    pub async fn identities_of_document(
        &self,
        fingerprint: &str,
    ) -> Result<Vec<Identity>, StoreError> {
        let rows = sqlx::query(concat!(
            select!(),
            " WHERE document_fingerprint = $1 ORDER BY created_at"
        ))
        .bind(fingerprint)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(identity).collect()
    }

    /// Identities in `status`, oldest first (agent console, jobs).
    pub async fn identities_with_status(
        &self,
        status: IdentityStatus,
        limit: i64,
    ) -> Result<Vec<Identity>, StoreError> {
        let rows = sqlx::query(concat!(
            select!(),
            " WHERE status = $1 ORDER BY created_at LIMIT $2"
        ))
        .bind(status_str(status))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(identity).collect()
    }

    /// Stores the PIN verifier and makes a `pending_pin` identity active; `false` if
    /// the identity is not waiting for its PIN.
    pub async fn register_pin(
        &self,
        id: &str,
        verifier: &PinVerifier,
        now: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE identities SET pin_verifier = $1, pin_failures = 0, status = 'active', \
             updated_at = $2 WHERE id = $3 AND status = 'pending_pin'",
        )
        .bind(verifier.to_storage())
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Stores the PIN failure counter after an attempt (and locks at the limit).
    pub async fn record_pin_attempts(
        &self,
        id: &str,
        attempts: PinAttempts,
        now: i64,
    ) -> Result<(), StoreError> {
        let failures = i64::from(attempts.consecutive_failures);
        if attempts.is_locked() {
            sqlx::query(
                "UPDATE identities SET pin_failures = $1, status = 'locked', \
                 status_reason = 'pin_locked', updated_at = $2 WHERE id = $3 AND status = 'active'",
            )
            .bind(failures)
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        }
        sqlx::query("UPDATE identities SET pin_failures = $1, updated_at = $2 WHERE id = $3")
            .bind(failures)
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Replaces the PIN verifier (PIN change, agent unlock).
    pub async fn replace_pin_verifier(
        &self,
        id: &str,
        verifier: &PinVerifier,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE identities SET pin_verifier = $1, pin_failures = 0, updated_at = $2 WHERE id = $3",
        )
        .bind(verifier.to_storage())
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends the identities whose document has expired; returns how many.
    pub async fn expire_identities(&self, now: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let rows = sqlx::query(
            "SELECT id FROM identities WHERE document_expires_at < $1 \
             AND status IN ('pending_pin', 'active', 'suspended', 'locked')",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let mut count = 0;
        for row in rows {
            let id: String = row.try_get("id")?;
            set_status(
                &mut *tx,
                &id,
                IdentityStatus::Expired,
                Some(StatusReason::DocumentExpired),
                now,
            )
            .await?;
            super::audit::record(
                &mut *tx,
                now,
                &super::audit::Actor::System,
                "identity.expired",
                &id,
                "document expired",
            )
            .await?;
            count += 1;
        }
        tx.commit().await?;
        Ok(count)
    }

    /// The device key (JWK JSON) of a device-proof subject: an identity, or an
    /// enrollment session still open or decided.
    pub async fn device_key_of(&self, subject: &str) -> Result<Option<DeviceSubject>, StoreError> {
        if let Some(row) = sqlx::query("SELECT device_key FROM identities WHERE id = $1")
            .bind(subject)
            .fetch_optional(self.pool())
            .await?
        {
            return Ok(Some(DeviceSubject::Identity {
                device_key: row.try_get("device_key")?,
            }));
        }
        let row = sqlx::query("SELECT device_key FROM enrollments WHERE id = $1")
            .bind(subject)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| {
            Ok(DeviceSubject::Enrollment {
                device_key: row.try_get("device_key")?,
            })
        })
        .transpose()
    }
}

/// Whose device key signed a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceSubject {
    Identity { device_key: String },
    Enrollment { device_key: String },
}

impl DeviceSubject {
    pub fn device_key(&self) -> &str {
        match self {
            DeviceSubject::Identity { device_key } | DeviceSubject::Enrollment { device_key } => {
                device_key
            }
        }
    }
}
