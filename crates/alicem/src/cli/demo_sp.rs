//! `alicem demo-sp`: a tiny OpenID Connect relying party ("Impôts démo") for tests
//! and demonstrations. A "S'identifier avec alicem" button starts an authorization
//! code flow (PKCE S256, nonce, `acr_values=eidas3`); the callback checks `state`
//! and `iss` (RFC 9207), exchanges the code (client_secret_post), verifies the ID
//! token (signature against the provider's JWKS, `iss`, `aud`, `exp`, `nonce`,
//! `at_hash`) and the signed userinfo, and shows the claims received.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use alicem_credential::jose::jwt::{Clock, check_validity};
use alicem_credential::jose::{JwkSet, UnverifiedJws, b64};
use anyhow::{Context, Result, anyhow, bail};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use clap::Args;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Run a demonstration service provider.
#[derive(Args, Debug)]
pub struct DemoSpArgs {
    /// The provider's issuer URL (e.g. http://127.0.0.1:8443).
    #[arg(long, env = "ALICEM_DEMO_SP_ISSUER")]
    pub issuer: String,
    /// Address to listen on; the redirect URI is http://ADDR/callback.
    #[arg(long, default_value = "127.0.0.1:8088")]
    pub listen: SocketAddr,
    /// The client id registered at the provider.
    #[arg(long, default_value = "impots-demo")]
    pub client_id: String,
    /// The client secret registered at the provider.
    #[arg(long, env = "ALICEM_DEMO_SP_SECRET")]
    pub client_secret: String,
    /// Scopes asked (FranceConnect names).
    #[arg(long, default_value = "openid identite_pivot email")]
    pub scope: String,
    /// eIDAS level asked.
    #[arg(long, default_value = "eidas3")]
    pub acr: String,
}

struct Endpoints {
    authorization: String,
    token: String,
    userinfo: String,
    jwks: String,
}

struct Pending {
    nonce: String,
    verifier: String,
}

/// The claims of a login: ID token, userinfo.
pub type Claims = (Map<String, Value>, Map<String, Value>);

struct Sp {
    args: DemoSpArgs,
    endpoints: Endpoints,
    http: reqwest::Client,
    pending: Mutex<HashMap<String, Pending>>,
    /// The claims of the last completed login (ID token, userinfo), for `alicem demo`.
    last_login: Mutex<Option<Claims>>,
}

fn random(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut buf);
    b64::encode(&buf)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{}</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}\
a.button{{display:inline-block;padding:.7rem 1.2rem;background:#000091;color:#fff;text-decoration:none;border-radius:4px}}\
a:focus{{outline:3px solid #0a76f6}}td,th{{text-align:left;padding:.2rem .6rem}}</style></head>\
<body><header><strong>Impôts démo</strong></header><main>{body}</main></body></html>",
        escape(title)
    ))
    .into_response()
}

async fn home() -> Response {
    page(
        "Impôts démo",
        "<h1>Votre espace particulier</h1><p>Connectez-vous avec votre identité numérique.</p>\
<p><a class=\"button\" href=\"/login\">S'identifier avec alicem</a></p>",
    )
}

async fn login(State(sp): State<Arc<Sp>>) -> Response {
    let state = random(24);
    let nonce = random(24);
    let verifier = random(32);
    let challenge = b64::encode(&Sha256::digest(verifier.as_bytes()));
    let Ok(mut url) = url::Url::parse(&sp.endpoints.authorization) else {
        return (StatusCode::BAD_GATEWAY, "bad authorization endpoint").into_response();
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &sp.args.client_id)
        .append_pair("redirect_uri", &redirect_uri(&sp.args))
        .append_pair("scope", &sp.args.scope)
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("acr_values", &sp.args.acr);
    if let Ok(mut p) = sp.pending.lock() {
        p.insert(state, Pending { nonce, verifier });
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, url.to_string())]).into_response()
}

fn redirect_uri(args: &DemoSpArgs) -> String {
    format!("http://{}/callback", args.listen)
}

async fn verify_jwt(sp: &Sp, token: &str) -> Result<Map<String, Value>> {
    let keys = sp
        .http
        .get(&sp.endpoints.jwks)
        .send()
        .await?
        .bytes()
        .await?;
    let keys = JwkSet::parse(&keys).context("provider JWKS")?;
    let verified = UnverifiedJws::parse(token)?.verify_with_set(&keys)?;
    let claims = verified.claims()?;
    if claims.get("iss").and_then(Value::as_str) != Some(sp.args.issuer.as_str()) {
        bail!("wrong iss");
    }
    if claims.get("aud").and_then(Value::as_str) != Some(sp.args.client_id.as_str()) {
        bail!("wrong aud");
    }
    Ok(claims)
}

async fn complete(
    sp: &Sp,
    q: &HashMap<String, String>,
) -> Result<(Map<String, Value>, Map<String, Value>)> {
    if let Some(e) = q.get("error") {
        bail!(
            "the provider answered {e}: {}",
            q.get("error_description").map(String::as_str).unwrap_or("")
        );
    }
    let state = q.get("state").ok_or_else(|| anyhow!("no state"))?;
    let pending = sp
        .pending
        .lock()
        .map_err(|_| anyhow!("lock"))?
        .remove(state)
        .ok_or_else(|| anyhow!("unknown state"))?;
    if q.get("iss") != Some(&sp.args.issuer) {
        bail!("missing or wrong iss in the authorization response (RFC 9207)");
    }
    let code = q.get("code").ok_or_else(|| anyhow!("no code"))?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", &redirect_uri(&sp.args)),
        ("client_id", &sp.args.client_id),
        ("client_secret", &sp.args.client_secret),
        ("code_verifier", &pending.verifier),
    ];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = sp
        .http
        .post(&sp.endpoints.token)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let tokens: Value = serde_json::from_slice(&response.bytes().await?)?;
    if !status.is_success() {
        bail!("token endpoint: {status} {tokens}");
    }
    let access = tokens["access_token"]
        .as_str()
        .ok_or_else(|| anyhow!("no access_token"))?;
    let id_token = tokens["id_token"]
        .as_str()
        .ok_or_else(|| anyhow!("no id_token"))?;
    let id = verify_jwt(sp, id_token).await?;
    check_validity(&id, Clock::system(), true)?;
    if id.get("nonce").and_then(Value::as_str) != Some(pending.nonce.as_str()) {
        bail!("wrong nonce");
    }
    let at_hash = b64::encode(
        Sha256::digest(access.as_bytes())
            .get(..16)
            .unwrap_or_default(),
    );
    if id.get("at_hash").and_then(Value::as_str) != Some(at_hash.as_str()) {
        bail!("wrong at_hash");
    }
    let r = sp
        .http
        .get(&sp.endpoints.userinfo)
        .bearer_auth(access)
        .send()
        .await?;
    let is_jwt = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/jwt"));
    let text = r.text().await?;
    let info = if is_jwt {
        verify_jwt(sp, text.trim()).await?
    } else {
        serde_json::from_str(&text)?
    };
    if info.get("sub") != id.get("sub") {
        bail!("userinfo sub differs from the ID token's");
    }
    Ok((id, info))
}

fn table(claims: &Map<String, Value>) -> String {
    let rows: String = claims
        .iter()
        .map(|(k, v)| {
            let v = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string());
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(k),
                escape(&v)
            )
        })
        .collect();
    format!("<table>{rows}</table>")
}

async fn callback(State(sp): State<Arc<Sp>>, Query(q): Query<HashMap<String, String>>) -> Response {
    match complete(&sp, &q).await {
        Ok((id, info)) => {
            if let Ok(mut last) = sp.last_login.lock() {
                *last = Some((id.clone(), info.clone()));
            }
            page(
                "Connecté",
                &format!(
                    "<h1>Bonjour</h1><p>Vous êtes connecté avec alicem (niveau {}).</p>\
<h2>Informations reçues</h2>{}<h2>Jeton d'identité</h2>{}<p><a href=\"/\">Retour</a></p>",
                    escape(id.get("acr").and_then(Value::as_str).unwrap_or("?")),
                    table(&info),
                    table(&id)
                ),
            )
        }
        Err(e) => {
            let r = page(
                "Échec",
                &format!(
                    "<h1>Connexion échouée</h1><p role=\"alert\">{}</p><p><a href=\"/\">Retour</a></p>",
                    escape(&format!("{e:#}"))
                ),
            );
            (StatusCode::BAD_GATEWAY, r).into_response()
        }
    }
}

/// Discovers the provider's endpoints and prepares the relying party.
async fn prepare(args: DemoSpArgs) -> Result<Arc<Sp>> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let issuer = args.issuer.trim_end_matches('/').to_owned();
    let meta: Value = http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .context("provider discovery")?
        .json()
        .await
        .context("provider discovery")?;
    if meta["issuer"].as_str() != Some(issuer.as_str()) {
        bail!("the provider's metadata names another issuer");
    }
    let endpoint = |k: &str| -> Result<String> {
        meta[k]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("discovery has no {k}"))
    };
    let endpoints = Endpoints {
        authorization: endpoint("authorization_endpoint")?,
        token: endpoint("token_endpoint")?,
        userinfo: endpoint("userinfo_endpoint")?,
        jwks: endpoint("jwks_uri")?,
    };
    Ok(Arc::new(Sp {
        args: DemoSpArgs { issuer, ..args },
        endpoints,
        http,
        pending: Mutex::new(HashMap::new()),
        last_login: Mutex::new(None),
    }))
}

fn app(sp: Arc<Sp>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .with_state(sp)
}

pub fn run(args: DemoSpArgs) -> Result<std::process::ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listen = args.listen;
        let sp = prepare(args).await?;
        let listener = tokio::net::TcpListener::bind(listen).await?;
        eprintln!("Impôts démo on http://{listen}/ (redirect URI http://{listen}/callback)");
        axum::serve(listener, app(sp)).await?;
        Ok(std::process::ExitCode::SUCCESS)
    })
}

/// The demo service provider running inside another program (`alicem demo`).
pub struct DemoSp {
    sp: Arc<Sp>,
}

impl DemoSp {
    /// Serves on `listener` (already bound, non-blocking) on `runtime`.
    pub fn spawn(
        runtime: &tokio::runtime::Runtime,
        listener: std::net::TcpListener,
        args: DemoSpArgs,
    ) -> Result<Self> {
        let sp = runtime.block_on(prepare(args))?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let router = app(Arc::clone(&sp));
        runtime.spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!("demo service provider: {e}");
            }
        });
        Ok(Self { sp })
    }

    /// The claims (ID token, userinfo) of the last completed login.
    pub fn last_login(&self) -> Option<Claims> {
        self.sp.last_login.lock().ok()?.clone()
    }
}
