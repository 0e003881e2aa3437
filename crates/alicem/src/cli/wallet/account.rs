//! `show`, `status`, `history`, `receipts`, `pin change`, `suspend`, `revoke`,
//! `delete`.

use std::path::Path;
use std::process::ExitCode;

use alicem_api::enrollment::ErasureReceipt as ApiReceipt;
use alicem_wallet::{LifecycleAction, Wallet};
use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use super::pin::{PinInput, PinStdinArgs};
use super::{date, date_u64, open_client};
use crate::cli::emit;

#[derive(Args)]
pub struct JsonArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct HistoryArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Show the copy kept in the wallet instead of asking the server.
    #[arg(long)]
    offline: bool,
}

#[derive(Args)]
pub struct LifecycleArgs {
    #[command(flatten)]
    pin: PinStdinArgs,
}

#[derive(Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pin: PinStdinArgs,
    /// Keep this wallet's directory (history copy, receipts) after the deletion.
    #[arg(long)]
    keep_wallet: bool,
}

pub fn show(dir: &Path, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let wallet =
        Wallet::open(dir).with_context(|| format!("opening the wallet in {}", dir.display()))?;
    let profile = wallet.profile();
    let credential = wallet.credential()?;
    let enrollment = wallet.enrollment()?;
    if args.json {
        let claims = credential.as_ref().map(|c| {
            c.claims()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect::<serde_json::Map<_, _>>()
        });
        let value = json!({
            "wallet_dir": dir,
            "server_url": profile.server_url,
            "device_key_thumbprint": wallet.device_key().thumbprint(),
            "identity_id": profile.account_id,
            "enrollment_in_progress": enrollment,
            "credential": credential.as_ref().map(|c| json!({
                "issuer": c.payload().iss,
                "vct": c.payload().vct,
                "expires_at": c.payload().exp,
                "claims": claims,
            })),
        });
        emit(&format!("{}\n", serde_json::to_string_pretty(&value)?));
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "wallet      {}\nserver      {}\ndevice key  {}\nidentity    {}\n",
        dir.display(),
        profile.server_url,
        wallet.device_key().thumbprint(),
        profile
            .account_id
            .as_deref()
            .unwrap_or("none (not enrolled)")
    );
    if let Some(e) = &enrollment {
        out.push_str(&format!(
            "enrollment  session {} ({} path){}, until {}\n",
            e.session_id,
            e.path,
            if e.approved {
                ", approved: PIN not registered yet (alicem wallet enroll --resume)"
            } else {
                ""
            },
            date_u64(e.deadline)
        ));
    }
    match &credential {
        Some(c) => {
            out.push_str(&format!(
                "credential  {} from {}, valid until {}\n",
                c.payload().vct,
                c.payload().iss.as_deref().unwrap_or("?"),
                c.payload().exp.map(date).unwrap_or_else(|| "?".into())
            ));
            for (name, value) in c.claims() {
                let value = value
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| value.to_string());
                out.push_str(&format!("  {name:<16} {value}\n"));
            }
        }
        None => out.push_str("credential  none\n"),
    }
    emit(&out);
    Ok(ExitCode::SUCCESS)
}

pub fn status(dir: &Path, args: JsonArgs) -> anyhow::Result<ExitCode> {
    let client = open_client(dir)?;
    let status = client.status()?;
    if args.json {
        emit(&format!("{}\n", serde_json::to_string_pretty(&status)?));
    } else {
        emit(&format!(
            "identity    {}\nstatus      {}\nlevel       {}\nexpires     {}\nPIN tries   {} left\n",
            status.identity_id,
            serde_json::to_value(status.status)?
                .as_str()
                .unwrap_or_default(),
            status.level,
            date_u64(status.expires_at),
            status.pin_attempts_left
        ));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn history(dir: &Path, args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let entries: Vec<alicem_api::account::HistoryEntry> = if args.offline {
        let wallet = Wallet::open(dir)?;
        let copy = wallet.history()?.unwrap_or(alicem_wallet::HistoryCopy {
            fetched_at: 0,
            entries: Vec::new(),
        });
        if copy.fetched_at > 0 {
            eprintln!("copy fetched {}", date(copy.fetched_at));
        }
        copy.entries
            .into_iter()
            .filter_map(|e| serde_json::from_value(e).ok())
            .collect()
    } else {
        let mut client = open_client(dir)?;
        let history = client.fetch_history()?;
        eprintln!(
            "the server keeps connections for {} days",
            history.retention_days
        );
        history.entries
    };
    if args.json {
        emit(&format!("{}\n", serde_json::to_string_pretty(&entries)?));
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        eprintln!("no connection recorded");
    }
    let mut out = String::new();
    for e in &entries {
        out.push_str(&format!(
            "{}  {:<10} {} ({}) {} [{}]\n",
            date_u64(e.at),
            e.outcome,
            e.service_provider,
            e.client_id,
            e.acr,
            e.claims.join(", ")
        ));
    }
    emit(&out);
    Ok(ExitCode::SUCCESS)
}

pub fn receipts(dir: &Path, args: JsonArgs) -> anyhow::Result<ExitCode> {
    let wallet = Wallet::open(dir)?;
    let receipts = wallet.receipts()?;
    if args.json {
        let bodies: Vec<_> = receipts.iter().map(|r| &r.body).collect();
        emit(&format!("{}\n", serde_json::to_string_pretty(&bodies)?));
        return Ok(ExitCode::SUCCESS);
    }
    if receipts.is_empty() {
        eprintln!("no erasure receipt");
    }
    let mut out = String::new();
    for r in &receipts {
        out.push_str(&format!(
            "enrollment {} (received {})\n",
            r.id,
            date(r.received_at)
        ));
        match serde_json::from_value::<ApiReceipt>(r.body.clone()) {
            Ok(receipt) => {
                out.push_str(&format!(
                    "  erased by {} at {}:\n",
                    receipt.claims.iss,
                    date_u64(receipt.claims.erased_at)
                ));
                for item in &receipt.claims.items {
                    out.push_str(&format!(
                        "    {:<16} {:>8} bytes  sha256 {}\n",
                        item.item, item.bytes, item.sha256
                    ));
                }
            }
            Err(_) => out.push_str(&format!("  {}\n", r.body)),
        }
    }
    emit(&out);
    Ok(ExitCode::SUCCESS)
}

pub fn change_pin(dir: &Path, args: PinStdinArgs) -> anyhow::Result<ExitCode> {
    let mut client = open_client(dir)?;
    client.identity_id()?;
    let input = PinInput::new(args);
    let current = input.read("Your current PIN")?;
    let new = input.choose("Your new 6-digit PIN")?;
    client.change_pin(&current, &new)?;
    eprintln!("PIN changed");
    Ok(ExitCode::SUCCESS)
}

pub fn lifecycle(
    dir: &Path,
    action: LifecycleAction,
    args: LifecycleArgs,
) -> anyhow::Result<ExitCode> {
    let mut client = open_client(dir)?;
    // Before asking for the PIN.
    client.identity_id()?;
    let (warning, done) = match action {
        LifecycleAction::Suspend => (
            "Suspending: no login will be possible until an agent resumes your identity.",
            "suspended",
        ),
        LifecycleAction::Revoke => (
            "Revoking, for good: you will need to enroll again to have an identity.",
            "revoked",
        ),
        LifecycleAction::Delete => ("Deleting your identity.", "deleted"),
    };
    eprintln!("{warning}");
    let pin = PinInput::new(args.pin).read("Your PIN to confirm")?;
    let status = client.lifecycle(action, &pin)?;
    eprintln!(
        "{done}: identity {} is now {}",
        status.identity_id,
        serde_json::to_value(status.status)?
            .as_str()
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn delete(dir: &Path, args: DeleteArgs) -> anyhow::Result<ExitCode> {
    lifecycle(
        dir,
        LifecycleAction::Delete,
        LifecycleArgs { pin: args.pin },
    )?;
    if args.keep_wallet {
        eprintln!("this wallet ({}) is kept", dir.display());
    } else {
        Wallet::open(dir)?.destroy()?;
        eprintln!("this wallet ({}) is erased", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
