//! End to end, as users run it: a minted passport (chip-sim) → `alicem wallet enroll`
//! → approved → credential stored → a service provider's OpenID Connect login
//! approved on the wallet → the relying party gets exactly the claims it asked for.
//!
//! The identity server runs as `alicem serve` on a free loopback port; the browser
//! and the relying party are plain HTTP calls made here. Without face models the
//! server cannot decide a face-path enrollment, so the enrollment takes the agent
//! path and an agent approves it on the console.
#![allow(clippy::unwrap_used, reason = "test helpers")]

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use alicem_credential::jose::b64;
use sha2::{Digest, Sha256};

const PIN: &str = "274915";
const EMAIL: &str = "marianne@example.org";
const CLIENT_ID: &str = "impots-demo";
const CLIENT_SECRET: &str = "a-client-secret-of-the-demo-tax-office";
const REDIRECT_URI: &str = "http://127.0.0.1:1/callback";
const AGENT: &str = "agent1";
const AGENT_PASSWORD: &str = "a long agent password for tests";
const OIDC_CLIENT: &str = r#"
[[oidc.clients]]
client_id = "impots-demo"
name = "Impôts démo"
client_secret = "a-client-secret-of-the-demo-tax-office"
redirect_uris = ["http://127.0.0.1:1/callback"]
scopes = ["given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry"]
require_pkce = true
"#;

fn alicem(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alicem"))
        .args(args)
        .output()
        .unwrap()
}

fn wallet(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alicem"))
        .arg("wallet")
        .arg("--wallet-dir")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> &Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&ok(out).stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `alicem serve`, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts a server trusting `csca`, with one console agent; `extra` is appended
    /// to its configuration.
    fn start(dir: &Path, csca: &Path, extra: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let data = dir.join("server");
        std::fs::create_dir_all(data.join("trust")).unwrap();
        std::fs::copy(csca, data.join("trust/CSCA.der")).unwrap();
        let config = dir.join("alicem.toml");
        std::fs::write(
            &config,
            format!(
                r#"
listen = "127.0.0.1:{port}"
data_dir = "{data}"
issuer = "{base}"
{extra}
"#,
                data = s(&data),
            ),
        )
        .unwrap();
        let agent = Command::new(env!("CARGO_BIN_EXE_alicem"))
            .args(["admin", "--config", s(&config), "agent", "add"])
            .args(["--login", AGENT, "--name", "Agent Test"])
            .env("ALICEM_AGENT_PASSWORD", AGENT_PASSWORD)
            .output()
            .unwrap();
        ok(&agent);
        let child = Command::new(env!("CARGO_BIN_EXE_alicem"))
            .args(["serve", "--config", s(&config)])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let server = Self { child, base };
        let http = http();
        let started = Instant::now();
        while http.get(format!("{}/healthz", server.base)).send().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The claims of a compact JWS, unverified (the relying party's library would check
/// the signature against the JWKS; here the payload is what is under test).
fn jws_payload(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&b64::decode("payload", payload).unwrap()).unwrap()
}

/// A wallet enrolled on the agent path with `PIN`, against a running server.
fn enrolled_wallet(tmp: &Path, server: &Server, doc: &Path) -> std::path::PathBuf {
    let image = alicem_chip_sim::ChipImage::load(doc).unwrap();
    let mrz = image.access.mrz.join("\n");
    let w = tmp.join("wallet");
    ok(&wallet(
        &w,
        &["init", "--server", &server.base, "--insecure-fast-pin-kdf"],
        None,
    ));
    let started = wallet(
        &w,
        &[
            "enroll",
            "--sim",
            s(doc),
            "--mrz",
            &mrz,
            "--path",
            "agent",
            "--email",
            EMAIL,
            "--phone",
            "+33612345678",
            "--no-wait",
        ],
        None,
    );
    assert_eq!(
        started.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let shown = json(&wallet(&w, &["show", "--json"], None));
    let code = shown["enrollment_in_progress"]["session_code"]
        .as_str()
        .unwrap()
        .to_owned();
    common::console::agent_approves(&server.base, AGENT, AGENT_PASSWORD, &code);
    ok(&wallet(
        &w,
        &["enroll", "--resume", "--pin-stdin"],
        Some(&format!("{PIN}\n")),
    ));
    w
}

fn mint(tmp: &Path) -> std::path::PathBuf {
    let doc = tmp.join("doc");
    let pki = tmp.join("pki");
    ok(&alicem(&[
        "passport",
        "mint",
        "--out",
        s(&doc),
        "--pki",
        s(&pki),
    ]));
    doc
}

#[test]
fn enrolls_on_the_agent_path_and_five_wrong_pins_lock_the_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = mint(tmp.path());
    let server = Server::start(tmp.path(), &doc.join("CSCA.der"), "");
    let w = enrolled_wallet(tmp.path(), &server, &doc);

    // Approved, credential stored and verified, receipt of what was erased.
    let shown = json(&wallet(&w, &["show", "--json"], None));
    assert!(shown["enrollment_in_progress"].is_null(), "{shown}");
    let claims = &shown["credential"]["claims"];
    assert!(claims["given_name"].is_string(), "{shown}");
    assert!(claims["family_name"].is_string(), "{shown}");
    let receipts = json(&wallet(&w, &["receipts", "--json"], None));
    assert!(!receipts.as_array().unwrap().is_empty(), "{receipts}");
    let status = json(&wallet(&w, &["status", "--json"], None));
    assert_eq!(status["status"], "active", "{status}");

    // A PIN change, then the old PIN is wrong.
    let new_pin = "508163";
    ok(&wallet(
        &w,
        &["pin", "change", "--pin-stdin"],
        Some(&format!("{PIN}\n{new_pin}\n")),
    ));
    // Five wrong PINs lock the identity; the right one is refused afterwards.
    for _ in 0..5 {
        let out = wallet(&w, &["suspend", "--pin-stdin"], Some(&format!("{PIN}\n")));
        assert!(!out.status.success());
    }
    let out = wallet(
        &w,
        &["suspend", "--pin-stdin"],
        Some(&format!("{new_pin}\n")),
    );
    assert!(!out.status.success(), "suspended with a locked PIN");
    let status = json(&wallet(&w, &["status", "--json"], None));
    assert_eq!(status["status"], "locked", "{status}");
    assert_eq!(status["pin_attempts_left"], 0, "{status}");
}

/// A browser: keeps the cookies the provider sets.
struct Browser {
    http: reqwest::blocking::Client,
    cookies: Vec<String>,
}

impl Browser {
    fn send(&mut self, request: reqwest::blocking::RequestBuilder) -> reqwest::blocking::Response {
        let request = if self.cookies.is_empty() {
            request
        } else {
            request.header("cookie", self.cookies.join("; "))
        };
        let response = request.send().unwrap();
        for value in response.headers().get_all("set-cookie") {
            let pair = value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned();
            self.cookies.push(pair);
        }
        response
    }
}

fn location(response: &reqwest::blocking::Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no redirect (HTTP {})", response.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http") {
        location.to_owned()
    } else {
        format!("{base}{location}")
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).unwrap();
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn discovery(server: &Server) -> serde_json::Value {
    http()
        .get(format!("{}/.well-known/openid-configuration", server.base))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

/// A browser starts a login of `CLIENT_ID` (PKCE with `verifier`) and identifies the
/// citizen by `EMAIL`: it is left on the page that waits for the phone, whose URL is
/// returned.
fn begin_login(
    server: &Server,
    discovery: &serde_json::Value,
    scope: &str,
    state: &str,
    nonce: &str,
    verifier: &str,
) -> (Browser, String) {
    let challenge = b64::encode(&Sha256::digest(verifier.as_bytes()));
    let mut browser = Browser {
        http: http(),
        cookies: Vec::new(),
    };
    let authorize = browser.send(
        browser
            .http
            .get(discovery["authorization_endpoint"].as_str().unwrap())
            .query(&[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT_URI),
                ("scope", scope),
                ("state", state),
                ("nonce", nonce),
                ("acr_values", "eidas3"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ]),
    );
    let login_page = absolute(&server.base, &location(&authorize));
    let identified = browser.send(
        browser
            .http
            .post(&login_page)
            .form(&[("identifier", EMAIL)]),
    );
    let wait_page = absolute(&server.base, &location(&identified));
    (browser, wait_page)
}

#[test]
fn a_minted_passport_enrolls_and_logs_in_disclosing_exactly_the_asked_claims() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = mint(tmp.path());
    let server = Server::start(tmp.path(), &doc.join("CSCA.der"), OIDC_CLIENT);
    let w = enrolled_wallet(tmp.path(), &server, &doc);
    let shown = json(&wallet(&w, &["show", "--json"], None));
    let claims = &shown["credential"]["claims"];

    // A login asking for given name and birth date only.
    let http = http();
    let discovery = discovery(&server);
    let verifier = "a-pkce-code-verifier-long-enough-to-be-valid-0123456789";
    let (mut browser, wait_page) = begin_login(
        &server,
        &discovery,
        "openid given_name birthdate",
        "state-1",
        "nonce-of-the-tax-office-login-1",
        verifier,
    );

    // The wallet sees it, with the claims asked, and approves with the PIN.
    let requests = json(&wallet(&w, &["requests", "--json"], None));
    let login = &requests[0];
    assert_eq!(login["client_id"], CLIENT_ID);
    let mut asked: Vec<&str> = login["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    asked.sort_unstable();
    assert_eq!(asked, ["birthdate", "given_name"]);
    let waiting = browser.send(browser.http.get(&wait_page)).text().unwrap();
    // The page shows the code spaced for reading ("48 21").
    let code = login["short_code"].as_str().unwrap();
    let (a, b) = code.split_at(2);
    assert!(
        waiting.contains(&format!("{a} {b}")),
        "{code} not on {waiting}"
    );
    let id = login["login_id"].as_str().unwrap();
    let approved = wallet(
        &w,
        &["approve", id, "--pin-stdin"],
        Some(&format!("{PIN}\n")),
    );
    let said = String::from_utf8_lossy(&ok(&approved).stderr).into_owned();
    let disclosed = said
        .lines()
        .find_map(|l| l.split_once(" received ").map(|(_, claims)| claims))
        .unwrap_or_else(|| panic!("the wallet did not say what it disclosed: {said}"));
    let mut disclosed: Vec<&str> = disclosed.split(", ").collect();
    disclosed.sort_unstable();
    assert_eq!(disclosed, ["birthdate", "given_name"], "{said}");

    // The browser goes on (consent the first time), back to the relying party.
    let next = browser.send(browser.http.get(&wait_page));
    assert!(
        location(&next).contains("/consent"),
        "the first login to this provider asks for consent: {}",
        location(&next)
    );
    let consent = absolute(&server.base, &location(&next));
    let page = browser.send(browser.http.get(&consent)).text().unwrap();
    assert!(page.contains("name=\"decision\" value=\"allow\""), "{page}");
    let next = browser.send(browser.http.post(&consent).form(&[("decision", "allow")]));
    let callback = location(&next);
    assert!(callback.starts_with(REDIRECT_URI), "{callback}");
    assert_eq!(query_param(&callback, "state").as_deref(), Some("state-1"));
    let code = query_param(&callback, "code").unwrap();

    // The relying party's side.
    let tokens: serde_json::Value = http
        .post(discovery["token_endpoint"].as_str().unwrap())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id_token = jws_payload(tokens["id_token"].as_str().unwrap());
    assert_eq!(id_token["acr"], "eidas3");
    assert_eq!(id_token["nonce"], "nonce-of-the-tax-office-login-1");
    assert_eq!(id_token["aud"], CLIENT_ID);
    // No civil-status claim rides in the ID token beyond those asked.
    for key in id_token.as_object().unwrap().keys() {
        assert!(
            [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "amr",
                "at_hash",
                "azp",
                "sid",
                "jti",
                "given_name",
                "birthdate",
            ]
            .contains(&key.as_str()),
            "unexpected ID token claim {key}: {id_token}"
        );
    }
    let userinfo = http
        .get(discovery["userinfo_endpoint"].as_str().unwrap())
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .unwrap()
        .text()
        .unwrap();
    let userinfo = if userinfo.trim_start().starts_with('{') {
        serde_json::from_str(&userinfo).unwrap()
    } else {
        jws_payload(userinfo.trim())
    };
    let released: Vec<&String> = userinfo
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !["sub", "iss", "aud", "iat", "exp"].contains(&k.as_str()))
        .collect();
    assert_eq!(released, ["birthdate", "given_name"], "{userinfo}");
    assert_eq!(userinfo["given_name"], claims["given_name"]);
    assert_eq!(userinfo["birthdate"], claims["birthdate"]);

    // The connection is in the citizen's history: claim names, never values.
    let history = json(&wallet(&w, &["history", "--json"], None));
    let entry = &history.as_array().unwrap()[0];
    assert_eq!(entry["client_id"], CLIENT_ID);
    assert_eq!(entry["outcome"], "approved");
    assert!(
        !history
            .to_string()
            .contains(claims["family_name"].as_str().unwrap())
    );
}

/// `alicem wallet approve --watch`, stopped (killed) when dropped.
struct Watch(Child);

impl Watch {
    fn start(w: &Path, pin: &str, parallel: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_alicem"))
            .arg("wallet")
            .arg("--wallet-dir")
            .arg(w)
            .args(["approve", "--watch", "--client", CLIENT_ID, "--pin-stdin"])
            .args(["--poll-ms", "5", "--parallel", parallel])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{pin}\n").as_bytes())
            .unwrap();
        Self(child)
    }

    /// Stops it (if still running) and returns what it said.
    fn stop(mut self) -> (Option<i32>, String) {
        let _ = self.0.kill();
        let mut stderr = String::new();
        std::io::Read::read_to_string(self.0.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        let status = self.0.wait().unwrap();
        (status.code(), stderr)
    }

    /// Waits for it to exit by itself.
    fn exits_within(&mut self, limit: Duration) -> Option<i32> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status.code();
            }
            assert!(started.elapsed() < limit, "the watch did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls a waiting page until the provider moves the browser on; where to.
fn moves_on(browser: &mut Browser, wait_page: &str) -> String {
    let started = Instant::now();
    loop {
        let page = browser.send(browser.http.get(wait_page));
        if let Some(to) = page.headers().get("location") {
            return to.to_str().unwrap().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the login was not approved: {}",
            page.text().unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn approve_watch_answers_several_logins_at_once_and_a_wrong_pin_costs_one_attempt() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = mint(tmp.path());
    let server = Server::start(tmp.path(), &doc.join("CSCA.der"), OIDC_CLIENT);
    let w = enrolled_wallet(tmp.path(), &server, &doc);
    let discovery = discovery(&server);
    let verifier = "a-pkce-code-verifier-long-enough-to-be-valid-0123456789";

    // Six logins waiting at once, then the phone approves them, three at a time.
    let mut logins: Vec<(Browser, String)> = (0..6)
        .map(|i| {
            begin_login(
                &server,
                &discovery,
                "openid given_name",
                &format!("state-{i}"),
                &format!("nonce-of-the-tax-office-login-{i}"),
                verifier,
            )
        })
        .collect();
    let requests = json(&wallet(&w, &["requests", "--json"], None));
    assert_eq!(requests.as_array().unwrap().len(), 6, "{requests}");
    let watch = Watch::start(&w, PIN, "3");
    for (browser, wait_page) in &mut logins {
        let next = moves_on(browser, wait_page);
        // First login to this provider: the consent page (no consent was given yet).
        assert!(next.contains("/consent"), "{next}");
    }
    // One more, once the watch is running and polling.
    let (mut browser, wait_page) = begin_login(
        &server,
        &discovery,
        "openid given_name",
        "state-7",
        "nonce-of-the-tax-office-login-7",
        verifier,
    );
    assert!(moves_on(&mut browser, &wait_page).contains("/consent"));
    let (code, said) = watch.stop();
    assert_ne!(code, Some(0), "the watch runs until interrupted: {said}");
    assert!(said.contains("up to 3 at once"), "{said}");
    assert_eq!(
        said.lines().filter(|l| l.starts_with("approved ")).count(),
        7,
        "{said}"
    );
    assert!(!said.contains(PIN), "the PIN was printed: {said}");
    let history = json(&wallet(&w, &["history", "--json"], None));
    let approved = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "approved")
        .count();
    assert_eq!(approved, 7, "{history}");

    // A mistyped PIN with several logins waiting: the first approval goes alone, is
    // refused, and the watch stops, having spent one attempt of five.
    let _waiting: Vec<(Browser, String)> = (10..14)
        .map(|i| {
            begin_login(
                &server,
                &discovery,
                "openid given_name",
                &format!("state-{i}"),
                &format!("nonce-of-the-tax-office-login-{i}"),
                verifier,
            )
        })
        .collect();
    let mut watch = Watch::start(&w, "864203", "4");
    let code = watch.exits_within(Duration::from_secs(60));
    let (_, said) = watch.stop();
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("refused, stopping after 0 approvals"),
        "{said}"
    );
    let status = json(&wallet(&w, &["status", "--json"], None));
    assert_eq!(status["status"], "active", "{status}");
    assert_eq!(status["pin_attempts_left"], 4, "{status}");
}
