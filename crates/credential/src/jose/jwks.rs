//! JWK Sets (RFC 7517 §5).

use serde_json::{Value, json};

use super::{JoseError, Jwk, JwsHeader, json as strict};

/// Most keys a JWK Set may hold (a rotating provider publishes two or three).
pub const MAX_KEYS: usize = 64;
/// Largest JWK Set document accepted.
pub const MAX_JWKS_LEN: usize = 64 * 1024;

/// A set of public keys, e.g. an issuer's published keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: Vec<Jwk>,
}

impl JwkSet {
    pub fn new(keys: Vec<Jwk>) -> Self {
        Self { keys }
    }

    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Parses a JWK Set document. Keys of a type or curve we do not support, or whose
    /// members are out of range, are skipped as RFC 7517 §5 recommends; a set that
    /// publishes private key material is refused outright.
    pub fn parse(bytes: &[u8]) -> Result<Self, JoseError> {
        const WHAT: &str = "JWK Set";
        if bytes.len() > MAX_JWKS_LEN {
            return Err(JoseError::TooLarge {
                what: WHAT,
                len: bytes.len(),
                limit: MAX_JWKS_LEN,
            });
        }
        let map = strict::parse_object(WHAT, bytes)?;
        let Some(Value::Array(entries)) = map.get("keys") else {
            return Err(JoseError::Member {
                what: WHAT,
                member: "keys",
            });
        };
        if entries.len() > MAX_KEYS {
            return Err(JoseError::TooLarge {
                what: "JWK Set key count",
                len: entries.len(),
                limit: MAX_KEYS,
            });
        }
        let mut keys = Vec::new();
        for entry in entries {
            match Jwk::from_json(entry) {
                Ok(jwk) => keys.push(jwk),
                Err(e @ JoseError::PrivateKeyMaterial(_)) => return Err(e),
                Err(_) => {}
            }
        }
        Ok(Self { keys })
    }

    /// The document to publish at a `jwks_uri`.
    pub fn to_json(&self) -> Value {
        json!({ "keys": self.keys.iter().map(Jwk::to_json).collect::<Vec<_>>() })
    }

    /// The one key that may verify a JWS with this header: same `kid` when the
    /// header has one, usable for its `alg`. Without `kid`, only an unambiguous match
    /// is accepted.
    pub fn find_for(&self, header: &JwsHeader) -> Result<&Jwk, JoseError> {
        let mut candidates = self.keys.iter().filter(|k| {
            k.usable_for_jws(header.alg)
                && header
                    .kid
                    .as_ref()
                    .is_none_or(|kid| k.kid.as_ref() == Some(kid))
        });
        let kid = || header.kid.as_ref().map(|k| k.chars().take(64).collect());
        match (candidates.next(), candidates.next()) {
            (Some(key), None) => Ok(key),
            (None, _) => Err(JoseError::NoMatchingKey {
                kid: kid(),
                alg: header.alg.name(),
            }),
            (Some(_), Some(_)) => Err(JoseError::AmbiguousKey {
                kid: kid(),
                alg: header.alg.name(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::{JwsAlgorithm, JwsSigner, SigningKey};

    fn es256(seed: u8, kid: &str) -> Jwk {
        let sk = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        SigningKey::es256(sk).with_kid(kid).public_jwk()
    }

    #[test]
    fn skips_unsupported_keys_but_refuses_private_ones() {
        let good = es256(1, "a").to_json();
        let doc = json!({"keys": [good, {"kty": "OKP", "crv": "Ed25519", "x": "AA"}, {"kty": "EC", "crv": "P-256"}]});
        let set = JwkSet::parse(doc.to_string().as_bytes()).unwrap();
        assert_eq!(set.keys().len(), 1);

        let mut private = es256(2, "b").to_json();
        private["d"] = "AAAA".into();
        let doc = json!({"keys": [good, private]});
        assert_eq!(
            JwkSet::parse(doc.to_string().as_bytes()),
            Err(JoseError::PrivateKeyMaterial("d"))
        );
    }

    #[test]
    fn selects_by_kid_and_refuses_ambiguity() {
        let set = JwkSet::new(vec![es256(1, "a"), es256(2, "b")]);
        let mut header = JwsHeader::new(JwsAlgorithm::Es256);
        assert!(matches!(
            set.find_for(&header),
            Err(JoseError::AmbiguousKey { .. })
        ));
        header.kid = Some("b".into());
        assert_eq!(set.find_for(&header).unwrap().kid.as_deref(), Some("b"));
        header.kid = Some("c".into());
        assert!(matches!(
            set.find_for(&header),
            Err(JoseError::NoMatchingKey { .. })
        ));
        header.kid = Some("a".into());
        header.alg = JwsAlgorithm::Rs256;
        assert!(matches!(
            set.find_for(&header),
            Err(JoseError::NoMatchingKey { .. })
        ));
    }

    #[test]
    fn round_trips_through_json() {
        let set = JwkSet::new(vec![es256(1, "a"), es256(2, "b")]);
        let back = JwkSet::parse(set.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(back, set);
    }

    #[test]
    fn refuses_oversized_sets() {
        let many: Vec<Value> = (0..=MAX_KEYS).map(|_| json!({"kty": "x"})).collect();
        let doc = json!({ "keys": many });
        assert!(matches!(
            JwkSet::parse(doc.to_string().as_bytes()),
            Err(JoseError::TooLarge { .. })
        ));
    }
}
