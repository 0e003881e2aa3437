//! `requests`, `approve ID`, `approve --watch`, `deny ID`.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use alicem_api::login::PendingLogin;
use alicem_credential::jose::jwt::now_unix;
use alicem_credential::pin::Pin;
use alicem_wallet::{Client, ClientError, ReqwestHttp};
use anyhow::bail;
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
    #[arg(required_unless_present = "watch", conflicts_with = "watch")]
    id: Option<String>,
    /// Keep approving: poll the pending logins and approve each one asked by the
    /// `--client` service providers with the PIN (read once), until interrupted. For
    /// a wallet that stands in for its citizen, e.g. beside a load test. Stops at the
    /// first refusal of the PIN, so a wrong PIN costs one attempt, not the lockout.
    #[arg(long, requires = "clients")]
    watch: bool,
    /// With `--watch`: the client id of a service provider whose logins are approved
    /// (repeat for several); logins of other providers are left waiting.
    #[arg(long = "client", value_name = "CLIENT_ID", requires = "watch")]
    clients: Vec<String>,
    /// With `--watch`: pause between two looks at the pending logins when none was
    /// approved.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 20,
        requires = "watch",
        value_parser = clap::value_parser!(u64).range(1..=60_000)
    )]
    poll_ms: u64,
    /// With `--watch`: print nothing per approval (the count is printed every
    /// 10 s).
    #[arg(long, requires = "watch")]
    quiet: bool,
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
    let Some(id) = args.id.as_deref() else {
        return watch(&mut client, &args);
    };
    let login = client.pending_login(id)?;
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

/// What a refused approval means for the logins after it.
fn refusal_is_final(e: &ClientError) -> bool {
    // The PIN, the identity or the device key is refused: every later approval would
    // be refused too (and wrong PINs count toward the lockout). Anything else concerns
    // this one login (answered, expired, level too high for the identity…).
    matches!(
        e.problem_code(),
        Some("wrong_pin" | "pin_locked" | "identity_not_active" | "wrong_device")
    ) || matches!(
        e,
        ClientError::NotEnrolled
            | ClientError::Wallet(_)
            | ClientError::Pin(_)
            | ClientError::Credential(_)
            | ClientError::Signing(_)
    )
}

/// `approve --watch`: approves every pending login of the chosen service providers,
/// each exactly as `approve ID` does (one PIN proof and one presentation per login,
/// bound to it), until interrupted or the PIN is refused.
fn watch(client: &mut Client<ReqwestHttp>, args: &ApproveArgs) -> anyhow::Result<ExitCode> {
    // Fail before asking for the PIN if the wallet cannot list its logins.
    client.pending_logins()?;
    let pin: Pin = PinInput::new(args.pin).read("Your PIN to approve every login")?;
    let clients: HashSet<&str> = args.clients.iter().map(String::as_str).collect();
    eprintln!(
        "approving every login asked by {} until interrupted",
        args.clients.join(", ")
    );
    let pause = Duration::from_millis(args.poll_ms);
    // Logins already answered (or refused) that the server may still list for a
    // moment; pruned to what the server lists, so it stays small.
    let mut seen: HashSet<String> = HashSet::new();
    let (mut approved, mut refused) = (0u64, 0u64);
    let mut last_report = std::time::Instant::now();
    loop {
        let logins = match client.pending_logins() {
            Ok(logins) => logins,
            Err(e @ ClientError::Http(_)) => {
                eprintln!("listing pending logins: {e}; retrying in 1 s");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        seen.retain(|id| logins.iter().any(|l| &l.login_id == id));
        let mut answered_one = false;
        for login in &logins {
            if !clients.contains(login.client_id.as_str()) || seen.contains(&login.login_id) {
                continue;
            }
            seen.insert(login.login_id.clone());
            answered_one = true;
            match client.approve_login(login, &pin) {
                Ok(done) => {
                    approved += 1;
                    if !args.quiet {
                        eprintln!(
                            "approved {} for {} (code {}): {}",
                            login.login_id,
                            login.service_provider,
                            login.short_code,
                            if done.disclosed.is_empty() {
                                "no claims".to_owned()
                            } else {
                                done.disclosed.join(", ")
                            }
                        );
                    }
                }
                Err(e) if refusal_is_final(&e) => {
                    bail!(
                        "login {} refused, stopping after {approved} approvals: {e}",
                        login.login_id
                    );
                }
                Err(e) => {
                    refused += 1;
                    eprintln!("login {} not approved: {e}", login.login_id);
                }
            }
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            eprintln!("{approved} logins approved, {refused} not approved");
            last_report = std::time::Instant::now();
        }
        if !answered_one {
            std::thread::sleep(pause);
        }
    }
}

pub fn deny(dir: &Path, args: DenyArgs) -> anyhow::Result<ExitCode> {
    let client = open_client(dir)?;
    client.deny_login(&args.id)?;
    eprintln!("denied login {}", args.id);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use alicem_api::Problem;
    use alicem_wallet::ClientError;

    use super::refusal_is_final;

    fn refused(code: &str) -> ClientError {
        ClientError::Server {
            status: 403,
            problem: Problem {
                error: code.to_owned(),
                detail: String::new(),
                part: None,
            },
        }
    }

    #[test]
    fn a_refused_pin_identity_or_device_stops_the_watch() {
        for code in [
            "wrong_pin",
            "pin_locked",
            "identity_not_active",
            "wrong_device",
        ] {
            assert!(refusal_is_final(&refused(code)), "{code}");
        }
        assert!(refusal_is_final(&ClientError::NotEnrolled));
    }

    #[test]
    fn a_refusal_about_one_login_does_not() {
        for code in [
            "not_found",
            "level_too_low",
            "invalid_request",
            "unavailable",
        ] {
            assert!(!refusal_is_final(&refused(code)), "{code}");
        }
        assert!(!refusal_is_final(&ClientError::LoginExpired("x".into())));
        assert!(!refusal_is_final(&ClientError::UnknownLogin("x".into())));
    }
}
