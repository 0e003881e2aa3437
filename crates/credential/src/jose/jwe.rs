//! JWE compact serialization (RFC 7516) for the two key managements FranceConnect+
//! uses to encrypt ID tokens and userinfo to a relying party: `RSA-OAEP-256` (key
//! encryption, RFC 7518 §4.3) and `ECDH-ES` on P-256 (direct key agreement, §4.6),
//! both with `A256GCM` content encryption (§5.3).
//!
//! The Concat KDF of §4.6.2 (NIST SP 800-56A §5.8.1) is written here on `sha2`: it
//! is a single hash call for a 256-bit key and the `concat-kdf` crate does not
//! follow RustCrypto's current `digest` release. HKDF is a different function and
//! would not interoperate.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use rsa::{Oaep, RsaPrivateKey, RsaPublicKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::header::parse_protected;
use super::jwk::{JwkKey, p256_point, rsa_key};
use super::{JoseError, Jwk, b64, json};

/// Largest compact JWE accepted for decryption.
pub const MAX_JWE_LEN: usize = 128 * 1024;

/// The only content encryption we produce and accept.
pub const ENC_A256GCM: &str = "A256GCM";

/// How the content key reaches the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyManagement {
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256.
    RsaOaep256,
    /// Ephemeral-static ECDH on P-256, the derived key used directly as the CEK.
    EcdhEs,
}

impl KeyManagement {
    pub fn name(self) -> &'static str {
        match self {
            KeyManagement::RsaOaep256 => "RSA-OAEP-256",
            KeyManagement::EcdhEs => "ECDH-ES",
        }
    }

    pub fn from_name(name: &str) -> Result<Self, JoseError> {
        match name {
            "RSA-OAEP-256" => Ok(KeyManagement::RsaOaep256),
            "ECDH-ES" => Ok(KeyManagement::EcdhEs),
            other => Err(JoseError::UnsupportedAlgorithm(
                other.chars().take(32).collect(),
            )),
        }
    }
}

/// A recipient's public encryption key, from its JWK (`use` must be `enc` or absent).
#[derive(Debug, Clone)]
pub struct EncryptionKey {
    key: RecipientKey,
    kid: Option<String>,
}

#[derive(Debug, Clone)]
enum RecipientKey {
    Rsa(Box<RsaPublicKey>),
    P256(p256::PublicKey),
}

impl EncryptionKey {
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, JoseError> {
        if jwk.key_use.as_deref().is_some_and(|u| u != "enc") {
            return Err(JoseError::InvalidJwk("key is not for encryption"));
        }
        let key = match jwk.key() {
            k @ JwkKey::Rsa { .. } => RecipientKey::Rsa(Box::new(rsa_key(k)?)),
            k @ JwkKey::P256 { .. } => RecipientKey::P256(p256::PublicKey::from(p256_point(k)?)),
        };
        Ok(Self {
            key,
            kid: jwk.kid.clone(),
        })
    }

    /// The key management this key type implies.
    pub fn key_management(&self) -> KeyManagement {
        match self.key {
            RecipientKey::Rsa(_) => KeyManagement::RsaOaep256,
            RecipientKey::P256(_) => KeyManagement::EcdhEs,
        }
    }
}

/// A recipient's private key, to decrypt (relying parties, tests, the demo RP).
pub enum DecryptionKey {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::SecretKey),
}

impl core::fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            DecryptionKey::Rsa(_) => "DecryptionKey::Rsa",
            DecryptionKey::P256(_) => "DecryptionKey::P256",
        })
    }
}

/// Concat KDF (RFC 7518 §4.6.2): rounds of SHA-256(counter ‖ Z ‖ AlgorithmID ‖
/// PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo), each info field length-prefixed (32-bit
/// big-endian), SuppPubInfo the key length in bits. Fills `out`.
pub fn concat_kdf(z: &[u8], algorithm_id: &str, apu: &[u8], apv: &[u8], out: &mut [u8]) {
    let len = |b: &[u8]| u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes();
    let bits = u32::try_from(out.len().saturating_mul(8)).unwrap_or(u32::MAX);
    for (round, chunk) in out.chunks_mut(32).enumerate() {
        let counter = u32::try_from(round + 1).unwrap_or(u32::MAX);
        let mut h = Sha256::new();
        h.update(counter.to_be_bytes());
        h.update(z);
        h.update(len(algorithm_id.as_bytes()));
        h.update(algorithm_id.as_bytes());
        h.update(len(apu));
        h.update(apu);
        h.update(len(apv));
        h.update(apv);
        h.update(bits.to_be_bytes());
        let block = Zeroizing::new(<[u8; 32]>::from(h.finalize()));
        let n = chunk.len();
        chunk.copy_from_slice(block.get(..n).unwrap_or_default());
    }
}

fn concat_kdf_256(z: &[u8], algorithm_id: &str, apu: &[u8], apv: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    concat_kdf(z, algorithm_id, apu, apv, out.as_mut());
    out
}

/// Encrypts `plaintext` to `recipient`. `cty` is `"JWT"` for a nested (signed then
/// encrypted) token, as OpenID Connect Core §10.2 asks.
pub fn encrypt(
    plaintext: &[u8],
    recipient: &EncryptionKey,
    cty: Option<&str>,
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> Result<String, JoseError> {
    let km = recipient.key_management();
    let mut header = Map::new();
    header.insert("alg".into(), km.name().into());
    header.insert("enc".into(), ENC_A256GCM.into());
    if let Some(kid) = &recipient.kid {
        header.insert("kid".into(), kid.clone().into());
    }
    if let Some(cty) = cty {
        header.insert("cty".into(), cty.into());
    }
    let (cek, encrypted_key) = match &recipient.key {
        RecipientKey::Rsa(public) => {
            let mut cek = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(cek.as_mut());
            let wrapped = public
                .encrypt(rng, Oaep::<Sha256>::new(), cek.as_ref())
                .map_err(|_| JoseError::Signing)?;
            (cek, wrapped)
        }
        RecipientKey::P256(public) => {
            let ephemeral = {
                use p256::elliptic_curve::Generate;
                p256::ecdh::EphemeralSecret::generate_from_rng(rng)
            };
            let epk = Jwk::from_p256(&p256::ecdsa::VerifyingKey::from(ephemeral.public_key()));
            header.insert("epk".into(), epk.to_json());
            let shared = ephemeral.diffie_hellman(public);
            let cek = concat_kdf_256(shared.raw_secret_bytes().as_slice(), ENC_A256GCM, b"", b"");
            (cek, Vec::new())
        }
    };
    let protected = b64::encode(Value::Object(header).to_string().as_bytes());
    let mut iv = [0u8; 12];
    rng.fill_bytes(&mut iv);
    let cipher = Aes256Gcm::new_from_slice(cek.as_ref()).map_err(|_| JoseError::Signing)?;
    let mut buffer = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(
            &Nonce::from(iv),
            protected.as_bytes(),
            buffer.as_mut_slice().into(),
        )
        .map_err(|_| JoseError::Signing)?;
    Ok(format!(
        "{protected}.{}.{}.{}.{}",
        b64::encode(&encrypted_key),
        b64::encode(&iv),
        b64::encode(&buffer),
        b64::encode(tag.as_slice())
    ))
}

/// A decrypted JWE: the plaintext and the protected header's `cty`.
#[derive(Debug)]
pub struct Decrypted {
    pub plaintext: Zeroizing<Vec<u8>>,
    pub cty: Option<String>,
}

/// Decrypts a compact JWE. Any failure after parsing is the one opaque
/// [`JoseError::BadSignature`] (no oracle on padding or tag).
pub fn decrypt(token: &str, key: &DecryptionKey) -> Result<Decrypted, JoseError> {
    const WHAT: &str = "compact JWE";
    if token.len() > MAX_JWE_LEN {
        return Err(JoseError::TooLarge {
            what: WHAT,
            len: token.len(),
            limit: MAX_JWE_LEN,
        });
    }
    let mut parts = token.split('.');
    let (Some(h), Some(ek), Some(iv), Some(ct), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(JoseError::Malformed {
            what: WHAT,
            reason: "expected five dot-separated parts",
        });
    };
    let header = parse_protected(&b64::decode("JWE header", h)?)?;
    const HDR: &str = "JWE header";
    let km = KeyManagement::from_name(json::str_member(&header, HDR, "alg")?)?;
    if json::str_member(&header, HDR, "enc")? != ENC_A256GCM {
        return Err(JoseError::UnsupportedAlgorithm("enc".into()));
    }
    if header.contains_key("zip") {
        return Err(JoseError::Malformed {
            what: HDR,
            reason: "compression is not supported",
        });
    }
    let encrypted_key = b64::decode("JWE encrypted key", ek)?;
    let iv = b64::decode_array::<12>("JWE iv", iv)?;
    let mut buffer = b64::decode("JWE ciphertext", ct)?;
    let tag = b64::decode_array::<16>("JWE tag", tag)?;
    let cek: Zeroizing<[u8; 32]> = match (km, key) {
        (KeyManagement::RsaOaep256, DecryptionKey::Rsa(private)) => {
            let cek = Zeroizing::new(
                private
                    .decrypt(Oaep::<Sha256>::new(), &encrypted_key)
                    .map_err(|_| JoseError::BadSignature)?,
            );
            let arr: [u8; 32] = cek
                .as_slice()
                .try_into()
                .map_err(|_| JoseError::BadSignature)?;
            Zeroizing::new(arr)
        }
        (KeyManagement::EcdhEs, DecryptionKey::P256(secret)) => {
            if !encrypted_key.is_empty() {
                return Err(JoseError::Malformed {
                    what: WHAT,
                    reason: "ECDH-ES carries no encrypted key",
                });
            }
            let epk = match header.get("epk") {
                Some(v) => Jwk::from_json(v)?,
                None => {
                    return Err(JoseError::Member {
                        what: HDR,
                        member: "epk",
                    });
                }
            };
            let epk = p256::PublicKey::from(p256_point(epk.key())?);
            let apu = opt_b64(&header, "apu")?;
            let apv = opt_b64(&header, "apv")?;
            let shared = secret.diffie_hellman(&epk);
            concat_kdf_256(
                shared.raw_secret_bytes().as_slice(),
                ENC_A256GCM,
                &apu,
                &apv,
            )
        }
        _ => {
            return Err(JoseError::AlgorithmMismatch {
                token: km.name(),
                key: match key {
                    DecryptionKey::Rsa(_) => "RSA",
                    DecryptionKey::P256(_) => "EC P-256",
                },
            });
        }
    };
    let cipher = Aes256Gcm::new_from_slice(cek.as_ref()).map_err(|_| JoseError::BadSignature)?;
    cipher
        .decrypt_inout_detached(
            &Nonce::from(iv),
            h.as_bytes(),
            buffer.as_mut_slice().into(),
            &Tag::from(tag),
        )
        .map_err(|_| JoseError::BadSignature)?;
    Ok(Decrypted {
        plaintext: Zeroizing::new(buffer),
        cty: json::opt_str_member(&header, HDR, "cty")?.map(str::to_owned),
    })
}

fn opt_b64(header: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, JoseError> {
    match json::opt_str_member(header, "JWE header", name)? {
        Some(text) => b64::decode("JWE header apu/apv", text),
        None => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn gen_secret(rng: &mut rand::rngs::StdRng) -> p256::SecretKey {
        use p256::elliptic_curve::Generate;
        p256::SecretKey::generate_from_rng(rng)
    }

    fn rng() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(11)
    }

    #[test]
    fn concat_kdf_matches_rfc7518_appendix_c() {
        // RFC 7518 Appendix C: ECDH-ES, enc A128GCM, apu "Alice", apv "Bob".
        let z: [u8; 32] = [
            158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
            110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
        ];
        let mut key = [0u8; 16];
        concat_kdf(&z, "A128GCM", b"Alice", b"Bob", &mut key);
        assert_eq!(b64::encode(&key), "VqqN6vgjbSBcIijNcacQGg");
    }

    #[test]
    fn ecdh_es_round_trips_and_rejects_tampering() {
        let mut rng = rng();
        let secret = gen_secret(&mut rng);
        let jwk = Jwk::from_p256(&p256::ecdsa::VerifyingKey::from(secret.public_key()))
            .with_kid("rp-enc");
        let key = EncryptionKey::from_jwk(&jwk).unwrap();
        let token = encrypt(b"{\"sub\":\"x\"}", &key, Some("JWT"), &mut rng).unwrap();
        assert_eq!(token.split('.').nth(1), Some(""));
        let dk = DecryptionKey::P256(secret);
        let out = decrypt(&token, &dk).unwrap();
        assert_eq!(out.plaintext.as_slice(), b"{\"sub\":\"x\"}");
        assert_eq!(out.cty.as_deref(), Some("JWT"));
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[3] = b64::encode(b"{\"sub\":\"y\"}");
        assert_eq!(
            decrypt(&parts.join("."), &dk).unwrap_err(),
            JoseError::BadSignature
        );
        let other = DecryptionKey::P256(gen_secret(&mut rng));
        assert_eq!(
            decrypt(&token, &other).unwrap_err(),
            JoseError::BadSignature
        );
    }

    #[test]
    fn rsa_oaep_256_round_trips_and_refuses_the_wrong_key_type() {
        let mut rng = rng();
        let private = RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let jwk = Jwk::from_rsa(&private.to_public_key());
        let key = EncryptionKey::from_jwk(&jwk).unwrap();
        let token = encrypt(b"hello", &key, None, &mut rng).unwrap();
        let out = decrypt(&token, &DecryptionKey::Rsa(Box::new(private))).unwrap();
        assert_eq!(out.plaintext.as_slice(), b"hello");
        let ec = DecryptionKey::P256(gen_secret(&mut rng));
        assert!(matches!(
            decrypt(&token, &ec),
            Err(JoseError::AlgorithmMismatch { .. })
        ));
    }

    #[test]
    fn refuses_signing_keys_and_malformed_tokens() {
        let mut rng = rng();
        let secret = gen_secret(&mut rng);
        let mut jwk = Jwk::from_p256(&p256::ecdsa::VerifyingKey::from(secret.public_key()));
        jwk.key_use = Some("sig".into());
        assert!(EncryptionKey::from_jwk(&jwk).is_err());
        let dk = DecryptionKey::P256(secret);
        for bad in ["", "a.b.c", "a.b.c.d.e.f", "e30.AA.AA.AA.AA"] {
            assert!(decrypt(bad, &dk).is_err());
        }
    }
}
