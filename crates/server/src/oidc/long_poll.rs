//! Long polls. The browser's waiting page and the phone's list of pending logins may
//! ask the server to hold the answer (`?wait=S`) until something changes, rather than
//! asking again every few milliseconds: each look is a request, and on the phone's side
//! a device-proof signature made and verified.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::{Notify, watch};

/// The longest an answer is held: below the 60 s after which the wallet's HTTP client
/// and common reverse proxies give up on an idle request.
pub const MAX_WAIT: Duration = Duration::from_secs(25);

/// `?wait=S[&after=CURSOR]` on a long-pollable resource.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
pub struct WaitQuery {
    /// Seconds to hold the answer at most (capped at [`MAX_WAIT`]); 0 or absent:
    /// answer at once.
    #[serde(default)]
    pub wait: u64,
    /// For the pending logins: the `cursor` of the last answer the phone read; the
    /// answer is held while no login newer than it is pending.
    #[serde(default)]
    pub after: u64,
}

impl WaitQuery {
    /// How long to hold the answer at most.
    pub fn duration(&self) -> Duration {
        Duration::from_secs(self.wait).min(MAX_WAIT)
    }
}

/// Set once the server begins to stop, so that held answers are given at once
/// instead of delaying the shutdown by up to [`MAX_WAIT`].
#[derive(Debug, Clone)]
pub struct Stopping(Arc<watch::Sender<bool>>);

impl Default for Stopping {
    fn default() -> Self {
        Self(Arc::new(watch::channel(false).0))
    }
}

impl Stopping {
    pub fn stop(&self) {
        self.0.send_replace(true);
    }

    async fn stopped(&self) {
        let mut rx = self.0.subscribe();
        // An error means the sender is gone: the server is gone too.
        let _ = rx.wait_for(|stopping| *stopping).await;
    }
}

/// Holds until `notify` is notified, `wait` has passed or the server stops.
/// `unchanged` is asked after registering for the notification, so that a change made
/// between the caller's last look and this call is not slept through. The caller looks
/// again afterwards and answers whatever it finds.
pub async fn hold(
    notify: &Notify,
    unchanged: impl FnOnce() -> bool,
    wait: Duration,
    stopping: &Stopping,
) {
    if wait.is_zero() {
        return;
    }
    let notified = notify.notified();
    tokio::pin!(notified);
    notified.as_mut().enable();
    if !unchanged() {
        return;
    }
    tokio::select! {
        () = &mut notified => {}
        () = tokio::time::sleep(wait) => {}
        () = stopping.stopped() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_capped_and_absent_means_at_once() {
        assert_eq!(WaitQuery::default().duration(), Duration::ZERO);
        let long = WaitQuery {
            wait: 3600,
            after: 0,
        };
        assert_eq!(long.duration(), MAX_WAIT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_notification_ends_the_hold() {
        let notify = Arc::new(Notify::new());
        let waker = Arc::clone(&notify);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            waker.notify_waiters();
        });
        let start = tokio::time::Instant::now();
        hold(&notify, || true, MAX_WAIT, &Stopping::default()).await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_change_seen_after_registering_is_not_slept_through() {
        let notify = Notify::new();
        let start = tokio::time::Instant::now();
        hold(&notify, || false, MAX_WAIT, &Stopping::default()).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn without_news_the_hold_lasts_the_wait() {
        let start = tokio::time::Instant::now();
        hold(
            &Notify::new(),
            || true,
            Duration::from_secs(3),
            &Stopping::default(),
        )
        .await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_the_server_ends_every_hold() {
        let stopping = Stopping::default();
        let stopper = stopping.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            stopper.stop();
        });
        let start = tokio::time::Instant::now();
        hold(&Notify::new(), || true, MAX_WAIT, &stopping).await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // Already stopped: no hold at all.
        let again = tokio::time::Instant::now();
        hold(&Notify::new(), || true, MAX_WAIT, &stopping).await;
        assert_eq!(again.elapsed(), Duration::ZERO);
    }
}
