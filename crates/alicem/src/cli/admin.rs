//! `alicem admin …`: the identity server's admin surface, run on the server's host
//! against its configuration (same `--config` / `--data-dir` / `--database-url` as
//! `alicem serve`).

use std::path::PathBuf;
use std::process::ExitCode;

use alicem_server::admin::{Admin, NewServiceProvider};
use alicem_server::store::service_providers::TokenAuthMethod;
use anyhow::Context;
use clap::{Args, Subcommand};

use super::emit;
use super::serve::ServeArgs;

#[derive(Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub server: ServeArgs,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Lost and stolen documents: identities built on them are suspended at once.
    #[command(subcommand)]
    Documents(DocumentsCommand),
    /// CSCA trust material for Passive Authentication.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// OpenID Connect service providers.
    #[command(subcommand)]
    Sp(SpCommand),
    /// Agents of the console.
    #[command(subcommand)]
    Agent(AgentCommand),
}

#[derive(Subcommand)]
pub enum DocumentsCommand {
    /// Report one document lost or stolen.
    Report {
        /// Issuing state, ICAO code as in the MRZ (FRA, D, …).
        #[arg(long)]
        state: String,
        /// Document number as in the MRZ.
        #[arg(long)]
        number: String,
        /// Where the report comes from (recorded in the audit log).
        #[arg(long, default_value = "admin")]
        source: String,
    },
    /// Import a list of `STATE,NUMBER` lines (`#` comments allowed).
    Import {
        file: PathBuf,
        #[arg(long, default_value = "bulk import")]
        source: String,
    },
}

#[derive(Subcommand)]
pub enum TrustCommand {
    /// Check trust files (master list signatures, CA certificates, CRLs) and copy
    /// them into the server's trust directory (loaded at the next start).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum SpCommand {
    /// Register a service provider; prints its client id (and secret, once).
    Add {
        /// Display name shown to citizens.
        #[arg(long)]
        name: String,
        /// Allowed redirect URI (repeat for several).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Allowed post-logout redirect URI (repeat for several).
        #[arg(long = "post-logout-uri")]
        post_logout_uris: Vec<String>,
        /// Scopes, comma or space separated (must include openid).
        #[arg(long, default_value = "openid")]
        scopes: String,
        /// Client id (random when absent).
        #[arg(long)]
        client_id: Option<String>,
        /// Pairwise subject sector (the redirect URIs' host when absent).
        #[arg(long)]
        sector: Option<String>,
        /// client_secret_basic, client_secret_post, private_key_jwt or none.
        #[arg(long, default_value = "client_secret_basic")]
        auth_method: String,
        /// ES256 or RS256.
        #[arg(long, default_value = "ES256")]
        id_token_alg: String,
        /// The provider's JWK Set file (private_key_jwt).
        #[arg(long)]
        jwks: Option<PathBuf>,
    },
    /// List the registered service providers.
    List,
}

#[derive(Subcommand)]
pub enum AgentCommand {
    /// Create an agent; the password is read from ALICEM_AGENT_PASSWORD or stdin.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
    },
}

pub fn run(args: AdminArgs) -> anyhow::Result<ExitCode> {
    let config = args.server.load()?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let admin = Admin::open(config).await?;
        match args.command {
            AdminCommand::Documents(DocumentsCommand::Report {
                state,
                number,
                source,
            }) => {
                let suspended = admin.report_document(&state, &number, &source).await?;
                emit(&format!(
                    "reported; {} identit{} suspended\n",
                    suspended.len(),
                    if suspended.len() == 1 { "y" } else { "ies" }
                ));
            }
            AdminCommand::Documents(DocumentsCommand::Import { file, source }) => {
                let text =
                    std::fs::read_to_string(&file).with_context(|| file.display().to_string())?;
                let (documents, suspended) = admin.import_documents(&text, &source).await?;
                emit(&format!(
                    "{documents} document(s) reported; {suspended} identit(ies) suspended\n"
                ));
            }
            AdminCommand::Trust(TrustCommand::Import { files }) => {
                let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
                for copied in admin.import_trust(&paths)? {
                    emit(&format!("imported {copied}\n"));
                }
                emit("restart the server to use the new trust material\n");
            }
            AdminCommand::Sp(SpCommand::Add {
                name,
                redirect_uris,
                post_logout_uris,
                scopes,
                client_id,
                sector,
                auth_method,
                id_token_alg,
                jwks,
            }) => {
                let method = TokenAuthMethod::parse(&auth_method)
                    .with_context(|| format!("unknown --auth-method {auth_method}"))?;
                let jwks = jwks
                    .map(|p| std::fs::read_to_string(&p).with_context(|| p.display().to_string()))
                    .transpose()?;
                let registered = admin
                    .add_service_provider(NewServiceProvider {
                        client_id,
                        name,
                        redirect_uris,
                        post_logout_redirect_uris: post_logout_uris,
                        scopes: scopes
                            .split([',', ' '])
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        sector_identifier: sector,
                        token_auth_method: method,
                        id_token_alg,
                        jwks,
                    })
                    .await?;
                emit(&format!("client_id: {}\n", registered.client_id));
                if let Some(secret) = registered.client_secret {
                    emit(&format!(
                        "client_secret: {secret}\n(shown once; only its hash is stored)\n"
                    ));
                }
            }
            AdminCommand::Sp(SpCommand::List) => {
                for sp in admin.store.service_providers().await? {
                    emit(&format!(
                        "{}\t{}\t{}\t{}\n",
                        sp.client_id,
                        sp.name,
                        sp.token_auth_method.as_str(),
                        sp.redirect_uris.join(" ")
                    ));
                }
            }
            AdminCommand::Agent(AgentCommand::Add { login, name }) => {
                let password = match std::env::var("ALICEM_AGENT_PASSWORD") {
                    Ok(p) => p,
                    Err(_) => {
                        let mut line = String::new();
                        std::io::stdin().read_line(&mut line)?;
                        line.trim_end_matches(['\n', '\r']).to_owned()
                    }
                };
                admin.add_agent(&login, &name, &password).await?;
                emit(&format!("agent {login} created\n"));
            }
        }
        admin.store.close().await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
