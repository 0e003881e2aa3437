//! The randomness source used when the caller does not bring one.
//!
//! Every function that needs randomness takes `&mut impl CryptoRng` so tests can be
//! deterministic; production code passes [`os_rng()`].

use getrandom::SysRng;
use rand_core::UnwrapErr;

/// The operating system's CSPRNG. A failing OS RNG is unrecoverable for a
/// cryptographic application, so it aborts the operation by panicking (as
/// `getrandom`-backed generators conventionally do) rather than returning weak bytes.
pub fn os_rng() -> UnwrapErr<SysRng> {
    UnwrapErr(SysRng)
}

/// `N` random bytes from `rng`.
pub(crate) fn random_bytes<const N: usize>(
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}
