//! The signature algorithms we accept: an allow-list, not a registry.

use super::JoseError;

/// A JWS algorithm on alicem's allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JwsAlgorithm {
    /// ECDSA P-256 with SHA-256 (RFC 7518 §3.4): the algorithm of every key alicem
    /// creates (server issuer key, device keys, ID tokens).
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3), for relying parties that only
    /// handle RSA.
    Rs256,
}

impl JwsAlgorithm {
    /// The `alg` value.
    pub fn name(self) -> &'static str {
        match self {
            JwsAlgorithm::Es256 => "ES256",
            JwsAlgorithm::Rs256 => "RS256",
        }
    }

    /// Parses an `alg` value against the allow-list. Comparison is exact (case
    /// sensitive, RFC 7515 §4.1.1).
    pub fn from_name(name: &str) -> Result<Self, JoseError> {
        match name {
            "ES256" => Ok(JwsAlgorithm::Es256),
            "RS256" => Ok(JwsAlgorithm::Rs256),
            "none" => Err(JoseError::AlgNone),
            other => Err(JoseError::UnsupportedAlgorithm(
                other.chars().take(32).collect(),
            )),
        }
    }
}

impl core::fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_none_and_unknown_algorithms() {
        assert_eq!(JwsAlgorithm::from_name("none"), Err(JoseError::AlgNone));
        for alg in ["HS256", "es256", "ES384", "EdDSA", "", "RS256 "] {
            assert!(matches!(
                JwsAlgorithm::from_name(alg),
                Err(JoseError::UnsupportedAlgorithm(_))
            ));
        }
        assert_eq!(JwsAlgorithm::from_name("ES256"), Ok(JwsAlgorithm::Es256));
        assert_eq!(JwsAlgorithm::from_name("RS256"), Ok(JwsAlgorithm::Rs256));
    }
}
