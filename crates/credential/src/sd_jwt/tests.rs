//! End-to-end tests of issuance, presentation and verification.

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::*;
use crate::jose::jwt::Clock;
use crate::jose::{Jwk, JwkSet, JwsSigner, SigningKey, b64, jws};

const ISS: &str = "https://id.alicem.test";
const VCT: &str = "urn:alicem:identity:1";
const NOW: i64 = 1_800_000_000;

struct Fixture {
    issuer: SigningKey,
    device: SigningKey,
    credential: String,
}

fn key(seed: u8) -> SigningKey {
    SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
}

fn claims() -> Vec<(String, Value)> {
    [
        ("given_name", json!("MARIANNE CLAIRE")),
        ("family_name", json!("DUPONT")),
        ("birthdate", json!("1990-07-14")),
        ("gender", json!("female")),
        ("birthplace", json!("")),
        ("birthcountry", json!("99109")),
        ("nationality", json!("FRA")),
        ("document_expiry", json!("2031-05-01")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn fixture() -> Fixture {
    let issuer = key(1).with_kid("issuer-1");
    let device = key(2);
    let mut rng = StdRng::seed_from_u64(1);
    let holder = device.public_jwk();
    let credential = issue(
        &Issuance {
            issuer: ISS,
            vct: VCT,
            issued_at: NOW - 1000,
            expires_at: NOW + 86_400 * 365,
            holder_key: &holder,
            claims: claims(),
            min_digests: issuer::DEFAULT_MIN_DIGESTS,
        },
        &issuer,
        &mut rng,
    )
    .unwrap();
    Fixture {
        issuer,
        device,
        credential,
    }
}

fn keys(f: &Fixture) -> JwkSet {
    JwkSet::new(vec![f.issuer.public_jwk()])
}

fn policy<'a>(nonce: &'a str, requested: Option<&'a [&'a str]>) -> PresentationPolicy<'a> {
    PresentationPolicy {
        vct: VCT,
        issuer: Some(ISS),
        audience: ISS,
        nonce,
        clock: Clock::new(NOW, 30),
        max_key_binding_age: 300,
        requested_claims: requested,
    }
}

fn binding(nonce: &str) -> KeyBindingInput<'_> {
    KeyBindingInput {
        audience: ISS,
        nonce,
        issued_at: NOW,
    }
}

fn present(f: &Fixture, names: &[&str], nonce: &str) -> String {
    SdJwtCredential::parse(&f.credential)
        .unwrap()
        .present(names, &binding(nonce), &f.device)
        .unwrap()
}

/// Signs an arbitrary issuer payload, to build credentials our issuer would never make.
fn craft(f: &Fixture, payload: Value, typ: &str) -> String {
    jws::sign(
        jws::HeaderParams {
            typ: Some(typ),
            cty: None,
        },
        payload.to_string().as_bytes(),
        &f.issuer,
    )
    .unwrap()
}

fn kb_for(f: &Fixture, sd_jwt: &str, nonce: &str) -> String {
    let claims = json!({"iat": NOW, "aud": ISS, "nonce": nonce, "sd_hash": sha256_b64(sd_jwt)});
    let kb = jws::sign(
        jws::HeaderParams {
            typ: Some(KB_JWT_TYP),
            cty: None,
        },
        claims.to_string().as_bytes(),
        &f.device,
    )
    .unwrap();
    format!("{sd_jwt}{kb}")
}

/// RFC 9901 §4.2.3's example: the digest of a disclosure of `family_name`.
#[test]
fn disclosure_digest_matches_rfc9901_example() {
    let d =
        Disclosure::parse("WyI2cU1RdlJMNWhhaiIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0", 0).unwrap();
    assert_eq!(d.name(), "family_name");
    assert_eq!(d.value(), &json!("Möbius"));
    assert_eq!(d.digest(), "uutlBuYeMDyjLLTpf6Jxi7yNkEF35jdyWMn9U7b_RYY");
}

#[test]
fn issued_credential_hides_every_claim_and_binds_the_device_key() {
    let f = fixture();
    let jwt = f.credential.split('~').next().unwrap();
    let payload_b64 = jwt.split('.').nth(1).unwrap();
    let payload: Value = serde_json::from_slice(&b64::decode("p", payload_b64).unwrap()).unwrap();
    for (name, _) in claims() {
        assert!(payload.get(&name).is_none(), "{name} is in clear");
    }
    for value in ["MARIANNE", "DUPONT", "1990-07-14", "99109", "2031-05-01"] {
        assert!(!payload.to_string().contains(value), "{value} is in clear");
    }
    assert_eq!(
        payload["_sd"].as_array().unwrap().len(),
        issuer::DEFAULT_MIN_DIGESTS
    );
    assert_eq!(payload["_sd_alg"], SD_ALG);
    assert_eq!(payload["vct"], VCT);
    let cnf = Jwk::from_json(&payload["cnf"]["jwk"]).unwrap();
    assert_eq!(cnf.thumbprint(), f.device.public_jwk().thumbprint());

    let held = SdJwtCredential::parse(&f.credential).unwrap();
    held.verify_issuer(&keys(&f)).unwrap();
    assert_eq!(held.claims().len(), 8);
    assert_eq!(held.claims()["birthcountry"], &json!("99109"));
    assert_eq!(held.payload().exp, Some(NOW + 86_400 * 365));
}

#[test]
fn presentation_discloses_only_the_requested_claims() {
    let f = fixture();
    let asked = ["given_name", "family_name"];
    let presentation = present(&f, &asked, "n-1");
    // Two disclosures between the issuer JWT and the KB-JWT.
    assert_eq!(presentation.split('~').count(), 4);
    let v = verify_presentation(&presentation, &keys(&f), &policy("n-1", Some(&asked))).unwrap();
    assert_eq!(
        v.claims.keys().collect::<Vec<_>>(),
        vec!["family_name", "given_name"]
    );
    assert_eq!(v.claims["given_name"], "MARIANNE CLAIRE");
    assert_eq!(v.holder_key_thumbprint, f.device.public_jwk().thumbprint());
    assert_eq!(v.presented_at, NOW);
    assert_eq!(v.issuer.as_deref(), Some(ISS));
}

#[test]
fn presentation_with_no_claims_still_proves_the_holder() {
    let f = fixture();
    let presentation = present(&f, &[], "n-0");
    let v = verify_presentation(&presentation, &keys(&f), &policy("n-0", Some(&[]))).unwrap();
    assert!(v.claims.is_empty());
}

#[test]
fn presentation_for_request_a_is_refused_for_request_b() {
    let f = fixture();
    let presentation = present(&f, &["given_name"], "request-A");
    assert_eq!(
        verify_presentation(&presentation, &keys(&f), &policy("request-B", None)),
        Err(SdJwtError::NonceMismatch)
    );
    let mut other_audience = policy("request-A", None);
    other_audience.audience = "https://other.example";
    assert_eq!(
        verify_presentation(&presentation, &keys(&f), &other_audience),
        Err(SdJwtError::AudienceMismatch)
    );
}

#[test]
fn refuses_an_issued_credential_without_key_binding() {
    let f = fixture();
    assert_eq!(
        verify_presentation(&f.credential, &keys(&f), &policy("n", None)),
        Err(SdJwtError::KeyBindingMissing)
    );
}

#[test]
fn refuses_key_binding_signed_by_another_key() {
    // A thief who copied the credential but not the device key signs with their own.
    let f = fixture();
    let thief = Fixture {
        issuer: key(1).with_kid("issuer-1"),
        device: key(9),
        credential: f.credential.clone(),
    };
    let sd_jwt = f.credential.clone();
    let forged = kb_for(&thief, &sd_jwt, "n");
    assert!(matches!(
        verify_presentation(&forged, &keys(&f), &policy("n", None)),
        Err(SdJwtError::KeyBindingJwt(
            crate::jose::JoseError::BadSignature
        ))
    ));
    let held = SdJwtCredential::parse(&f.credential).unwrap();
    assert_eq!(
        held.present(&["given_name"], &binding("n"), &thief.device),
        Err(SdJwtError::HolderKeyMismatch)
    );
}

#[test]
fn refuses_a_disclosure_added_after_key_binding() {
    // A relay that saw the full credential adds a disclosure to a presentation.
    let f = fixture();
    let presentation = present(&f, &["given_name"], "n");
    let all = SdJwtCredential::parse(&f.credential).unwrap();
    let extra = f
        .credential
        .split('~')
        .skip(1)
        .find(|d| !d.is_empty() && Disclosure::parse(d, 0).unwrap().name() == "birthdate")
        .unwrap();
    assert_eq!(all.claims()["birthdate"], &json!("1990-07-14"));
    let (sd_jwt, kb) = presentation.rsplit_once('~').unwrap();
    let tampered = format!("{sd_jwt}~{extra}~{kb}");
    assert_eq!(
        verify_presentation(&tampered, &keys(&f), &policy("n", None)),
        Err(SdJwtError::SdHashMismatch)
    );
}

#[test]
fn refuses_unrequested_disclosures() {
    let f = fixture();
    let presentation = present(&f, &["given_name", "birthdate"], "n");
    assert_eq!(
        verify_presentation(
            &presentation,
            &keys(&f),
            &policy("n", Some(&["given_name"]))
        ),
        Err(SdJwtError::UnrequestedClaim {
            name: "birthdate".into()
        })
    );
}

#[test]
fn refuses_a_disclosure_with_an_altered_value() {
    let f = fixture();
    let mut rng = StdRng::seed_from_u64(5);
    let forged = Disclosure::new("birthdate", json!("1970-01-01"), &mut rng).unwrap();
    let jwt = f.credential.split('~').next().unwrap();
    let presentation = kb_for(&f, &format!("{jwt}~{}~", forged.encoded()), "n");
    assert_eq!(
        verify_presentation(&presentation, &keys(&f), &policy("n", None)),
        Err(SdJwtError::UnreferencedDisclosure {
            name: "birthdate".into()
        })
    );
}

#[test]
fn refuses_a_disclosure_sent_twice() {
    let f = fixture();
    let jwt = f.credential.split('~').next().unwrap();
    let d = f.credential.split('~').nth(1).unwrap();
    let presentation = kb_for(&f, &format!("{jwt}~{d}~{d}~"), "n");
    assert!(matches!(
        verify_presentation(&presentation, &keys(&f), &policy("n", None)),
        Err(SdJwtError::DuplicateDisclosure { .. })
    ));
}

#[test]
fn refuses_a_credential_from_an_unknown_issuer() {
    let f = fixture();
    let presentation = present(&f, &["given_name"], "n");
    let other = JwkSet::new(vec![key(3).with_kid("issuer-1").public_jwk()]);
    assert!(matches!(
        verify_presentation(&presentation, &other, &policy("n", None)),
        Err(SdJwtError::IssuerJwt(crate::jose::JoseError::BadSignature))
    ));
}

#[test]
fn refuses_an_expired_credential() {
    let f = fixture();
    let presentation = present(&f, &["given_name"], "n");
    let mut later = policy("n", None);
    later.clock = Clock::new(NOW + 86_400 * 366, 30);
    assert!(matches!(
        verify_presentation(&presentation, &keys(&f), &later),
        Err(SdJwtError::IssuerJwt(
            crate::jose::JoseError::Expired { .. }
        ))
    ));
}

#[test]
fn refuses_stale_and_future_key_bindings() {
    let f = fixture();
    let presentation = present(&f, &["given_name"], "n");
    let mut later = policy("n", None);
    later.clock = Clock::new(NOW + 400, 30);
    assert!(matches!(
        verify_presentation(&presentation, &keys(&f), &later),
        Err(SdJwtError::KeyBindingTooOld { .. })
    ));
    let mut earlier = policy("n", None);
    earlier.clock = Clock::new(NOW - 120, 30);
    assert!(matches!(
        verify_presentation(&presentation, &keys(&f), &earlier),
        Err(SdJwtError::KeyBindingInFuture { .. })
    ));
}

#[test]
fn refuses_wrong_types() {
    let f = fixture();
    let presentation = present(&f, &["given_name"], "n");
    let mut other = policy("n", None);
    other.vct = "urn:other";
    assert_eq!(
        verify_presentation(&presentation, &keys(&f), &other),
        Err(SdJwtError::UnexpectedVct)
    );
    // An issuer JWT typed as a plain JWT is not a credential.
    let held = SdJwtCredential::parse(&f.credential).unwrap();
    let mut payload: Value =
        serde_json::from_slice(&b64::decode("p", f.credential.split('.').nth(1).unwrap()).unwrap())
            .unwrap();
    payload["iss"] = json!(ISS);
    let jwt = craft(&f, payload, "JWT");
    assert!(matches!(
        SdJwtCredential::parse(&format!("{jwt}~")),
        Err(SdJwtError::IssuerJwt(
            crate::jose::JoseError::UnexpectedType { .. }
        ))
    ));
    // A KB-JWT with the wrong typ.
    let sd_jwt = format!("{}~", held.as_str().split('~').next().unwrap());
    let kb = jws::sign(
        jws::HeaderParams {
            typ: Some("JWT"),
            cty: None,
        },
        json!({"iat": NOW, "aud": ISS, "nonce": "n", "sd_hash": sha256_b64(&sd_jwt)})
            .to_string()
            .as_bytes(),
        &f.device,
    )
    .unwrap();
    assert!(matches!(
        verify_presentation(&format!("{sd_jwt}{kb}"), &keys(&f), &policy("n", None)),
        Err(SdJwtError::KeyBindingJwt(
            crate::jose::JoseError::UnexpectedType { .. }
        ))
    ));
}

#[test]
fn refuses_duplicate_digests_and_other_hash_algorithms() {
    let f = fixture();
    let cnf = json!({"jwk": f.device.public_jwk().without_metadata().to_json()});
    let base = json!({"iss": ISS, "vct": VCT, "exp": NOW + 100, "cnf": cnf, "_sd_alg": "sha-256"});
    let mut dup = base.clone();
    dup["_sd"] = json!(["abc", "abc"]);
    let jwt = craft(&f, dup, SD_JWT_VC_TYP);
    assert_eq!(
        SdJwtCredential::parse(&format!("{jwt}~")).unwrap_err(),
        SdJwtError::DuplicateDigest
    );
    let mut sha512 = base.clone();
    sha512["_sd_alg"] = json!("sha-512");
    let jwt = craft(&f, sha512, SD_JWT_VC_TYP);
    assert_eq!(
        SdJwtCredential::parse(&format!("{jwt}~")).unwrap_err(),
        SdJwtError::UnsupportedHashAlgorithm
    );
    let mut no_cnf = base;
    no_cnf.as_object_mut().unwrap().remove("cnf");
    let jwt = craft(&f, no_cnf, SD_JWT_VC_TYP);
    assert!(matches!(
        SdJwtCredential::parse(&format!("{jwt}~")),
        Err(SdJwtError::Payload(_))
    ));
}

#[test]
fn refuses_a_disclosed_claim_that_clashes_with_a_clear_one() {
    let f = fixture();
    let mut rng = StdRng::seed_from_u64(6);
    let d = Disclosure::new("given_name", json!("EVE"), &mut rng).unwrap();
    let cnf = json!({"jwk": f.device.public_jwk().without_metadata().to_json()});
    let payload = json!({"iss": ISS, "vct": VCT, "exp": NOW + 100, "cnf": cnf,
        "given_name": "MARIANNE", "_sd": [d.digest()]});
    let jwt = craft(&f, payload, SD_JWT_VC_TYP);
    assert_eq!(
        SdJwtCredential::parse(&format!("{jwt}~{}~", d.encoded())).unwrap_err(),
        SdJwtError::ClaimNameClash {
            name: "given_name".into()
        }
    );
}

#[test]
fn refuses_array_element_nested_and_reserved_disclosures() {
    let enc = |v: Value| b64::encode(v.to_string().as_bytes());
    assert!(Disclosure::parse(&enc(json!(["salt", "value"])), 0).is_err());
    assert!(Disclosure::parse(&enc(json!(["salt", "_sd", "x"])), 0).is_err());
    assert!(Disclosure::parse(&enc(json!(["salt", "cnf", {}])), 0).is_err());
    assert!(Disclosure::parse(&enc(json!(["salt", "address", {"_sd": ["x"]}])), 0).is_err());
    assert!(Disclosure::parse(&enc(json!([1, "name", "x"])), 0).is_err());
    assert!(Disclosure::parse(&enc(json!({"a": 1})), 0).is_err());
    assert!(Disclosure::parse(&b64::encode(br#"["s","n",{"a":1,"a":2}]"#), 0).is_err());
    assert!(Disclosure::parse(&enc(json!(["salt", "name", "x"])), 0).is_ok());
}

#[test]
fn issuer_refuses_registered_claims_as_disclosures() {
    let f = fixture();
    let holder = f.device.public_jwk();
    for name in ["exp", "cnf", "vct", "iss", "_sd"] {
        let mut rng = StdRng::seed_from_u64(1);
        let result = issue(
            &Issuance {
                issuer: ISS,
                vct: VCT,
                issued_at: NOW,
                expires_at: NOW + 1,
                holder_key: &holder,
                claims: vec![(name.into(), json!(1))],
                min_digests: 0,
            },
            &f.issuer,
            &mut rng,
        );
        assert_eq!(
            result,
            Err(SdJwtError::NonDisclosableClaim { name: name.into() })
        );
    }
}

#[test]
fn holder_refuses_to_present_a_claim_it_does_not_have() {
    let f = fixture();
    let held = SdJwtCredential::parse(&f.credential).unwrap();
    assert_eq!(
        held.present(&["email"], &binding("n"), &f.device),
        Err(SdJwtError::ClaimNotInCredential {
            name: "email".into()
        })
    );
}

#[test]
fn holder_parse_refuses_presentations_and_altered_credentials() {
    let f = fixture();
    let presentation = present(&f, &["given_name"], "n");
    assert_eq!(
        SdJwtCredential::parse(&presentation).unwrap_err(),
        SdJwtError::KeyBindingUnexpected
    );
    // Swap one disclosure for one of another credential: unreferenced.
    let mut rng = StdRng::seed_from_u64(8);
    let foreign = Disclosure::new("given_name", json!("EVE"), &mut rng).unwrap();
    let mut parts: Vec<&str> = f.credential.split('~').collect();
    parts[1] = foreign.encoded();
    assert!(matches!(
        SdJwtCredential::parse(&parts.join("~")),
        Err(SdJwtError::UnreferencedDisclosure { .. })
    ));
}

#[test]
fn errors_and_debug_never_show_claim_values() {
    let f = fixture();
    let held = SdJwtCredential::parse(&f.credential).unwrap();
    let shown = format!("{held:?}");
    assert!(
        !shown.contains("MARIANNE") && !shown.contains("1990"),
        "{shown}"
    );
    let presentation = present(&f, &["given_name"], "n");
    let v = verify_presentation(&presentation, &keys(&f), &policy("n", None)).unwrap();
    assert!(!format!("{v:?}").contains("MARIANNE"));
}

/// The issuer-signature cache: a hit skips only the issuer's signature math.
mod issuer_signature_cache {
    use super::*;
    use crate::jose::JoseError;

    fn cached(
        presentation: &str,
        keys: &JwkSet,
        policy: &PresentationPolicy<'_>,
        cache: &IssuerSignatureCache,
    ) -> Result<VerifiedPresentation, SdJwtError> {
        verify_presentation_cached(presentation, keys, policy, cache)
    }

    /// The issuer JWT of `credential` with its signature replaced.
    fn with_issuer_signature(presentation: &str, signature: &[u8]) -> String {
        let (jwt, rest) = presentation.split_once('~').unwrap();
        let (input, _) = jwt.rsplit_once('.').unwrap();
        format!("{input}.{}~{rest}", b64::encode(signature))
    }

    #[test]
    fn verifies_once_per_credential_and_still_checks_each_presentation() {
        let f = fixture();
        let cache = IssuerSignatureCache::new(16);
        let first = present(&f, &["given_name"], "login-1");
        let ok = cached(&first, &keys(&f), &policy("login-1", None), &cache).unwrap();
        assert_eq!(
            ok,
            verify_presentation(&first, &keys(&f), &policy("login-1", None)).unwrap()
        );
        assert_eq!(cache.len(), 1);
        // Another login of the same credential: a hit, same answer.
        let second = present(&f, &["family_name"], "login-2");
        let ok = cached(&second, &keys(&f), &policy("login-2", None), &cache).unwrap();
        assert_eq!(ok.claims.keys().collect::<Vec<_>>(), ["family_name"]);
        assert_eq!(cache.len(), 1);
        // The key binding and everything login-specific is still checked on a hit.
        assert_eq!(
            cached(&second, &keys(&f), &policy("login-3", None), &cache),
            Err(SdJwtError::NonceMismatch)
        );
        let thief = Fixture {
            issuer: key(1).with_kid("issuer-1"),
            device: key(9),
            credential: f.credential.clone(),
        };
        assert_eq!(
            cached(
                &kb_for(&thief, &f.credential, "n"),
                &keys(&f),
                &policy("n", None),
                &cache
            ),
            Err(SdJwtError::KeyBindingJwt(JoseError::BadSignature))
        );
        let mut later = policy("login-2", None);
        later.clock = Clock::new(NOW + 86_400 * 366, 30);
        assert!(matches!(
            cached(&second, &keys(&f), &later, &cache),
            Err(SdJwtError::IssuerJwt(JoseError::Expired { .. }))
        ));
        assert!(matches!(
            cached(
                &second,
                &keys(&f),
                &policy("login-2", Some(&["birthdate"])),
                &cache
            ),
            Err(SdJwtError::UnrequestedClaim { .. })
        ));
    }

    #[test]
    fn refuses_a_tampered_issuer_signature_even_after_a_hit() {
        let f = fixture();
        let cache = IssuerSignatureCache::new(16);
        let good = present(&f, &["given_name"], "n");
        cached(&good, &keys(&f), &policy("n", None), &cache).unwrap();
        let jwt = good.split('~').next().unwrap();
        let mut sig = b64::decode("sig", jwt.rsplit_once('.').unwrap().1).unwrap();
        sig[10] ^= 1;
        let bad = with_issuer_signature(&good, &sig);
        for _ in 0..2 {
            assert_eq!(
                cached(&bad, &keys(&f), &policy("n", None), &cache),
                Err(SdJwtError::IssuerJwt(JoseError::BadSignature))
            );
        }
        assert_eq!(cache.len(), 1, "failures are never remembered");
    }

    #[test]
    fn a_credential_remembered_under_one_key_is_verified_again_under_another() {
        let f = fixture();
        let cache = IssuerSignatureCache::new(16);
        let presentation = present(&f, &["given_name"], "n");
        cached(&presentation, &keys(&f), &policy("n", None), &cache).unwrap();
        // Same kid, another key (a rotated or substituted issuer key): a miss, and
        // the signature does not verify.
        let other = JwkSet::new(vec![key(3).with_kid("issuer-1").public_jwk()]);
        assert_eq!(
            cached(&presentation, &other, &policy("n", None), &cache),
            Err(SdJwtError::IssuerJwt(JoseError::BadSignature))
        );
        // The key removed from the set: refused, cached or not.
        let empty = JwkSet::new(vec![key(3).with_kid("issuer-2").public_jwk()]);
        assert!(matches!(
            cached(&presentation, &empty, &policy("n", None), &cache),
            Err(SdJwtError::IssuerJwt(JoseError::NoMatchingKey { .. }))
        ));
    }

    #[test]
    fn a_different_credential_is_a_miss() {
        let f = fixture();
        let cache = IssuerSignatureCache::new(16);
        cached(
            &present(&f, &[], "n"),
            &keys(&f),
            &policy("n", None),
            &cache,
        )
        .unwrap();
        // A payload the issuer never signed for this credential, under the real key.
        let crafted = craft(
            &f,
            json!({"iss": ISS, "vct": VCT, "exp": NOW + 10, "_sd_alg": "sha-256", "cnf": {"jwk": f.device.public_jwk().without_metadata().to_json()}}),
            SD_JWT_VC_TYP,
        );
        let sd_jwt = format!("{crafted}~");
        let presentation = kb_for(&f, &sd_jwt, "n");
        cached(&presentation, &keys(&f), &policy("n", None), &cache).unwrap();
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn stays_within_its_capacity() {
        let f = fixture();
        let cache = IssuerSignatureCache::new(2);
        for exp in 0..5 {
            let crafted = craft(
                &f,
                json!({"iss": ISS, "vct": VCT, "exp": NOW + 10 + exp, "_sd_alg": "sha-256", "cnf": {"jwk": f.device.public_jwk().without_metadata().to_json()}}),
                SD_JWT_VC_TYP,
            );
            let presentation = kb_for(&f, &format!("{crafted}~"), "n");
            cached(&presentation, &keys(&f), &policy("n", None), &cache).unwrap();
            assert!(cache.len() <= 2);
        }
        assert_eq!(cache.len(), 2);
        let off = IssuerSignatureCache::new(0);
        cached(&present(&f, &[], "n"), &keys(&f), &policy("n", None), &off).unwrap();
        assert!(off.is_empty());
    }
}
