//! The wallet's answer to a login, checked by the server-side verification code of
//! alicem-credential (SD-JWT presentation verifier, PIN verifier and lockout): only
//! the asked claims are disclosed, and an approval is good for its own login only.

// A test file: its helpers may panic on unexpected input like the tests do.
#![allow(clippy::unwrap_used)]

use alicem_api::login::{LoginApproval, PendingLogin};
use alicem_credential::jose::jwt::Clock;
use alicem_credential::jose::{JwkSet, JwsSigner, SigningKey};
use alicem_credential::pin::{
    Pepper, Pin, PinAttempts, PinChallenge, PinCheckError, PinOutcome, PinPurpose, PinVerifier,
    ProofContext,
};
use alicem_credential::sd_jwt::{self, Issuance, PresentationPolicy, SdJwtError};
use alicem_wallet::login::build_approval;
use alicem_wallet::{ClientError, KdfParams, Wallet};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

const SERVER: &str = "https://id.alicem.test";
const VCT: &str = "urn:alicem:identity:1";
const IDENTITY: &str = "idn-7f3a";
const NOW: i64 = 1_800_000_000;
const PIN: &str = "274915";

struct Setup {
    _dir: tempfile::TempDir,
    wallet: Wallet,
    issuer_keys: JwkSet,
    pepper: Pepper,
    verifier: PinVerifier,
    rng: StdRng,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut wallet =
        Wallet::create(&dir.path().join("w"), SERVER, KdfParams::FAST_INSECURE).unwrap();
    let issuer = SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap())
        .with_kid("issuer-1");
    let mut rng = StdRng::seed_from_u64(11);
    let credential = sd_jwt::issue(
        &Issuance {
            issuer: SERVER,
            vct: VCT,
            issued_at: NOW - 100,
            expires_at: NOW + 86_400 * 365,
            holder_key: wallet.device_key().public_jwk(),
            claims: vec![
                ("given_name".into(), json!("MARIANNE LOUISE")),
                ("family_name".into(), json!("DUPONT")),
                ("birthdate".into(), json!("1985-04-12")),
                ("gender".into(), json!("female")),
                ("nationality".into(), json!("FRA")),
            ],
            min_digests: 12,
        },
        &issuer,
        &mut rng,
    )
    .unwrap();
    wallet.store_credential(&credential).unwrap();
    wallet.set_account_id(IDENTITY).unwrap();
    let pepper = Pepper::new(1, &[0x5A; 32]).unwrap();
    let registration = wallet
        .pin_secret()
        .unwrap()
        .register(&Pin::new_chosen(PIN).unwrap())
        .unwrap();
    let verifier = PinVerifier::register(&pepper, IDENTITY, &registration).unwrap();
    Setup {
        _dir: dir,
        wallet,
        issuer_keys: JwkSet::new(vec![issuer.public_jwk()]),
        pepper,
        verifier,
        rng,
    }
}

fn login(s: &mut Setup, id: &str, claims: &[&str]) -> PendingLogin {
    PendingLogin {
        login_id: id.into(),
        service_provider: "Impôts démo".into(),
        client_id: "impots-demo".into(),
        claims: claims.iter().map(|c| (*c).to_owned()).collect(),
        acr: "eidas3".into(),
        short_code: "K7Q-4M2".into(),
        expires_at: u64::try_from(NOW + 300).unwrap(),
        pin_challenge: PinChallenge::generate(&s.verifier, &mut s.rng),
        presentation_nonce: format!("nonce-of-{id}"),
        presentation_audience: SERVER.into(),
    }
}

fn approve(s: &Setup, login: &PendingLogin, pin: &str) -> LoginApproval {
    build_approval(&s.wallet, IDENTITY, login, &Pin::new(pin).unwrap(), NOW)
        .unwrap()
        .0
}

/// The server's check of the presentation for `login`.
fn verify_presentation(
    s: &Setup,
    login: &PendingLogin,
    approval: &LoginApproval,
) -> Result<sd_jwt::VerifiedPresentation, SdJwtError> {
    let requested: Vec<&str> = login.claims.iter().map(String::as_str).collect();
    sd_jwt::verify_presentation(
        &approval.presentation,
        &s.issuer_keys,
        &PresentationPolicy {
            vct: VCT,
            issuer: Some(SERVER),
            audience: &login.presentation_audience,
            nonce: &login.presentation_nonce,
            clock: Clock::new(NOW + 5, 60),
            max_key_binding_age: 300,
            requested_claims: Some(&requested),
        },
    )
}

/// The server's check of the PIN proof for `login`.
fn verify_pin(
    s: &Setup,
    login: &PendingLogin,
    approval: &LoginApproval,
) -> Result<(), PinCheckError> {
    let thumbprint = s.wallet.device_key().thumbprint();
    s.verifier.verify(
        &s.pepper,
        &login.pin_challenge,
        &ProofContext {
            purpose: PinPurpose::Login,
            account: IDENTITY,
            request: &login.login_id,
            device_key_thumbprint: &thumbprint,
        },
        &approval.pin_proof,
    )
}

#[test]
fn discloses_exactly_the_claims_the_service_provider_asked_for() {
    let mut s = setup();
    let login = login(&mut s, "login-A", &["given_name", "birthdate"]);
    let approval = approve(&s, &login, PIN);
    let verified = verify_presentation(&s, &login, &approval).unwrap();
    assert_eq!(
        verified.claims.keys().collect::<Vec<_>>(),
        ["birthdate", "given_name"]
    );
    assert_eq!(verified.claims["given_name"], "MARIANNE LOUISE");
    assert_eq!(
        verified.holder_key_thumbprint,
        s.wallet.device_key().thumbprint()
    );
    // Nothing else travels in clear: only two disclosures between the JWT and the KB-JWT.
    assert_eq!(approval.presentation.matches('~').count(), 3);
    assert!(!approval.presentation.contains("DUPONT"));
    verify_pin(&s, &login, &approval).unwrap();
}

#[test]
fn an_approval_for_login_a_is_refused_for_login_b() {
    let mut s = setup();
    let a = login(&mut s, "login-A", &["family_name"]);
    let b = login(&mut s, "login-B", &["family_name"]);
    let approval = approve(&s, &a, PIN);
    assert!(verify_presentation(&s, &a, &approval).is_ok());
    assert!(matches!(
        verify_presentation(&s, &b, &approval),
        Err(SdJwtError::NonceMismatch)
    ));
    verify_pin(&s, &a, &approval).unwrap();
    assert_eq!(verify_pin(&s, &b, &approval), Err(PinCheckError::WrongPin));
}

#[test]
fn a_replayed_pin_proof_does_not_verify_on_a_new_challenge() {
    let mut s = setup();
    let first = login(&mut s, "login-A", &["gender"]);
    let approval = approve(&s, &first, PIN);
    // The same login id with the server's next challenge (the first one was consumed).
    let mut again = first.clone();
    again.pin_challenge = PinChallenge::generate(&s.verifier, &mut s.rng);
    assert_eq!(
        verify_pin(&s, &again, &approval),
        Err(PinCheckError::WrongPin)
    );
}

#[test]
fn five_wrong_pins_lock_the_identity_even_for_the_right_pin() {
    let mut s = setup();
    let mut attempts = PinAttempts::default();
    let thumbprint = s.wallet.device_key().thumbprint();
    let mut outcomes = Vec::new();
    for (i, pin) in ["000001", "111112", "222223", "333334", "444445", PIN]
        .into_iter()
        .enumerate()
    {
        let login = login(&mut s, &format!("login-{i}"), &["gender"]);
        let approval = approve(&s, &login, pin);
        let (next, outcome) = s.verifier.attempt(
            &s.pepper,
            attempts,
            &login.pin_challenge,
            &ProofContext {
                purpose: PinPurpose::Login,
                account: IDENTITY,
                request: &login.login_id,
                device_key_thumbprint: &thumbprint,
            },
            &approval.pin_proof,
        );
        attempts = next;
        outcomes.push(outcome);
    }
    assert_eq!(
        outcomes,
        [
            PinOutcome::WrongPin { remaining: 4 },
            PinOutcome::WrongPin { remaining: 3 },
            PinOutcome::WrongPin { remaining: 2 },
            PinOutcome::WrongPin { remaining: 1 },
            PinOutcome::Locked,
            PinOutcome::Locked,
        ]
    );
}

#[test]
fn asked_claims_the_credential_lacks_are_reported_and_not_sent() {
    let mut s = setup();
    let login = login(&mut s, "login-A", &["family_name", "birthplace"]);
    let (approval, approved) =
        build_approval(&s.wallet, IDENTITY, &login, &Pin::new(PIN).unwrap(), NOW).unwrap();
    assert_eq!(approved.disclosed, ["family_name"]);
    assert_eq!(approved.unavailable, ["birthplace"]);
    let verified = verify_presentation(&s, &login, &approval).unwrap();
    assert_eq!(verified.claims.keys().collect::<Vec<_>>(), ["family_name"]);
}

#[test]
fn an_expired_login_is_not_approved() {
    let mut s = setup();
    let mut login = login(&mut s, "login-A", &["gender"]);
    login.expires_at = u64::try_from(NOW - 1).unwrap();
    assert!(matches!(
        build_approval(&s.wallet, IDENTITY, &login, &Pin::new(PIN).unwrap(), NOW),
        Err(ClientError::LoginExpired(_))
    ));
}
