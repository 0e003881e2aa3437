//! alicem's identity server: it decides enrollments (chip + face, or chip + agent),
//! holds identities without civil-status or biometric data, runs their lifecycle,
//! serves the agent console and the admin surface, and hosts the OpenID Connect
//! provider ([`oidc`]).
//!
//! Layout:
//! - [`config`]: the one configuration (file + flags); [`state::AppState`]: what
//!   every handler shares; [`keys`]: the server's secrets; [`trust`]: the CSCA store;
//! - [`store`]: sqlx over SQLite or PostgreSQL (migrations in `migrations/`);
//! - [`device_proof`]: the extractor that authenticates wallet requests;
//! - [`problem::Problem`]: every JSON error answer;
//! - [`enrollment`], [`account`], [`console`], [`jobs`]: the issue-6 features;
//! - [`oidc`]: the provider, merged into [`router`].

pub mod account;
pub mod admin;
pub mod clock;
pub mod config;
pub mod console;
pub mod device_proof;
pub mod enrollment;
pub mod fsutil;
pub mod jobs;
pub mod keys;
pub mod login;
pub mod oidc;
pub mod openapi;
pub mod problem;
pub mod rate_limit;
pub mod state;
pub mod store;
pub mod trust;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;

pub use config::Config;
pub use problem::Problem;
pub use state::{AppState, StartError};
pub use store::Store;

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    Router::new()
        // Enrollment API: /v1/enrollments…
        .merge(enrollment::router())
        // The citizen's account: /v1/account (status, challenges, lifecycle, PIN, history).
        .merge(account::router())
        // Agent console: /agent/… (server-rendered HTML).
        .merge(console::router())
        // The OpenID Connect provider (crates/server/src/oidc): discovery, /authorize,
        // /token, /userinfo, /jwks, and the wallet's /v1/account/logins….
        .merge(oidc::router())
        // The API description and the credential issuer's metadata.
        .merge(openapi::router())
        .route("/healthz", get(|| async { "ok" }))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Runs the server until Ctrl-C / SIGTERM: opens the state, starts the background
/// jobs, listens (HTTPS when `[tls]` is configured).
pub async fn serve(config: Config) -> Result<(), StartError> {
    serve_with_face(config, None).await
}

/// [`serve`] with a face pipeline for face-path enrollments (without one they go to an
/// agent's review).
pub async fn serve_with_face(
    config: Config,
    face: Option<std::sync::Arc<dyn enrollment::face_check::FaceCheck>>,
) -> Result<(), StartError> {
    let state = AppState::open(config).await?;
    let state = match face {
        Some(face) => state.with_face(face),
        None => state,
    };
    let jobs = jobs::spawn(state.clone());
    let result = match state.config.tls.clone() {
        Some(tls) => serve_tls(state.clone(), &tls).await,
        None => {
            let listener = TcpListener::bind(state.config.listen)
                .await
                .map_err(StartError::Listen)?;
            tracing::info!(addr = %state.config.listen, issuer = %state.config.issuer, "alicem serving (HTTP)");
            serve_on(listener, state.clone(), shutdown_signal()).await
        }
    };
    jobs.abort();
    state.store.close().await;
    result
}

/// Serves on an already bound listener until `shutdown` completes (tests bind port 0).
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let stopping = state.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        stopping.stop();
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(StartError::Listen)
}

async fn serve_tls(state: AppState, tls: &config::TlsConfig) -> Result<(), StartError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rustls_config =
        axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.certificate, &tls.private_key)
            .await
            .map_err(|e| StartError::Tls(e.to_string()))?;
    let handle = axum_server::Handle::new();
    let shutdown_handle = handle.clone();
    let stopping = state.stopping.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stopping.stop();
        shutdown_handle.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    tracing::info!(addr = %state.config.listen, issuer = %state.config.issuer, "alicem serving (HTTPS)");
    let addr = state.config.listen;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum_server::bind_rustls(addr, rustls_config)
        .handle(handle)
        .serve(app)
        .await
        .map_err(StartError::Listen)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Shared handle type for the face pipeline.
pub type SharedFaceCheck = Arc<dyn enrollment::face_check::FaceCheck>;
