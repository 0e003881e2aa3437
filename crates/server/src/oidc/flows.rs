//! The provider's short-lived state, in memory: browser transactions, authorization
//! codes and access tokens. Everything here expires within minutes; nothing here
//! survives a restart, which only means logins in progress start again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use alicem_credential::pin::PinChallenge;
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use super::authorize::AuthRequest;
use super::grant::Grant;

/// Where a browser transaction stands.
#[derive(Debug, Clone)]
pub enum Stage {
    /// Waiting for the citizen's identifier.
    Identify,
    /// Waiting for the phone. `login` is `None` when the identifier matched no usable
    /// identity: the page waits all the same, so it does not tell who is enrolled.
    Waiting {
        login: Option<PendingPhone>,
        short_code: String,
    },
    /// Approved on the phone; consent still to be given on this page.
    Consent(Arc<Grant>),
    /// Approved (and consented): the next page visit redirects with a code.
    Approved(Arc<Grant>),
    /// Refused: the next page visit redirects with this error.
    Failed {
        error: &'static str,
        description: &'static str,
    },
}

/// The phone side of a waiting transaction.
#[derive(Debug, Clone)]
pub struct PendingPhone {
    pub login_id: String,
    pub identity_id: String,
    pub pin_challenge: PinChallenge,
    pub presentation_nonce: String,
    /// Claims the presentation must carry (the requested civil-status claims).
    pub credential_claims: Vec<String>,
    /// The identifier typed on the page: the `email` claim, when asked (the server
    /// keeps only a keyed hash of it).
    pub email: String,
}

/// One authorization request in a browser.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    /// SHA-256 of the secret held in the browser's cookie.
    pub browser_digest: [u8; 32],
    pub request: Arc<AuthRequest>,
    /// Change it with [`Transaction::advance`], which wakes the long-polling page.
    pub stage: Stage,
    pub expires_at: i64,
    /// Notified when the stage changes or the transaction ends (the waiting page's
    /// long poll, see `long_poll`).
    pub changed: Arc<Notify>,
}

impl Transaction {
    /// Moves to `stage` and wakes whoever waits for this transaction's page.
    pub fn advance(&mut self, stage: Stage) {
        self.stage = stage;
        self.changed.notify_waiters();
    }
}

/// What a phone long-polling its pending logins waits for.
#[derive(Default)]
struct PhoneSignal {
    /// The sequence number of the last change to this identity's pending logins.
    last_change: u64,
    notify: Arc<Notify>,
}

/// An issued authorization code.
#[derive(Debug)]
pub struct CodeEntry {
    pub grant: Arc<Grant>,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
    pub used: bool,
    /// Presented again after use: whatever it issued is revoked, and a token
    /// being minted from it concurrently is not stored.
    pub replayed: bool,
    /// Access tokens minted from this code (revoked if the code is replayed).
    pub access_tokens: Vec<[u8; 32]>,
}

/// An issued access token (keyed by its SHA-256).
#[derive(Debug)]
pub struct TokenEntry {
    pub grant: Arc<Grant>,
    pub expires_at: i64,
}

#[derive(Default)]
struct Maps {
    transactions: HashMap<String, Transaction>,
    logins: HashMap<String, String>,
    codes: HashMap<[u8; 32], CodeEntry>,
    tokens: HashMap<[u8; 32], TokenEntry>,
    /// Per identity, for the phone's long poll.
    phones: HashMap<String, PhoneSignal>,
    /// Sequence of changes to pending logins, over all identities (so that a cursor
    /// stays meaningful when an identity's entry is dropped and made again).
    phone_changes: u64,
    last_sweep: i64,
}

/// All of it, behind one lock (every operation is a few map lookups).
#[derive(Default)]
pub struct Flows {
    maps: Mutex<Maps>,
}

pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The locked state. A poisoned lock (a panic elsewhere) is taken over: the maps
/// stay consistent because every mutation is a single insert or remove.
pub struct Locked<'a>(MutexGuard<'a, Maps>);

impl Flows {
    pub fn lock(&self) -> Locked<'_> {
        Locked(self.maps.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Locked<'_> {
    /// Drops what expired, at most once a second.
    pub fn sweep(&mut self, now: i64) {
        let m = &mut *self.0;
        if m.last_sweep == now {
            return;
        }
        m.last_sweep = now;
        let mut dead_logins = Vec::new();
        m.transactions.retain(|_, t| {
            let keep = t.expires_at > now;
            if !keep && let Stage::Waiting { login: Some(p), .. } = &t.stage {
                dead_logins.push(p.login_id.clone());
            }
            keep
        });
        for l in dead_logins {
            m.logins.remove(&l);
        }
        // An identity's signal may go when no phone waits on it and it has no pending
        // login: a cursor from before then has nothing newer to be shown.
        let waiting: std::collections::HashSet<&str> = m
            .transactions
            .values()
            .filter_map(|t| match &t.stage {
                Stage::Waiting { login: Some(p), .. } => Some(p.identity_id.as_str()),
                _ => None,
            })
            .collect();
        m.phones.retain(|identity, signal| {
            Arc::strong_count(&signal.notify) > 1 || waiting.contains(identity.as_str())
        });
        // Used codes are kept until they expire, to recognise a replay.
        m.codes.retain(|_, c| c.expires_at > now);
        m.tokens.retain(|_, t| t.expires_at > now);
    }

    pub fn insert_transaction(&mut self, tx: Transaction) {
        self.0.transactions.insert(tx.id.clone(), tx);
    }

    pub fn transaction(&mut self, id: &str, now: i64) -> Option<&mut Transaction> {
        self.0
            .transactions
            .get_mut(id)
            .filter(|t| t.expires_at > now)
    }

    pub fn remove_transaction(&mut self, id: &str) -> Option<Transaction> {
        let tx = self.0.transactions.remove(id)?;
        tx.changed.notify_waiters();
        if let Stage::Waiting { login: Some(p), .. } = &tx.stage {
            self.0.logins.remove(&p.login_id);
        }
        Some(tx)
    }

    pub fn link_login(&mut self, login_id: &str, tx_id: &str) {
        self.0.logins.insert(login_id.to_owned(), tx_id.to_owned());
    }

    pub fn transaction_of_login(&mut self, login_id: &str, now: i64) -> Option<&mut Transaction> {
        let tx = self.0.logins.get(login_id)?.clone();
        self.transaction(&tx, now)
    }

    pub fn unlink_login(&mut self, login_id: &str) {
        self.0.logins.remove(login_id);
    }

    /// Records that `identity`'s pending logins changed (one arrived, or its PIN
    /// challenge was renewed) and wakes its long-polling phone.
    pub fn phone_news(&mut self, identity: &str) {
        let m = &mut *self.0;
        m.phone_changes = m.phone_changes.saturating_add(1);
        let signal = m.phones.entry(identity.to_owned()).or_default();
        signal.last_change = m.phone_changes;
        signal.notify.notify_waiters();
    }

    /// The cursor of `identity`'s pending logins (the last change's number, 0 for
    /// none known) and what is notified at the next change.
    pub fn phone_watch(&mut self, identity: &str) -> (u64, Arc<Notify>) {
        let signal = self.0.phones.entry(identity.to_owned()).or_default();
        (signal.last_change, Arc::clone(&signal.notify))
    }

    /// The cursor of `identity`'s pending logins, without registering a watch.
    pub fn phone_cursor(&self, identity: &str) -> u64 {
        self.0.phones.get(identity).map_or(0, |s| s.last_change)
    }

    /// Transactions waiting for `identity`'s phone.
    pub fn waiting_for(
        &self,
        identity: &str,
        now: i64,
    ) -> Vec<(Transaction, PendingPhone, String)> {
        self.0
            .transactions
            .values()
            .filter(|t| t.expires_at > now)
            .filter_map(|t| match &t.stage {
                Stage::Waiting {
                    login: Some(p),
                    short_code,
                } if p.identity_id == identity => Some((t.clone(), p.clone(), short_code.clone())),
                _ => None,
            })
            .collect()
    }

    pub fn insert_code(&mut self, code: &str, entry: CodeEntry) {
        self.0.codes.insert(digest(code), entry);
    }

    pub fn code(&mut self, code: &str) -> Option<&mut CodeEntry> {
        self.0.codes.get_mut(&digest(code))
    }

    pub fn insert_token(&mut self, token_digest: [u8; 32], entry: TokenEntry) {
        self.0.tokens.insert(token_digest, entry);
    }

    pub fn token(&self, token: &str, now: i64) -> Option<&TokenEntry> {
        self.0
            .tokens
            .get(&digest(token))
            .filter(|t| t.expires_at > now)
    }

    pub fn revoke_token(&mut self, token_digest: &[u8; 32]) -> Option<TokenEntry> {
        self.0.tokens.remove(token_digest)
    }
}
