//! Shared by the OpenID Connect tests: a real server (SQLite, in process, on an
//! ephemeral port) with registered relying parties, an enrolled identity provisioned
//! through the store, and a wallet that approves logins over the real /v1 API
//! (device proof, PIN proof, SD-JWT presentation).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use alicem_api::account::IdentityStatus;
use alicem_api::device_proof::{DeviceProofClaims, HEADER, PROOF_TYPE, body_hash};
use alicem_api::login::{LoginApproval, PendingLogin, PendingLogins};
use alicem_api::paths;
use alicem_credential::jose::{Jwk, JwsSigner, SigningKey, jws};
use alicem_credential::pin::{KdfParams, Pin, PinPurpose, PinSecret, PinVerifier, ProofContext};
use alicem_credential::sd_jwt::{self, Issuance, KeyBindingInput, SdJwtCredential};
use alicem_emrtd::verify::TrustStore;
use alicem_server::clock::SystemClock;
use alicem_server::config::Config;
use alicem_server::keys::ServerKeys;
use alicem_server::oidc::client::{ClientSpec, TokenAuthMethod};
use alicem_server::oidc::{OidcConfig, app};
use alicem_server::store::identities::{self, Identity};
use alicem_server::{AppState, Store};
use serde_json::{Value, json};

pub const SECRET: &str = "impots-demo-secret-0123456789abcdef0123456789";
pub const REDIRECT: &str = "http://127.0.0.1:8088/callback";
pub const LOGGED_OUT: &str = "http://127.0.0.1:8088/logged-out";
pub const PIN: &str = "482915";
pub const EMAIL: &str = "camille.martin@example.fr";

pub fn rand_id() -> String {
    let mut b = [0u8; 12];
    rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut b);
    hex::encode(b)
}

pub fn client(id: &str, name: &str, scopes: &[&str]) -> ClientSpec {
    ClientSpec {
        client_id: id.into(),
        name: name.into(),
        client_secret: Some(SECRET.into()),
        token_endpoint_auth_method: TokenAuthMethod::ClientSecretBasic,
        jwks: None,
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: vec![LOGGED_OUT.into()],
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        sector_identifier: Some(format!("{id}.example")),
        id_token_signed_response_alg: None,
        userinfo_signed_response_alg: None,
        encrypt_responses: false,
        require_pkce: false,
    }
}

/// A running server.
pub struct Server {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub base: String,
    pub http: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub async fn start(clients: Vec<ClientSpec>, tweak: impl FnOnce(&mut OidcConfig)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let mut config = Config {
        data_dir: dir.path().join("data"),
        issuer: format!("http://{addr}"),
        listen: addr,
        ..Config::default()
    };
    config.oidc.clients = clients;
    tweak(&mut config.oidc);
    std::fs::create_dir_all(&config.data_dir).unwrap();
    let keys = ServerKeys::load_or_create(&config).unwrap();
    let store = Store::open(&config.database_url()).await.unwrap();
    let state = AppState::from_parts(
        config,
        store,
        keys,
        TrustStore::new(),
        Arc::new(SystemClock),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let serving = state.clone();
    tokio::spawn(async move {
        alicem_server::serve_on(listener, serving, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Server {
        dir,
        state,
        base: format!("http://{addr}"),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _shutdown: tx,
    }
}

/// The citizen's phone: device key, PIN secret, credential.
pub struct Wallet {
    pub identity_id: String,
    pub device: SigningKey,
    pub pin_secret: PinSecret,
    pub credential: String,
}

impl Server {
    /// Enrolls an identity directly through the store (the enrollment itself is
    /// another issue's): device key, PIN verifier, login e-mail, credential.
    pub async fn enroll(&self, email: &str, status: IdentityStatus) -> Wallet {
        let device =
            SigningKey::generate_es256(&mut alicem_credential::rng::os_rng()).with_thumbprint_kid();
        let jwk: Jwk = device.public_jwk();
        let id = rand_id();
        let pin_secret = PinSecret::generate(
            KdfParams::FAST_INSECURE,
            &mut alicem_credential::rng::os_rng(),
        );
        let registration = pin_secret.register(&Pin::new(PIN).unwrap()).unwrap();
        let verifier = PinVerifier::register(&self.state.keys.pepper, &id, &registration).unwrap();
        let now = alicem_server::oidc::now();
        let identity = Identity {
            id: id.clone(),
            device_key: jwk.to_json().to_string(),
            device_key_thumbprint: jwk.thumbprint(),
            document_fingerprint: rand_id(),
            document_expires_at: now + 86_400 * 365,
            level: "eidas3".into(),
            status,
            status_reason: None,
            pin_verifier: Some(verifier.to_storage()),
            pin_failures: 0,
            enrollment_id: rand_id(),
            created_at: now,
            updated_at: now,
        };
        identities::insert(self.state.store.pool(), &identity)
            .await
            .unwrap();
        let provider = app::provider(&self.state).await.unwrap();
        provider
            .store
            .link_identifier(&id, email, now)
            .await
            .unwrap();
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
                issuer: &self.state.config.issuer,
                vct: app::CREDENTIAL_VCT,
                issued_at: now,
                expires_at: now + 86_400 * 365,
                holder_key: &jwk,
                claims,
                min_digests: 12,
            },
            &self.state.keys.issuer,
            &mut alicem_credential::rng::os_rng(),
        )
        .unwrap();
        Wallet {
            identity_id: id,
            device,
            pin_secret,
            credential,
        }
    }

    fn proof(&self, wallet: &Wallet, method: &str, path: &str, body: &[u8]) -> String {
        let claims = DeviceProofClaims {
            sub: wallet.identity_id.clone(),
            htm: method.into(),
            htp: path.into(),
            iat: u64::try_from(alicem_server::oidc::now()).unwrap(),
            jti: rand_id() + &rand_id(),
            body_sha256: body_hash(body),
        };
        jws::sign_json(Some(PROOF_TYPE), &claims, &wallet.device).unwrap()
    }

    pub async fn device_get(&self, wallet: &Wallet, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header(HEADER, self.proof(wallet, "GET", path, b""))
            .send()
            .await
            .unwrap()
    }

    pub async fn device_post(
        &self,
        wallet: &Wallet,
        path: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header(HEADER, self.proof(wallet, "POST", path, &body))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The phone's long poll: `GET /v1/account/logins?wait=S&after=C` (the proof
    /// covers the path only).
    pub async fn pending_after(&self, wallet: &Wallet, query: &str) -> reqwest::Response {
        let path = paths::ACCOUNT_LOGINS;
        self.http
            .get(format!("{}{path}?{query}", self.base))
            .header(HEADER, self.proof(wallet, "GET", path, b""))
            .send()
            .await
            .unwrap()
    }

    pub async fn pending(&self, wallet: &Wallet) -> Vec<PendingLogin> {
        let r = self.device_get(wallet, paths::ACCOUNT_LOGINS).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        r.json::<PendingLogins>().await.unwrap().logins
    }

    /// Approves `login` with `pin`; returns the HTTP status and body.
    pub async fn approve(&self, wallet: &Wallet, login: &PendingLogin, pin: &str) -> (u16, Value) {
        let body = self.approval_body(wallet, login, pin);
        self.post_approval(wallet, &login.login_id, body).await
    }

    /// Posts an approval body (made for any login) to the login `login_id`.
    pub async fn post_approval(
        &self,
        wallet: &Wallet,
        login_id: &str,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let r = self
            .device_post(wallet, &paths::login_approve(login_id), body)
            .await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// What the wallet sends to approve `login` with `pin`: a PIN proof on the
    /// login's challenge and a presentation of just the claims asked.
    pub fn approval_body(&self, wallet: &Wallet, login: &PendingLogin, pin: &str) -> Vec<u8> {
        let ctx = ProofContext {
            purpose: PinPurpose::Login,
            account: &wallet.identity_id,
            request: &login.login_id,
            device_key_thumbprint: &wallet.device.public_jwk().thumbprint(),
        };
        let pin_proof = wallet
            .pin_secret
            .prove(&Pin::new(pin).unwrap(), &login.pin_challenge, &ctx)
            .unwrap();
        let cred = SdJwtCredential::parse(&wallet.credential).unwrap();
        let held: Vec<&str> = cred.claim_names();
        let names: Vec<&str> = login
            .claims
            .iter()
            .map(String::as_str)
            .filter(|c| held.contains(c))
            .collect();
        let presentation = cred
            .present(
                &names,
                &KeyBindingInput {
                    audience: &login.presentation_audience,
                    nonce: &login.presentation_nonce,
                    issued_at: alicem_server::oidc::now(),
                },
                &wallet.device,
            )
            .unwrap();
        serde_json::to_vec(&LoginApproval {
            pin_proof,
            presentation,
        })
        .unwrap()
    }

    pub async fn set_status(&self, wallet: &Wallet, status: IdentityStatus) {
        sqlx::query("UPDATE identities SET status = $1 WHERE id = $2")
            .bind(identities::status_str(status))
            .bind(&wallet.identity_id)
            .execute(self.state.store.pool())
            .await
            .unwrap();
    }

    pub async fn status_of(&self, wallet: &Wallet) -> IdentityStatus {
        self.state
            .store
            .identity(&wallet.identity_id)
            .await
            .unwrap()
            .unwrap()
            .status
    }
}

/// A browser: cookies per path, no automatic redirects.
#[derive(Default)]
pub struct Browser {
    cookies: Vec<(String, String, String)>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Browser {
    fn absorb(&mut self, r: &reqwest::Response) {
        for h in r.headers().get_all("set-cookie") {
            let s = h.to_str().unwrap();
            let mut parts = s.split(';');
            let (n, v) = parts.next().unwrap().split_once('=').unwrap();
            let path = parts
                .filter_map(|a| a.trim().strip_prefix("Path="))
                .next()
                .unwrap_or("/")
                .to_owned();
            self.cookies.retain(|(cn, _, cp)| !(cn == n && *cp == path));
            self.cookies.push((n.trim().into(), v.trim().into(), path));
        }
    }

    fn cookie_header(&self, url: &str) -> String {
        let path = url::Url::parse(url).unwrap().path().to_owned();
        self.cookies
            .iter()
            .filter(|(_, _, p)| path.starts_with(p.as_str()))
            .map(|(n, v, _)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, http: &reqwest::Client, url: &str) -> Page {
        let r = http
            .get(url)
            .header("cookie", self.cookie_header(url))
            .send()
            .await
            .unwrap();
        self.page(r).await
    }

    pub async fn post(&mut self, http: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let r = http
            .post(url)
            .header("cookie", self.cookie_header(url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.page(r).await
    }

    async fn page(&mut self, r: reqwest::Response) -> Page {
        self.absorb(&r);
        Page {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned()),
            body: r.text().await.unwrap(),
        }
    }
}

/// Query parameters of a URL.
pub fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Drives the browser from an authorization URL to the page after the phone
/// approved: identifier page → waiting page (short code) → phone → next stop.
/// Returns the location the waiting page sends to (consent page or redirect URI).
pub async fn login_until_phone(
    server: &Server,
    browser: &mut Browser,
    authorize_url: &str,
    email: &str,
) -> String {
    let start = browser.get(&server.http, authorize_url).await;
    assert_eq!(start.status, 303, "{}", start.body);
    let login_page = format!("{}{}", server.base, start.location.unwrap());
    let page = browser.get(&server.http, &login_page).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"identifier\""));
    let next = browser
        .post(&server.http, &login_page, &[("identifier", email)])
        .await;
    assert_eq!(next.status, 303);
    format!("{}{}", server.base, next.location.unwrap())
}

pub fn pkce() -> (String, String) {
    use sha2::Digest;
    let verifier = rand_id() + &rand_id() + &rand_id();
    let challenge =
        alicem_credential::jose::b64::encode(&sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
