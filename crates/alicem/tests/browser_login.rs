//! A citizen logs in with a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`, driven over WebDriver with fantoccini, JavaScript switched off)
//! clicks through the demo service provider → "S'identifier avec alicem" → the
//! identity server's identifier page → the waiting page with its short code, while
//! the wallet (the `alicem wallet` CLI) approves with the PIN → the waiting page moves
//! on by itself → consent → back at the service provider, which shows the claims.
//! On the way, each of the identity server's pages is checked in French and in
//! English, by keyboard only, for labels, language, focus order and visible focus,
//! contrast, and information that does not rest on colour alone.
//!
//! And `alicem demo --browser` does its login in Chromium, with a screenshot of each
//! page, and ends as the plain demo does.
//!
//! Without Chromium these tests say so and pass, except under `scripts/test`
//! (`ALICEM_REQUIRE_BROWSER=1`), which installs it: there a missing browser fails.
#![allow(clippy::unwrap_used, reason = "test")]

mod common;

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use alicem_chip_sim::factory::Person;
use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const PIN: &str = "274915";
const EMAIL: &str = "helene.dubois@example.org";
const CLIENT_ID: &str = "impots-demo";
const AGENT: &str = "agent1";
const AGENT_PASSWORD: &str = "a long agent password for tests";
/// What the service provider asks (besides `openid`).
const ASKED: [&str; 4] = ["given_name", "family_name", "birthdate", "gender"];
/// The claims of a signed userinfo that are the token's, not the citizen's.
const TOKEN_CLAIMS: [&str; 5] = ["sub", "iss", "aud", "iat", "exp"];

// ---------------------------------------------------------------------------------
// The browser.

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium and chromedriver, or `None` (with the reason printed) when this machine
/// has none and does not require them.
fn browser_tools(test: &str) -> Option<Tools> {
    let chromium = on_path(&["chromium", "chromium-browser", "google-chrome"]);
    let chromedriver = on_path(&["chromedriver"]);
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(Tools {
            chromium,
            chromedriver,
        }),
        (chromium, chromedriver) => {
            let missing = [
                ("chromium", chromium.is_none()),
                ("chromedriver", chromedriver.is_none()),
            ]
            .into_iter()
            .filter(|(_, missing)| *missing)
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
            .join(" and ");
            assert!(
                std::env::var("ALICEM_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "{missing} not on PATH, and ALICEM_REQUIRE_BROWSER=1 requires them \
                 (scripts/setup-test-env installs Debian's chromium and chromium-driver)"
            );
            eprintln!(
                "{test}: SKIPPED: {missing} not on PATH (Debian: apt install chromium chromium-driver; \
                 set ALICEM_REQUIRE_BROWSER=1 to make this a failure)"
            );
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A headless Chromium asking for French pages, JavaScript off unless asked.
struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
    /// Where to save a screenshot of each page checked (`ALICEM_SCREENSHOTS`), if set.
    shots: Option<PathBuf>,
}

impl Browser {
    fn launch(tools: &Tools, javascript: bool) -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let profile = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::new();
        let started = Instant::now();
        while !http
            .get(format!("{url}/status"))
            .send()
            .ok()
            .and_then(|r| r.json::<Value>().ok())
            .is_some_and(|s| s["value"]["ready"] == json!(true))
        {
            assert!(driver.try_wait().unwrap().is_none(), "chromedriver exited");
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let Value::Object(capabilities) = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1000,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "intl.accept_languages": "fr-FR,fr",
                    // JavaScript off (2): the pages must work without it.
                    "profile.managed_default_content_settings.javascript":
                        if javascript { 1 } else { 2 },
                },
            }
        }) else {
            unreachable!()
        };
        let client = runtime
            .block_on(
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities)
                    .connect(&url),
            )
            .unwrap();
        let shots = std::env::var_os("ALICEM_SCREENSHOTS").map(PathBuf::from);
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
        }
        Self {
            runtime,
            client: Some(client),
            driver,
            _profile: profile,
            shots,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    fn goto(&self, url: &str) {
        self.runtime.block_on(self.client().goto(url)).unwrap();
    }

    fn url(&self) -> url::Url {
        self.runtime.block_on(self.client().current_url()).unwrap()
    }

    fn click(&self, locator: Locator<'_>) {
        self.runtime
            .block_on(async { self.client().find(locator).await?.click().await })
            .unwrap();
    }

    fn text(&self, locator: Locator<'_>) -> String {
        self.runtime
            .block_on(async { self.client().find(locator).await?.text().await })
            .unwrap()
    }

    /// Types text into the field that has the focus.
    fn type_text(&self, text: &str) {
        self.runtime
            .block_on(async { self.client().active_element().await?.send_keys(text).await })
            .unwrap();
    }

    /// Presses `keys` together on the keyboard (as Shift+Tab), wherever the focus is.
    fn press(&self, keys: &[Key]) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys {
            actions = actions.then(KeyAction::Down {
                value: (*key).into(),
            });
        }
        for key in keys.iter().rev() {
            actions = actions.then(KeyAction::Up {
                value: (*key).into(),
            });
        }
        self.runtime
            .block_on(self.client().perform_actions(actions))
            .unwrap();
    }

    fn js(&self, script: &str) -> Value {
        self.runtime
            .block_on(self.client().execute(script, Vec::new()))
            .unwrap()
    }

    /// Waits, hands off, until the browser's URL satisfies `arrived`.
    fn wait_for(&self, what: &str, arrived: impl Fn(&url::Url) -> bool) -> url::Url {
        let started = Instant::now();
        loop {
            let url = self.url();
            if arrived(&url) {
                return url;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the browser never reached {what}; still at {url}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, name: &str) {
        if let Some(dir) = &self.shots {
            let png = self.runtime.block_on(self.client().screenshot()).unwrap();
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
    }

    /// Describes what has the keyboard focus, and how its focus ring looks.
    fn focused(&self) -> Value {
        self.js(&format!(
            "{AUDIT_JS} return describe(document.activeElement);"
        ))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// DOM checks run in the page (by the WebDriver, not by the page: its own JavaScript is
/// off). WCAG 2.x relative luminance and contrast ratios.
const AUDIT_JS: &str = r#"
function rgba(c) {
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[ ,\/]+/).filter(x => x).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function luminance(c) {
  const [r, g, b] = c.slice(0, 3).map(v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function ratio(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}
function background(el) {
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) return c;
  }
  return [255, 255, 255, 1];
}
function describe(el) {
  if (!el) return null;
  const s = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || '').trim(),
    outline_style: s.outlineStyle,
    outline_width: parseFloat(s.outlineWidth),
    outline_contrast: ratio(rgba(s.outlineColor), background(el.parentElement || el)),
  };
}
function audit() {
  const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const texts = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const r = ratio(rgba(s.color), background(el));
    texts.push({ text: el.textContent.trim().slice(0, 40), ratio: r, needed: large ? 3 : 4.5 });
  }
  const controls = [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden');
  return {
    lang: document.documentElement.lang,
    title: document.title,
    h1: [...document.querySelectorAll('h1')].map(h => h.textContent.trim()),
    scripts: document.scripts.length,
    controls: controls.map(e => ({
      id: e.id,
      labels: e.labels ? [...e.labels].map(l => l.textContent.trim()).filter(t => t) : [],
    })),
    unnamed_buttons: [...document.querySelectorAll('button, a, input[type=submit]')]
      .filter(b => !(b.innerText || b.value || b.getAttribute('aria-label') || '').trim())
      .map(b => b.outerHTML),
    low_contrast: texts.filter(t => t.ratio < t.needed),
    min_contrast: Math.min(...texts.map(t => t.ratio)),
    // Links must be told from text by more than their colour (WCAG 1.4.1).
    colour_only_links: [...document.querySelectorAll('main a')].filter(a => {
      const s = getComputedStyle(a);
      return !s.textDecorationLine.includes('underline') && rgba(s.backgroundColor)[3] === 0
        && parseFloat(s.borderBottomWidth) === 0;
    }).map(a => a.textContent.trim()),
    alerts: [...document.querySelectorAll('[role=alert]')].map(a => a.textContent.trim()),
  };
}
"#;

/// The identity server's page now shown passes the checks common to all of them, in
/// `lang`, with `h1` as its heading, and holds no script; returns the audit.
fn check_page(browser: &Browser, page: &str, lang: &str, h1: &str) -> Value {
    check_page_with_scripts(browser, page, lang, h1, 0)
}

/// The waiting page: the same checks, and its one script (the long poll; the page
/// works without it, as the JavaScript-off browser shows).
fn check_waiting_page(browser: &Browser, page: &str, lang: &str, h1: &str) -> Value {
    check_page_with_scripts(browser, page, lang, h1, 1)
}

fn check_page_with_scripts(
    browser: &Browser,
    page: &str,
    lang: &str,
    h1: &str,
    scripts: u64,
) -> Value {
    browser.screenshot(page);
    let audit = browser.js(&format!("{AUDIT_JS} return audit();"));
    assert_eq!(audit["lang"], lang, "{page}: <html lang>: {audit:#}");
    assert_eq!(audit["h1"], json!([h1]), "{page}: heading: {audit:#}");
    assert!(
        audit["title"].as_str().unwrap().starts_with(h1),
        "{page}: the title names the page: {audit:#}"
    );
    assert_eq!(audit["scripts"], scripts, "{page}: scripts: {audit:#}");
    for control in audit["controls"].as_array().unwrap() {
        assert!(
            !control["labels"].as_array().unwrap().is_empty(),
            "{page}: a field without a label: {control}"
        );
    }
    assert_eq!(
        audit["unnamed_buttons"],
        json!([]),
        "{page}: buttons and links without a name"
    );
    assert!(
        audit["min_contrast"].as_f64().is_some(),
        "{page}: no text was measured: {audit:#}"
    );
    assert_eq!(
        audit["low_contrast"],
        json!([]),
        "{page}: text below the WCAG AA contrast ratio"
    );
    assert_eq!(
        audit["colour_only_links"],
        json!([]),
        "{page}: links told from text by colour only"
    );
    audit
}

/// Tab moves the focus through `expected` (the texts or ids of the focusable
/// elements, in order), each showing a visible focus ring of enough contrast.
fn check_tab_order(browser: &Browser, page: &str, expected: &[&str]) {
    let mut before = browser.focused();
    for name in expected {
        browser.press(&[Key::Tab]);
        // A loaded browser may move the focus a moment after the key is released.
        let mut focused = browser.focused();
        for _ in 0..40 {
            if focused != before {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            focused = browser.focused();
        }
        before = focused.clone();
        assert!(
            focused["text"] == *name || focused["id"] == *name,
            "{page}: Tab should reach {name:?} next, reached {focused}"
        );
        assert_ne!(
            focused["outline_style"], "none",
            "{page}: no visible focus on {name:?}"
        );
        assert!(
            focused["outline_width"].as_f64().unwrap() >= 2.0
                && focused["outline_contrast"].as_f64().unwrap() >= 3.0,
            "{page}: the focus ring on {name:?} is too faint: {focused}"
        );
    }
}

// ---------------------------------------------------------------------------------
// The parties: identity server, agent, wallet, service provider.

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
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn wallet_json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_slice(&ok(&wallet(dir, args, None)).stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_until_up(url: &str) {
    let http = reqwest::blocking::Client::new();
    let started = Instant::now();
    while http.get(url).send().is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{url} did not come up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn no_redirects() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The fictional citizen: a name with accents, to see it survive to the page.
fn citizen() -> Person {
    let mut person = Person::fictional("P", "2034-06-30");
    person.surname = "DUBOIS".into();
    person.given_names = "HELENE MARIE".into();
    person.birth_date = "1982-11-03".into();
    person.sex = "F".into();
    if let Some(dg11) = person.dg11.as_mut() {
        dg11.full_name = Some("DUBOIS<<HÉLÈNE MARIE".into());
        dg11.full_birth_date = Some("19821103".into());
    }
    person
}

struct World {
    _server: Running,
    _sp: Running,
    base: String,
    sp: String,
    wallet: PathBuf,
}

/// `alicem serve` trusting a freshly minted passport's CSCA, the citizen enrolled with
/// `alicem wallet` (agent path, approved on the agent console) and a PIN, and
/// `alicem demo-sp` registered as a client asking for `ASKED`.
fn world(tmp: &Path) -> World {
    let person = tmp.join("person.json");
    std::fs::write(&person, serde_json::to_vec(&citizen()).unwrap()).unwrap();
    let doc = tmp.join("doc");
    ok(&alicem(&[
        "passport",
        "mint",
        "--out",
        s(&doc),
        "--pki",
        s(&tmp.join("pki")),
        "--person",
        s(&person),
    ]));

    let (port, sp_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    let sp = format!("http://127.0.0.1:{sp_port}");
    let secret = "a-client-secret-for-the-browser-test";
    let data = tmp.join("server");
    std::fs::create_dir_all(data.join("trust")).unwrap();
    std::fs::copy(doc.join("CSCA.der"), data.join("trust/CSCA.der")).unwrap();
    let config = tmp.join("alicem.toml");
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:{port}"
data_dir = "{data}"
issuer = "{base}"

[[oidc.clients]]
client_id = "{CLIENT_ID}"
name = "Impôts démo"
client_secret = "{secret}"
redirect_uris = ["{sp}/callback"]
scopes = ["given_name", "family_name", "birthdate", "gender"]
require_pkce = true
"#,
            data = s(&data)
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
    let server = Running(
        Command::new(env!("CARGO_BIN_EXE_alicem"))
            .args(["serve", "--config", s(&config)])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until_up(&format!("{base}/healthz"));

    let w = tmp.join("wallet");
    ok(&wallet(
        &w,
        &["init", "--server", &base, "--insecure-fast-pin-kdf"],
        None,
    ));
    let mrz = alicem_chip_sim::ChipImage::load(&doc)
        .unwrap()
        .access
        .mrz
        .join("\n");
    let started = wallet(
        &w,
        &[
            "enroll",
            "--sim",
            s(&doc),
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
        "the enrollment waits for an agent: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    let code = wallet_json(&w, &["show", "--json"])["enrollment_in_progress"]["session_code"]
        .as_str()
        .unwrap()
        .to_owned();
    common::console::agent_approves(&base, AGENT, AGENT_PASSWORD, &code);
    ok(&wallet(
        &w,
        &["enroll", "--resume", "--pin-stdin"],
        Some(&format!("{PIN}\n")),
    ));

    let sp_process = Running(
        Command::new(env!("CARGO_BIN_EXE_alicem"))
            .args(["demo-sp", "--issuer", &base, "--listen"])
            .arg(format!("127.0.0.1:{sp_port}"))
            .args(["--client-id", CLIENT_ID, "--client-secret", secret])
            .args(["--scope", &format!("openid {}", ASKED.join(" "))])
            .args(["--acr", "eidas3"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until_up(&format!("{sp}/"));
    World {
        _server: server,
        _sp: sp_process,
        base,
        sp,
        wallet: w,
    }
}

/// The wallet's one pending login request, approved with the PIN after checking that
/// the browser shows its short code.
fn phone_approves(w: &Path, code_on_page: &str) {
    let requests = wallet_json(w, &["requests", "--json"]);
    let requests = requests.as_array().unwrap();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    assert_eq!(request["client_id"], CLIENT_ID);
    assert_eq!(
        sorted(&request["claims"]),
        sorted(&json!(ASKED)),
        "{request}"
    );
    let digits: String = code_on_page.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(
        request["short_code"], digits,
        "the browser shows {code_on_page:?}"
    );
    ok(&wallet(
        w,
        &[
            "approve",
            request["login_id"].as_str().unwrap(),
            "--pin-stdin",
        ],
        Some(&format!("{PIN}\n")),
    ));
}

/// The strings of a JSON array, sorted.
fn sorted(list: &Value) -> Vec<String> {
    let mut items: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    items.sort();
    items
}

fn on_wait_page(base: &str) -> impl Fn(&url::Url) -> bool + '_ {
    move |u| u.as_str().starts_with(base) && u.path().ends_with("/wait")
}

// ---------------------------------------------------------------------------------

#[test]
fn a_citizen_logs_in_with_chromium_and_the_service_shows_exactly_the_claims_asked() {
    let Some(tools) = browser_tools("browser_login") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let world = world(tmp.path());
    let browser = Browser::launch(&tools, false);
    let base = world.base.as_str();
    // The browser really runs no page script.
    browser.goto("data:text/html,<p id=p>off</p><script>p.textContent='on'</script>");
    assert_eq!(browser.text(Locator::Id("p")), "off", "JavaScript is off");

    // In English first (the service asks with ui_locales=en), refusing at the consent
    // page: nothing is shared and the service hears access_denied.
    let authorize = no_redirects()
        .get(format!("{}/login", world.sp))
        .send()
        .unwrap();
    let authorize = authorize.headers()["location"].to_str().unwrap().to_owned();
    browser.goto(&format!("{authorize}&ui_locales=en"));
    browser.wait_for("the identifier page", |u| u.path().starts_with("/login/"));
    let audit = check_page(&browser, "en-1-identifier", "en", "Log in with alicem");
    assert_eq!(
        audit["controls"],
        json!([{"id": "identifier", "labels": ["E-mail address of your alicem identity"]}])
    );
    assert!(
        browser
            .text(Locator::Css("main"))
            .contains("You are logging in to Impôts démo."),
        "names the service"
    );
    // The field has the focus as the page opens: the e-mail is typed straight in.
    assert_eq!(browser.focused()["id"], "identifier");
    browser.type_text(EMAIL);
    check_tab_order(&browser, "en-1-identifier", &["Continue", "Cancel"]);
    browser.press(&[Key::Shift, Key::Tab]);
    assert_eq!(browser.focused()["text"], "Continue");
    browser.press(&[Key::Enter]);

    browser.wait_for("the waiting page", on_wait_page(base));
    check_waiting_page(&browser, "en-2-waiting", "en", "Approve on your phone");
    let code = browser.text(Locator::Css(".code"));
    assert!(
        browser.text(Locator::Css("main")).contains(&format!(
            "Check that your phone shows this code, then enter your PIN:\n{code}"
        )),
        "the code is introduced in words, not by colour or size alone"
    );
    check_tab_order(
        &browser,
        "en-2-waiting",
        &["I approved, continue", "Cancel"],
    );
    phone_approves(&world.wallet, &code);
    browser.wait_for("the consent page, by itself", |u| {
        u.path().ends_with("/consent")
    });
    check_page(&browser, "en-3-consent", "en", "Allow sharing");
    let asked =
        browser.js("return [...document.querySelectorAll('main li')].map(l => l.textContent)");
    assert_eq!(
        sorted(&asked),
        ["Date of birth", "Family name", "Gender", "Given names"]
    );
    assert_eq!(browser.focused()["text"], "Allow and continue", "autofocus");
    check_tab_order(&browser, "en-3-consent", &["Refuse"]);
    browser.press(&[Key::Enter]);
    browser.wait_for("the service's callback", |u| {
        u.as_str().starts_with(&world.sp)
    });
    browser.screenshot("en-4-refused");
    assert_eq!(browser.text(Locator::Css("h1")), "Connexion échouée");
    assert!(
        browser
            .text(Locator::Css("[role=alert]"))
            .contains("access_denied"),
        "the service is told the citizen refused"
    );

    // Then in French, from the service's button, allowing this time.
    browser.goto(&format!("{}/", world.sp));
    browser.screenshot("fr-0-service");
    browser.click(Locator::LinkText("S'identifier avec alicem"));
    browser.wait_for("the identifier page", |u| {
        u.as_str().starts_with(base) && u.path().starts_with("/login/")
    });
    let audit = check_page(
        &browser,
        "fr-1-identifier",
        "fr",
        "S'identifier avec alicem",
    );
    assert_eq!(
        audit["controls"],
        json!([{"id": "identifier", "labels": ["Adresse e-mail de votre identité alicem"]}])
    );
    assert_eq!(browser.focused()["id"], "identifier");
    browser.type_text(EMAIL);
    check_tab_order(&browser, "fr-1-identifier", &["Continuer", "Annuler"]);
    browser.click(Locator::Css("form button[type=submit]"));

    browser.wait_for("the waiting page", on_wait_page(base));
    check_waiting_page(
        &browser,
        "fr-2-waiting",
        "fr",
        "Validez sur votre téléphone",
    );
    let code = browser.text(Locator::Css(".code"));
    // (WebDriver's text turns the no-break space before the colon into a space.)
    assert!(browser.text(Locator::Css("main")).contains(&format!(
        "Vérifiez que votre téléphone affiche ce code, puis saisissez votre code secret :\n{code}"
    )));
    check_tab_order(
        &browser,
        "fr-2-waiting",
        &["J'ai validé, continuer", "Annuler"],
    );
    phone_approves(&world.wallet, &code);
    // Nobody touches the page: it moves on by itself (without JavaScript).
    browser.wait_for("the consent page, by itself", |u| {
        u.path().ends_with("/consent")
    });
    check_page(&browser, "fr-3-consent", "fr", "Autoriser la transmission");
    let asked =
        browser.js("return [...document.querySelectorAll('main li')].map(l => l.textContent)");
    assert_eq!(
        sorted(&asked),
        ["Date de naissance", "Nom de naissance", "Prénoms", "Sexe"]
    );
    check_tab_order(&browser, "fr-3-consent", &["Refuser"]);
    browser.click(Locator::XPath(
        "//form[input[@name='decision' and @value='allow']]//button",
    ));

    // Back at the service, which shows what /userinfo gave it: exactly the claims
    // asked, with the passport's values.
    browser.wait_for("the service's callback", |u| {
        u.as_str().starts_with(&format!("{}/callback", world.sp))
    });
    browser.screenshot("fr-4-connected");
    assert_eq!(browser.text(Locator::Css("h1")), "Bonjour");
    let shown = browser.js(
        "const t = document.querySelector('main table'); \
         return Object.fromEntries([...t.rows].map(r => [r.cells[0].textContent, r.cells[1].textContent]));",
    );
    let mut citizen_claims: Vec<&str> = shown
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| !TOKEN_CLAIMS.contains(k))
        .collect();
    citizen_claims.sort_unstable();
    let mut asked = ASKED.to_vec();
    asked.sort_unstable();
    assert_eq!(citizen_claims, asked, "{shown:#}");
    assert_eq!(shown["family_name"], "DUBOIS");
    assert_eq!(shown["given_name"], "HÉLÈNE MARIE");
    assert_eq!(shown["birthdate"], "1982-11-03");
    assert_eq!(shown["gender"], "female");
    let credential = wallet_json(&world.wallet, &["show", "--json"]);
    for claim in ASKED {
        assert_eq!(
            shown[claim], credential["credential"]["claims"][claim],
            "{claim}: the page and the wallet's credential differ"
        );
    }

    // An expired or unknown login: an error page that says so in words.
    browser.goto(&format!("{base}/login/no-such-login/wait"));
    let audit = check_page(&browser, "fr-5-error", "fr", "Connexion impossible");
    assert_eq!(
        audit["alerts"],
        json!(["Cette demande de connexion a expiré ou n'existe pas."])
    );
    drop(browser);

    // With JavaScript on, the waiting page's script (allowed by the page's CSP) moves
    // it on: the two-second refresh is inside <noscript>, so nothing else could.
    let browser = Browser::launch(&tools, true);
    browser.goto("data:text/html,<p id=p>off</p><script>p.textContent='on'</script>");
    assert_eq!(browser.text(Locator::Id("p")), "on", "JavaScript is on");
    browser.goto(&format!("{}/", world.sp));
    browser.click(Locator::LinkText("S'identifier avec alicem"));
    browser.wait_for("the identifier page", |u| {
        u.as_str().starts_with(base) && u.path().starts_with("/login/")
    });
    browser.type_text(EMAIL);
    browser.click(Locator::Css("form button[type=submit]"));
    browser.wait_for("the waiting page", on_wait_page(base));
    let code = browser.text(Locator::Css(".code"));
    phone_approves(&world.wallet, &code);
    // Consent was given above: straight back to the service.
    browser.wait_for("the service's callback, through the script", |u| {
        u.as_str().starts_with(&format!("{}/callback", world.sp))
    });
    assert_eq!(browser.text(Locator::Css("h1")), "Bonjour");
}

// ---------------------------------------------------------------------------------

/// Width and height of a PNG file, read from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn demo_with_browser_logs_in_in_chromium_with_a_screenshot_of_each_page() {
    if browser_tools("demo --browser").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let json_path = tmp.path().join("outcome.json");
    let kept = tmp.path().join("kept");
    let output = Command::new(env!("CARGO_BIN_EXE_alicem"))
        .args(["demo", "--in-process", "--browser", "--keep"])
        .arg(&kept)
        .arg("--json")
        .arg(&json_path)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("headless Chromium"), "{stdout}");
    let outcome: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();

    // The same story as without the browser.
    assert_eq!(outcome["enrollment"]["status"], "approved");
    assert_eq!(outcome["login"]["browser"], "chromium");
    assert_eq!(outcome["login"]["id_token"]["acr"], "eidas3");
    assert_eq!(outcome["login"]["id_token"]["aud"], CLIENT_ID);
    let userinfo = &outcome["login"]["userinfo"];
    assert_eq!(userinfo["family_name"], "MARTIN");
    assert_eq!(userinfo["birthdate"], "1975-03-14");
    assert_eq!(userinfo["birthcountry"], "99100");
    assert_eq!(outcome["login"]["history"]["outcome"], "approved");
    assert_eq!(outcome["refusal"]["status"], "rejected");
    assert_eq!(outcome["refusal"]["reasons"][0], "chip_not_genuine");

    // A screenshot of each page, in the kept directory, each a different picture.
    let shots: Vec<PathBuf> = outcome["login"]["screenshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| PathBuf::from(p.as_str().unwrap()))
        .collect();
    let names: Vec<&str> = shots
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "1-service-provider.png",
            "2-identifier.png",
            "3-waiting.png",
            "4-consent.png",
            "5-service-provider-connected.png"
        ]
    );
    let mut pictures = Vec::new();
    for shot in &shots {
        assert_eq!(shot.parent().unwrap(), kept.join("screenshots"));
        let png = std::fs::read(shot).unwrap();
        let (width, height) = png_size(&png);
        assert!(
            width >= 800 && height >= 600,
            "{}: {width}×{height}",
            shot.display()
        );
        assert!(
            !pictures.contains(&png),
            "{} repeats a page",
            shot.display()
        );
        pictures.push(png);
    }
    // Nothing else left behind.
    let mut left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["kept", "outcome.json"]);
}
