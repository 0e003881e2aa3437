//! The PIN scheme shared by wallet and server. The design, message by message, and its
//! threat model are in `docs/pin.md`; in short:
//!
//! - The phone keeps a random 256-bit [`PinSecret`] (never sent). From the 6-digit PIN
//!   and that secret, Argon2id then HKDF derive a P-256 **PIN key**. Nothing stored
//!   on the phone depends on the PIN, so a stolen phone cannot test PINs offline: each
//!   guess needs the server.
//! - At enrollment the wallet sends the PIN key's public half ([`PinRegistration`]).
//!   The server stores only a [`PinVerifier`]: an HMAC of it under a server-side
//!   [`Pepper`] kept out of the database.
//! - To approve something, the wallet signs a transcript binding the server's
//!   single-use [`PinChallenge`], the purpose, the account, the request and the device
//!   key with the PIN key ([`PinProof`]). The server checks the public key against the
//!   verifier (constant time) and the signature; a failure counts toward the lockout
//!   ([`PinAttempts`], 5 failures).
//!
//! Every secret here (PIN, device secret, derived keys, pepper) is zeroized on drop
//! and kept out of `Debug` and error messages.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

mod attempts;
mod messages;
mod server;
mod transcript;
mod wallet;

pub use attempts::{MAX_PIN_FAILURES, PinAttempts, PinOutcome};
pub use messages::{PinChallenge, PinChange, PinProof, PinRegistration, PinSecretId};
pub use server::{Pepper, PinVerifier};
pub use transcript::{PinPurpose, ProofContext};
pub use wallet::{KdfParams, PinSecret};

/// Why a PIN or a PIN message was refused on the wallet side or could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is exactly 6 digits")]
    NotSixDigits,
    #[error("this PIN is too easy to guess (repeated or consecutive digits)")]
    TooWeak,
    #[error("PIN key derivation parameters are out of range")]
    KdfParams,
    #[error("PIN key derivation failed")]
    Kdf,
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// Why the server refused a PIN proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinCheckError {
    /// The proof does not verify: wrong PIN (or a proof made for something else).
    /// Counts toward the lockout.
    #[error("wrong PIN")]
    WrongPin,
    /// Too many failures: the PIN is blocked until the identity is re-enrolled or
    /// unlocked by an agent.
    #[error("the PIN is locked after too many failures")]
    Locked,
    /// The verifier was made with another pepper (a configuration problem, not a
    /// guess): not counted.
    #[error("the PIN verifier was made with pepper {stored}, the server has pepper {configured}")]
    PepperMismatch { stored: u32, configured: u32 },
    /// A message that is not a well-formed proof: not counted, nothing was guessed.
    #[error("malformed {0}")]
    Malformed(&'static str),
}

/// A 6-digit PIN, held only as long as it takes to derive a key.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Pin([u8; 6]);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(..)")
    }
}

impl Pin {
    /// A PIN as typed to unlock something.
    pub fn new(digits: &str) -> Result<Self, PinError> {
        let bytes = digits.as_bytes();
        let arr: [u8; 6] = bytes.try_into().map_err(|_| PinError::NotSixDigits)?;
        if !arr.iter().all(u8::is_ascii_digit) {
            return Err(PinError::NotSixDigits);
        }
        Ok(Self(arr))
    }

    /// A PIN being chosen: also refuses the guesses an attacker tries first (all
    /// digits the same, or a run up or down like 123456 / 987654).
    pub fn new_chosen(digits: &str) -> Result<Self, PinError> {
        let pin = Self::new(digits)?;
        // Steps between neighbouring digits, modulo 10 (so 890123 is a run too).
        let steps: Vec<u8> = pin
            .0
            .windows(2)
            .map(|w| match w {
                [a, b] => (10 + b - a) % 10,
                _ => 0,
            })
            .collect();
        if [0, 1, 9].iter().any(|step| steps.iter().all(|s| s == step)) {
            return Err(PinError::TooWeak);
        }
        Ok(pin)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests;
