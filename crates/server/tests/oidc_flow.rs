//! The whole login with real clients: the `openidconnect` crate as the relying
//! party (discovery, authorization URL, token exchange, ID token and userinfo
//! verification), a cookie-keeping browser for the pages, and a wallet approving on
//! the /v1 API with its device key, PIN and credential.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oidc_common;

use alicem_api::account::{History, IdentityStatus};
use alicem_api::paths;
use oidc_common::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClientId,
    ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, Scope, TokenResponse, UserInfoClaims,
};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct FcClaims {
    birthplace: Option<String>,
    birthcountry: Option<String>,
}
impl AdditionalClaims for FcClaims {}

async fn send(http: reqwest::Client, req: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let (parts, body) = req.into_parts();
    let r = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut out = axum::http::Response::builder().status(r.status());
    for (k, v) in r.headers() {
        out = out.header(k, v);
    }
    let bytes = r.bytes().await?;
    Ok(out.body(bytes.to_vec()).unwrap())
}

fn rp_clients() -> Vec<alicem_server::oidc::client::ClientSpec> {
    let mut impots = client("impots", "Impôts démo", &["identite_pivot", "email"]);
    // openidconnect 4 verifies signed userinfo with RS256 only: this client asks for
    // RS256 userinfo (and keeps ES256 ID tokens, the default).
    impots.userinfo_signed_response_alg = Some("RS256".into());
    let caf = client("caf", "Allocations démo", &["given_name", "family_name"]);
    vec![impots, caf]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openidconnect_rp_logs_in_with_phone_approval_consent_and_pairwise_sub() {
    let server = start(rp_clients(), |_| {}).await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let http = server.http.clone();
    let rp_http = move |req: HttpRequest| send(http.clone(), req);

    let meta = CoreProviderMetadata::discover_async(
        IssuerUrl::new(server.base.clone()).unwrap(),
        &rp_http,
    )
    .await
    .unwrap();
    let rp = CoreClient::from_provider_metadata(
        meta,
        ClientId::new("impots".into()),
        Some(ClientSecret::new(SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());

    let mut subs = Vec::new();
    for round in 0..2 {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf, nonce) = rp
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("identite_pivot".into()))
            .add_scope(Scope::new("email".into()))
            .add_auth_context_value(AuthenticationContextClass::new("eidas3".into()))
            .add_extra_param("claims", r#"{"id_token":{"amr":{"essential":true}}}"#)
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = Browser::default();
        let wait = login_until_phone(&server, &mut browser, url.as_str(), EMAIL).await;
        let waiting = browser.get(&server.http, &wait).await;
        assert_eq!(waiting.status, 200);
        assert!(waiting.body.contains("http-equiv=\"refresh\""));

        let pending = server.pending(&wallet).await;
        assert_eq!(pending.len(), 1);
        let login = &pending[0];
        assert_eq!(login.service_provider, "Impôts démo");
        assert!(login.claims.contains(&"birthdate".to_owned()));
        assert!(login.claims.contains(&"email".to_owned()));
        let spaced = format!("{} {}", &login.short_code[..2], &login.short_code[2..]);
        assert!(
            waiting.body.contains(&spaced),
            "the page shows the code the phone shows"
        );
        let (status, body) = server.approve(&wallet, login, PIN).await;
        assert_eq!(status, 204, "{body}");

        let after = browser.get(&server.http, &wait).await;
        assert_eq!(after.status, 303);
        let mut location = after.location.unwrap();
        if round == 0 {
            assert!(location.ends_with("/consent"), "first meeting asks consent");
            let consent_url = format!("{}{location}", server.base);
            let page = browser.get(&server.http, &consent_url).await;
            assert!(page.body.contains("Date de naissance"));
            let done = browser
                .post(&server.http, &consent_url, &[("decision", "allow")])
                .await;
            assert_eq!(done.status, 303);
            location = done.location.unwrap();
        }
        assert!(location.starts_with(REDIRECT), "{location}");
        let q = query(&location);
        assert_eq!(q.get("state"), Some(csrf.secret()));
        assert_eq!(q.get("iss"), Some(&server.base), "RFC 9207 iss");

        let token = rp
            .exchange_code(AuthorizationCode::new(q["code"].clone()))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request_async(&rp_http)
            .await
            .unwrap();
        assert!(token.refresh_token().is_none());
        assert_eq!(token.expires_in(), Some(std::time::Duration::from_secs(60)));
        let id_token = token.id_token().unwrap();
        let id_verifier = rp.id_token_verifier();
        let claims = id_token.claims(&id_verifier, &nonce).unwrap();
        assert_eq!(
            format!("{:?}", id_token.signing_alg().unwrap()),
            "EcdsaP256Sha256"
        );
        assert_eq!(claims.auth_context_ref().unwrap().as_str(), "eidas3");
        let amr: Vec<String> = claims
            .auth_method_refs()
            .unwrap()
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect();
        assert_eq!(amr, ["pin", "pop", "mfa"]);
        let expected = AccessTokenHash::from_token(
            token.access_token(),
            id_token.signing_alg().unwrap(),
            id_token.signing_key(&id_verifier).unwrap(),
        )
        .unwrap();
        assert_eq!(claims.access_token_hash(), Some(&expected));
        let exp = claims.expiration().timestamp() - claims.issue_time().timestamp();
        assert_eq!(exp, 60, "ID token lives 60 s");

        let info: UserInfoClaims<FcClaims, CoreGenderClaim> = rp
            .user_info(
                token.access_token().to_owned(),
                Some(claims.subject().clone()),
            )
            .unwrap()
            .request_async(&rp_http)
            .await
            .unwrap();
        assert_eq!(
            info.given_name().unwrap().get(None).unwrap().as_str(),
            "Camille Anne"
        );
        assert_eq!(info.email().unwrap().as_str(), EMAIL);
        assert_eq!(
            info.additional_claims().birthplace.as_deref(),
            Some("75056")
        );
        subs.push(claims.subject().as_str().to_owned());
    }
    assert_eq!(
        subs[0], subs[1],
        "sub is stable for the same citizen and provider"
    );

    // Another provider gets another sub, and only its registered claims.
    let caf = login_with(
        &server,
        &wallet,
        "caf",
        SECRET,
        "openid given_name family_name",
    )
    .await;
    assert_ne!(caf["sub"], subs[0].as_str());
    assert!(caf.get("birthdate").is_none());
    assert_eq!(caf["family_name"], "MARTIN");

    // The history has the logins, with claim names only.
    let r = server.device_get(&wallet, paths::ACCOUNT_HISTORY).await;
    assert_eq!(r.status(), 200);
    let history: History = r.json().await.unwrap();
    let approved: Vec<_> = history
        .entries
        .iter()
        .filter(|e| e.outcome == "approved")
        .collect();
    assert_eq!(approved.len(), 3);
    assert!(
        approved
            .iter()
            .any(|e| e.client_id == "caf" && e.claims == ["family_name", "given_name"])
    );
    assert!(approved.iter().all(|e| e.acr == "eidas3"));
    let text = serde_json::to_string(&history).unwrap();
    assert!(
        !text.contains("MARTIN") && !text.contains("1990"),
        "no claim values in the history"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_provider_registered_with_admin_while_serving_logs_citizens_in() {
    use alicem_server::admin::{Admin, NewServiceProvider};
    use alicem_server::store::service_providers::TokenAuthMethod as Method;

    let server = start(vec![], |_| {}).await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let unknown = format!(
        "{}/authorize?response_type=code&client_id=mutuelle&redirect_uri={}&scope=openid&state=state-123456&nonce=nonce-0123456789abcdefghij",
        server.base,
        urlencode(REDIRECT)
    );
    let page = Browser::default().get(&server.http, &unknown).await;
    assert_eq!(page.status, 400, "not registered yet");

    // `alicem admin sp add`, as a separate process would: its own store connection.
    let admin = Admin::open((*server.state.config).clone()).await.unwrap();
    let registered = admin
        .add_service_provider(NewServiceProvider {
            client_id: Some("mutuelle".into()),
            name: "Mutuelle démo".into(),
            redirect_uris: vec![REDIRECT.into()],
            post_logout_redirect_uris: vec![],
            scopes: vec!["openid".into(), "family_name".into()],
            sector_identifier: None,
            token_auth_method: Method::ClientSecretPost,
            id_token_alg: "ES256".into(),
            jwks: None,
        })
        .await
        .unwrap();
    let secret = registered.client_secret.unwrap();

    // Within the reload interval for unknown ids the provider finds it.
    tokio::time::sleep(alicem_server::oidc::client::MISS_REFRESH).await;
    let userinfo = login_with(&server, &wallet, "mutuelle", &secret, "openid family_name").await;
    assert_eq!(userinfo["family_name"], "MARTIN", "{userinfo}");
    assert!(userinfo.get("given_name").is_none(), "{userinfo}");

    // A wrong secret is refused (argon2 check, then the remembered digest).
    let r = server
        .http
        .post(format!("{}/token", server.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "whatever"),
            ("redirect_uri", REDIRECT),
            ("client_id", "mutuelle"),
            ("client_secret", "not-the-secret-0123456789abcdef0123456789"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// A plain-HTTP relying party run (consent included); returns the userinfo JSON.
async fn login_with(
    server: &Server,
    wallet: &Wallet,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> serde_json::Value {
    let (verifier, challenge) = pkce();
    let url = format!(
        "{}/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope={}&state=state-123456&nonce=nonce-0123456789abcdefghij&code_challenge={challenge}&code_challenge_method=S256",
        server.base,
        urlencode(REDIRECT),
        urlencode(scope)
    );
    let mut browser = Browser::default();
    let wait = login_until_phone(server, &mut browser, &url, EMAIL).await;
    let pending = server.pending(wallet).await;
    let (status, body) = server.approve(wallet, &pending[0], PIN).await;
    assert_eq!(status, 204, "{body}");
    let mut step = browser.get(&server.http, &wait).await;
    if step
        .location
        .as_deref()
        .is_some_and(|l| l.ends_with("/consent"))
    {
        let consent = format!("{}{}", server.base, step.location.unwrap());
        step = browser
            .post(&server.http, &consent, &[("decision", "allow")])
            .await;
    }
    let q = query(&step.location.unwrap());
    let tokens: serde_json::Value = server
        .http
        .post(format!("{}/token", server.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", q["code"].as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", client_id),
            ("client_secret", secret),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = server
        .http
        .get(format!("{}/userinfo", server.base))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/jwt");
    let jwt = r.text().await.unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&alicem_credential::jose::b64::decode("payload", payload).unwrap())
        .unwrap()
}

fn impots_authorize_url(server: &Server) -> String {
    let (_, challenge) = pkce();
    format!(
        "{}/authorize?response_type=code&client_id=impots&redirect_uri={}&scope=openid%20identite_pivot&state=state-123456&nonce=nonce-0123456789abcdefghij&code_challenge={challenge}&code_challenge_method=S256",
        server.base,
        urlencode(REDIRECT),
    )
}

/// Longer than any answer a woken long poll needs, shorter than the 25 s it is held
/// when nothing wakes it: an answer within this bound was woken by the change.
const WOKEN_WITHIN: std::time::Duration = std::time::Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phones_long_poll_is_answered_when_a_login_arrives_and_held_while_nothing_is_new() {
    let server = start(rp_clients(), |_| {}).await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let before: alicem_api::login::PendingLogins = server
        .pending_after(&wallet, "wait=0")
        .await
        .json()
        .await
        .unwrap();
    assert!(before.logins.is_empty());

    let query = format!("wait=25&after={}", before.cursor);
    let poll = server.pending_after(&wallet, &query);
    let login = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let mut browser = Browser::default();
        login_until_phone(&server, &mut browser, &impots_authorize_url(&server), EMAIL).await
    };
    let (answer, _) = tokio::time::timeout(WOKEN_WITHIN, async { tokio::join!(poll, login) })
        .await
        .expect("the long poll was not woken by the new login");
    assert_eq!(answer.status(), 200);
    let news: alicem_api::login::PendingLogins = answer.json().await.unwrap();
    assert_eq!(news.logins.len(), 1);
    assert!(news.cursor > before.cursor);

    // Nothing newer than this cursor: held for the whole wait, then the same list.
    let held = server
        .pending_after(&wallet, &format!("wait=1&after={}", news.cursor))
        .await;
    let same: alicem_api::login::PendingLogins = held.json().await.unwrap();
    assert_eq!(same.cursor, news.cursor);
    assert_eq!(same.logins[0].login_id, news.logins[0].login_id);

    let bad = server.pending_after(&wallet, "wait=soon").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_waiting_page_long_poll_redirects_as_soon_as_the_phone_approves() {
    let server = start(rp_clients(), |_| {}).await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let mut browser = Browser::default();
    let wait =
        login_until_phone(&server, &mut browser, &impots_authorize_url(&server), EMAIL).await;
    let pending = server.pending(&wallet).await;

    let held_url = format!("{wait}?wait=25");
    let held_page = browser.get(&server.http, &held_url);
    let phone = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        server.approve(&wallet, &pending[0], PIN).await
    };
    let (page, (status, body)) =
        tokio::time::timeout(WOKEN_WITHIN, async { tokio::join!(held_page, phone) })
            .await
            .expect("the waiting page was not woken by the approval");
    assert_eq!(status, 204, "{body}");
    assert_eq!(page.status, 303, "{}", page.body);
    // First login to this provider: the consent page comes next.
    assert!(page.location.unwrap().ends_with("/consent"));
}

#[tokio::test]
async fn the_waiting_pages_script_learns_of_the_approval_without_taking_the_code() {
    let server = start(rp_clients(), |_| {}).await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let mut browser = Browser::default();
    let wait =
        login_until_phone(&server, &mut browser, &impots_authorize_url(&server), EMAIL).await;
    let status_url = wait.replace("/wait", "/status");
    assert_eq!(browser.get(&server.http, &status_url).await.status, 204);

    let pending = server.pending(&wallet).await;
    let held_url = format!("{status_url}?wait=25");
    let held = browser.get(&server.http, &held_url);
    let phone = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        server.approve(&wallet, &pending[0], PIN).await
    };
    let (answer, (status, body)) =
        tokio::time::timeout(WOKEN_WITHIN, async { tokio::join!(held, phone) })
            .await
            .expect("the status long poll was not woken by the approval");
    assert_eq!(status, 204, "{body}");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.location.is_none());
    // Asking again changes nothing: the waiting page still moves on (to consent).
    assert_eq!(browser.get(&server.http, &status_url).await.status, 200);
    let page = browser.get(&server.http, &wait).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(page.location.unwrap().ends_with("/consent"));

    // Without the browser's cookie the status is not given.
    let stranger = Browser::default().get(&server.http, &status_url).await;
    assert_ne!(stranger.status, 200);
    assert_ne!(stranger.status, 204);
}
