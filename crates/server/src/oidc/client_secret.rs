//! Checking a client secret without letting wrong guesses cost the server a core.
//!
//! Secrets of clients registered with `alicem admin sp add` are stored only as argon2id
//! hashes, and argon2 is slow on purpose (tens of milliseconds and 19 MiB per check).
//! Anyone who knows a client id could otherwise make the token endpoint hash on every
//! request. So: the hash runs on the blocking pool, never on an async worker; one hash
//! at a time server-wide; and each client has a budget of [`FAILURE_BURST`] failed hashes,
//! refilled one per [`FAILURE_REFILL`], beyond which a wrong secret is refused without
//! hashing. Once a secret has verified, its SHA-256 is kept in memory and every later
//! check, right or wrong, is one constant-time digest comparison.
//!
//! The price of the budget: while someone keeps spending it, the client's own first
//! authentication since the server started is refused too (`invalid_client`, "retry
//! later"); after that first success guesses no longer touch argon2 at all.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

/// Failed argon2 checks a client may cause in a burst.
pub const FAILURE_BURST: u32 = 5;
/// One more failed check allowed per this interval once the burst is spent.
pub const FAILURE_REFILL: Duration = Duration::from_secs(2);

/// One argon2 check at a time in the whole server: guesses for many clients together
/// still take at most one core of the blocking pool.
static ARGON2_GATE: Semaphore = Semaphore::const_new(1);

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretCheck {
    Matches,
    Wrong,
    /// Too many recent failures for this client: refused without hashing.
    Throttled,
}

/// How a client's secret is checked.
pub enum ClientSecret {
    /// Configured in clear: its SHA-256.
    Sha256([u8; 32]),
    /// Registered in the database: its argon2id hash.
    Argon2(Arc<HashedSecret>),
}

impl ClientSecret {
    pub fn configured(secret: &str) -> Self {
        Self::Sha256(Sha256::digest(secret.as_bytes()).into())
    }

    pub fn hashed(phc: String) -> Self {
        Self::Argon2(Arc::new(HashedSecret {
            phc,
            verified: OnceLock::new(),
            budget: Mutex::new(FailureBudget::new(Instant::now())),
        }))
    }

    /// Compares in constant time, over SHA-256 digests so not even the length leaks.
    pub async fn check(&self, presented: &str) -> SecretCheck {
        let got: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        match self {
            Self::Sha256(expected) => verdict(got.ct_eq(expected).into()),
            Self::Argon2(hashed) => match hashed.verified.get() {
                Some(expected) => verdict(got.ct_eq(expected).into()),
                None => Arc::clone(hashed).check_slowly(presented, got).await,
            },
        }
    }
}

fn verdict(matches: bool) -> SecretCheck {
    if matches {
        SecretCheck::Matches
    } else {
        SecretCheck::Wrong
    }
}

/// An argon2id hash and what has been learned about it since the server started.
pub struct HashedSecret {
    phc: String,
    /// SHA-256 of the secret once one presented secret has verified.
    verified: OnceLock<[u8; 32]>,
    budget: Mutex<FailureBudget>,
}

impl HashedSecret {
    async fn check_slowly(self: Arc<Self>, presented: &str, digest: [u8; 32]) -> SecretCheck {
        if !self.budget_allows() {
            return SecretCheck::Throttled;
        }
        let Ok(_permit) = ARGON2_GATE.acquire().await else {
            return SecretCheck::Throttled;
        };
        // Another request may have verified the secret while this one waited.
        if let Some(expected) = self.verified.get() {
            return verdict(digest.ct_eq(expected).into());
        }
        // Or spent the budget: checked again under the permit, so requests queued
        // together cannot each pass the check made before queueing.
        if !self.budget_allows() {
            return SecretCheck::Throttled;
        }
        let presented = Zeroizing::new(presented.to_owned());
        let hashed = Arc::clone(&self);
        let ok = tokio::task::spawn_blocking(move || {
            crate::admin::verify_secret(presented.as_str(), &hashed.phc)
        })
        .await
        .unwrap_or(false);
        if ok {
            let _ = self.verified.set(digest);
            SecretCheck::Matches
        } else {
            if let Ok(mut budget) = self.budget.lock() {
                budget.spend(Instant::now());
            }
            SecretCheck::Wrong
        }
    }

    fn budget_allows(&self) -> bool {
        self.budget
            .lock()
            .is_ok_and(|mut b| b.available(Instant::now()) > 0)
    }
}

/// A token bucket of failed checks: [`FAILURE_BURST`] at most, one back per
/// [`FAILURE_REFILL`].
#[derive(Debug)]
struct FailureBudget {
    tokens: u32,
    refilled_at: Instant,
}

impl FailureBudget {
    fn new(now: Instant) -> Self {
        Self {
            tokens: FAILURE_BURST,
            refilled_at: now,
        }
    }

    fn available(&mut self, now: Instant) -> u32 {
        let elapsed = now.saturating_duration_since(self.refilled_at);
        let earned = elapsed.as_nanos() / FAILURE_REFILL.as_nanos();
        if earned > 0 {
            let earned = u32::try_from(earned).unwrap_or(u32::MAX);
            self.tokens = self.tokens.saturating_add(earned).min(FAILURE_BURST);
            self.refilled_at = if self.tokens == FAILURE_BURST {
                now
            } else {
                self.refilled_at + FAILURE_REFILL * earned
            };
        }
        self.tokens
    }

    fn spend(&mut self, now: Instant) {
        if self.available(now) == FAILURE_BURST {
            self.refilled_at = now;
        }
        self.tokens = self.tokens.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-registered-secret-0123456789abcdef";

    fn hashed() -> ClientSecret {
        ClientSecret::hashed(crate::admin::hash_secret(SECRET).unwrap())
    }

    #[tokio::test]
    async fn a_hashed_secret_matches_only_itself_and_is_then_remembered() {
        let secret = hashed();
        assert_eq!(secret.check("wrong-0123456789").await, SecretCheck::Wrong);
        assert_eq!(secret.check(SECRET).await, SecretCheck::Matches);
        let ClientSecret::Argon2(h) = &secret else {
            unreachable!()
        };
        assert!(h.verified.get().is_some(), "digest kept after success");
        assert_eq!(secret.check(SECRET).await, SecretCheck::Matches);
        assert_eq!(secret.check("wrong-0123456789").await, SecretCheck::Wrong);
    }

    #[tokio::test]
    async fn wrong_guesses_stop_reaching_argon2_after_the_burst() {
        let secret = hashed();
        for _ in 0..FAILURE_BURST {
            assert_eq!(secret.check("guess-0123456789").await, SecretCheck::Wrong);
        }
        assert_eq!(
            secret.check("guess-0123456789").await,
            SecretCheck::Throttled
        );
        // The price, documented above: the right secret waits for the refill too.
        assert_eq!(secret.check(SECRET).await, SecretCheck::Throttled);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn guesses_sent_all_at_once_still_get_only_the_budget_of_hashes() {
        let secret = Arc::new(hashed());
        let started = Instant::now();
        let guesses: Vec<_> = (0..4 * FAILURE_BURST)
            .map(|i| {
                let secret = Arc::clone(&secret);
                tokio::spawn(async move { secret.check(&format!("guess-{i:016}")).await })
            })
            .collect();
        let mut hashed_and_wrong = 0u32;
        for guess in guesses {
            match guess.await.unwrap() {
                SecretCheck::Wrong => hashed_and_wrong += 1,
                SecretCheck::Throttled => {}
                SecretCheck::Matches => panic!("a guess matched"),
            }
        }
        // The budget refills while the hashes run, one per interval elapsed.
        let refilled = u32::try_from(started.elapsed().as_nanos() / FAILURE_REFILL.as_nanos())
            .unwrap_or(u32::MAX);
        assert!(hashed_and_wrong >= FAILURE_BURST, "{hashed_and_wrong}");
        assert!(
            hashed_and_wrong <= FAILURE_BURST.saturating_add(refilled),
            "{hashed_and_wrong} hashes for a budget of {FAILURE_BURST} + {refilled}"
        );
    }

    #[tokio::test]
    async fn once_verified_guesses_are_plain_refusals_however_many() {
        let secret = hashed();
        assert_eq!(secret.check(SECRET).await, SecretCheck::Matches);
        for _ in 0..FAILURE_BURST * 3 {
            assert_eq!(secret.check("guess-0123456789").await, SecretCheck::Wrong);
        }
        assert_eq!(secret.check(SECRET).await, SecretCheck::Matches);
    }

    #[tokio::test]
    async fn a_configured_secret_never_throttles() {
        let secret = ClientSecret::configured(SECRET);
        for _ in 0..FAILURE_BURST * 3 {
            assert_eq!(secret.check("guess").await, SecretCheck::Wrong);
        }
        assert_eq!(secret.check(SECRET).await, SecretCheck::Matches);
    }

    #[test]
    fn the_failure_budget_refills_one_per_interval_up_to_the_burst() {
        let t0 = Instant::now();
        let mut b = FailureBudget::new(t0);
        for _ in 0..FAILURE_BURST {
            b.spend(t0);
        }
        assert_eq!(b.available(t0), 0);
        assert_eq!(b.available(t0 + FAILURE_REFILL / 2), 0);
        assert_eq!(b.available(t0 + FAILURE_REFILL), 1);
        // Partial intervals are not lost to the refill's rounding.
        assert_eq!(b.available(t0 + FAILURE_REFILL * 5 / 2), 2);
        assert_eq!(b.available(t0 + FAILURE_REFILL * 3), 3);
        assert_eq!(b.available(t0 + FAILURE_REFILL * 100), FAILURE_BURST);
    }
}
