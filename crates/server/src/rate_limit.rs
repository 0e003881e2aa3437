//! A fixed-window rate limit per client address, in memory (one server instance; a
//! cluster puts its limits in the proxy in front).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// At most `limit` events per address per 60-second window.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    windows: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl RateLimiter {
    pub fn per_minute(limit: u32) -> Self {
        Self {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event from `addr` at `now`; `false` when over the limit.
    pub fn allow(&self, addr: IpAddr, now: i64) -> bool {
        let window = now.div_euclid(60);
        let Ok(mut map) = self.windows.lock() else {
            return false;
        };
        if map.len() > 100_000 {
            map.retain(|_, (w, _)| *w == window);
        }
        let entry = map.entry(addr).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_limit_per_minute_and_address_then_refuses() {
        let limiter = RateLimiter::per_minute(2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!(limiter.allow(a, 120));
        assert!(limiter.allow(a, 130));
        assert!(!limiter.allow(a, 179));
        assert!(limiter.allow(b, 179));
        assert!(limiter.allow(a, 180));
    }
}
