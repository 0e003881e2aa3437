//! SD-JWT parsing and verification on hostile input.
//!
//! Two shapes of input: raw text fed to every SD-JWT entry point, and edits applied
//! to a valid presentation and credential (so the fuzzer reaches the signature,
//! disclosure and key-binding checks rather than stopping at the first '~'). The
//! property: never panic, and never accept an edited presentation whose disclosed
//! claims differ from what the holder disclosed.
#![no_main]

use std::sync::OnceLock;

use alicem_credential::jose::jwt::Clock;
use alicem_credential::jose::{JwkSet, JwsSigner, SigningKey};
use alicem_credential::sd_jwt::{
    Disclosure, Issuance, KeyBindingInput, PresentationPolicy, SdJwtCredential, issue,
    verify_presentation,
};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use serde_json::json;

const ISS: &str = "https://id.alicem.test";
const VCT: &str = "urn:alicem:identity:1";
const NOW: i64 = 1_800_000_000;

struct Fixture {
    keys: JwkSet,
    credential: String,
    presentation: String,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let issuer = SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[1; 32]).unwrap())
            .with_kid("iss");
        let device = SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[2; 32]).unwrap());
        let holder = device.public_jwk();
        let credential = issue(
            &Issuance {
                issuer: ISS,
                vct: VCT,
                issued_at: NOW - 10,
                expires_at: NOW + 1000,
                holder_key: &holder,
                claims: vec![
                    ("given_name".into(), json!("MARIANNE")),
                    ("family_name".into(), json!("DUPONT")),
                    ("birthdate".into(), json!("1990-07-14")),
                ],
                min_digests: 6,
            },
            &issuer,
            &mut rand::rngs::StdRng::seed_from_u64(1),
        )
        .unwrap();
        let presentation = SdJwtCredential::parse(&credential)
            .unwrap()
            .present(
                &["given_name"],
                &KeyBindingInput {
                    audience: ISS,
                    nonce: "nonce-1",
                    issued_at: NOW,
                },
                &device,
            )
            .unwrap();
        Fixture {
            keys: JwkSet::new(vec![issuer.public_jwk()]),
            credential,
            presentation,
        }
    })
}

fn policy() -> PresentationPolicy<'static> {
    PresentationPolicy {
        vct: VCT,
        issuer: Some(ISS),
        audience: ISS,
        nonce: "nonce-1",
        clock: Clock::new(NOW, 30),
        max_key_binding_age: 300,
        requested_claims: None,
    }
}

/// Applies (position, byte) edits, plus an optional truncation, to `base`.
fn mutate(base: &str, edits: &[u8]) -> Vec<u8> {
    let mut out = base.as_bytes().to_vec();
    let mut chunks = edits.chunks_exact(3);
    for c in &mut chunks {
        let pos = usize::from(u16::from_le_bytes([c[0], c[1]])) % (out.len() + 1);
        match c[2] {
            0 => {
                out.truncate(pos);
            }
            1 if pos < out.len() => {
                out.remove(pos);
            }
            b if pos < out.len() => out[pos] = b,
            b => out.push(b),
        }
    }
    out
}

fn exercise(text: &str) {
    let f = fixture();
    if let Ok(held) = SdJwtCredential::parse(text) {
        let _ = held.verify_issuer(&f.keys);
        let _ = held.claims();
    }
    if let Ok(v) = verify_presentation(text, &f.keys, &policy()) {
        // Whatever was edited, an accepted presentation discloses exactly what the
        // holder disclosed.
        assert_eq!(v.claims.len(), 1);
        assert_eq!(v.claims.get("given_name"), Some(&json!("MARIANNE")));
    }
    for (i, part) in text.split('~').enumerate().take(40) {
        let _ = Disclosure::parse(part, i);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let bytes = match mode % 3 {
        0 => rest.to_vec(),
        1 => mutate(&f.presentation, rest),
        _ => mutate(&f.credential, rest),
    };
    if let Ok(text) = std::str::from_utf8(&bytes) {
        exercise(text);
    }
});
