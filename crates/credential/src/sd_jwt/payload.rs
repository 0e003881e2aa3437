//! The issuer-signed JWT's payload, read into the members SD-JWT VC defines.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{SD_ALG, SdJwtError};
use crate::jose::Jwk;

/// The clear part of the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialPayload {
    pub iss: Option<String>,
    pub vct: String,
    pub iat: Option<i64>,
    pub exp: Option<i64>,
    /// `cnf.jwk`: the wallet's device key, which must sign every presentation.
    pub holder_key: Jwk,
    /// The `_sd` digests (checked to be distinct).
    pub(crate) digests: BTreeSet<String>,
    /// The full payload, to detect disclosed names that clash with clear claims.
    pub(crate) members: Map<String, Value>,
}

impl CredentialPayload {
    pub(crate) fn from_claims(members: Map<String, Value>) -> Result<Self, SdJwtError> {
        let text = |name: &'static str, required: bool| -> Result<Option<String>, SdJwtError> {
            match members.get(name) {
                Some(Value::String(s)) => Ok(Some(s.clone())),
                None if !required => Ok(None),
                _ => Err(SdJwtError::Payload(match name {
                    "vct" => "vct is missing or not a string",
                    _ => "iss is not a string",
                })),
            }
        };
        let int = |name: &'static str| -> Result<Option<i64>, SdJwtError> {
            match members.get(name) {
                None => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or(SdJwtError::Payload(match name {
                    "iat" => "iat is not an integer",
                    _ => "exp is not an integer",
                })),
            }
        };
        match members.get("_sd_alg") {
            None => {} // RFC 9901 §4.1.1: absent means sha-256
            Some(Value::String(alg)) if alg == SD_ALG => {}
            Some(_) => return Err(SdJwtError::UnsupportedHashAlgorithm),
        }
        let mut digests = BTreeSet::new();
        match members.get("_sd") {
            None => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::String(d) = item else {
                        return Err(SdJwtError::Payload("_sd holds a non-string"));
                    };
                    if !digests.insert(d.clone()) {
                        return Err(SdJwtError::DuplicateDigest);
                    }
                }
            }
            Some(_) => return Err(SdJwtError::Payload("_sd is not an array")),
        }
        if members.iter().any(|(k, v)| k != "_sd" && contains_sd(v)) {
            return Err(SdJwtError::Payload(
                "nested selective disclosure is not supported",
            ));
        }
        let holder_key = members
            .get("cnf")
            .and_then(|c| c.get("jwk"))
            .ok_or(SdJwtError::Payload("cnf.jwk (the holder key) is missing"))
            .and_then(|jwk| {
                Jwk::from_json(jwk)
                    .map_err(|_| SdJwtError::Payload("cnf.jwk is not a valid public key"))
            })?;
        Ok(Self {
            iss: text("iss", false)?,
            vct: text("vct", true)?.unwrap_or_default(),
            iat: int("iat")?,
            exp: int("exp")?,
            holder_key,
            digests,
            members,
        })
    }

    /// Whether a claim of this name is in clear in the payload.
    pub(crate) fn has_clear_claim(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }
}

fn contains_sd(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.contains_key("_sd") || map.contains_key("...") || map.values().any(contains_sd)
        }
        Value::Array(items) => items.iter().any(contains_sd),
        _ => false,
    }
}
