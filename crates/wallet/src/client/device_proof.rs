//! The device proof of a request (see `alicem_api::device_proof`): a compact JWS by
//! the device key over method, path, time, a fresh `jti` and the body's SHA-256, so
//! the server knows the request comes from the enrolled phone and cannot be replayed
//! or moved to another request.

use alicem_api::device_proof::{DeviceProofClaims, PROOF_TYPE, body_hash};
use alicem_credential::jose::{JoseError, b64, jws};

use super::http::Method;
use crate::DeviceKey;

/// Builds the header value for one request. `path` is the API path (`/v1/…`), as the
/// server routes it, without the base URL's prefix or a query.
pub fn device_proof(
    key: &DeviceKey,
    sub: &str,
    method: Method,
    path: &str,
    body: &[u8],
    issued_at: u64,
    rng: &mut (impl rand_core::CryptoRng + ?Sized),
) -> Result<String, JoseError> {
    let mut jti = [0u8; 16];
    rng.fill_bytes(&mut jti);
    let claims = DeviceProofClaims {
        sub: sub.to_owned(),
        htm: method.as_str().to_owned(),
        htp: path.to_owned(),
        iat: issued_at,
        jti: b64::encode(&jti),
        body_sha256: body_hash(body),
    };
    jws::sign_json(Some(PROOF_TYPE), &claims, key)
}

#[cfg(test)]
mod tests {
    use alicem_credential::jose::{Jwk, UnverifiedJws};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::{KdfParams, Wallet};

    fn wallet() -> (tempfile::TempDir, Wallet) {
        let dir = tempfile::tempdir().unwrap();
        let wallet = Wallet::create(
            &dir.path().join("w"),
            "https://id.test",
            KdfParams::FAST_INSECURE,
        )
        .unwrap();
        (dir, wallet)
    }

    #[test]
    fn is_an_es256_jws_by_the_device_key_over_the_request() {
        let (_dir, wallet) = wallet();
        let body = br#"{"purpose":"suspend"}"#;
        let token = device_proof(
            wallet.device_key(),
            "id-42",
            Method::Post,
            "/v1/account/challenges",
            body,
            1_800_000_000,
            &mut StdRng::seed_from_u64(1),
        )
        .unwrap();
        let jws = UnverifiedJws::parse(&token).unwrap();
        assert_eq!(jws.header().typ.as_deref(), Some(PROOF_TYPE));
        // Verified with the public JWK the server got at enrollment.
        let jwk = Jwk::from_json(&wallet.device_key().public_jwk().to_json()).unwrap();
        let verified = jws.verify(&jwk.verifying_key().unwrap()).unwrap();
        let claims: DeviceProofClaims = serde_json::from_slice(verified.payload()).unwrap();
        assert_eq!(claims.sub, "id-42");
        assert_eq!(claims.htm, "POST");
        assert_eq!(claims.htp, "/v1/account/challenges");
        assert_eq!(claims.iat, 1_800_000_000);
        assert_eq!(claims.body_sha256, body_hash(body));
        assert_eq!(b64::decode("jti", &claims.jti).unwrap().len(), 16);
    }

    #[test]
    fn two_proofs_of_the_same_request_differ_by_jti() {
        let (_dir, wallet) = wallet();
        let mut rng = StdRng::seed_from_u64(2);
        let mut claims = || {
            let token = device_proof(
                wallet.device_key(),
                "s",
                Method::Get,
                "/v1/account",
                b"",
                1,
                &mut rng,
            )
            .unwrap();
            let payload = UnverifiedJws::parse(&token)
                .unwrap()
                .unverified_payload()
                .to_vec();
            serde_json::from_slice::<DeviceProofClaims>(&payload).unwrap()
        };
        let (a, b) = (claims(), claims());
        assert_ne!(a.jti, b.jti);
        assert_eq!(a.body_sha256, body_hash(b""));
    }
}
