//! The ID token (OIDC Core §2, §3.1.3.6): ES256 by default, RS256 per client,
//! optionally encrypted; pairwise `sub`, the eIDAS `acr` reached, `amr` when asked,
//! `nonce`, `auth_time`, and `at_hash` binding the access token.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Provider;
use super::error::OAuthError;
use super::grant::Grant;

/// `at_hash`: base64url of the left half of SHA-256(access token) (both ES256 and
/// RS256 hash with SHA-256).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    alicem_credential::jose::b64::encode(digest.get(..16).unwrap_or_default())
}

/// The claims of the ID token for `grant`.
pub fn claims(p: &Provider, grant: &Grant, access_token: &str, now: i64) -> Value {
    let ttl = i64::try_from(p.config.id_token_ttl_seconds).unwrap_or(60);
    let mut c = json!({
        "iss": p.issuer,
        "sub": grant.sub,
        "aud": grant.client.client_id,
        "exp": now.saturating_add(ttl),
        "iat": now,
        "auth_time": grant.auth_time,
        "acr": grant.acr.name(),
        "at_hash": at_hash(access_token),
    });
    if let Some(obj) = c.as_object_mut() {
        if let Some(nonce) = &grant.nonce {
            obj.insert("nonce".into(), nonce.clone().into());
        }
        if grant.amr_requested {
            obj.insert("amr".into(), json!(grant.amr));
        }
    }
    c
}

/// The signed (and, per client, encrypted) ID token.
pub fn issue(
    p: &Provider,
    grant: &Grant,
    access_token: &str,
    now: i64,
) -> Result<String, OAuthError> {
    let c = claims(p, grant, access_token, now);
    p.sign_for(&grant.client, grant.client.id_token_alg, Some("JWT"), &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_oidc_core_example() {
        // OIDC Core Appendix A.3 ("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y" →
        // "77QmUPtjPfzWtF2AnpK9RQ"), a RS256 token whose at_hash uses SHA-256 as ours do.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
