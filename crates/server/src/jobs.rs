//! Background jobs, run every `jobs_interval_seconds`: end identities whose document
//! expired, abandon enrollment sessions past their deadline (erasing what they held),
//! drop unclaimed credentials and stale PIN challenges, forget old device-proof
//! `jti`s, delete connection history past the retention period (in batches) and
//! decided enrollment records past theirs.

use tokio::task::JoinHandle;

use crate::state::AppState;
use crate::store::StoreError;

/// History rows deleted per statement, so a big purge never holds a long lock.
pub const RETENTION_BATCH: i64 = 1000;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct JobReport {
    pub history_deleted: u64,
    pub jtis_forgotten: u64,
    pub identities_expired: u64,
    pub sessions_abandoned: u64,
    pub enrollment_records_deleted: u64,
}

/// Starts the periodic jobs.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let period = std::time::Duration::from_secs(state.config.jobs_interval_seconds.max(1));
        let mut interval = tokio::time::interval(period);
        loop {
            interval.tick().await;
            match run_once(&state).await {
                Ok(report) => tracing::debug!(?report, "jobs run"),
                Err(e) => tracing::error!(error = %e, "background jobs failed"),
            }
        }
    })
}

/// One run of every job.
pub async fn run_once(state: &AppState) -> Result<JobReport, StoreError> {
    let now = state.now();
    let mut report = JobReport {
        jtis_forgotten: state.store.purge_jtis(now).await?,
        ..JobReport::default()
    };
    report.history_deleted = purge_history(state, now).await?;
    report.identities_expired = state.store.expire_identities(now).await?;
    report.sessions_abandoned = abandon_overdue(state, now).await?;
    state.scratch.purge_pickups(now);
    state.store.purge_pin_challenges(now).await?;
    if let Some(provider) = crate::oidc::app::built_provider(state) {
        // Service providers registered (or removed) with `alicem admin sp`.
        if let Err(e) = provider.clients.reload(provider.store.as_ref()).await {
            tracing::warn!(error = %e, "reloading registered clients failed");
        }
    }
    report.enrollment_records_deleted = state
        .store
        .purge_enrollments(now - i64::from(state.config.enrollment_record_days) * 86_400)
        .await?;
    Ok(report)
}

/// Abandons sessions past their deadline, and waiting sessions whose evidence was
/// erased (held past the agent window, or lost in a restart).
pub async fn abandon_overdue(state: &AppState, now: i64) -> Result<u64, StoreError> {
    let mut count = 0;
    let mut overdue = state.store.enrollments_overdue(now).await?;
    for (id, evidence) in state.scratch.take_overdue(now) {
        drop(evidence);
        if let Some(record) = state.store.enrollment(&id).await? {
            overdue.push(record);
        }
    }
    for status in [
        alicem_api::enrollment::EnrollmentStatus::AwaitingAgent,
        alicem_api::enrollment::EnrollmentStatus::NeedsReview,
    ] {
        for record in state.store.enrollments_with_status(status, 1000).await? {
            if !state.scratch.is_held(&record.id) {
                overdue.push(record);
            }
        }
    }
    for record in overdue {
        match crate::enrollment::abandon(state, &record).await {
            Ok(()) => count += 1,
            Err(e) => tracing::error!(session = %record.id, error = %e, "abandoning a session"),
        }
    }
    Ok(count)
}

/// Deletes the connection history older than the retention period, batch by batch.
pub async fn purge_history(state: &AppState, now: i64) -> Result<u64, StoreError> {
    let cutoff = now - i64::from(state.config.retention_days) * 86_400;
    let mut total = 0;
    loop {
        let deleted = state
            .store
            .purge_history_batch(cutoff, RETENTION_BATCH)
            .await?;
        total += deleted;
        if deleted < u64::try_from(RETENTION_BATCH).unwrap_or(u64::MAX) {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
