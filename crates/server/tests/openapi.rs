//! The OpenAPI description served at `/openapi.json` tells the truth about the
//! routes: every documented operation exists with its method, and what it answers to
//! an unauthenticated or empty request is among its documented responses.

mod common;

use alicem_emrtd::verify::TrustStore;
use common::{Db, state};
use serde_json::Value;

#[tokio::test]
async fn openapi_json_documents_every_v1_route_truthfully() {
    let server = state(Db::Sqlite, TrustStore::default())
        .await
        .expect("sqlite server");
    let base = server.spawn().await;
    let http = reqwest::Client::new();

    let doc: Value = http
        .get(format!("{base}/openapi.json"))
        .send()
        .await
        .expect("GET /openapi.json")
        .json()
        .await
        .expect("JSON");
    assert!(
        doc["openapi"].as_str().expect("version").starts_with("3."),
        "an OpenAPI 3 document"
    );
    let paths = doc["paths"].as_object().expect("paths");

    // Every path of the wallet's client (alicem_api::paths) is documented.
    for path in [
        alicem_api::paths::ENROLLMENTS.to_string(),
        alicem_api::paths::enrollment("{id}"),
        alicem_api::paths::evidence("{id}"),
        alicem_api::paths::enrollment_pin("{id}"),
        alicem_api::paths::ACCOUNT.to_string(),
        alicem_api::paths::ACCOUNT_LOGINS.to_string(),
        alicem_api::paths::login_approve("{id}"),
        alicem_api::paths::login_deny("{id}"),
        alicem_api::paths::ACCOUNT_CHALLENGES.to_string(),
        alicem_api::paths::ACCOUNT_HISTORY.to_string(),
        alicem_api::paths::ACCOUNT_SUSPEND.to_string(),
        alicem_api::paths::ACCOUNT_REVOKE.to_string(),
        alicem_api::paths::ACCOUNT_DELETE.to_string(),
        alicem_api::paths::ACCOUNT_PIN.to_string(),
    ] {
        assert!(paths.contains_key(&path), "{path} is not documented");
    }

    let mut checked = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let url = format!("{base}{}", path.replace("{id}", "no-such-id"));
            let request = match method.as_str() {
                "get" => http.get(&url),
                "post" => http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body("{}"),
                other => panic!("{path}: unexpected method {other}"),
            };
            let response = request.send().await.expect("request");
            let status = response.status().as_u16().to_string();
            let body = response.text().await.expect("body");
            let documented = operation["responses"].as_object().expect("responses");
            assert!(
                documented.contains_key(&status),
                "{method} {path} answered {status} ({body}), documented: {:?}",
                documented.keys().collect::<Vec<_>>()
            );
            // A real handler's error is a Problem, not the router's bare 404/405.
            if status.starts_with('4') {
                let problem: Value = serde_json::from_str(&body).unwrap_or_else(|_| {
                    panic!("{method} {path}: {status} is not a Problem: {body}")
                });
                assert!(problem["error"].is_string(), "{method} {path}: {body}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 14, "operations checked");

    // The schemas are the wire types'.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for name in [
        "Evidence",
        "EnrollmentOutcome",
        "DecisionReason",
        "PinProof",
        "Problem",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["device_proof"]["name"],
        alicem_api::device_proof::HEADER
    );
}
