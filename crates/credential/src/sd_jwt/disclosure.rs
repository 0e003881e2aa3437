//! Disclosures of object properties (RFC 9901 §4.2.1): `[salt, name, value]`.

use core::fmt;

use serde_json::Value;

use super::{MAX_DISCLOSURE_LEN, NON_DISCLOSABLE_CLAIMS, SdJwtError, sha256_b64};
use crate::jose::{JoseError, b64, json};
use crate::rng::random_bytes;

/// One disclosure: a claim name and value, with the salt that hides it in the
/// issuer-signed JWT.
#[derive(Clone, PartialEq, Eq)]
pub struct Disclosure {
    encoded: String,
    name: String,
    value: Value,
}

impl fmt::Debug for Disclosure {
    // Values are civil-status data: keep them out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Disclosure")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Disclosure {
    /// A new disclosure with a fresh 128-bit salt (RFC 9901 §9.3 recommends 128 bits).
    pub fn new(
        name: &str,
        value: Value,
        rng: &mut (impl rand_core::CryptoRng + ?Sized),
    ) -> Result<Self, SdJwtError> {
        check_name(name).map_err(|reason| SdJwtError::Disclosure {
            index: 0,
            reason: reason.into(),
        })?;
        let salt = b64::encode(&random_bytes::<16>(rng));
        let array = Value::Array(vec![
            Value::String(salt),
            Value::String(name.into()),
            value.clone(),
        ]);
        Ok(Self {
            encoded: b64::encode(array.to_string().as_bytes()),
            name: name.into(),
            value,
        })
    }

    /// Parses an encoded disclosure; `index` locates it in error messages.
    pub fn parse(encoded: &str, index: usize) -> Result<Self, SdJwtError> {
        let err = |reason: &str| SdJwtError::Disclosure {
            index,
            reason: reason.into(),
        };
        if encoded.len() > MAX_DISCLOSURE_LEN {
            return Err(err("too long"));
        }
        let bytes = b64::decode("disclosure", encoded).map_err(|e| err(&e.to_string()))?;
        let value = json::parse_value("disclosure", &bytes).map_err(|e| match e {
            JoseError::DuplicateMember { .. } => err("duplicate member in the disclosed value"),
            other => err(&other.to_string()),
        })?;
        let Value::Array(items) = value else {
            return Err(err("not a JSON array"));
        };
        let mut items = items.into_iter();
        let (Some(salt), Some(name), Some(value), None) =
            (items.next(), items.next(), items.next(), items.next())
        else {
            return Err(err(
                "not a [salt, name, value] triple (array-element disclosures are not supported)",
            ));
        };
        if !salt.is_string() {
            return Err(err("salt is not a string"));
        }
        let Value::String(name) = name else {
            return Err(err("claim name is not a string"));
        };
        check_name(&name).map_err(err)?;
        if contains_sd_members(&value) {
            return Err(err("nested selective disclosure is not supported"));
        }
        Ok(Self {
            encoded: encoded.into(),
            name,
            value,
        })
    }

    /// The digest that the issuer-signed JWT lists in `_sd`.
    pub fn digest(&self) -> String {
        sha256_b64(&self.encoded)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    pub fn encoded(&self) -> &str {
        &self.encoded
    }
}

fn check_name(name: &str) -> Result<(), &'static str> {
    if NON_DISCLOSABLE_CLAIMS.contains(&name) {
        Err("this claim name may not be selectively disclosed")
    } else if name.is_empty() || name.len() > 256 {
        Err("claim name is empty or too long")
    } else {
        Ok(())
    }
}

/// Whether a disclosed value carries SD-JWT members, which would call for the recursive
/// processing we do not implement.
fn contains_sd_members(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.contains_key("_sd")
                || map.contains_key("...")
                || map.values().any(contains_sd_members)
        }
        Value::Array(items) => items.iter().any(contains_sd_members),
        _ => false,
    }
}
