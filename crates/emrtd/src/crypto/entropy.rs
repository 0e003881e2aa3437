//! Where nonces and ephemeral keys come from: the operating system, or (for tests that
//! replay the ICAO worked examples) a script of exact values.

use std::collections::VecDeque;

use zeroize::Zeroizing;

use super::CryptoError;

/// A source of random bytes.
pub trait Entropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError>;
}

/// The operating system's CSPRNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        getrandom::fill(buf).map_err(|_| CryptoError::Randomness)
    }
}

/// Hands out fixed byte strings, one per request, each of exactly the requested length.
///
/// Only for reproducing published examples: a protocol run drawing a nonce, then an
/// ephemeral key, asks for them in that order and gets the example's values.
#[derive(Default)]
pub struct ScriptedEntropy {
    chunks: VecDeque<Zeroizing<Vec<u8>>>,
}

impl ScriptedEntropy {
    pub fn new<I, B>(chunks: I) -> Self
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        Self {
            chunks: chunks
                .into_iter()
                .map(|c| Zeroizing::new(c.as_ref().to_vec()))
                .collect(),
        }
    }

    pub fn push(&mut self, chunk: impl AsRef<[u8]>) {
        self.chunks
            .push_back(Zeroizing::new(chunk.as_ref().to_vec()));
    }

    pub fn remaining(&self) -> usize {
        self.chunks.len()
    }
}

impl Entropy for ScriptedEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        let chunk = self
            .chunks
            .pop_front()
            .ok_or_else(|| CryptoError::Script(format!("no value left for {} bytes", buf.len())))?;
        if chunk.len() != buf.len() {
            return Err(CryptoError::Script(format!(
                "next value has {} bytes, {} requested",
                chunk.len(),
                buf.len()
            )));
        }
        buf.copy_from_slice(&chunk);
        Ok(())
    }
}

impl<E: Entropy + ?Sized> Entropy for &mut E {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), CryptoError> {
        (**self).fill(buf)
    }
}

/// `n` random bytes, zeroized on drop.
pub fn random_bytes(rng: &mut dyn Entropy, n: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut out = Zeroizing::new(vec![0u8; n]);
    rng.fill(&mut out)?;
    Ok(out)
}
