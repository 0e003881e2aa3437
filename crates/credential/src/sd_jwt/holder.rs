//! The wallet's side: keep the issued credential, present parts of it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::payload::CredentialPayload;
use super::{Disclosure, KB_JWT_TYP, SD_JWT_VC_TYP, SdJwtError, compact, sha256_b64};
use crate::jose::{JwkSet, JwsSigner, UnverifiedJws, jws};

/// What ties a presentation to one login request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyBindingInput<'a> {
    /// `aud`: the verifier (the identity server's identifier).
    pub audience: &'a str,
    /// `nonce`: the login request's single-use value.
    pub nonce: &'a str,
    /// `iat`: now, seconds since the Unix epoch.
    pub issued_at: i64,
}

/// An issued credential as the wallet holds it: issuer-signed JWT plus every
/// disclosure, checked to be consistent (each disclosure referenced exactly once).
#[derive(Clone)]
pub struct SdJwtCredential {
    issued: String,
    jwt: UnverifiedJws,
    payload: CredentialPayload,
    disclosures: Vec<Disclosure>,
}

impl core::fmt::Debug for SdJwtCredential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SdJwtCredential")
            .field("vct", &self.payload.vct)
            .field("claims", &self.claim_names())
            .finish_non_exhaustive()
    }
}

impl SdJwtCredential {
    /// Parses an issued SD-JWT (`<JWT>~<D>~…~`, no key binding). The issuer's
    /// signature is not checked here (see [`Self::verify_issuer`]); the structure
    /// and every disclosure digest are.
    pub fn parse(issued: &str) -> Result<Self, SdJwtError> {
        let parts = compact::split(issued)?;
        if parts.kb_jwt.is_some() {
            return Err(SdJwtError::KeyBindingUnexpected);
        }
        let jwt = UnverifiedJws::parse(parts.issuer_jwt).map_err(SdJwtError::IssuerJwt)?;
        jwt.header()
            .expect_typ(SD_JWT_VC_TYP)
            .map_err(SdJwtError::IssuerJwt)?;
        let members = crate::jose::json::parse_object("SD-JWT payload", jwt.unverified_payload())
            .map_err(SdJwtError::IssuerJwt)?;
        let payload = CredentialPayload::from_claims(members)?;
        let disclosures = check_disclosures(&payload, &parts.disclosures, None)?;
        Ok(Self {
            issued: issued.to_owned(),
            jwt,
            payload,
            disclosures,
        })
    }

    /// Checks the issuer's signature against its published keys.
    pub fn verify_issuer(&self, keys: &JwkSet) -> Result<(), SdJwtError> {
        self.jwt
            .clone()
            .verify_with_set(keys)
            .map(|_| ())
            .map_err(SdJwtError::IssuerJwt)
    }

    /// The serialization to store.
    pub fn as_str(&self) -> &str {
        &self.issued
    }

    pub fn payload(&self) -> &CredentialPayload {
        &self.payload
    }

    /// Names of the claims the credential can disclose.
    pub fn claim_names(&self) -> Vec<&str> {
        self.disclosures.iter().map(Disclosure::name).collect()
    }

    /// Every claim, for the citizen's own display.
    pub fn claims(&self) -> BTreeMap<&str, &Value> {
        self.disclosures
            .iter()
            .map(|d| (d.name(), d.value()))
            .collect()
    }

    /// Builds a presentation with only `names` disclosed, bound by a Key-Binding
    /// JWT signed with the device key to this request's audience and nonce. The
    /// signer must be the credential's `cnf` key.
    pub fn present(
        &self,
        names: &[&str],
        binding: &KeyBindingInput<'_>,
        signer: &(impl JwsSigner + ?Sized),
    ) -> Result<String, SdJwtError> {
        if signer.public_jwk().thumbprint() != self.payload.holder_key.thumbprint() {
            return Err(SdJwtError::HolderKeyMismatch);
        }
        let wanted: BTreeSet<&str> = names.iter().copied().collect();
        if let Some(missing) = wanted
            .iter()
            .find(|n| !self.disclosures.iter().any(|d| d.name() == **n))
        {
            return Err(SdJwtError::ClaimNotInCredential {
                name: (*missing).to_owned(),
            });
        }
        let jwt_end = self.issued.find('~').unwrap_or(self.issued.len());
        let mut sd_jwt = self.issued.get(..jwt_end).unwrap_or_default().to_owned();
        sd_jwt.push('~');
        for d in self
            .disclosures
            .iter()
            .filter(|d| wanted.contains(d.name()))
        {
            sd_jwt.push_str(d.encoded());
            sd_jwt.push('~');
        }
        let mut claims = Map::new();
        claims.insert("iat".into(), binding.issued_at.into());
        claims.insert("aud".into(), binding.audience.into());
        claims.insert("nonce".into(), binding.nonce.into());
        claims.insert("sd_hash".into(), sha256_b64(&sd_jwt).into());
        let kb = jws::sign(
            jws::HeaderParams {
                typ: Some(KB_JWT_TYP),
                cty: None,
            },
            Value::Object(claims).to_string().as_bytes(),
            signer,
        )
        .map_err(SdJwtError::KeyBindingJwt)?;
        sd_jwt.push_str(&kb);
        Ok(sd_jwt)
    }
}

/// Parses disclosures and checks them against the payload: each referenced by `_sd`,
/// none twice, no claim name twice or clashing with a clear claim, and (when
/// `requested` is given) none outside the request.
pub(crate) fn check_disclosures(
    payload: &CredentialPayload,
    encoded: &[&str],
    requested: Option<&BTreeSet<&str>>,
) -> Result<Vec<Disclosure>, SdJwtError> {
    let mut seen_digests = BTreeSet::new();
    let mut seen_names = BTreeSet::new();
    let mut out = Vec::with_capacity(encoded.len());
    for (index, text) in encoded.iter().enumerate() {
        let d = Disclosure::parse(text, index)?;
        let name = d.name().to_owned();
        let digest = d.digest();
        if !seen_digests.insert(digest.clone()) {
            return Err(SdJwtError::DuplicateDisclosure { name });
        }
        if !payload.digests.contains(&digest) {
            return Err(SdJwtError::UnreferencedDisclosure { name });
        }
        if payload.has_clear_claim(&name) {
            return Err(SdJwtError::ClaimNameClash { name });
        }
        if requested.is_some_and(|r| !r.contains(name.as_str())) {
            return Err(SdJwtError::UnrequestedClaim { name });
        }
        if !seen_names.insert(name.clone()) {
            return Err(SdJwtError::DuplicateClaim { name });
        }
        out.push(d);
    }
    Ok(out)
}
