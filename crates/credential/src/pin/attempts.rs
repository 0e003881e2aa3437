//! The lockout rule. The counter lives in the server's database; this is the logic.

use serde::{Deserialize, Serialize};

use super::PinCheckError;

/// Consecutive wrong PINs after which the PIN is locked.
pub const MAX_PIN_FAILURES: u32 = 5;

/// The server's per-identity counter of consecutive failures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinAttempts {
    pub consecutive_failures: u32,
}

/// The result of one attempt, for the server to act on and report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinOutcome {
    Accepted,
    /// Wrong PIN; `remaining` attempts before the lock.
    WrongPin {
        remaining: u32,
    },
    /// Locked (now, or already before this attempt).
    Locked,
    /// Refused for a reason that is not a PIN guess (malformed message, pepper
    /// configuration): the counter did not move.
    Refused(PinCheckError),
}

impl PinAttempts {
    pub fn is_locked(&self) -> bool {
        self.consecutive_failures >= MAX_PIN_FAILURES
    }

    pub fn remaining(&self) -> u32 {
        MAX_PIN_FAILURES.saturating_sub(self.consecutive_failures)
    }

    /// Applies a verification result: a success resets the counter, a wrong PIN
    /// increments it, anything else leaves it alone.
    pub fn record(self, result: Result<(), PinCheckError>) -> (Self, PinOutcome) {
        match result {
            Ok(()) => (Self::default(), PinOutcome::Accepted),
            Err(PinCheckError::WrongPin) => {
                let next = Self {
                    consecutive_failures: self.consecutive_failures.saturating_add(1),
                };
                let outcome = if next.is_locked() {
                    PinOutcome::Locked
                } else {
                    PinOutcome::WrongPin {
                        remaining: next.remaining(),
                    }
                };
                (next, outcome)
            }
            Err(PinCheckError::Locked) => (self, PinOutcome::Locked),
            Err(other) => (self, PinOutcome::Refused(other)),
        }
    }
}
