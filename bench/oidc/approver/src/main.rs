//! `alicem-bench-approver`: the phone of the OIDC benchmark.
//!
//! `enroll` writes a benchmark identity into a server's data directory (database,
//! keys): a device key, a PIN verifier, the login e-mail, a credential signed by the
//! server's issuer key, and consent for the benchmark client, then saves the wallet
//! side to a file. `approve` polls `/v1/account/logins` with device proofs and
//! approves each pending login with a PIN proof and an SD-JWT presentation, exactly
//! as a wallet does. Nothing here is a shortcut inside the provider.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use alicem_api::account::IdentityStatus;
use alicem_api::device_proof::{DeviceProofClaims, HEADER, PROOF_TYPE, body_hash};
use alicem_api::login::{LoginApproval, PendingLogin, PendingLogins};
use alicem_api::paths;
use alicem_credential::jose::{JwsSigner, SigningKey, jws};
use alicem_credential::pin::{KdfParams, Pin, PinPurpose, PinSecret, PinVerifier, ProofContext};
use alicem_credential::rng::os_rng;
use alicem_credential::sd_jwt::{self, Issuance, KeyBindingInput, SdJwtCredential};
use alicem_emrtd::verify::TrustStore;
use alicem_server::clock::SystemClock;
use alicem_server::config::{Config, Overrides};
use alicem_server::keys::ServerKeys;
use alicem_server::oidc::app;
use alicem_server::store::identities::{self, Identity};
use alicem_server::{AppState, Store};
use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Provision the benchmark identity (run before `alicem serve`, or while it runs).
    Enroll {
        /// The server's configuration file.
        #[arg(long)]
        config: PathBuf,
        #[arg(long, default_value = "test@bench.example")]
        email: String,
        #[arg(long, default_value = "482915")]
        pin: String,
        /// Client ids to record consent for.
        #[arg(long, default_value = "bench-rp")]
        consent: Vec<String>,
        /// Where to write the wallet.
        #[arg(long)]
        wallet: PathBuf,
    },
    /// Approve every pending login of the wallet's identity until killed.
    Approve {
        #[arg(long)]
        wallet: PathBuf,
        #[arg(long)]
        issuer: String,
        /// Pause between two polls when nothing is pending (ms).
        #[arg(long, default_value = "3")]
        poll_ms: u64,
    },
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand_core::Rng::fill_bytes(&mut os_rng(), &mut b);
    hex::encode(b)
}

async fn enroll(
    config: PathBuf,
    email: String,
    pin: String,
    consent: Vec<String>,
    wallet: PathBuf,
) -> Result<()> {
    let config = Config::load(Some(&config), Overrides::default())?;
    let keys = ServerKeys::load_or_create(&config)?;
    let store = Store::open(&config.database_url()).await?;
    let issuer = config.issuer.clone();
    let state = AppState::from_parts(
        config,
        store,
        keys,
        TrustStore::new(),
        Arc::new(SystemClock),
    );
    let provider = app::provider(&state).await?;
    let raw = {
        use p256::elliptic_curve::Generate;
        p256::ecdsa::SigningKey::generate_from_rng(&mut os_rng())
    };
    let device_secret = hex::encode(raw.to_bytes());
    let device = SigningKey::es256(raw).with_thumbprint_kid();
    let jwk = device.public_jwk();
    let id = random_hex(12);
    // The wallet's PIN key derivation is deliberately cheap here: the benchmark
    // measures the provider, and the phone's Argon2 would only slow the client.
    let secret = PinSecret::generate(KdfParams::FAST_INSECURE, &mut os_rng());
    let registration = secret.register(&Pin::new(&pin)?)?;
    let verifier = PinVerifier::register(&state.keys.pepper, &id, &registration)?;
    let now = alicem_server::oidc::now();
    identities::insert(
        state.store.pool(),
        &Identity {
            id: id.clone(),
            device_key: jwk.to_json().to_string(),
            device_key_thumbprint: jwk.thumbprint(),
            document_fingerprint: random_hex(16),
            document_expires_at: now + 365 * 86_400,
            level: "eidas3".into(),
            status: IdentityStatus::Active,
            status_reason: None,
            pin_verifier: Some(verifier.to_storage()),
            pin_failures: 0,
            enrollment_id: random_hex(8),
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    provider.store.link_identifier(&id, &email, now).await?;
    for client in &consent {
        provider.store.record_consent(&id, client, now).await?;
    }
    let claims = vec![
        ("given_name".to_owned(), json!("Camille Anne")),
        ("family_name".to_owned(), json!("MARTIN")),
        ("birthdate".to_owned(), json!("1990-04-12")),
        ("gender".to_owned(), json!("female")),
        ("birthplace".to_owned(), json!("75056")),
        ("birthcountry".to_owned(), json!("99100")),
        ("nationality".to_owned(), json!("FRA")),
    ];
    let credential = sd_jwt::issue(
        &Issuance {
            issuer: &issuer,
            vct: app::CREDENTIAL_VCT,
            issued_at: now,
            expires_at: now + 365 * 86_400,
            holder_key: &jwk,
            claims,
            min_digests: 12,
        },
        &state.keys.issuer,
        &mut os_rng(),
    )?;
    let file = json!({
        "identity_id": id,
        "device_key_hex": device_secret,
        "pin_secret": serde_json::to_value(&secret)?,
        "pin": pin,
        "credential": credential,
    });
    std::fs::write(&wallet, serde_json::to_vec_pretty(&file)?)?;
    state.store.close().await;
    eprintln!(
        "enrolled {email} as identity {id}; wallet in {}",
        wallet.display()
    );
    Ok(())
}

struct Phone {
    identity_id: String,
    device: SigningKey,
    thumbprint: String,
    secret: PinSecret,
    pin: String,
    credential: SdJwtCredential,
    base: String,
    http: reqwest::Client,
}

impl Phone {
    fn proof(&self, method: &str, path: &str, body: &[u8]) -> Result<String> {
        let claims = DeviceProofClaims {
            sub: self.identity_id.clone(),
            htm: method.into(),
            htp: path.into(),
            iat: u64::try_from(alicem_server::oidc::now())?,
            jti: random_hex(16),
            body_sha256: body_hash(body),
        };
        Ok(jws::sign_json(Some(PROOF_TYPE), &claims, &self.device)?)
    }

    async fn pending(&self) -> Result<Vec<PendingLogin>> {
        let path = paths::ACCOUNT_LOGINS;
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(HEADER, self.proof("GET", path, b"")?)
            .send()
            .await?;
        anyhow::ensure!(
            r.status().is_success(),
            "pending logins: HTTP {}",
            r.status()
        );
        Ok(r.json::<PendingLogins>().await?.logins)
    }

    async fn approve(&self, login: &PendingLogin) -> Result<()> {
        let ctx = ProofContext {
            purpose: PinPurpose::Login,
            account: &self.identity_id,
            request: &login.login_id,
            device_key_thumbprint: &self.thumbprint,
        };
        let pin_proof = self
            .secret
            .prove(&Pin::new(&self.pin)?, &login.pin_challenge, &ctx)?;
        let held = self.credential.claim_names();
        let names: Vec<&str> = login
            .claims
            .iter()
            .map(String::as_str)
            .filter(|c| held.contains(c))
            .collect();
        let presentation = self.credential.present(
            &names,
            &KeyBindingInput {
                audience: &login.presentation_audience,
                nonce: &login.presentation_nonce,
                issued_at: alicem_server::oidc::now(),
            },
            &self.device,
        )?;
        let body = serde_json::to_vec(&LoginApproval {
            pin_proof,
            presentation,
        })?;
        let path = paths::login_approve(&login.login_id);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(HEADER, self.proof("POST", &path, &body)?)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        anyhow::ensure!(
            r.status().is_success(),
            "approve: HTTP {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        );
        Ok(())
    }
}

async fn approve(wallet: PathBuf, issuer: String, poll_ms: u64) -> Result<()> {
    let w: Value = serde_json::from_slice(&std::fs::read(&wallet)?)?;
    let raw = hex::decode(w["device_key_hex"].as_str().context("device key")?)?;
    let device =
        SigningKey::es256(p256::ecdsa::SigningKey::from_slice(&raw)?).with_thumbprint_kid();
    let phone = Arc::new(Phone {
        identity_id: w["identity_id"].as_str().context("identity")?.to_owned(),
        thumbprint: device.public_jwk().thumbprint(),
        device,
        secret: serde_json::from_value(w["pin_secret"].clone())?,
        pin: w["pin"].as_str().context("pin")?.to_owned(),
        credential: SdJwtCredential::parse(w["credential"].as_str().context("credential")?)?,
        base: issuer.trim_end_matches('/').to_owned(),
        http: reqwest::Client::new(),
    });
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    let mut approved: u64 = 0;
    loop {
        let pending = match phone.pending().await {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e:#}");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                continue;
            }
        };
        let mut started = 0;
        for login in pending {
            let fresh = in_flight
                .lock()
                .map(|mut s| s.insert(login.login_id.clone()))
                .unwrap_or(false);
            if !fresh {
                continue;
            }
            started += 1;
            approved += 1;
            let phone = Arc::clone(&phone);
            let in_flight = Arc::clone(&in_flight);
            tokio::spawn(async move {
                if let Err(e) = phone.approve(&login).await {
                    eprintln!("{}: {e:#}", login.login_id);
                }
                // Keep the id a while so a login still listed is not approved twice.
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                if let Ok(mut s) = in_flight.lock() {
                    s.remove(&login.login_id);
                }
            });
        }
        if started == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(poll_ms)).await;
        }
        if approved.is_multiple_of(1000) && started > 0 {
            eprintln!("{approved} logins approved");
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Enroll {
            config,
            email,
            pin,
            consent,
            wallet,
        } => enroll(config, email, pin, consent, wallet).await,
        Command::Approve {
            wallet,
            issuer,
            poll_ms,
        } => approve(wallet, issuer, poll_ms).await,
    }
}
