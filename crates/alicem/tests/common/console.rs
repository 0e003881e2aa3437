//! The agent console as an agent's browser uses it, for tests whose enrollments take
//! the agent path.

use reqwest::blocking::Client;

fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// The first `name="csrf" value="…"` of a console page.
pub fn csrf(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("no CSRF field in the page:\n{page}"));
    let len = page[start..].find('"').expect("CSRF value ends");
    page[start..start + len].to_owned()
}

/// Agent `login` (password `password`) logs in to the console at `base`, opens the
/// enrollment session by the `code` the wallet shows, and approves it, having seen
/// the citizen and the document.
pub fn agent_approves(base: &str, login: &str, password: &str, code: &str) {
    let http = no_redirects();
    let answer = http
        .post(format!("{base}/agent/login"))
        .form(&[("login", login), ("password", password)])
        .send()
        .expect("console answers");
    let cookie = answer
        .headers()
        .get("set-cookie")
        .unwrap_or_else(|| panic!("agent login refused (HTTP {})", answer.status()))
        .to_str()
        .expect("ASCII cookie")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let queue = http
        .get(format!("{base}/agent"))
        .header("cookie", &cookie)
        .send()
        .and_then(|r| r.text())
        .expect("queue page");
    let token = csrf(&queue);
    let found = http
        .post(format!("{base}/agent/find"))
        .header("cookie", &cookie)
        .form(&[("csrf", token.as_str()), ("code", code)])
        .send()
        .expect("find answers");
    let session = found
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("session {code} not found (HTTP {})", found.status()))
        .to_str()
        .expect("ASCII location")
        .to_owned();
    let session = if session.starts_with("http") {
        session
    } else {
        format!("{base}{session}")
    };
    let decided = http
        .post(format!("{session}/decision"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", token.as_str()),
            ("decision", "approve"),
            ("confirm", "yes"),
        ])
        .send()
        .expect("decision answers");
    assert!(
        decided.status().is_success() || decided.status().is_redirection(),
        "agent decision: HTTP {}",
        decided.status()
    );
}
