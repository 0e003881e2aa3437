//! Public JSON Web Keys (RFC 7517, RFC 7518 §6) for P-256 and RSA, and their
//! RFC 7638 thumbprints.

use rsa::RsaPublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{JoseError, JwsAlgorithm, VerifyingKey, b64, json as strict};

/// Smallest and largest RSA modulus accepted, in bits.
pub const RSA_MIN_BITS: usize = 2048;
pub const RSA_MAX_BITS: usize = 8192;

/// Members that only a private JWK has (RFC 7518 §6.2.2, §6.3.2; §6.4 for `k`).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The key material of a public JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwkKey {
    /// `kty` "EC", `crv` "P-256": affine coordinates, validated on the curve.
    P256 { x: [u8; 32], y: [u8; 32] },
    /// `kty` "RSA": modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

/// A public JWK with the metadata alicem uses.
#[derive(Clone, PartialEq, Eq)]
pub struct Jwk {
    key: JwkKey,
    /// `kid`.
    pub kid: Option<String>,
    /// `use`: "sig" or "enc" (other values are kept and treat the key as unusable).
    pub key_use: Option<String>,
    /// `alg`: the algorithm this key is meant for, if the publisher said.
    pub alg: Option<String>,
}

impl core::fmt::Debug for Jwk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty())
            .field("kid", &self.kid)
            .field("thumbprint", &self.thumbprint())
            .finish()
    }
}

impl Jwk {
    /// A JWK for a P-256 public key.
    pub fn from_p256(key: &p256::ecdsa::VerifyingKey) -> Self {
        let point = key.to_sec1_point(false);
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        // An uncompressed point of a valid key always has both coordinates.
        if let (Some(px), Some(py)) = (point.x(), point.y()) {
            x.copy_from_slice(px);
            y.copy_from_slice(py);
        }
        Self::bare(JwkKey::P256 { x, y })
    }

    /// A JWK for an RSA public key.
    pub fn from_rsa(key: &RsaPublicKey) -> Self {
        Self::bare(JwkKey::Rsa {
            n: key.n_bytes().into_vec(),
            e: key.e_bytes().into_vec(),
        })
    }

    fn bare(key: JwkKey) -> Self {
        Self {
            key,
            kid: None,
            key_use: None,
            alg: None,
        }
    }

    /// Sets `kid`.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `use` to "sig" and `alg` to the algorithm.
    pub fn for_signing(mut self, alg: JwsAlgorithm) -> Self {
        self.key_use = Some("sig".into());
        self.alg = Some(alg.name().into());
        self
    }

    /// The same key without `kid`, `use` and `alg` (e.g. for a `cnf` claim).
    pub fn without_metadata(&self) -> Self {
        Self::bare(self.key.clone())
    }

    pub fn key(&self) -> &JwkKey {
        &self.key
    }

    /// `kty`.
    pub fn kty(&self) -> &'static str {
        match self.key {
            JwkKey::P256 { .. } => "EC",
            JwkKey::Rsa { .. } => "RSA",
        }
    }

    /// The JWS algorithm this key verifies.
    pub fn jws_algorithm(&self) -> JwsAlgorithm {
        match self.key {
            JwkKey::P256 { .. } => JwsAlgorithm::Es256,
            JwkKey::Rsa { .. } => JwsAlgorithm::Rs256,
        }
    }

    /// Whether the key may verify a JWS with `alg`: right key type, and `use` / `alg`
    /// (when published) not saying otherwise.
    pub fn usable_for_jws(&self, alg: JwsAlgorithm) -> bool {
        self.jws_algorithm() == alg
            && self.key_use.as_deref().is_none_or(|u| u == "sig")
            && self.alg.as_deref().is_none_or(|a| a == alg.name())
    }

    /// The canonical JSON of RFC 7638 §3.2: required members only, sorted, no spaces.
    fn thumbprint_input(&self) -> String {
        match &self.key {
            JwkKey::P256 { x, y } => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                b64::encode(x),
                b64::encode(y)
            ),
            JwkKey::Rsa { n, e } => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                b64::encode(e),
                b64::encode(n)
            ),
        }
    }

    /// RFC 7638 SHA-256 thumbprint, raw.
    pub fn thumbprint_bytes(&self) -> [u8; 32] {
        Sha256::digest(self.thumbprint_input().as_bytes()).into()
    }

    /// RFC 7638 SHA-256 thumbprint, base64url: a stable identifier of the key.
    pub fn thumbprint(&self) -> String {
        b64::encode(&self.thumbprint_bytes())
    }

    /// The key, ready to verify signatures.
    pub fn verifying_key(&self) -> Result<VerifyingKey, JoseError> {
        VerifyingKey::from_jwk(self)
    }

    /// The JWK as a JSON object.
    pub fn to_json(&self) -> Value {
        let mut map = match &self.key {
            JwkKey::P256 { x, y } => json!({
                "kty": "EC", "crv": "P-256", "x": b64::encode(x), "y": b64::encode(y),
            }),
            JwkKey::Rsa { n, e } => json!({
                "kty": "RSA", "n": b64::encode(n), "e": b64::encode(e),
            }),
        };
        if let Some(obj) = map.as_object_mut() {
            for (name, value) in [
                ("kid", &self.kid),
                ("use", &self.key_use),
                ("alg", &self.alg),
            ] {
                if let Some(v) = value {
                    obj.insert(name.into(), Value::String(v.clone()));
                }
            }
        }
        map
    }

    /// Parses a JWK from JSON text (strict: no duplicate members).
    pub fn parse(bytes: &[u8]) -> Result<Self, JoseError> {
        Self::from_map(&strict::parse_object("JWK", bytes)?)
    }

    /// Reads a JWK from an already parsed JSON value.
    pub fn from_json(value: &Value) -> Result<Self, JoseError> {
        match value {
            Value::Object(map) => Self::from_map(map),
            _ => Err(JoseError::InvalidJwk("not a JSON object")),
        }
    }

    pub(crate) fn from_map(map: &Map<String, Value>) -> Result<Self, JoseError> {
        const WHAT: &str = "JWK";
        if let Some(private) = PRIVATE_MEMBERS.iter().find(|m| map.contains_key(**m)) {
            return Err(JoseError::PrivateKeyMaterial(private));
        }
        let key = match strict::str_member(map, WHAT, "kty")? {
            "EC" => {
                if strict::str_member(map, WHAT, "crv")? != "P-256" {
                    return Err(JoseError::InvalidJwk("only the P-256 curve is supported"));
                }
                let x = b64::decode_array::<32>("JWK x", strict::str_member(map, WHAT, "x")?)?;
                let y = b64::decode_array::<32>("JWK y", strict::str_member(map, WHAT, "y")?)?;
                let key = JwkKey::P256 { x, y };
                p256_point(&key)?;
                key
            }
            "RSA" => {
                let n = b64::decode("JWK n", strict::str_member(map, WHAT, "n")?)?;
                let e = b64::decode("JWK e", strict::str_member(map, WHAT, "e")?)?;
                if n.first() == Some(&0) || e.first() == Some(&0) {
                    return Err(JoseError::InvalidJwk(
                        "RSA n and e must not have leading zero octets",
                    ));
                }
                let key = JwkKey::Rsa { n, e };
                rsa_key(&key)?;
                key
            }
            _ => {
                return Err(JoseError::InvalidJwk(
                    "unsupported kty (EC P-256 and RSA only)",
                ));
            }
        };
        Ok(Self {
            key,
            kid: strict::opt_str_member(map, WHAT, "kid")?.map(str::to_owned),
            key_use: strict::opt_str_member(map, WHAT, "use")?.map(str::to_owned),
            alg: strict::opt_str_member(map, WHAT, "alg")?.map(str::to_owned),
        })
    }
}

/// The P-256 verifying key of a JWK, checking the point is on the curve.
pub(crate) fn p256_point(key: &JwkKey) -> Result<p256::ecdsa::VerifyingKey, JoseError> {
    let JwkKey::P256 { x, y } = key else {
        return Err(JoseError::InvalidJwk("not a P-256 key"));
    };
    let mut sec1 = [0u8; 65];
    sec1[0] = 0x04;
    sec1[1..33].copy_from_slice(x);
    sec1[33..].copy_from_slice(y);
    p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
        .map_err(|_| JoseError::InvalidJwk("x, y is not a point of P-256"))
}

/// The RSA public key of a JWK, within [`RSA_MIN_BITS`]..=[`RSA_MAX_BITS`].
pub(crate) fn rsa_key(key: &JwkKey) -> Result<RsaPublicKey, JoseError> {
    let JwkKey::Rsa { n, e } = key else {
        return Err(JoseError::InvalidJwk("not an RSA key"));
    };
    if n.len() * 8 > RSA_MAX_BITS || e.len() > 8 {
        return Err(JoseError::InvalidJwk("RSA key too large"));
    }
    let n = rsa::BoxedUint::from_be_slice_vartime(n);
    let e = rsa::BoxedUint::from_be_slice_vartime(e);
    RsaPublicKey::new_with_size_limits(n, e, RSA_MIN_BITS..=RSA_MAX_BITS)
        .map_err(|_| JoseError::InvalidJwk("RSA modulus or exponent out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1's example key and thumbprint.
    #[test]
    fn thumbprint_matches_rfc7638_example() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let text =
            format!(r#"{{"kty":"RSA","n":"{n}","e":"AQAB","alg":"RS256","kid":"2011-04-29"}}"#);
        let jwk = Jwk::parse(text.as_bytes()).unwrap();
        assert_eq!(
            jwk.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(jwk.kid.as_deref(), Some("2011-04-29"));
        assert_eq!(jwk.jws_algorithm(), JwsAlgorithm::Rs256);
    }

    #[test]
    fn p256_jwk_round_trips_and_thumbprint_ignores_metadata() {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let jwk = Jwk::from_p256(sk.verifying_key());
        let text = serde_json::to_vec(
            &jwk.clone()
                .with_kid("k1")
                .for_signing(JwsAlgorithm::Es256)
                .to_json(),
        )
        .unwrap();
        let back = Jwk::parse(&text).unwrap();
        assert_eq!(back.key(), jwk.key());
        assert_eq!(back.kid.as_deref(), Some("k1"));
        assert_eq!(back.thumbprint(), jwk.thumbprint());
        assert_eq!(
            back.verifying_key().unwrap().algorithm(),
            JwsAlgorithm::Es256
        );
    }

    #[test]
    fn rejects_points_off_the_curve() {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let mut json = Jwk::from_p256(sk.verifying_key()).to_json();
        let JwkKey::P256 { mut y, .. } = Jwk::from_json(&json).unwrap().key else {
            unreachable!()
        };
        y[31] ^= 1;
        json["y"] = Value::String(b64::encode(&y));
        assert_eq!(
            Jwk::from_json(&json),
            Err(JoseError::InvalidJwk("x, y is not a point of P-256"))
        );
    }

    #[test]
    fn rejects_private_keys_other_curves_and_short_coordinates() {
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let mut json = Jwk::from_p256(sk.verifying_key()).to_json();
        json["d"] = Value::String(b64::encode(&[7u8; 32]));
        assert_eq!(
            Jwk::from_json(&json),
            Err(JoseError::PrivateKeyMaterial("d"))
        );

        let mut json = Jwk::from_p256(sk.verifying_key()).to_json();
        json["crv"] = "P-384".into();
        assert!(Jwk::from_json(&json).is_err());

        let mut json = Jwk::from_p256(sk.verifying_key()).to_json();
        json["x"] = b64::encode(&[1u8; 31]).into();
        assert!(Jwk::from_json(&json).is_err());

        assert!(Jwk::parse(br#"{"kty":"oct","k":"AAAA"}"#).is_err());
        assert!(Jwk::parse(br#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#).is_err());
    }

    #[test]
    fn rejects_small_rsa_moduli_and_leading_zeros() {
        // A 1024-bit modulus (odd, top bit set): below our floor of 2048.
        let mut n = vec![0xffu8; 128];
        n[127] = 0xfb;
        let json = json!({"kty": "RSA", "n": b64::encode(&n), "e": "AQAB"});
        assert_eq!(
            Jwk::from_json(&json),
            Err(JoseError::InvalidJwk(
                "RSA modulus or exponent out of range"
            ))
        );
        let json = json!({"kty": "RSA", "n": b64::encode(&n), "e": "AAEAAQ"});
        assert!(Jwk::from_json(&json).is_err());
    }
}
