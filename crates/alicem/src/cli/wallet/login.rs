//! `requests`, `approve ID`, `deny ID`.

use std::path::Path;
use std::process::ExitCode;

use alicem_api::login::PendingLogin;
use alicem_credential::jose::jwt::now_unix;
use clap::Args;

use super::pin::{PinInput, PinStdinArgs};
use super::{date_u64, open_client};
use crate::cli::emit;

#[derive(Args)]
pub struct RequestsArgs {
    /// Print the pending logins as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct ApproveArgs {
    /// The login's id (from `alicem wallet requests`).
    id: String,
    #[command(flatten)]
    pin: PinStdinArgs,
}

#[derive(Args)]
pub struct DenyArgs {
    /// The login's id (from `alicem wallet requests`).
    id: String,
}

fn describe(login: &PendingLogin) -> String {
    let left = i64::try_from(login.expires_at)
        .unwrap_or(i64::MAX)
        .saturating_sub(now_unix())
        .max(0);
    format!(
        "{id}\n  {sp} ({client}) asks for: {claims}\n  level {acr}, code shown in the browser: {code}, expires {at} (in {left} s)\n",
        id = login.login_id,
        sp = login.service_provider,
        client = login.client_id,
        claims = if login.claims.is_empty() {
            "no claims (identification only)".to_owned()
        } else {
            login.claims.join(", ")
        },
        acr = login.acr,
        code = login.short_code,
        at = date_u64(login.expires_at),
    )
}

pub fn requests(dir: &Path, args: RequestsArgs) -> anyhow::Result<ExitCode> {
    let client = open_client(dir)?;
    let logins = client.pending_logins()?;
    if args.json {
        emit(&format!("{}\n", serde_json::to_string_pretty(&logins)?));
    } else if logins.is_empty() {
        eprintln!("no login waiting for your approval");
    } else {
        for login in &logins {
            emit(&describe(login));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn approve(dir: &Path, args: ApproveArgs) -> anyhow::Result<ExitCode> {
    let mut client = open_client(dir)?;
    let login = client.pending_login(&args.id)?;
    eprint!("{}", describe(&login));
    eprintln!(
        "Check that the browser shows the code {}.",
        login.short_code
    );
    let pin = PinInput::new(args.pin).read("Your PIN to approve")?;
    let approved = client.approve_login(&login, &pin)?;
    eprintln!(
        "approved: {} received {}",
        login.service_provider,
        if approved.disclosed.is_empty() {
            "no claims".to_owned()
        } else {
            approved.disclosed.join(", ")
        }
    );
    if !approved.unavailable.is_empty() {
        eprintln!(
            "not in your credential, not sent: {}",
            approved.unavailable.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn deny(dir: &Path, args: DenyArgs) -> anyhow::Result<ExitCode> {
    let client = open_client(dir)?;
    client.deny_login(&args.id)?;
    eprintln!("denied login {}", args.id);
    Ok(ExitCode::SUCCESS)
}
