//! The login: the demo service provider ("Impôts démo") sends a browser — an HTTP
//! client that follows redirects and keeps cookies, or with `--browser` a headless
//! Chromium (see `browser.rs`) — through the identity server's real OpenID Connect
//! endpoints; the wallet approves the pending request with the PIN; the service
//! provider exchanges the code and verifies the ID token.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use alicem_chip_sim::factory::MintedDocument;
use alicem_credential::pin::Pin;
use anyhow::{Context as _, bail};
use serde_json::{Map, Value};
use tokio::runtime::Runtime;

use super::browser::{self, Chromium, Tools};
use super::citizen::{EMAIL, Enrolled};
use super::narrator::Narrator;
use super::outcome::LoginResult;
use super::server::{DemoServer, SP_CLIENT_ID};
use crate::cli::demo_sp::{DemoSp, DemoSpArgs};

/// A browser without JavaScript: cookies kept, redirects followed one by one (so each
/// page can be shown).
struct Browser {
    http: reqwest::blocking::Client,
    cookies: Vec<(String, String)>,
}

struct Page {
    url: String,
    status: u16,
    body: String,
}

impl Browser {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()?,
            cookies: Vec::new(),
        })
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, response: &reqwest::blocking::Response) {
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let Some((name, value)) = value
                .to_str()
                .ok()
                .and_then(|v| v.split(';').next())
                .and_then(|pair| pair.split_once('='))
            else {
                continue;
            };
            self.cookies.retain(|(k, _)| k != name.trim());
            self.cookies
                .push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }

    /// Sends one request, then follows redirects until a page answers.
    fn visit(
        &mut self,
        mut request: reqwest::blocking::RequestBuilder,
        narrator: &Narrator,
    ) -> anyhow::Result<Page> {
        for _ in 0..20 {
            let built = request
                .header(reqwest::header::COOKIE, self.cookie_header())
                .build()?;
            let url = built.url().clone();
            let response = self.http.execute(built)?;
            self.remember(&response);
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .context("a redirect without Location")?;
                let next = url.join(location)?;
                narrator.say(&format!("browser → {}", short(&next)));
                request = self.http.get(next);
                continue;
            }
            return Ok(Page {
                url: url.to_string(),
                status: status.as_u16(),
                body: response.text()?,
            });
        }
        bail!("too many redirects")
    }
}

/// `scheme://host/path` without the query (codes and states are not worth printing).
fn short(url: &reqwest::Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        match url.port() {
            Some(p) => format!(":{p}{}", url.path()),
            None => url.path().to_owned(),
        }
    )
}

/// The `action` of the first form on a page.
fn form_action(page: &Page) -> anyhow::Result<reqwest::Url> {
    let start = page
        .body
        .find("<form")
        .with_context(|| format!("no form on {}", page.url))?;
    let rest = page.body.get(start..).unwrap_or_default();
    let action = rest
        .split("action=\"")
        .nth(1)
        .and_then(|a| a.split('"').next())
        .unwrap_or("");
    let base = reqwest::Url::parse(&page.url)?;
    Ok(base.join(&action.replace("&amp;", "&"))?)
}

/// The hidden inputs of the first form (CSRF tokens, decisions…).
fn hidden_inputs(page: &Page) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let first_form = page
        .body
        .split("<form")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .unwrap_or_default();
    for input in first_form.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap_or_default();
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        let attribute = |name: &str| {
            tag.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
                .map(|v| v.replace("&amp;", "&"))
        };
        if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
            fields.push((name, value));
        }
    }
    fields
}

/// Which browser does the browser's part of the login.
pub enum BrowserChoice {
    /// The HTTP client of this file.
    Http,
    /// Headless Chromium when installed (else the HTTP client), a screenshot of each
    /// page saved in the directory.
    Chromium { screenshots: PathBuf },
}

pub fn log_in(
    narrator: &Narrator,
    runtime: &Runtime,
    server: &DemoServer,
    enrolled: &mut Enrolled,
    document: &MintedDocument,
    choice: &BrowserChoice,
) -> anyhow::Result<LoginResult> {
    let listener = server
        .sp_listener
        .as_ref()
        .context("the service provider's port")?
        .try_clone()?;
    let sp = DemoSp::spawn(
        runtime,
        listener,
        DemoSpArgs {
            issuer: server.base_url.clone(),
            listen: server
                .sp_url
                .trim_start_matches("http://")
                .parse()
                .context("the service provider's address")?,
            client_id: SP_CLIENT_ID.into(),
            client_secret: server.sp_secret.clone(),
            scope: "openid given_name family_name birthdate gender birthplace birthcountry".into(),
            acr: "eidas3".into(),
        },
    )?;
    narrator.ok(&format!(
        "service provider \"Impôts démo\" on {} (asks: given_name family_name birthdate gender birthplace birthcountry, level eidas3)",
        server.sp_url
    ));
    let expected = expected_claims(enrolled)?;
    let (browser_used, screenshots) = match choice {
        BrowserChoice::Http => {
            browse(narrator, server, enrolled)?;
            ("http-client", Vec::new())
        }
        BrowserChoice::Chromium { screenshots } => match launch_chromium(narrator, runtime) {
            Some(chromium) => {
                let saved = browser::browse(
                    narrator,
                    &chromium,
                    server,
                    enrolled,
                    screenshots,
                    &expected,
                )?;
                ("chromium", saved)
            }
            None => {
                browse(narrator, server, enrolled)?;
                ("http-client", Vec::new())
            }
        },
    };
    let (id_token, userinfo) = sp
        .last_login()
        .context("the service provider received no login")?;
    narrator.ok("the service provider verified the ID token (ES256 signature against the JWKS, iss, aud, nonce, at_hash, acr):");
    for (name, value) in &id_token {
        narrator.say(&format!("  {name:<14} {value}"));
    }
    narrator.ok("and received from /userinfo:");
    for (name, value) in &userinfo {
        narrator.say(&format!("  {name:<14} {value}"));
    }
    for (name, value) in &expected {
        if userinfo.get(name) != Some(value) {
            bail!(
                "userinfo {name} = {:?}, but the passport says {value}",
                userinfo.get(name)
            );
        }
    }
    narrator.ok(&format!(
        "the claims match passport no. {} exactly",
        document.person.document_number
    ));
    let history = enrolled_history(enrolled)?;
    narrator.ok(&format!(
        "connection history, as the citizen's wallet shows it: {history}"
    ));
    Ok(LoginResult {
        browser: browser_used.into(),
        screenshots,
        id_token,
        userinfo,
        expected,
        history,
    })
}

/// Headless Chromium if it is installed and starts; otherwise says why the HTTP client
/// does the login instead.
fn launch_chromium(narrator: &Narrator, runtime: &Runtime) -> Option<Chromium> {
    let Some(tools) = Tools::find() else {
        narrator.say("Chromium is not installed (Debian: apt install chromium chromium-driver): the HTTP client does the login instead");
        return None;
    };
    match Chromium::launch(runtime, &tools, "fr-FR,fr") {
        Ok(chromium) => {
            narrator.ok(&format!(
                "headless Chromium {} started ({}, driven over WebDriver by {})",
                chromium.version,
                tools.chromium.display(),
                tools.chromedriver.display()
            ));
            Some(chromium)
        }
        Err(e) => {
            narrator.say(&format!(
                "Chromium is installed but did not start ({e:#}): the HTTP client does the login instead"
            ));
            None
        }
    }
}

/// The citizen's attributes as the wallet's credential holds them (read from the chip).
fn expected_claims(enrolled: &Enrolled) -> anyhow::Result<Map<String, Value>> {
    let credential = enrolled
        .client
        .wallet()
        .credential()?
        .context("the wallet has no credential")?;
    Ok(credential
        .claims()
        .into_iter()
        .filter(|(name, _)| {
            [
                "given_name",
                "family_name",
                "birthdate",
                "gender",
                "birthplace",
                "birthcountry",
            ]
            .contains(name)
        })
        .map(|(name, value)| (name.to_owned(), value.clone()))
        .collect())
}

fn enrolled_history(enrolled: &mut Enrolled) -> anyhow::Result<Value> {
    let history = enrolled
        .client
        .fetch_history()
        .context("fetching the history")?;
    let entry = history
        .entries
        .last()
        .context("the history has no entry for the login")?;
    Ok(serde_json::to_value(entry)?)
}

/// Whether `text` shows the short `code` (the page spaces its digits: "48 21").
pub(super) fn shows_code(text: &str, code: &str) -> bool {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    digits.contains(code)
}

/// The phone's part: the wallet lists the pending login, checks that the browser shows
/// the same short code (`page_shows`), and approves with the PIN. Returns the code.
pub(super) fn approve_on_phone(
    narrator: &Narrator,
    enrolled: &mut Enrolled,
    page_shows: impl Fn(&str) -> bool,
) -> anyhow::Result<String> {
    let pending = enrolled
        .client
        .pending_logins()
        .context("the wallet lists its pending logins")?;
    let login = pending
        .into_iter()
        .next()
        .context("the wallet sees no pending login")?;
    if !page_shows(&login.short_code) {
        bail!("the browser's waiting page does not show the code the wallet shows");
    }
    narrator.ok(&format!(
        "wallet: \"{}\" asks for [{}] at {}; code {} (same as in the browser)",
        login.service_provider,
        login.claims.join(", "),
        login.acr,
        login.short_code
    ));
    let pin = Pin::new(super::PIN).context("the demo PIN")?;
    let approved = enrolled
        .client
        .approve_login(&login, &pin)
        .context("approving the login")?;
    narrator.ok(&format!(
        "wallet: approved with the PIN; disclosed only [{}]",
        approved.disclosed.join(", ")
    ));
    Ok(login.short_code)
}

/// The browser's part, without JavaScript, page by page.
fn browse(narrator: &Narrator, server: &DemoServer, enrolled: &mut Enrolled) -> anyhow::Result<()> {
    let mut browser = Browser::new()?;
    let home = browser.visit(browser.http.get(format!("{}/", server.sp_url)), narrator)?;
    narrator.say(&format!(
        "browser ← \"Impôts démo\" home page (HTTP {})",
        home.status
    ));
    // "S'identifier avec alicem" → /authorize → the identifier page.
    let identify = browser.visit(
        browser.http.get(format!("{}/login", server.sp_url)),
        narrator,
    )?;
    let mut form = hidden_inputs(&identify);
    form.push(("identifier".into(), EMAIL.into()));
    let action = form_action(&identify)?;
    narrator.say(&format!("browser: identifier {EMAIL} entered"));
    let waiting = browser.visit(browser.http.post(action).form(&form), narrator)?;
    narrator.say("browser ← waiting page: \"approve on your phone\"");

    // The phone.
    let short_code = approve_on_phone(narrator, enrolled, |code| shows_code(&waiting.body, code))?;
    let shown = |page: &Page| shows_code(&page.body, &short_code);

    // The waiting page moves on: consent (first visit to this provider), then back
    // to the provider.
    let started = Instant::now();
    let mut page = browser.visit(browser.http.get(&waiting.url), narrator)?;
    while shown(&page) && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
        page = browser.visit(browser.http.get(&waiting.url), narrator)?;
    }
    if page.url.contains("consent") || page.body.contains("name=\"decision\"") {
        narrator.say("browser ← consent page (first login at this provider): accepted");
        // The first form is the "share" button (its hidden `decision` says so).
        let form = hidden_inputs(&page);
        let action = form_action(&page)?;
        page = browser.visit(browser.http.post(action).form(&form), narrator)?;
    }
    if page.status != 200 || !page.url.starts_with(&server.sp_url) {
        bail!(
            "the login did not come back to the service provider (HTTP {} at {})",
            page.status,
            page.url
        );
    }
    narrator.say("browser ← \"Impôts démo\": \"Bonjour, vous êtes connecté avec alicem\"");
    Ok(())
}
