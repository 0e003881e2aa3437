//! Issuance of the identity credential by the server.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{Disclosure, SD_ALG, SD_JWT_VC_TYP, SdJwtError, sha256_b64};
use crate::jose::{Jwk, JwsSigner, b64, jws};
use crate::rng::random_bytes;

/// What the server puts in a credential.
#[derive(Debug, Clone)]
pub struct Issuance<'a> {
    /// `iss`: the server's issuer identifier (its URL).
    pub issuer: &'a str,
    /// `vct`: the credential type.
    pub vct: &'a str,
    /// `iat`, seconds since the Unix epoch.
    pub issued_at: i64,
    /// `exp`: the document's expiry; the identity ends with the document.
    pub expires_at: i64,
    /// `cnf.jwk`: the wallet's device public key.
    pub holder_key: &'a Jwk,
    /// The claims, every one selectively disclosable.
    pub claims: Vec<(String, Value)>,
    /// Decoy digests are added until `_sd` has at least this many entries, so the
    /// number of digests does not tell which optional claims a citizen has.
    pub min_digests: usize,
}

/// Default for [`Issuance::min_digests`]: above the 8 claims alicem issues.
pub const DEFAULT_MIN_DIGESTS: usize = 12;

/// Issues the credential: returns `<issuer JWT>~<disclosure>~…~` (all disclosures,
/// for the holder).
pub fn issue(
    issuance: &Issuance<'_>,
    signer: &(impl JwsSigner + ?Sized),
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> Result<String, SdJwtError> {
    let mut names = BTreeSet::new();
    let mut disclosures = Vec::with_capacity(issuance.claims.len());
    for (name, value) in &issuance.claims {
        if !names.insert(name.as_str()) {
            return Err(SdJwtError::DuplicateClaim { name: name.clone() });
        }
        disclosures.push(
            Disclosure::new(name, value.clone(), rng)
                .map_err(|_| SdJwtError::NonDisclosableClaim { name: name.clone() })?,
        );
    }
    let mut digests: Vec<String> = disclosures.iter().map(Disclosure::digest).collect();
    while digests.len() < issuance.min_digests {
        // RFC 9901 §4.2.5: a decoy is the digest of random data.
        digests.push(sha256_b64(&b64::encode(&random_bytes::<32>(rng))));
    }
    // Sorted, so the order reveals neither the claim order nor which are decoys.
    digests.sort();

    let mut payload = Map::new();
    payload.insert("iss".into(), issuance.issuer.into());
    payload.insert("iat".into(), issuance.issued_at.into());
    payload.insert("exp".into(), issuance.expires_at.into());
    payload.insert("vct".into(), issuance.vct.into());
    payload.insert(
        "cnf".into(),
        serde_json::json!({ "jwk": issuance.holder_key.without_metadata().to_json() }),
    );
    payload.insert("_sd".into(), digests.into());
    payload.insert("_sd_alg".into(), SD_ALG.into());

    let jwt = jws::sign(
        jws::HeaderParams {
            typ: Some(SD_JWT_VC_TYP),
            cty: None,
        },
        Value::Object(payload).to_string().as_bytes(),
        signer,
    )
    .map_err(SdJwtError::IssuerJwt)?;
    let mut out = jwt;
    out.push('~');
    for d in &disclosures {
        out.push_str(d.encoded());
        out.push('~');
    }
    Ok(out)
}
