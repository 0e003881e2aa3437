//! The server's secrets, each a 0600 file created on first start:
//!
//! - `keys/issuer.pem`: the ES256 key that signs credentials and erasure receipts
//!   (PKCS#8 PEM; its public half is published in the JWKS);
//! - the PIN pepper (`pin-pepper`, 32 random bytes; never in the database);
//! - `keys/document-fingerprint.key`: the HMAC key of document fingerprints, so the
//!   database alone does not tell which document an identity was built on.

use std::path::Path;

use alicem_credential::jose::{Jwk, JwkSet, JwsSigner, SigningKey};
use alicem_credential::pin::Pepper;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::config::Config;
use crate::fsutil;

/// Why the keys could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {detail}")]
    Invalid { path: String, detail: String },
}

/// The server's keys.
pub struct ServerKeys {
    /// Signs credentials and erasure receipts (`kid` = RFC 7638 thumbprint).
    pub issuer: SigningKey,
    pub pepper: Pepper,
    fingerprint_key: Zeroizing<[u8; 32]>,
}

impl core::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerKeys")
            .field("issuer", &self.issuer)
            .field("pepper", &self.pepper)
            .finish_non_exhaustive()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads a secret file, or creates it with `make()` (0600) when absent.
fn load_or_create(
    path: &Path,
    make: impl FnOnce() -> Result<Zeroizing<Vec<u8>>, KeyError>,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if let Some(parent) = path.parent() {
        fsutil::create_private_dir(parent).map_err(io(path))?;
    }
    match fsutil::read_private_file(path) {
        Ok(bytes) => Ok(Zeroizing::new(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let bytes = make()?;
            fsutil::create_private_file(path, &bytes).map_err(io(path))?;
            tracing::info!(path = %path.display(), "created a new server secret");
            Ok(bytes)
        }
        Err(e) => Err(io(path)(e)),
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut out);
    out
}

impl ServerKeys {
    /// Loads the keys named by the configuration, creating missing ones.
    pub fn load_or_create(config: &Config) -> Result<Self, KeyError> {
        let keys = config.keys_dir();
        let issuer_path = keys.join("issuer.pem");
        let pem = load_or_create(&issuer_path, || {
            use p256::pkcs8::EncodePrivateKey;
            let key = p256::ecdsa::SigningKey::from_slice(&random::<32>()).map_err(|e| {
                KeyError::Invalid {
                    path: issuer_path.display().to_string(),
                    detail: e.to_string(),
                }
            })?;
            let pem =
                key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
                    .map_err(|e| KeyError::Invalid {
                        path: issuer_path.display().to_string(),
                        detail: e.to_string(),
                    })?;
            Ok(Zeroizing::new(pem.as_bytes().to_vec()))
        })?;
        let text = std::str::from_utf8(&pem).map_err(|_| KeyError::Invalid {
            path: issuer_path.display().to_string(),
            detail: "not PEM text".into(),
        })?;
        let issuer = SigningKey::from_pkcs8_pem(text)
            .map_err(|e| KeyError::Invalid {
                path: issuer_path.display().to_string(),
                detail: e.to_string(),
            })?
            .with_thumbprint_kid();

        let pepper_path = config.pepper_file();
        let secret = load_or_create(&pepper_path, || Ok(Zeroizing::new(random::<32>().to_vec())))?;
        let pepper = Pepper::new(1, &secret).map_err(|e| KeyError::Invalid {
            path: pepper_path.display().to_string(),
            detail: e.to_string(),
        })?;

        let fp_path = keys.join("document-fingerprint.key");
        let fp = load_or_create(&fp_path, || Ok(Zeroizing::new(random::<32>().to_vec())))?;
        let fingerprint_key: [u8; 32] =
            fp.as_slice().try_into().map_err(|_| KeyError::Invalid {
                path: fp_path.display().to_string(),
                detail: "expected 32 bytes".into(),
            })?;
        Ok(Self {
            issuer,
            pepper,
            fingerprint_key: Zeroizing::new(fingerprint_key),
        })
    }

    /// The keyed fingerprint of a document: HMAC-SHA-256 over the issuing state and
    /// the document number (MRZ form, fillers removed), base64url.
    pub fn document_fingerprint(&self, issuing_state: &str, document_number: &str) -> String {
        let clean = |s: &str| s.trim_end_matches('<').trim().to_ascii_uppercase();
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(self.fingerprint_key.as_ref())
        else {
            return String::new();
        };
        mac.update(b"alicem-document-fingerprint-v1\0");
        mac.update(clean(issuing_state).as_bytes());
        mac.update(b"\0");
        mac.update(clean(document_number).as_bytes());
        alicem_credential::jose::b64::encode(&mac.finalize().into_bytes())
    }

    /// The public keys (JWKS) that verify credentials and receipts.
    pub fn issuer_jwks(&self) -> JwkSet {
        JwkSet::new(vec![self.issuer_jwk()])
    }

    pub fn issuer_jwk(&self) -> Jwk {
        self.issuer.public_jwk()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn creates_secrets_once_with_private_permissions_and_reloads_them() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        let first = ServerKeys::load_or_create(&config).unwrap();
        let again = ServerKeys::load_or_create(&config).unwrap();
        assert_eq!(
            first.issuer_jwk().thumbprint(),
            again.issuer_jwk().thumbprint()
        );
        assert_eq!(
            first.document_fingerprint("FRA", "12AB34567"),
            again.document_fingerprint("FRA", "12AB34567<")
        );
        assert_ne!(
            first.document_fingerprint("FRA", "12AB34567"),
            first.document_fingerprint("D", "12AB34567")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for file in [config.pepper_file(), config.keys_dir().join("issuer.pem")] {
                let mode = std::fs::metadata(&file).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", file.display());
            }
        }
    }

    #[test]
    fn refuses_a_pepper_others_can_read() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        ServerKeys::load_or_create(&config).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(config.pepper_file(), std::fs::Permissions::from_mode(0o644))
                .unwrap();
            assert!(ServerKeys::load_or_create(&config).is_err());
        }
    }
}
