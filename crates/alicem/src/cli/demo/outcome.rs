//! What the demo established, as JSON (`--json FILE`), for tests and scripts.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct DemoOutcome {
    pub enrollment: EnrollmentResult,
    pub login: LoginResult,
    pub refusal: RefusalResult,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct EnrollmentResult {
    pub status: String,
    pub identity_id: String,
    /// How the chip was reached: `pcscd+vpcd` or `in-process`.
    pub reader: String,
    /// What the server's signed erasure receipt lists.
    pub erased: Vec<String>,
    /// The liveness script the server drew.
    pub liveness_script: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct LoginResult {
    /// Who played the browser: `chromium` or `http-client`.
    pub browser: String,
    /// With `--browser` in Chromium: a screenshot of each page, in order.
    pub screenshots: Vec<std::path::PathBuf>,
    /// The ID token's claims, as verified by the demo service provider.
    pub id_token: serde_json::Map<String, serde_json::Value>,
    /// The userinfo claims.
    pub userinfo: serde_json::Map<String, serde_json::Value>,
    /// The minted person's values the claims were compared with.
    pub expected: serde_json::Map<String, serde_json::Value>,
    /// The citizen's connection history entry for this login.
    pub history: serde_json::Value,
}

#[derive(Debug, Serialize)]
pub struct RefusalResult {
    pub status: String,
    pub reasons: Vec<String>,
}
