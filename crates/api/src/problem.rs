//! The body of every error answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error answer: a stable machine-readable `error` code, a human `detail`, and for
/// a malformed request the `part` that was wrong (`"chip.dg2"`, `"frames[3]"`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    pub error: String,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
}
