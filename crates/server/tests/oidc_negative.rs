//! What the provider refuses, and how: errors to the relying party when its redirect
//! URI is trusted, our error page otherwise; codes single-use and short-lived; PIN
//! lockout; suspended identities.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oidc_common;

use alicem_api::account::IdentityStatus;
use oidc_common::*;
use serde_json::Value;

const NONCE: &str = "nonce-0123456789abcdefghij";

fn authorize_url(server: &Server, extra: &str) -> String {
    format!(
        "{}/authorize?response_type=code&client_id=impots&redirect_uri={}&scope=openid%20identite_pivot{extra}",
        server.base,
        urlencode(REDIRECT)
    )
}

async fn one_server() -> Server {
    start(
        vec![client("impots", "Impôts démo", &["identite_pivot"])],
        |_| {},
    )
    .await
}

async fn get(server: &Server, url: &str) -> Page {
    Browser::default().get(&server.http, url).await
}

/// Runs a login up to the code (phone approves with the right PIN, consent given).
async fn code_for(server: &Server, wallet: &Wallet, challenge: &str) -> String {
    let url = authorize_url(
        server,
        &format!(
            "&state=s1234567&nonce={NONCE}&code_challenge={challenge}&code_challenge_method=S256"
        ),
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
    query(&step.location.unwrap())["code"].clone()
}

async fn token(server: &Server, code: &str, verifier: &str, secret: &str) -> (u16, Value) {
    let r = server
        .http
        .post(format!("{}/token", server.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "impots"),
            ("client_secret", secret),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn wrong_redirect_uri_gets_the_error_page_never_a_redirect() {
    let server = one_server().await;
    let url = format!(
        "{}/authorize?response_type=code&client_id=impots&redirect_uri={}&scope=openid&state=s1234567&nonce={NONCE}",
        server.base,
        urlencode("http://127.0.0.1:8088/callback/evil")
    );
    let page = get(&server, &url).await;
    assert_eq!(page.status, 400);
    assert!(page.location.is_none());
    assert!(page.body.contains("redirect_uri"));
}

#[tokio::test]
async fn request_errors_go_back_to_the_relying_party_with_state_and_iss() {
    let server = one_server().await;
    let cases = [
        // unregistered scope
        (
            format!(
                "{}/authorize?response_type=code&client_id=impots&redirect_uri={}&scope=openid%20email&state=s1234567&nonce={NONCE}",
                server.base,
                urlencode(REDIRECT)
            ),
            "invalid_scope",
        ),
        // missing nonce
        (authorize_url(&server, "&state=s1234567"), "invalid_request"),
        // short nonce (21 characters)
        (
            authorize_url(&server, "&state=s1234567&nonce=abcdefghijklmnopqrstu"),
            "invalid_request",
        ),
        // PKCE plain
        (
            authorize_url(
                &server,
                &format!(
                    "&state=s1234567&nonce={NONCE}&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq&code_challenge_method=plain"
                ),
            ),
            "invalid_request",
        ),
        // implicit flow
        (
            authorize_url(&server, &format!("&state=s1234567&nonce={NONCE}"))
                .replace("response_type=code", "response_type=id_token"),
            "unsupported_response_type",
        ),
        // prompt=none: there is never a session to reuse
        (
            authorize_url(
                &server,
                &format!("&state=s1234567&nonce={NONCE}&prompt=none"),
            ),
            "login_required",
        ),
    ];
    for (url, error) in cases {
        let page = get(&server, &url).await;
        assert_eq!(page.status, 303, "{url}");
        let location = page.location.unwrap();
        assert!(location.starts_with(REDIRECT));
        let q = query(&location);
        assert_eq!(q["error"], error, "{url}");
        assert_eq!(q["state"], "s1234567");
        assert_eq!(q["iss"], server.base);
    }
    // Missing state: an error to the RP, without state.
    let page = get(&server, &authorize_url(&server, &format!("&nonce={NONCE}"))).await;
    let q = query(&page.location.unwrap());
    assert_eq!(q["error"], "invalid_request");
    assert!(!q.contains_key("state"));
    // Unknown client: our page.
    let page = get(
        &server,
        &authorize_url(&server, &format!("&state=s1&nonce={NONCE}"))
            .replace("client_id=impots", "client_id=nobody"),
    )
    .await;
    assert_eq!(page.status, 400);
    // A repeated parameter: our page (which redirect_uri would we trust?).
    let page = get(
        &server,
        &format!(
            "{}&redirect_uri={}",
            authorize_url(&server, "&state=s1"),
            urlencode(REDIRECT)
        ),
    )
    .await;
    assert_eq!(page.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_pkce_verifier_wrong_secret_and_replayed_code_are_refused() {
    let server = one_server().await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;

    let (verifier, challenge) = pkce();
    let code = code_for(&server, &wallet, &challenge).await;
    let (status, body) = token(
        &server,
        &code,
        &verifier,
        "wrong-secret-wrong-secret-wrong-secret",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (other_verifier, _) = pkce();
    let (status, body) = token(&server, &code, &other_verifier, SECRET).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // A replay revokes what the code issued.
    let (verifier, challenge) = pkce();
    let code = code_for(&server, &wallet, &challenge).await;
    let (status, body) = token(&server, &code, &verifier, SECRET).await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().unwrap().to_owned();
    let userinfo = |t: String| {
        let http = server.http.clone();
        let url = format!("{}/userinfo", server.base);
        async move {
            http.get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(userinfo(access.clone()).await, 200);
    let (status, body) = token(&server, &code, &verifier, SECRET).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        userinfo(access).await,
        401,
        "tokens of a replayed code are revoked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_is_refused() {
    let server = start(
        vec![client("impots", "Impôts démo", &["identite_pivot"])],
        |c| {
            c.code_ttl_seconds = 1;
        },
    )
    .await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let (verifier, challenge) = pkce();
    let code = code_for(&server, &wallet, &challenge).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, body) = token(&server, &code, &verifier, SECRET).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_pins_lock_the_identity() {
    let server = one_server().await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let url = authorize_url(&server, &format!("&state=s1234567&nonce={NONCE}"));
    let mut browser = Browser::default();
    let wait = login_until_phone(&server, &mut browser, &url, EMAIL).await;
    for remaining in (1..5).rev() {
        let pending = server.pending(&wallet).await;
        let (status, body) = server.approve(&wallet, &pending[0], "135791").await;
        assert_eq!((status, body["error"].as_str()), (403, Some("wrong_pin")));
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("{remaining} attempts"))
        );
    }
    let pending = server.pending(&wallet).await;
    let (status, body) = server.approve(&wallet, &pending[0], "135791").await;
    assert_eq!((status, body["error"].as_str()), (403, Some("pin_locked")));
    assert_eq!(server.status_of(&wallet).await, IdentityStatus::Locked);
    // The browser learns the login was refused.
    let step = browser.get(&server.http, &wait).await;
    assert_eq!(query(&step.location.unwrap())["error"], "access_denied");
    // Even the right PIN is refused now.
    let mut browser = Browser::default();
    login_until_phone(&server, &mut browser, &url, EMAIL).await;
    let pending = server.pending(&wallet).await;
    let (status, _) = server.approve(&wallet, &pending[0], PIN).await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_approval_is_refused_and_one_for_login_a_does_not_approve_login_b() {
    let server = one_server().await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let url = authorize_url(&server, &format!("&state=s1234567&nonce={NONCE}"));
    let mut browser_a = Browser::default();
    let wait_a = login_until_phone(&server, &mut browser_a, &url, EMAIL).await;
    let login_a = server.pending(&wallet).await.remove(0);
    let mut browser_b = Browser::default();
    let wait_b = login_until_phone(&server, &mut browser_b, &url, EMAIL).await;
    let pending = server.pending(&wallet).await;
    assert_eq!(pending.len(), 2);
    let login_b = pending
        .into_iter()
        .find(|l| l.login_id != login_a.login_id)
        .unwrap();

    // A's approval sent for B: its PIN proof is bound to A's request and challenge,
    // so for B it is a wrong proof (counted), and B stays waiting.
    let approval_a = server.approval_body(&wallet, &login_a, PIN);
    let (status, body) = server
        .post_approval(&wallet, &login_b.login_id, approval_a.clone())
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("wrong_pin")),
        "{body}"
    );
    assert!(
        browser_b
            .get(&server.http, &wait_b)
            .await
            .location
            .is_none()
    );

    // A's approval for A completes A.
    let (status, body) = server
        .post_approval(&wallet, &login_a.login_id, approval_a.clone())
        .await;
    assert_eq!(status, 204, "{body}");
    let step = browser_a.get(&server.http, &wait_a).await;
    assert!(step.location.is_some(), "login A moved on");

    // The same approval again: A is no longer waiting, nothing happens.
    let (status, _) = server
        .post_approval(&wallet, &login_a.login_id, approval_a)
        .await;
    assert_eq!(status, 404);
    assert_eq!(server.status_of(&wallet).await, IdentityStatus::Active);

    // B, approved with its own fresh challenge, still works.
    let login_b = server.pending(&wallet).await.remove(0);
    let (status, body) = server.approve(&wallet, &login_b, PIN).await;
    assert_eq!(status, 204, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_identity_is_refused() {
    let server = one_server().await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    server.set_status(&wallet, IdentityStatus::Suspended).await;
    let url = authorize_url(&server, &format!("&state=s1234567&nonce={NONCE}"));
    let mut browser = Browser::default();
    let wait = login_until_phone(&server, &mut browser, &url, EMAIL).await;
    let pending = server.pending(&wallet).await;
    let (status, body) = server.approve(&wallet, &pending[0], PIN).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("identity_not_active"))
    );
    let step = browser.get(&server.http, &wait).await;
    let q = query(&step.location.unwrap());
    assert_eq!(q["error"], "access_denied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_refuses_a_tampered_id_token_hint() {
    let server = one_server().await;
    let wallet = server.enroll(EMAIL, IdentityStatus::Active).await;
    let (verifier, challenge) = pkce();
    let code = code_for(&server, &wallet, &challenge).await;
    let (_, body) = token(&server, &code, &verifier, SECRET).await;
    let id_token = body["id_token"].as_str().unwrap();
    let end = |hint: String| {
        format!(
            "{}/session/end?id_token_hint={hint}&post_logout_redirect_uri={}&state=bye123",
            server.base,
            urlencode(LOGGED_OUT)
        )
    };
    let ok = get(&server, &end(id_token.to_owned())).await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location.unwrap(), format!("{LOGGED_OUT}?state=bye123"));
    // Change one character of the payload: the signature no longer holds.
    let mut parts: Vec<String> = id_token.split('.').map(str::to_owned).collect();
    let mut payload = parts[1].clone().into_bytes();
    payload[10] = if payload[10] == b'A' { b'B' } else { b'A' };
    parts[1] = String::from_utf8(payload).unwrap();
    let bad = get(&server, &end(parts.join("."))).await;
    assert_eq!(bad.status, 400);
    assert!(bad.location.is_none());
    // An unregistered post-logout URI is not followed either.
    let other = get(
        &server,
        &format!(
            "{}/session/end?id_token_hint={id_token}&post_logout_redirect_uri={}",
            server.base,
            urlencode("http://127.0.0.1:8088/elsewhere")
        ),
    )
    .await;
    assert_eq!(other.status, 400);
}
