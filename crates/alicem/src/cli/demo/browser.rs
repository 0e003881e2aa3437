//! The login of `alicem demo --browser`: a real headless Chromium, driven over
//! WebDriver (Debian's `chromium` + `chromium-driver`), clicks through the demo service
//! provider and the identity server's pages while the wallet approves on the "phone";
//! a screenshot of each page is saved as it is shown.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Map, Value, json};
use tokio::runtime::Runtime;

use super::citizen::{EMAIL, Enrolled};
use super::narrator::Narrator;
use super::server::DemoServer;

/// Chromium and its WebDriver, found on `PATH`.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

impl Tools {
    /// `None` when either is missing (then the demo falls back to its HTTP client).
    pub fn find() -> Option<Self> {
        Some(Self {
            chromium: on_path(&["chromium", "chromium-browser", "google-chrome"])?,
            chromedriver: on_path(&["chromedriver"])?,
        })
    }
}

/// The browser window's size.
const WIDTH: u32 = 1000;
const HEIGHT: u32 = 900;

/// One headless Chromium session, ended (browser and driver) when dropped.
pub struct Chromium {
    client: Option<Client>,
    driver: Child,
    runtime: tokio::runtime::Handle,
    pub version: String,
    // The fresh profile directory; removed after the browser has quit.
    _profile: tempfile::TempDir,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")
        .context("finding a free loopback port")?
        .local_addr()?
        .port())
}

/// Waits until chromedriver answers `/status` with `ready`.
fn wait_for_driver(url: &str, driver: &mut Child) -> anyhow::Result<()> {
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let started = Instant::now();
    loop {
        let ready = http
            .get(format!("{url}/status"))
            .send()
            .ok()
            .and_then(|r| r.json::<Value>().ok())
            .is_some_and(|status| status["value"]["ready"] == json!(true));
        if ready {
            return Ok(());
        }
        if let Some(exit) = driver.try_wait()? {
            bail!("chromedriver exited at start ({exit})");
        }
        if started.elapsed() > Duration::from_secs(20) {
            bail!("chromedriver did not answer on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Chromium {
    /// Starts chromedriver on a free loopback port and opens a headless Chromium on a
    /// fresh profile, asking for pages in `accept_language`. The flags keep Chromium
    /// from calling Google's services (component updates, sync, background requests).
    pub fn launch(runtime: &Runtime, tools: &Tools, accept_language: &str) -> anyhow::Result<Self> {
        // One directory for the profile and for Chromium's temporary files (it leaves
        // `org.chromium.Chromium.scoped_dir.*` in TMPDIR when stopped), removed with it.
        let profile = tempfile::Builder::new()
            .prefix("alicem-chromium-")
            .tempdir()
            .context("creating Chromium's profile directory")?;
        let scratch = profile.path().join("tmp");
        std::fs::create_dir(&scratch).context("creating Chromium's temporary directory")?;
        let port = free_port()?;
        let mut driver = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &scratch)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", tools.chromedriver.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        if let Err(e) = wait_for_driver(&url, &mut driver) {
            let _ = driver.kill();
            let _ = driver.wait();
            return Err(e);
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    format!("--window-size={WIDTH},{HEIGHT}"),
                    format!("--user-data-dir={}", profile.path().join("profile").display()),
                ],
                "prefs": { "intl.accept_languages": accept_language },
            }
        });
        let Value::Object(capabilities) = capabilities else {
            bail!("capabilities are a JSON object");
        };
        let connected = runtime.block_on(
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities)
                .connect(&url),
        );
        let client = match connected {
            Ok(client) => client,
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                bail!("Chromium did not start under chromedriver: {e}");
            }
        };
        let version = client
            .capabilities()
            .and_then(|c| c.get("browserVersion"))
            .and_then(Value::as_str)
            .unwrap_or("unknown version")
            .to_owned();
        Ok(Self {
            client: Some(client),
            driver,
            runtime: runtime.handle().clone(),
            version,
            _profile: profile,
        })
    }

    fn client(&self) -> anyhow::Result<&Client> {
        self.client.as_ref().context("the browser was closed")
    }

    /// Runs one WebDriver step to completion.
    fn run<T, F>(&self, step: F) -> anyhow::Result<T>
    where
        F: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        Ok(self.runtime.block_on(step)?)
    }

    pub fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.run(self.client()?.goto(url))
            .with_context(|| format!("opening {url}"))
    }

    pub fn current_url(&self) -> anyhow::Result<url::Url> {
        self.run(self.client()?.current_url())
    }

    pub fn click(&self, locator: Locator<'_>, what: &str) -> anyhow::Result<()> {
        let client = self.client()?;
        self.run(async {
            let element = client.find(locator).await?;
            element.click().await
        })
        .with_context(|| format!("clicking {what}"))
    }

    pub fn type_into(&self, locator: Locator<'_>, text: &str) -> anyhow::Result<()> {
        let client = self.client()?;
        self.run(async {
            let element = client.find(locator).await?;
            element.send_keys(text).await
        })
        .context("typing into the page")
    }

    pub fn text_of(&self, locator: Locator<'_>) -> anyhow::Result<String> {
        let client = self.client()?;
        self.run(async { client.find(locator).await?.text().await })
            .context("reading the page")
    }

    pub fn execute(&self, script: &str) -> anyhow::Result<Value> {
        self.run(self.client()?.execute(script, Vec::new()))
            .context("reading the page's DOM")
    }

    /// Saves the whole page the browser shows now as `dir/name.png` (the window is
    /// made tall enough for it, then put back).
    pub fn screenshot(&self, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
        let client = self.client()?;
        let extra = self
            .execute(
                "return Math.max(0, document.documentElement.scrollHeight - window.innerHeight);",
            )?
            .as_u64()
            .unwrap_or(0);
        let png = if extra > 0 {
            let (width, height) = self.run(client.get_window_size())?;
            let width = u32::try_from(width).unwrap_or(WIDTH);
            let height = u32::try_from(height).unwrap_or(HEIGHT);
            let taller = height.saturating_add(u32::try_from(extra).unwrap_or(0));
            self.run(client.set_window_size(width, taller))?;
            let png = self.run(client.screenshot());
            self.run(client.set_window_size(width, height))?;
            png?
        } else {
            self.run(client.screenshot())?
        };
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// Waits, without touching the page, until its URL satisfies `arrived`.
    pub fn wait_for_url(
        &self,
        what: &str,
        arrived: impl Fn(&url::Url) -> bool,
    ) -> anyhow::Result<url::Url> {
        let started = Instant::now();
        loop {
            let url = self.current_url()?;
            if arrived(&url) {
                return Ok(url);
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the browser never reached {what} (still at {url})");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Ends the WebDriver session: chromedriver quits the browser.
            let _ = self.runtime.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The claims tables of the service provider's page after a login: `(name, value)`
/// rows of the first table (what `/userinfo` returned).
pub fn shown_claims(browser: &Chromium) -> anyhow::Result<Map<String, Value>> {
    let rows = browser.execute(
        "const t = document.querySelector('main table'); \
         return t ? Array.from(t.rows).map(r => [r.cells[0].textContent, r.cells[1].textContent]) : [];",
    )?;
    let mut claims = Map::new();
    for row in rows.as_array().into_iter().flatten() {
        if let (Some(name), Some(value)) = (
            row.get(0).and_then(Value::as_str),
            row.get(1).and_then(Value::as_str),
        ) {
            claims.insert(name.to_owned(), Value::from(value));
        }
    }
    Ok(claims)
}

/// The login in Chromium, page by page, a screenshot of each in `shots`. Checks that
/// the service provider's page shows exactly `expected` (besides the token's own
/// claims) and returns the screenshots' paths.
pub fn browse(
    narrator: &Narrator,
    browser: &Chromium,
    server: &DemoServer,
    enrolled: &mut Enrolled,
    shots: &Path,
    expected: &Map<String, Value>,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(shots).with_context(|| format!("creating {}", shots.display()))?;
    let mut saved = Vec::new();
    let mut shoot = |name: &str, what: &str| -> anyhow::Result<()> {
        let path = browser.screenshot(shots, name)?;
        narrator.say(&format!("chromium ← {what} (screenshot {name}.png)"));
        saved.push(path);
        Ok(())
    };

    browser.goto(&format!("{}/", server.sp_url))?;
    shoot("1-service-provider", "\"Impôts démo\" home page")?;
    browser.click(
        Locator::LinkText("S'identifier avec alicem"),
        "\"S'identifier avec alicem\"",
    )?;
    let on_provider = |url: &url::Url| url.as_str().starts_with(&server.base_url);
    browser.wait_for_url("the identity server's identifier page", |u| {
        on_provider(u) && u.path().starts_with("/login/")
    })?;
    shoot("2-identifier", "identifier page of the identity server")?;
    browser.type_into(Locator::Id("identifier"), EMAIL)?;
    narrator.say(&format!("chromium: identifier {EMAIL} typed"));
    browser.click(
        Locator::Css("form button[type=submit]"),
        "the identifier page's \"Continuer\"",
    )?;
    browser.wait_for_url("the waiting page", |u| {
        on_provider(u) && u.path().ends_with("/wait")
    })?;
    let code_on_page = browser.text_of(Locator::Css(".code"))?;
    shoot("3-waiting", &format!("waiting page: \"{code_on_page}\""))?;

    super::login::approve_on_phone(narrator, enrolled, |code| {
        super::login::shows_code(&code_on_page, code)
    })?;

    // The waiting page refreshes itself: nobody clicks "continue".
    let next = browser.wait_for_url("the page after the phone's approval", |u| {
        !(on_provider(u) && u.path().ends_with("/wait"))
    })?;
    if on_provider(&next) && next.path().ends_with("/consent") {
        shoot(
            "4-consent",
            "consent page (first login at this provider), moved on by itself",
        )?;
        browser.click(
            Locator::XPath("//form[input[@name='decision' and @value='allow']]//button"),
            "\"Autoriser et continuer\"",
        )?;
    }
    browser.wait_for_url("the service provider's callback", |u| {
        u.as_str()
            .starts_with(&format!("{}/callback", server.sp_url))
    })?;
    let heading = browser.text_of(Locator::Css("h1"))?;
    shoot(
        "5-service-provider-connected",
        &format!("\"Impôts démo\": \"{heading}\", with the claims received"),
    )?;
    if heading != "Bonjour" {
        bail!("the service provider's page says {heading:?}, not \"Bonjour\"");
    }
    let shown = shown_claims(browser)?;
    for (name, value) in expected {
        if shown.get(name) != Some(value) {
            bail!(
                "the page shows {name} = {:?}, but the passport says {value}",
                shown.get(name)
            );
        }
    }
    let extra: Vec<&String> = shown
        .keys()
        .filter(|k| !expected.contains_key(*k) && !TOKEN_CLAIMS.contains(&k.as_str()))
        .collect();
    if !extra.is_empty() {
        bail!("the page shows claims that were not asked: {extra:?}");
    }
    narrator.ok("the page shows exactly the claims asked, with the passport's values");
    Ok(saved)
}

/// The claims of a signed userinfo that are the token's, not the citizen's.
const TOKEN_CLAIMS: &[&str] = &["sub", "iss", "aud", "iat", "exp", "nbf", "jti"];
