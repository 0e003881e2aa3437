//! `alicem`: the one binary. Each command group lives in its own module under `cli/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// An open, self-hostable, chip-verified digital identity.
///
/// Read a passport or ID card chip, verify it, prove it is you, and log in to online
/// services with a 6-digit PIN through a standard OpenID Connect provider.
#[derive(Parser)]
#[command(name = "alicem", version, propagate_version = true)]
struct Cli {
    /// Log level filter (error, warn, info, debug, trace), or RUST_LOG syntax.
    #[arg(long, global = true, env = "ALICEM_LOG", default_value = "warn")]
    log: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read, verify, mint and emulate travel document chips.
    #[command(subcommand)]
    Passport(cli::passport::PassportCommand),
    /// Inspect CSCA trust material: master lists, certificates, CRLs.
    #[command(subcommand)]
    Trust(cli::trust::TrustCommand),
    /// The citizen's wallet: enroll with a document, approve logins with the PIN,
    /// manage the identity.
    Wallet(cli::wallet::WalletArgs),
    /// Run the identity server (enrollment API, agent console, OpenID Connect provider).
    Serve(cli::serve::ServeArgs),
    /// Administer the identity server: lost documents, trust, service providers, agents.
    Admin(cli::admin::AdminArgs),
    /// Compare faces and check liveness scripts (operators and tests).
    #[command(subcommand)]
    Face(cli::face::FaceCommand),
    /// Fetch the face models.
    #[command(subcommand)]
    Models(cli::models::ModelsCommand),
    /// A tiny demonstration service provider ("Impôts démo") that logs in with alicem.
    DemoSp(cli::demo_sp::DemoSpArgs),
    /// The whole story in one process: mint a passport, enroll it with the wallet (chip,
    /// Active Authentication, liveness, face match), log in to a service with the PIN,
    /// and see a cloned chip refused.
    Demo(cli::demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Used by the README test: every command line the README shows must parse.
    if std::env::var_os("ALICEM_PARSE_ONLY").is_some() {
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&cli.log)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Passport(command) => cli::passport::run(command),
        Command::Trust(command) => cli::trust::run(command),
        Command::Wallet(args) => cli::wallet::run(args),
        Command::Serve(args) => cli::serve::run(args),
        Command::Admin(args) => cli::admin::run(args),
        Command::Face(command) => cli::face::run(command),
        Command::Models(command) => cli::models::run(command),
        Command::DemoSp(args) => cli::demo_sp::run(args),
        Command::Demo(args) => cli::demo::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
