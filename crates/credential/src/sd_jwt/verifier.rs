//! The server's side: verify a presentation sent to approve one login.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::holder::check_disclosures;
use super::issuer_cache::{IssuerSignatureCache, verify_issuer_jwt};
use super::payload::CredentialPayload;
use super::{KB_JWT_TYP, SdJwtError, compact, sha256_b64};
use crate::jose::jwt::{Clock, check_validity};
use crate::jose::{Jwk, JwkSet, UnverifiedJws, json};

/// What the server expects of a presentation for one login request.
#[derive(Debug, Clone)]
pub struct PresentationPolicy<'a> {
    /// The `vct` the server issues.
    pub vct: &'a str,
    /// The `iss` the server issues under, if it should be checked.
    pub issuer: Option<&'a str>,
    /// The KB-JWT `aud` (the server's identifier).
    pub audience: &'a str,
    /// The login request's nonce.
    pub nonce: &'a str,
    pub clock: Clock,
    /// How old a KB-JWT may be, in seconds (a login request lives a few minutes).
    pub max_key_binding_age: i64,
    /// The claims the relying party asked for: disclosing anything else is refused,
    /// so a wallet bug cannot over-share. `None` accepts any disclosed claim.
    pub requested_claims: Option<&'a [&'a str]>,
}

/// A presentation that passed every check.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedPresentation {
    pub issuer: Option<String>,
    pub vct: String,
    pub issued_at: Option<i64>,
    pub expires_at: i64,
    /// The device key (`cnf.jwk`) that signed the key binding.
    pub holder_key: Jwk,
    /// Its RFC 7638 thumbprint: how the server finds the identity it issued.
    pub holder_key_thumbprint: String,
    /// `iat` of the key binding.
    pub presented_at: i64,
    /// The disclosed claims, and only those.
    pub claims: BTreeMap<String, Value>,
}

impl core::fmt::Debug for VerifiedPresentation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifiedPresentation")
            .field("vct", &self.vct)
            .field("holder_key_thumbprint", &self.holder_key_thumbprint)
            .field("claims", &self.claims.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Verifies an SD-JWT+KB presentation: the issuer's signature (key from `issuer_keys`
/// by `kid`), type, validity and holder key; every disclosure (referenced, unique,
/// requested); the key binding (signed by `cnf.jwk`, `typ` kb+jwt, this `nonce` and
/// `aud`, fresh `iat`, `sd_hash` over exactly what was presented).
pub fn verify_presentation(
    presentation: &str,
    issuer_keys: &JwkSet,
    policy: &PresentationPolicy<'_>,
) -> Result<VerifiedPresentation, SdJwtError> {
    verify(presentation, issuer_keys, policy, None)
}

/// [`verify_presentation`], with the issuer's signature verified once per credential
/// and key: see [`IssuerSignatureCache`] for why that is safe. Every other check,
/// the key-binding JWT's signature included, is made for every presentation.
pub fn verify_presentation_cached(
    presentation: &str,
    issuer_keys: &JwkSet,
    policy: &PresentationPolicy<'_>,
    issuer_signatures: &IssuerSignatureCache,
) -> Result<VerifiedPresentation, SdJwtError> {
    verify(presentation, issuer_keys, policy, Some(issuer_signatures))
}

fn verify(
    presentation: &str,
    issuer_keys: &JwkSet,
    policy: &PresentationPolicy<'_>,
    issuer_signatures: Option<&IssuerSignatureCache>,
) -> Result<VerifiedPresentation, SdJwtError> {
    let parts = compact::split(presentation)?;
    let kb_jwt = parts.kb_jwt.ok_or(SdJwtError::KeyBindingMissing)?;

    // Issuer-signed JWT.
    let verified = verify_issuer_jwt(parts.issuer_jwt, issuer_keys, issuer_signatures)
        .map_err(SdJwtError::IssuerJwt)?;
    let members = verified.claims().map_err(SdJwtError::IssuerJwt)?;
    let validity = check_validity(&members, policy.clock, true).map_err(SdJwtError::IssuerJwt)?;
    let payload = CredentialPayload::from_claims(members)?;
    if payload.vct != policy.vct {
        return Err(SdJwtError::UnexpectedVct);
    }
    if let Some(iss) = policy.issuer
        && payload.iss.as_deref() != Some(iss)
    {
        return Err(SdJwtError::UnexpectedIssuer);
    }

    // Disclosures.
    let requested: Option<BTreeSet<&str>> =
        policy.requested_claims.map(|r| r.iter().copied().collect());
    let disclosures = check_disclosures(&payload, &parts.disclosures, requested.as_ref())?;

    // Key binding.
    let kb = UnverifiedJws::parse(kb_jwt).map_err(SdJwtError::KeyBindingJwt)?;
    kb.header()
        .expect_typ(KB_JWT_TYP)
        .map_err(SdJwtError::KeyBindingJwt)?;
    let holder = payload
        .holder_key
        .verifying_key()
        .map_err(SdJwtError::KeyBindingJwt)?;
    let kb = kb.verify(&holder).map_err(SdJwtError::KeyBindingJwt)?;
    let claims = kb.claims().map_err(SdJwtError::KeyBindingJwt)?;
    const WHAT: &str = "KB-JWT claims";
    let kb_err = SdJwtError::KeyBindingJwt;
    let nonce = json::str_member(&claims, WHAT, "nonce").map_err(kb_err)?;
    if !bool::from(nonce.as_bytes().ct_eq(policy.nonce.as_bytes())) {
        return Err(SdJwtError::NonceMismatch);
    }
    let aud = json::str_member(&claims, WHAT, "aud").map_err(kb_err)?;
    if aud != policy.audience {
        return Err(SdJwtError::AudienceMismatch);
    }
    let iat = json::opt_int_member(&claims, WHAT, "iat")
        .map_err(kb_err)?
        .ok_or(SdJwtError::KeyBindingJwt(crate::jose::JoseError::Member {
            what: WHAT,
            member: "iat",
        }))?;
    let now = policy.clock.now;
    if iat > now.saturating_add(policy.clock.leeway) {
        return Err(SdJwtError::KeyBindingInFuture { iat, now });
    }
    if iat
        < now
            .saturating_sub(policy.max_key_binding_age)
            .saturating_sub(policy.clock.leeway)
    {
        return Err(SdJwtError::KeyBindingTooOld { iat, now });
    }
    let sd_hash = json::str_member(&claims, WHAT, "sd_hash").map_err(kb_err)?;
    if !bool::from(
        sd_hash
            .as_bytes()
            .ct_eq(sha256_b64(parts.sd_jwt).as_bytes()),
    ) {
        return Err(SdJwtError::SdHashMismatch);
    }

    Ok(VerifiedPresentation {
        issuer: payload.iss,
        vct: payload.vct,
        issued_at: payload.iat,
        expires_at: validity.exp.unwrap_or_default(),
        holder_key_thumbprint: payload.holder_key.thumbprint(),
        holder_key: payload.holder_key,
        presented_at: iat,
        claims: disclosures
            .into_iter()
            .map(|d| (d.name().to_owned(), d.value().clone()))
            .collect(),
    })
}
