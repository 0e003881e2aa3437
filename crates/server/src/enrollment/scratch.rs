//! The only place chip files and selfie frames live after their upload: memory,
//! keyed by session, zeroized when taken out or dropped. Nothing here survives a
//! restart, which is the erasure rule for a crash.

use std::collections::HashMap;
use std::sync::Mutex;

use zeroize::{Zeroize, Zeroizing};

use alicem_api::enrollment::ErasedItem;

/// A session's evidence waiting for an agent (agent path or review).
pub struct HeldEvidence {
    /// Chip files by name (`"dg1"`, `"dg2"`, `"ef_sod"`…), zeroized on drop.
    pub files: Vec<(String, Zeroizing<Vec<u8>>)>,
    /// Selfie frames (JPEG) with their timestamps, zeroized on drop.
    pub frames: Vec<(Zeroizing<Vec<u8>>, u64)>,
    /// What was received, for the erasure receipt.
    pub received: Vec<ErasedItem>,
    /// When it must be erased at the latest (the session's deadline plus the agent's
    /// window).
    pub erase_by: i64,
}

impl std::fmt::Debug for HeldEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldEvidence")
            .field("files", &self.files.len())
            .field("frames", &self.frames.len())
            .field("erase_by", &self.erase_by)
            .finish()
    }
}

impl HeldEvidence {
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }
}

/// A credential issued after an agent's approval, waiting for the wallet to fetch it
/// (it carries civil-status claims: memory only, handed out once).
struct Pickup {
    credential: Zeroizing<String>,
    erase_by: i64,
}

/// The in-memory scratch area.
#[derive(Default)]
pub struct Scratch {
    held: Mutex<HashMap<String, HeldEvidence>>,
    pickups: Mutex<HashMap<String, Pickup>>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch(..)")
    }
}

impl Scratch {
    pub fn hold(&self, session_id: &str, evidence: HeldEvidence) {
        if let Ok(mut map) = self.held.lock() {
            map.insert(session_id.to_owned(), evidence);
        }
    }

    /// Whether a session's evidence is held.
    pub fn is_held(&self, session_id: &str) -> bool {
        self.held
            .lock()
            .map(|m| m.contains_key(session_id))
            .unwrap_or(false)
    }

    /// Runs `f` on a session's held evidence (e.g. to show the chip photo to an agent).
    pub fn with_held<R>(&self, session_id: &str, f: impl FnOnce(&HeldEvidence) -> R) -> Option<R> {
        let map = self.held.lock().ok()?;
        map.get(session_id).map(f)
    }

    /// Takes a session's evidence out (the caller erases it by dropping it).
    pub fn take(&self, session_id: &str) -> Option<HeldEvidence> {
        self.held.lock().ok()?.remove(session_id)
    }

    /// Erases evidence held past its time; returns the sessions concerned.
    pub fn take_overdue(&self, now: i64) -> Vec<(String, HeldEvidence)> {
        let Ok(mut map) = self.held.lock() else {
            return Vec::new();
        };
        let overdue: Vec<String> = map
            .iter()
            .filter(|(_, e)| e.erase_by <= now)
            .map(|(k, _)| k.clone())
            .collect();
        overdue
            .into_iter()
            .filter_map(|k| map.remove(&k).map(|e| (k, e)))
            .collect()
    }

    pub fn put_pickup(&self, session_id: &str, credential: String, erase_by: i64) {
        if let Ok(mut map) = self.pickups.lock() {
            map.insert(
                session_id.to_owned(),
                Pickup {
                    credential: Zeroizing::new(credential),
                    erase_by,
                },
            );
        }
    }

    /// Hands out an issued credential once.
    pub fn take_pickup(&self, session_id: &str) -> Option<Zeroizing<String>> {
        self.pickups
            .lock()
            .ok()?
            .remove(session_id)
            .map(|p| p.credential)
    }

    /// Drops credentials nobody fetched in time.
    pub fn purge_pickups(&self, now: i64) {
        if let Ok(mut map) = self.pickups.lock() {
            map.retain(|_, p| p.erase_by > now);
        }
    }

    /// How many sessions have something held (tests, metrics).
    pub fn held_count(&self) -> usize {
        self.held.lock().map(|m| m.len()).unwrap_or(0)
    }
}

impl Drop for HeldEvidence {
    fn drop(&mut self) {
        for (name, _) in &mut self.files {
            name.zeroize();
        }
    }
}
