//! The citizen's lifecycle from the wallet (PIN-proven) and the agent console.

#![allow(clippy::unwrap_used)]

mod common;

use alicem_api::account::{
    AccountStatus, ChallengeGrant, ChallengePurpose, ChallengeRequest, IdentityStatus,
    LifecycleRequest,
};
use alicem_credential::pin::{Pin, PinPurpose, ProofContext};
use common::flow::{Enrolled, document, enrolled};
use common::{Db, TestServer, state};

async fn challenge(
    server: &TestServer,
    who: &Enrolled,
    purpose: ChallengePurpose,
) -> ChallengeGrant {
    let body = serde_json::to_vec(&ChallengeRequest { purpose }).unwrap();
    let response = who
        .wallet
        .send(
            &who.identity_id,
            "POST",
            "/v1/account/challenges",
            body,
            server.now(),
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn lifecycle(
    server: &TestServer,
    who: &Enrolled,
    purpose: ChallengePurpose,
    path: &str,
    pin: &Pin,
) -> reqwest::Response {
    let grant = challenge(server, who, purpose).await;
    let thumbprint = alicem_credential::jose::JwsSigner::public_jwk(&who.wallet.key).thumbprint();
    let context = ProofContext {
        purpose: PinPurpose::Lifecycle,
        account: &who.identity_id,
        request: &grant.challenge_id,
        device_key_thumbprint: &thumbprint,
    };
    let proof = who
        .pin_secret
        .prove(pin, &grant.challenge, &context)
        .unwrap();
    let body = serde_json::to_vec(&LifecycleRequest {
        challenge_id: grant.challenge_id,
        pin_proof: proof,
    })
    .unwrap();
    who.wallet
        .send(&who.identity_id, "POST", path, body, server.now())
        .await
}

async fn account(server: &TestServer, who: &Enrolled) -> AccountStatus {
    who.wallet
        .send(
            &who.identity_id,
            "GET",
            "/v1/account",
            Vec::new(),
            server.now(),
        )
        .await
        .json()
        .await
        .unwrap()
}

async fn citizen_suspends_then_revokes_with_the_pin_and_wrong_pins_lock(db: Db) {
    let (doc, trust) = document();
    let Some(server) = state(db, trust).await else {
        return;
    };
    let base = server.spawn().await;
    let who = enrolled(&server, &base, &doc).await;
    assert_eq!(account(&server, &who).await.status, IdentityStatus::Active);

    // A wrong PIN counts and is refused.
    let wrong = Pin::new("111112").unwrap();
    let response = lifecycle(
        &server,
        &who,
        ChallengePurpose::Suspend,
        "/v1/account/suspend",
        &wrong,
    )
    .await;
    assert_eq!(response.status(), 403);
    assert_eq!(account(&server, &who).await.pin_attempts_left, 4);

    // The right PIN suspends (and resets the counter).
    let response = lifecycle(
        &server,
        &who,
        ChallengePurpose::Suspend,
        "/v1/account/suspend",
        &who.pin,
    )
    .await;
    assert_eq!(response.status(), 200);
    let status = account(&server, &who).await;
    assert_eq!(status.status, IdentityStatus::Suspended);
    assert_eq!(status.pin_attempts_left, 5);

    // A challenge made for suspension cannot revoke.
    let grant = challenge(&server, &who, ChallengePurpose::Suspend).await;
    let thumbprint = alicem_credential::jose::JwsSigner::public_jwk(&who.wallet.key).thumbprint();
    let context = ProofContext {
        purpose: PinPurpose::Lifecycle,
        account: &who.identity_id,
        request: &grant.challenge_id,
        device_key_thumbprint: &thumbprint,
    };
    let proof = who
        .pin_secret
        .prove(&who.pin, &grant.challenge, &context)
        .unwrap();
    let body = serde_json::to_vec(&LifecycleRequest {
        challenge_id: grant.challenge_id,
        pin_proof: proof,
    })
    .unwrap();
    let response = who
        .wallet
        .send(
            &who.identity_id,
            "POST",
            "/v1/account/revoke",
            body,
            server.now(),
        )
        .await;
    assert_eq!(response.status(), 400);

    let response = lifecycle(
        &server,
        &who,
        ChallengePurpose::Revoke,
        "/v1/account/revoke",
        &who.pin,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(account(&server, &who).await.status, IdentityStatus::Revoked);
    let audit = server.state.store.audit_of(&who.identity_id).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"identity.suspended") && actions.contains(&"identity.revoked"));
}

#[tokio::test]
async fn sqlite_citizen_suspends_then_revokes_with_the_pin_and_wrong_pins_lock() {
    citizen_suspends_then_revokes_with_the_pin_and_wrong_pins_lock(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_citizen_suspends_then_revokes_with_the_pin_and_wrong_pins_lock() {
    citizen_suspends_then_revokes_with_the_pin_and_wrong_pins_lock(Db::Postgres).await;
}

#[tokio::test]
async fn five_wrong_pins_lock_the_identity() {
    let (doc, trust) = document();
    let server = state(Db::Sqlite, trust).await.unwrap();
    let base = server.spawn().await;
    let who = enrolled(&server, &base, &doc).await;
    let wrong = Pin::new("111112").unwrap();
    for _ in 0..5 {
        lifecycle(
            &server,
            &who,
            ChallengePurpose::Suspend,
            "/v1/account/suspend",
            &wrong,
        )
        .await;
    }
    let status = account(&server, &who).await;
    assert_eq!(status.status, IdentityStatus::Locked);
    let response = lifecycle(
        &server,
        &who,
        ChallengePurpose::Suspend,
        "/v1/account/suspend",
        &who.pin,
    )
    .await;
    assert_eq!(
        response.status(),
        403,
        "locked: even the right PIN is refused"
    );
}

/// An agent console session: (HTTP client, cookie, CSRF token).
async fn console_login(server: &TestServer, base: &str) -> (reqwest::Client, String, String) {
    let admin = alicem_server::admin::Admin {
        config: (*server.state.config).clone(),
        store: server.state.store.clone(),
        keys: alicem_server::keys::ServerKeys::load_or_create(&server.state.config).unwrap(),
    };
    admin
        .add_agent("agent.leroy", "Leroy", "a long agent password")
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .post(format!("{base}/agent/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("login", "agent.leroy"),
            ("password", "a long agent password"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let queue = http
        .get(format!("{base}/agent"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = queue
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (http, cookie, csrf)
}

#[tokio::test]
async fn an_agent_unlocks_a_pin_locked_identity_after_seeing_the_citizen() {
    let (doc, trust) = document();
    let server = state(Db::Sqlite, trust).await.unwrap();
    let base = server.spawn().await;
    let who = enrolled(&server, &base, &doc).await;
    let (http, cookie, csrf) = console_login(&server, &base).await;
    let act = |action: &'static str, confirm: bool| {
        let mut pairs = vec![
            ("csrf", csrf.as_str()),
            ("identity_id", who.identity_id.as_str()),
            ("action", action),
        ];
        if confirm {
            pairs.push(("confirm", "yes"));
        }
        http.post(format!("{base}/agent/identities"))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(&pairs))
            .send()
    };

    // Nothing to unlock on an active identity.
    assert_eq!(act("unlock", true).await.unwrap().status(), 409);

    let wrong = Pin::new("111112").unwrap();
    for _ in 0..5 {
        lifecycle(
            &server,
            &who,
            ChallengePurpose::Suspend,
            "/v1/account/suspend",
            &wrong,
        )
        .await;
    }
    assert_eq!(account(&server, &who).await.status, IdentityStatus::Locked);

    // Without the agent's confirmation of the in-person check, nothing happens.
    assert_eq!(act("unlock", false).await.unwrap().status(), 400);
    assert_eq!(account(&server, &who).await.status, IdentityStatus::Locked);

    let r = act("unlock", true).await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let status = account(&server, &who).await;
    assert_eq!(status.status, IdentityStatus::Active);
    assert_eq!(status.pin_attempts_left, 5);
    let audit = server.state.store.audit_of(&who.identity_id).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.actor == "agent:agent.leroy" && a.action == "identity.pin_unlocked"),
        "the unlock is audited"
    );

    // The citizen's own PIN works again.
    let response = lifecycle(
        &server,
        &who,
        ChallengePurpose::Suspend,
        "/v1/account/suspend",
        &who.pin,
    )
    .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn deletion_removes_the_identity_and_keeps_the_history_for_its_period() {
    let (doc, trust) = document();
    let server = state(Db::Sqlite, trust).await.unwrap();
    let base = server.spawn().await;
    let who = enrolled(&server, &base, &doc).await;
    let entry = alicem_api::account::HistoryEntry {
        at: u64::try_from(server.now()).unwrap(),
        service_provider: "Impôts démo".into(),
        client_id: "impots".into(),
        claims: vec!["given_name".into()],
        acr: "eidas3".into(),
        outcome: "approved".into(),
    };
    server
        .state
        .store
        .record_connection(&who.identity_id, &entry)
        .await
        .unwrap();
    let old = alicem_api::account::HistoryEntry {
        at: u64::try_from(server.now() - 8 * 366 * 86_400).unwrap(),
        ..entry.clone()
    };
    server
        .state
        .store
        .record_connection(&who.identity_id, &old)
        .await
        .unwrap();
    let response = lifecycle(
        &server,
        &who,
        ChallengePurpose::Delete,
        "/v1/account/delete",
        &who.pin,
    )
    .await;
    assert_eq!(response.status(), 204);
    assert!(
        server
            .state
            .store
            .identity(&who.identity_id)
            .await
            .unwrap()
            .is_none()
    );
    // The retention job deletes only what is past the period.
    let report = alicem_server::jobs::run_once(&server.state).await.unwrap();
    assert_eq!(report.history_deleted, 1);
    let left = server
        .state
        .store
        .connection_history(&who.identity_id, 10)
        .await
        .unwrap();
    assert_eq!(left, vec![entry]);
}

#[tokio::test]
async fn identities_end_with_their_document() {
    let (doc, trust) = document();
    let server = state(Db::Sqlite, trust).await.unwrap();
    let base = server.spawn().await;
    let who = enrolled(&server, &base, &doc).await;
    server.clock.advance(11 * 366 * 86_400);
    let report = alicem_server::jobs::run_once(&server.state).await.unwrap();
    assert_eq!(report.identities_expired, 1);
    let identity = server
        .state
        .store
        .identity(&who.identity_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.status, IdentityStatus::Expired);
}

#[tokio::test]
async fn agent_console_needs_login_and_csrf_and_decides_in_person_sessions() {
    let (doc, trust) = document();
    let server = state(Db::Sqlite, trust).await.unwrap();
    let base = server.spawn().await;
    let admin = alicem_server::admin::Admin {
        config: (*server.state.config).clone(),
        store: server.state.store.clone(),
        keys: alicem_server::keys::ServerKeys::load_or_create(&server.state.config).unwrap(),
    };
    admin
        .add_agent("agent.martin", "Martin", "correct horse battery")
        .await
        .unwrap();

    let wallet = common::wallet::TestWallet::new(&base);
    let session = common::flow::start(
        &base,
        &wallet,
        alicem_api::enrollment::EnrollmentPath::Agent,
    )
    .await;
    common::flow::upload_agent(&server, &wallet, &session, &doc).await;

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Not logged in: sent to the login page.
    let r = http.get(format!("{base}/agent")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    // Wrong password.
    let r = http
        .post(format!("{base}/agent/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("login", "agent.martin"),
            ("password", "wrong password!"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = http
        .post(format!("{base}/agent/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("login", "agent.martin"),
            ("password", "correct horse battery"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let queue = http
        .get(format!("{base}/agent"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&session.session_code));
    let csrf = queue
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    // The session page shows the chip photo, uncached.
    let r = http
        .get(format!("{base}/agent/sessions/{}", session.session_id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.text().await.unwrap().contains("data:image/"));

    let decision = format!("{base}/agent/sessions/{}/decision", session.session_id);
    // A forged form (no valid CSRF token) is refused.
    let r = http
        .post(&decision)
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("csrf", "forged"),
            ("decision", "approve"),
            ("confirm", "yes"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Approval without confirming the in-person check is refused.
    let r = http
        .post(&decision)
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("csrf", csrf.as_str()),
            ("decision", "approve"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = http
        .post(&decision)
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("csrf", csrf.as_str()),
            ("decision", "approve"),
            ("confirm", "yes"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let record = server
        .state
        .store
        .enrollment(&session.session_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        record.status,
        alicem_api::enrollment::EnrollmentStatus::Approved
    );
    assert_eq!(record.decided_by.as_deref(), Some("agent:agent.martin"));
    assert_eq!(server.state.scratch.held_count(), 0);

    // The agent suspends the new identity.
    let identity_id = record.identity_id.unwrap();
    let r = http
        .post(format!("{base}/agent/identities"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("csrf", csrf.as_str()),
            ("identity_id", identity_id.as_str()),
            ("action", "suspend"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let identity = server
        .state
        .store
        .identity(&identity_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.status, IdentityStatus::Suspended);
}

/// `application/x-www-form-urlencoded`.
fn form_body(pairs: &[(&str, &str)]) -> String {
    let enc = |t: &str| {
        t.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}
