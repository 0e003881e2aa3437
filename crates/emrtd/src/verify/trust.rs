//! The trust store of Passive Authentication: CSCA certificates (self-signed and link
//! certificates) from certificate files and verified master lists, and the CRLs that
//! revoke Document Signers. Built from bytes: reading files is the caller's business.

use std::collections::HashMap;
use std::sync::RwLock;

use der::DateTime;

use super::certificate::{Certificate, CertificateError};
use super::crl::Crl;
use super::master_list::{MasterList, MasterListError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("{source_name}: {error}")]
    MasterList {
        source_name: String,
        error: MasterListError,
    },
    #[error("{source_name}: {error}")]
    Certificate {
        source_name: String,
        error: CertificateError,
    },
    #[error("{0}: neither a certificate, a CSCA master list nor a CRL")]
    Unrecognised(String),
}

/// A trusted CSCA certificate and where it came from.
#[derive(Debug, Clone)]
pub struct TrustAnchor {
    pub certificate: Certificate,
    /// The file (or master list) it was loaded from.
    pub source: String,
}

/// What one loaded item contributed.
#[derive(Debug, Clone)]
pub enum Loaded {
    Certificates(usize),
    /// Certificates that are not CAs (a Document Signer, say): not trusted.
    NotCa(usize),
    MasterList(Box<MasterList>),
    Crl,
}

/// Document Signer certificates already verified against an anchor (SHA-256 of the
/// certificate → anchor index): a server sees the same few Document Signers on
/// thousands of documents, so each certificate signature is checked once.
#[derive(Debug, Default)]
struct ChainCache(RwLock<HashMap<[u8; 32], usize>>);

impl Clone for ChainCache {
    fn clone(&self) -> Self {
        let map = self.0.read().map(|m| m.clone()).unwrap_or_default();
        Self(RwLock::new(map))
    }
}

/// CRL signatures already checked: (CRL index, issuer fingerprint) → valid.
#[derive(Debug, Default)]
struct CrlCache(RwLock<HashMap<(usize, [u8; 32]), bool>>);

impl Clone for CrlCache {
    fn clone(&self) -> Self {
        let map = self.0.read().map(|m| m.clone()).unwrap_or_default();
        Self(RwLock::new(map))
    }
}

/// CSCAs and CRLs.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<TrustAnchor>,
    crls: Vec<Crl>,
    verified: ChainCache,
    crl_signatures: CrlCache,
}

/// The outcome of a revocation check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Revocation {
    /// A CRL signed by the issuer is known and does not list the certificate.
    NotRevoked,
    /// Listed on a valid CRL of the issuer.
    Revoked,
    /// No CRL of the issuer is known.
    NoCrl,
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// Adds a CSCA certificate (ignoring an exact duplicate).
    pub fn add_certificate(&mut self, certificate: Certificate, source: &str) {
        if self.anchors.iter().any(|a| a.certificate == certificate) {
            return;
        }
        self.anchors.push(TrustAnchor {
            certificate,
            source: source.to_string(),
        });
    }

    /// Adds every certificate of a verified master list.
    pub fn add_master_list(&mut self, list: &MasterList, source: &str) {
        for c in &list.certificates {
            self.add_certificate(c.clone(), source);
        }
    }

    pub fn add_crl(&mut self, crl: Crl) {
        self.crls.push(crl);
    }

    /// Loads a file's bytes, recognising a CSCA master list (CMS), a certificate (DER or
    /// PEM, possibly several) or a CRL.
    pub fn load(&mut self, source: &str, bytes: &[u8]) -> Result<Loaded, TrustError> {
        let looks_like_cms = bytes.windows(11).take(40).any(|w| {
            w == [
                0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
            ]
        });
        if looks_like_cms {
            let list = MasterList::parse(bytes).map_err(|error| TrustError::MasterList {
                source_name: source.to_string(),
                error,
            })?;
            self.add_master_list(&list, source);
            return Ok(Loaded::MasterList(Box::new(list)));
        }
        match Certificate::from_pem_or_der(bytes) {
            Ok(certs) => {
                let (cas, others): (Vec<_>, Vec<_>) = certs
                    .into_iter()
                    .partition(|c| c.is_ca() || c.is_self_issued());
                if cas.is_empty() {
                    return Ok(Loaded::NotCa(others.len()));
                }
                let n = cas.len();
                for c in cas {
                    self.add_certificate(c, source);
                }
                Ok(Loaded::Certificates(n))
            }
            Err(cert_error) => match Crl::from_der(bytes) {
                Ok(crl) => {
                    self.add_crl(crl);
                    Ok(Loaded::Crl)
                }
                Err(_) if bytes.starts_with(b"-----BEGIN") || bytes.first() == Some(&0x30) => {
                    Err(TrustError::Certificate {
                        source_name: source.to_string(),
                        error: cert_error,
                    })
                }
                Err(_) => Err(TrustError::Unrecognised(source.to_string())),
            },
        }
    }

    /// The anchor whose signature on `certificate` was already verified.
    pub fn cached_issuer(&self, certificate: &Certificate) -> Option<&TrustAnchor> {
        let key = certificate.fingerprint_bytes();
        let index = *self.cache().read().ok()?.get(&key)?;
        self.anchors.get(index)
    }

    /// Remembers that `anchor` verifiably issued `certificate`.
    pub fn remember_issuer(&self, certificate: &Certificate, anchor: &TrustAnchor) {
        let Some(index) = self
            .anchors
            .iter()
            .position(|a| a.certificate == anchor.certificate)
        else {
            return;
        };
        if let Ok(mut map) = self.cache().write() {
            map.insert(certificate.fingerprint_bytes(), index);
        }
    }

    fn cache(&self) -> &RwLock<HashMap<[u8; 32], usize>> {
        &self.verified.0
    }

    /// The anchors that may have issued `certificate` (by name and key identifier).
    pub fn issuers_of<'a>(
        &'a self,
        certificate: &'a Certificate,
    ) -> impl Iterator<Item = &'a TrustAnchor> + 'a {
        self.anchors
            .iter()
            .filter(move |a| certificate.may_be_issued_by(&a.certificate))
    }

    /// Whether `certificate` issued by `issuer` is revoked at `at`, according to the
    /// CRLs whose signature by `issuer` verifies.
    pub fn revocation(
        &self,
        certificate: &Certificate,
        issuer: &Certificate,
        at: DateTime,
    ) -> Revocation {
        let mut any_crl = false;
        let issuer_print = issuer.fingerprint_bytes();
        for (index, crl) in self.crls.iter().enumerate() {
            if !crl.is_issued_by(issuer) {
                continue;
            }
            let key = (index, issuer_print);
            let cached = self
                .crl_signatures
                .0
                .read()
                .ok()
                .and_then(|m| m.get(&key).copied());
            let signed = cached.unwrap_or_else(|| {
                let ok = crl.verify_signed_by(issuer).is_ok();
                if let Ok(mut m) = self.crl_signatures.0.write() {
                    m.insert(key, ok);
                }
                ok
            });
            if !signed {
                continue;
            }
            any_crl = true;
            if crl.revokes(certificate, at) {
                return Revocation::Revoked;
            }
        }
        if any_crl {
            Revocation::NotRevoked
        } else {
            Revocation::NoCrl
        }
    }
}
