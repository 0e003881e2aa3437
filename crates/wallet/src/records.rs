//! The wallet's plain records. History entries and receipts are kept as the server
//! sent them (JSON), since the server defines their content; the wallet only keeps
//! copies for the citizen to read offline.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which server this wallet belongs to and the identity it holds there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The identity server's base URL.
    pub server_url: String,
    /// The server's identifier of the citizen's identity, once enrolled.
    pub account_id: Option<String>,
    /// When the wallet was created (seconds since the Unix epoch).
    pub created_at: i64,
}

/// The last copy of the connection history fetched from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryCopy {
    pub fetched_at: i64,
    pub entries: Vec<Value>,
}

/// An erasure receipt: what the server says it erased after an enrollment decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErasureReceipt {
    /// The server's identifier of the receipt (e.g. the enrollment session id).
    pub id: String,
    pub received_at: i64,
    /// The receipt as the server sent it (a signed document, when the server signs it).
    pub body: Value,
}

/// An enrollment started with the server and not finished on this wallet yet: kept so
/// that the agent path can be polled later and the PIN registered after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEnrollment {
    pub session_id: String,
    /// `face` or `agent`.
    pub path: String,
    /// The code to show an agent (agent path).
    pub session_code: String,
    /// Unix seconds after which the server abandons the session.
    pub deadline: u64,
    /// Set once the server approved and the credential is stored: only the PIN is
    /// left to register.
    pub approved: bool,
}
