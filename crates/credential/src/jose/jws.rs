//! JWS compact serialization (RFC 7515 §7.1): signing, and a two-stage parse in which
//! the payload can only be trusted once the signature has been verified.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{JoseError, JwkSet, JwsAlgorithm, JwsHeader, JwsSigner, VerifyingKey, b64, json};

/// Size limits applied before anything is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Whole compact serialization, in bytes.
    pub max_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_len: DEFAULT_MAX_LEN,
        }
    }
}

/// Default bound on a compact JWS: far above an ID token or an SD-JWT issuer JWT
/// (a few KiB), far below anything that could hurt a server.
pub const DEFAULT_MAX_LEN: usize = 64 * 1024;

/// The header members a signer chooses; `alg` and `kid` come from the signer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderParams<'a> {
    pub typ: Option<&'a str>,
    pub cty: Option<&'a str>,
}

/// Signs `payload` and returns the compact serialization.
pub fn sign(
    params: HeaderParams<'_>,
    payload: &[u8],
    signer: &(impl JwsSigner + ?Sized),
) -> Result<String, JoseError> {
    let header = JwsHeader {
        alg: signer.algorithm(),
        typ: params.typ.map(str::to_owned),
        kid: signer.key_id().map(str::to_owned),
        cty: params.cty.map(str::to_owned),
    };
    let mut out = b64::encode(header.to_json().as_bytes());
    out.push('.');
    out.push_str(&b64::encode(payload));
    let signature = signer.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64::encode(&signature));
    Ok(out)
}

/// Signs a JSON payload (e.g. JWT claims).
pub fn sign_json(
    typ: Option<&str>,
    claims: &impl Serialize,
    signer: &(impl JwsSigner + ?Sized),
) -> Result<String, JoseError> {
    let payload = serde_json::to_vec(claims).map_err(|_| JoseError::Signing)?;
    sign(HeaderParams { typ, cty: None }, &payload, signer)
}

/// A parsed JWS whose signature has not been checked yet: its header may be read to
/// pick a key; its payload is not trustworthy.
#[derive(Debug, Clone)]
pub struct UnverifiedJws {
    header: JwsHeader,
    /// `BASE64URL(header) '.' BASE64URL(payload)`, the bytes that were signed.
    signing_input: String,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl UnverifiedJws {
    /// Parses a compact JWS with the default limits.
    pub fn parse(token: &str) -> Result<Self, JoseError> {
        Self::parse_with_limits(token, Limits::default())
    }

    pub fn parse_with_limits(token: &str, limits: Limits) -> Result<Self, JoseError> {
        const WHAT: &str = "compact JWS";
        if token.len() > limits.max_len {
            return Err(JoseError::TooLarge {
                what: WHAT,
                len: token.len(),
                limit: limits.max_len,
            });
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::Malformed {
                what: WHAT,
                reason: "expected three dot-separated parts (a JWE has five)",
            });
        };
        if h.is_empty() || p.is_empty() || s.is_empty() {
            return Err(JoseError::Malformed {
                what: WHAT,
                reason: "empty part (detached payloads are not supported)",
            });
        }
        let header = JwsHeader::parse(&b64::decode("JWS header", h)?)?;
        let payload = b64::decode("JWS payload", p)?;
        let signature = b64::decode("JWS signature", s)?;
        Ok(Self {
            header,
            signing_input: format!("{h}.{p}"),
            payload,
            signature,
        })
    }

    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// The payload before verification: only for display or to decide which key to
    /// use, never to make a decision.
    pub fn unverified_payload(&self) -> &[u8] {
        &self.payload
    }

    /// Verifies the signature with `key`. The header's `alg` must be the key's
    /// algorithm: a token never chooses how it is checked.
    pub fn verify(self, key: &VerifyingKey) -> Result<VerifiedJws, JoseError> {
        if key.algorithm() != self.header.alg {
            return Err(JoseError::AlgorithmMismatch {
                token: self.header.alg.name(),
                key: key.algorithm().name(),
            });
        }
        key.verify(self.signing_input.as_bytes(), &self.signature)?;
        Ok(VerifiedJws {
            header: self.header,
            payload: self.payload,
        })
    }

    /// For a cache of earlier successes only
    /// ([`crate::sd_jwt::IssuerSignatureCache`]): these exact bytes were verified
    /// before with a key of algorithm `key_alg`. The same algorithm check as
    /// [`UnverifiedJws::verify`], without the signature math.
    pub(crate) fn verified_earlier(self, key_alg: JwsAlgorithm) -> Result<VerifiedJws, JoseError> {
        if key_alg != self.header.alg {
            return Err(JoseError::AlgorithmMismatch {
                token: self.header.alg.name(),
                key: key_alg.name(),
            });
        }
        Ok(VerifiedJws {
            header: self.header,
            payload: self.payload,
        })
    }

    /// Verifies against the key of `keys` chosen by the header's `kid` and `alg`.
    pub fn verify_with_set(self, keys: &JwkSet) -> Result<VerifiedJws, JoseError> {
        let key = keys.find_for(&self.header)?.verifying_key()?;
        self.verify(&key)
    }
}

/// A JWS whose signature checked out.
#[derive(Debug, Clone)]
pub struct VerifiedJws {
    header: JwsHeader,
    payload: Vec<u8>,
}

impl VerifiedJws {
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload as a JSON object (JWT claims), strictly parsed.
    pub fn claims(&self) -> Result<Map<String, Value>, JoseError> {
        json::parse_object("JWS payload", &self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::{Jwk, JwsAlgorithm, SigningKey};

    fn es256(seed: u8) -> SigningKey {
        SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    fn rs256() -> SigningKey {
        // Generated once per test run: RSA key generation is the slow part.
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
        SigningKey::rs256(rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap()).unwrap()
    }

    #[test]
    fn es256_signs_and_verifies() {
        let key = es256(3).with_kid("k");
        let token = sign_json(Some("JWT"), &serde_json::json!({"sub": "x"}), &key).unwrap();
        let jws = UnverifiedJws::parse(&token).unwrap();
        assert_eq!(jws.header().kid.as_deref(), Some("k"));
        let verified = jws.verify(&key.verifying_key()).unwrap();
        assert_eq!(verified.claims().unwrap()["sub"], "x");
        assert_eq!(verified.header().alg, JwsAlgorithm::Es256);
    }

    #[test]
    fn rs256_signs_and_verifies_and_is_found_in_a_set() {
        let key = rs256().with_kid("rsa-1");
        let token = sign_json(None, &serde_json::json!({"a": 1}), &key).unwrap();
        let set = JwkSet::new(vec![es256(1).with_kid("ec").public_jwk(), key.public_jwk()]);
        let verified = UnverifiedJws::parse(&token)
            .unwrap()
            .verify_with_set(&set)
            .unwrap();
        assert_eq!(verified.claims().unwrap()["a"], 1);
    }

    #[test]
    fn rejects_a_signature_by_another_key() {
        let token = sign(HeaderParams::default(), b"{}", &es256(3)).unwrap();
        let jws = UnverifiedJws::parse(&token).unwrap();
        assert_eq!(
            jws.verify(&es256(4).verifying_key()).unwrap_err(),
            JoseError::BadSignature
        );
    }

    #[test]
    fn rejects_a_modified_payload() {
        let key = es256(3);
        let token = sign(HeaderParams::default(), br#"{"acr":"eidas1"}"#, &key).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64::encode(br#"{"acr":"eidas3"}"#);
        parts[1] = &forged;
        let jws = UnverifiedJws::parse(&parts.join(".")).unwrap();
        assert_eq!(
            jws.verify(&key.verifying_key()).unwrap_err(),
            JoseError::BadSignature
        );
    }

    #[test]
    fn refuses_algorithm_confusion() {
        // An ES256 token presented to an RSA key is refused before any math.
        let token = sign(HeaderParams::default(), b"{}", &es256(3)).unwrap();
        let jws = UnverifiedJws::parse(&token).unwrap();
        let rsa_key = rs256().verifying_key();
        assert!(matches!(
            jws.verify(&rsa_key),
            Err(JoseError::AlgorithmMismatch { .. })
        ));
    }

    #[test]
    fn refuses_unsigned_tokens() {
        let header = b64::encode(br#"{"alg":"none"}"#);
        let payload = b64::encode(b"{}");
        assert!(UnverifiedJws::parse(&format!("{header}.{payload}.")).is_err());
        assert_eq!(
            UnverifiedJws::parse(&format!("{header}.{payload}.AA")).unwrap_err(),
            JoseError::AlgNone
        );
    }

    #[test]
    fn refuses_wrong_shapes_and_sizes() {
        let token = sign(HeaderParams::default(), b"{}", &es256(3)).unwrap();
        assert!(UnverifiedJws::parse(&format!("{token}.x")).is_err());
        assert!(UnverifiedJws::parse(token.rsplit_once('.').unwrap().0).is_err());
        let long = format!("{token}{}", "A".repeat(DEFAULT_MAX_LEN));
        assert!(matches!(
            UnverifiedJws::parse(&long),
            Err(JoseError::TooLarge { .. })
        ));
        // DER-encoded ECDSA signatures are not JWS signatures.
        let (input, _) = token.rsplit_once('.').unwrap();
        let der = b64::encode(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]);
        let jws = UnverifiedJws::parse(&format!("{input}.{der}")).unwrap();
        assert_eq!(
            jws.verify(&es256(3).verifying_key()).unwrap_err(),
            JoseError::BadSignature
        );
    }

    /// `token` with its signature replaced by `signature`.
    fn resigned(token: &str, signature: &[u8]) -> UnverifiedJws {
        let (input, _) = token.rsplit_once('.').unwrap();
        UnverifiedJws::parse(&format!("{input}.{}", b64::encode(signature))).unwrap()
    }

    fn signature_of(token: &str) -> Vec<u8> {
        b64::decode("sig", token.rsplit_once('.').unwrap().1).unwrap()
    }

    #[test]
    fn refuses_a_tampered_signature() {
        let key = es256(3);
        let token = sign(HeaderParams::default(), b"{}", &key).unwrap();
        let sig = signature_of(&token);
        for byte in [0, 31, 32, 63] {
            let mut bad = sig.clone();
            bad[byte] ^= 0x40;
            assert_eq!(
                resigned(&token, &bad)
                    .verify(&key.verifying_key())
                    .unwrap_err(),
                JoseError::BadSignature,
                "byte {byte}"
            );
        }
    }

    #[test]
    fn refuses_wrong_length_and_malformed_es256_signatures() {
        let key = es256(3);
        let token = sign(HeaderParams::default(), b"{}", &key).unwrap();
        let sig = signature_of(&token);
        let mut long = sig.clone();
        long.push(0);
        let cat = |a: &[u8], b: &[u8]| [a, b].concat();
        for bad in [
            sig[..63].to_vec(),
            long,
            vec![0; 64],
            cat(&[0; 32], &sig[32..]),
            cat(&sig[..32], &[0; 32]),
            cat(&[0xff; 32], &sig[32..]),
            cat(&sig[..32], &[0xff; 32]),
        ] {
            assert_eq!(
                resigned(&token, &bad)
                    .verify(&key.verifying_key())
                    .unwrap_err(),
                JoseError::BadSignature,
                "{bad:02x?}"
            );
        }
    }

    /// ES256 does not require low S: RFC 7515 A.3's own signature has S above n / 2
    /// (see `crate::ecdsa` on why accepting it is harmless here).
    #[test]
    fn accepts_high_s_like_the_rfc_7515_example() {
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
        let s = &signature_of(token)[32..];
        // n / 2 starts 0x7fffffff80000000: this S is above it.
        assert!(s[0] > 0x7f, "{s:02x?}");
        let jwk = Jwk::parse(br#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#).unwrap();
        assert!(
            UnverifiedJws::parse(token)
                .unwrap()
                .verify(&jwk.verifying_key().unwrap())
                .is_ok()
        );
    }

    /// RFC 7515 Appendix A.3: an ES256 JWS produced by another implementation.
    #[test]
    fn verifies_rfc7515_es256_example() {
        let jwk = Jwk::parse(br#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#).unwrap();
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
        let verified = UnverifiedJws::parse(token)
            .unwrap()
            .verify(&jwk.verifying_key().unwrap())
            .unwrap();
        assert_eq!(verified.claims().unwrap()["iss"], "joe");
    }

    #[test]
    fn signer_public_jwk_verifies_its_signatures() {
        let key = es256(9).with_thumbprint_kid();
        let jwk: Jwk = key.public_jwk();
        assert_eq!(jwk.kid.as_deref(), Some(jwk.thumbprint().as_str()));
        let token = sign(HeaderParams::default(), b"{}", &key).unwrap();
        assert!(
            UnverifiedJws::parse(&token)
                .unwrap()
                .verify(&jwk.verifying_key().unwrap())
                .is_ok()
        );
    }
}
