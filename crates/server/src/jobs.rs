//! Background jobs, run every `jobs_interval_seconds`: forget old device-proof
//! `jti`s, delete connection history past the retention period (in batches).

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
    Ok(report)
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
