//! Time, injectable so tests can move it (deadlines, expiry, retention).

use std::sync::atomic::{AtomicI64, Ordering};

/// Unix seconds now.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        alicem_credential::jose::jwt::now_unix()
    }
}

/// The system clock shifted by an adjustable offset (tests).
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset: AtomicI64,
}

impl OffsetClock {
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> i64 {
        alicem_credential::jose::jwt::now_unix() + self.offset.load(Ordering::SeqCst)
    }
}
