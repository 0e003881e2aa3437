//! The identity server of the demo, in process: SQLite in the workspace, a free
//! loopback port, the test CSCA trusted, the real face pipeline, and the demo service
//! provider registered as an OpenID Connect client.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alicem_face::{FaceConfig, FaceEngine};
use alicem_server::AppState;
use alicem_server::config::{Config, Overrides};
use anyhow::{Context as _, bail};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

use super::citizen::Documents;
use super::workspace::Workspace;
use alicem_server::enrollment::face_engine::EngineFaceCheck;

pub const SP_CLIENT_ID: &str = "impots-demo";
/// The demo service provider's secret: generated per run (never a constant in code).
fn random_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

pub struct DemoServer {
    pub base_url: String,
    /// The demo service provider's listener, bound now so its redirect URI can be
    /// registered before it starts.
    pub sp_listener: Option<TcpListener>,
    pub sp_url: String,
    pub sp_secret: String,
    shutdown: Option<oneshot::Sender<()>>,
}

fn bind_free_port() -> anyhow::Result<(TcpListener, u16)> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
    let port = listener.local_addr()?.port();
    listener.set_nonblocking(true)?;
    Ok((listener, port))
}

impl DemoServer {
    pub fn start(
        runtime: &Runtime,
        workspace: &Workspace,
        documents: &Documents,
        engine: Arc<FaceEngine>,
    ) -> anyhow::Result<Self> {
        let (listener, port) = bind_free_port()?;
        let (sp_listener, sp_port) = bind_free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        let sp_url = format!("http://127.0.0.1:{sp_port}");
        let sp_secret = random_secret()?;
        let data = workspace.server_dir();
        let trust = data.join("trust");
        std::fs::create_dir_all(&trust).with_context(|| format!("creating {}", trust.display()))?;
        std::fs::write(trust.join("CSCA.der"), &documents.csca_certificate)
            .context("installing the test CSCA")?;
        let config_path = workspace.root().join("alicem.toml");
        std::fs::write(
            &config_path,
            format!(
                r#"# The demo's identity server (written by `alicem demo`).
listen = "127.0.0.1:{port}"
data_dir = "{data}"
issuer = "{base_url}"

[[oidc.clients]]
client_id = "{SP_CLIENT_ID}"
name = "Impôts démo"
client_secret = "{sp_secret}"
redirect_uris = ["{sp_url}/callback"]
post_logout_redirect_uris = ["{sp_url}/"]
scopes = ["given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry", "email", "preferred_username"]
require_pkce = true
"#,
                data = data.display(),
            ),
        )
        .with_context(|| format!("writing {}", config_path.display()))?;
        let config = Config::load(Some(&config_path), Overrides::default())
            .context("the demo server's configuration")?;
        let state = runtime
            .block_on(AppState::open(config))
            .context("opening the identity server")?
            .with_face(Arc::new(EngineFaceCheck::new(
                engine,
                FaceConfig::default(),
            )));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let served = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener).context("serving the loopback port")?
        };
        runtime.spawn(async move {
            if let Err(e) = alicem_server::serve_on(served, state, async {
                let _ = stopped.await;
            })
            .await
            {
                tracing::error!("identity server: {e}");
            }
        });
        wait_until_healthy(&base_url)?;
        Ok(Self {
            base_url,
            sp_listener: Some(sp_listener),
            sp_url,
            sp_secret,
            shutdown: Some(shutdown),
        })
    }
}

fn wait_until_healthy(base_url: &str) -> anyhow::Result<()> {
    let http = reqwest::blocking::Client::new();
    let started = Instant::now();
    loop {
        if http
            .get(format!("{base_url}/healthz"))
            .send()
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the identity server did not answer on {base_url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
