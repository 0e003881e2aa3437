//! `alicem wallet …`: the citizen's wallet on the command line. Everything happens in
//! `alicem-wallet` (no terminal I/O there); this module parses arguments, reads PINs
//! and prints. See docs/wallet.md.

use std::path::PathBuf;
use std::process::ExitCode;

use alicem_wallet::{Client, KdfParams, ReqwestHttp, Wallet};
use anyhow::Context as _;
use clap::{Args, Subcommand};

mod account;
mod enroll;
mod login;
mod pin;

#[derive(Args)]
pub struct WalletArgs {
    /// The wallet's data directory [default: the user's data directory, e.g.
    /// ~/.local/share/alicem/wallet].
    #[arg(long, global = true, env = "ALICEM_WALLET_DIR", value_name = "DIR")]
    wallet_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: WalletCommand,
}

#[derive(Subcommand)]
enum WalletCommand {
    /// Create a wallet (a new device key and PIN secret) for an identity server.
    Init(InitArgs),
    /// Enroll: read the document's chip, prove it is you, receive the identity, choose
    /// the PIN.
    Enroll(enroll::EnrollArgs),
    /// List the logins waiting for your approval.
    Requests(login::RequestsArgs),
    /// Approve a login with your PIN (discloses only the claims it asks for).
    Approve(login::ApproveArgs),
    /// Refuse a login.
    Deny(login::DenyArgs),
    /// Show what this wallet holds (identity, credential claims); no network.
    Show(account::ShowArgs),
    /// The identity's state on the server (active, suspended, PIN attempts left…).
    Status(account::JsonArgs),
    /// Your connection history, as the server keeps it.
    History(account::HistoryArgs),
    /// The erasure receipts of your enrollments: what the server erased, and when.
    Receipts(account::JsonArgs),
    /// PIN management.
    #[command(subcommand)]
    Pin(PinCommand),
    /// Suspend the identity (e.g. phone lost); an agent can resume it.
    Suspend(account::LifecycleArgs),
    /// Revoke the identity for good.
    Revoke(account::LifecycleArgs),
    /// Delete the identity on the server, then this wallet.
    Delete(account::DeleteArgs),
}

#[derive(Subcommand)]
enum PinCommand {
    /// Change the PIN (the current PIN is checked by the server).
    Change(pin::PinStdinArgs),
}

#[derive(Args)]
struct InitArgs {
    /// The identity server's base URL (https://…; http only to this machine).
    #[arg(long, value_name = "URL")]
    server: String,
    /// Cheap PIN key derivation, for tests only.
    #[arg(long, hide = true)]
    insecure_fast_pin_kdf: bool,
}

fn default_dir() -> anyhow::Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("alicem").join("wallet"))
        .context("no user data directory: give --wallet-dir")
}

impl WalletArgs {
    fn dir(&self) -> anyhow::Result<PathBuf> {
        match &self.wallet_dir {
            Some(dir) => Ok(dir.clone()),
            None => default_dir(),
        }
    }
}

/// Opens the wallet and a client to its server.
fn open_client(dir: &std::path::Path) -> anyhow::Result<Client<ReqwestHttp>> {
    let wallet =
        Wallet::open(dir).with_context(|| format!("opening the wallet in {}", dir.display()))?;
    let http = ReqwestHttp::new(&wallet.profile().server_url)?;
    Ok(Client::new(wallet, http))
}

pub fn run(args: WalletArgs) -> anyhow::Result<ExitCode> {
    let dir = args.dir()?;
    match args.command {
        WalletCommand::Init(init) => {
            // Check the URL before creating anything.
            ReqwestHttp::new(&init.server)?;
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            let kdf = if init.insecure_fast_pin_kdf {
                KdfParams::FAST_INSECURE
            } else {
                KdfParams::RECOMMENDED
            };
            let wallet = Wallet::create(&dir, &init.server, kdf)
                .with_context(|| format!("creating a wallet in {}", dir.display()))?;
            eprintln!(
                "created a wallet in {} for {} (device key {})",
                dir.display(),
                init.server,
                wallet.device_key().thumbprint()
            );
            eprintln!("next: alicem wallet enroll");
            Ok(ExitCode::SUCCESS)
        }
        WalletCommand::Enroll(a) => enroll::run(&dir, a),
        WalletCommand::Requests(a) => login::requests(&dir, a),
        WalletCommand::Approve(a) => login::approve(&dir, a),
        WalletCommand::Deny(a) => login::deny(&dir, a),
        WalletCommand::Show(a) => account::show(&dir, a),
        WalletCommand::Status(a) => account::status(&dir, a),
        WalletCommand::History(a) => account::history(&dir, a),
        WalletCommand::Receipts(a) => account::receipts(&dir, a),
        WalletCommand::Pin(PinCommand::Change(a)) => account::change_pin(&dir, a),
        WalletCommand::Suspend(a) => {
            account::lifecycle(&dir, alicem_wallet::LifecycleAction::Suspend, a)
        }
        WalletCommand::Revoke(a) => {
            account::lifecycle(&dir, alicem_wallet::LifecycleAction::Revoke, a)
        }
        WalletCommand::Delete(a) => account::delete(&dir, a),
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` for Unix seconds.
fn date(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{} {:02}:{:02}:{:02} UTC",
            t.date(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => unix.to_string(),
    }
}

fn date_u64(unix: u64) -> String {
    date(i64::try_from(unix).unwrap_or(i64::MAX))
}
