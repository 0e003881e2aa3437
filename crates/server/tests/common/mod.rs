//! Shared by the integration tests: databases (SQLite always, PostgreSQL when one
//! answers), server state, an in-process server on an ephemeral port.

#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use alicem_emrtd::verify::TrustStore;
use alicem_server::clock::OffsetClock;
use alicem_server::config::Config;
use alicem_server::keys::ServerKeys;
use alicem_server::{AppState, Store};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server to use: `ALICEM_TEST_POSTGRES_URL`, else 127.0.0.1:5432
/// (user postgres, trust auth) when it answers; `None` means skip (with a message).
pub fn postgres_admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("ALICEM_TEST_POSTGRES_URL") {
        return Some(url);
    }
    let addr: SocketAddr = "127.0.0.1:5432".parse().unwrap();
    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300))
        .ok()
        .map(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh throwaway PostgreSQL database; `None` (and a message) when no server.
pub async fn postgres_database() -> Option<String> {
    let Some(admin) = postgres_admin_url() else {
        eprintln!(
            "SKIPPED: no PostgreSQL (set ALICEM_TEST_POSTGRES_URL or run one on 127.0.0.1:5432)"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("alicem_test_{}", hex::encode(rand_bytes::<6>()));
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap();
    sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
    )
    .await
    .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
    Some(format!("{base}/{name}"))
}

pub fn rand_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand_core::Rng::fill_bytes(&mut alicem_credential::rng::os_rng(), &mut out);
    out
}

/// A server state over a temporary data directory and `db`; `None` when `db` is
/// PostgreSQL and none runs.
pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub clock: Arc<OffsetClock>,
}

pub async fn state(db: Db, trust: TrustStore) -> Option<TestServer> {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().join("data"),
        issuer: "http://127.0.0.1:1".into(),
        ..Config::default()
    };
    config.enrollment.starts_per_minute = 1000;
    if db == Db::Postgres {
        config.database_url = Some(postgres_database().await?);
    }
    std::fs::create_dir_all(&config.data_dir).unwrap();
    let keys = ServerKeys::load_or_create(&config).unwrap();
    let store = Store::open(&config.database_url()).await.unwrap();
    let clock = Arc::new(OffsetClock::default());
    let state = AppState::from_parts(config, store, keys, trust, clock.clone());
    Some(TestServer { dir, state, clock })
}

pub mod erasure;
pub mod face;
pub mod flow;
pub mod wallet;

impl TestServer {
    /// Serves the state on an ephemeral port; returns the base URL.
    pub async fn spawn(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = self.state.clone();
        tokio::spawn(async move {
            alicem_server::serve_on(listener, state, std::future::pending())
                .await
                .unwrap();
        });
        format!("http://{addr}")
    }

    pub fn now(&self) -> i64 {
        self.state.now()
    }
}
