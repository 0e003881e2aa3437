//! Storage over sqlx: SQLite by default (one file in the data directory, created on
//! first start), PostgreSQL for `postgres://` URLs. Both through sqlx's `Any` driver,
//! so every query is written once:
//!
//! - placeholders are `$1, $2…` (SQLite accepts them too);
//! - column types are `TEXT`, `INTEGER` (SQLite) / `BIGINT` (PostgreSQL) read as
//!   `i64`, and `BLOB` / `BYTEA` read as `Vec<u8>`; times are Unix seconds;
//! - migrations live in `migrations/sqlite` and `migrations/postgres`, one file per
//!   step with the same number in both (the OIDC provider's from 0100 on), and are
//!   applied at start.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub mod agents;
pub mod audit;
pub mod enrollments;
pub mod history;
pub mod identities;
pub mod lost;
pub mod pin_challenges;
pub mod replay;
pub mod service_providers;

/// A storage failure (the cause is logged, never shown to a client).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database. Cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects (creating a SQLite file, 0600, if needed) and applies the migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let mut url = url.to_owned();
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_file(&url) {
                create_private_file(Path::new(path))?;
            }
            if !url.contains('?') {
                url.push_str("?mode=rwc");
            }
        }
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; FULL so a committed decision
                        // survives a power cut; wait rather than fail on a lock.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA secure_delete = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The pool, for modules with their own queries (the OIDC provider's).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool (tests, shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The file path of a `sqlite://PATH[?…]` URL (`None` for in-memory databases).
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Creates `path` empty with mode 0600 unless it exists (its parent too, 0700).
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    let err = |source| StoreError::File {
        path: path.display().to_string(),
        source,
    };
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        crate::fsutil::create_private_dir(parent).map_err(err)?;
    }
    crate::fsutil::create_private_file(path, b"").map_err(err)
}

/// `"a,b"` ↔ `["a", "b"]` for small lists of codes.
pub(crate) fn join_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    codes.into_iter().collect::<Vec<_>>().join(",")
}

pub(crate) fn split_codes(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite:///srv/a.db?mode=rwc"),
            Some("/srv/a.db")
        );
        assert_eq!(sqlite_file("sqlite:a.db"), Some("a.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}
