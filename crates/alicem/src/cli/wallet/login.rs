//! `requests`, `approve ID`, `approve --watch`, `deny ID`.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alicem_api::login::PendingLogin;
use alicem_credential::jose::jwt::now_unix;
use alicem_credential::pin::Pin;
use alicem_wallet::{ApprovedLogin, Client, ClientError, ReqwestHttp};
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
    /// Keep approving: watch the pending logins (the server holds each look until
    /// a new login arrives, up to 20 s) and approve each one asked by the
    /// `--client` service providers with the PIN (read once), until interrupted. For
    /// a wallet that stands in for its citizen, e.g. beside a load test. Stops at the
    /// first refusal of the PIN, so a wrong PIN costs one attempt, not the lockout.
    #[arg(long, requires = "clients")]
    watch: bool,
    /// With `--watch`: the client id of a service provider whose logins are approved
    /// (repeat for several); logins of other providers are left waiting.
    #[arg(long = "client", value_name = "CLIENT_ID", requires = "watch")]
    clients: Vec<String>,
    /// With `--watch`: pause after a look at the pending logins that brought none
    /// to approve (the server already holds each look until a login arrives, so
    /// this only spaces out the looks when logins of other providers are pending).
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
    /// With `--watch`: how many logins are approved at once, each on a thread of
    /// this process (the one that holds the wallet). Until one approval has been
    /// accepted with the PIN read, logins are approved one at a time, so a mistyped
    /// PIN still costs one attempt; afterwards up to N approvals are in flight, and
    /// the watch stops at the first refusal that stops it at N = 1.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        requires = "watch",
        value_parser = clap::value_parser!(u16).range(1..=64)
    )]
    parallel: u16,
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

/// The running totals of `approve --watch`, shared by its threads.
#[derive(Default)]
struct Tally {
    approved: AtomicU64,
    refused: AtomicU64,
}

impl Tally {
    /// Counts and reports one answer; `Err` when the watch must stop.
    fn record(
        &self,
        login: &PendingLogin,
        outcome: Result<ApprovedLogin, ClientError>,
        quiet: bool,
    ) -> anyhow::Result<()> {
        match outcome {
            Ok(done) => {
                self.approved.fetch_add(1, Ordering::Relaxed);
                if !quiet {
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
                Ok(())
            }
            Err(e) if refusal_is_final(&e) => bail!(
                "login {} refused, stopping after {} approvals: {e}",
                login.login_id,
                self.approved.load(Ordering::Relaxed)
            ),
            Err(e) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                eprintln!("login {} not approved: {e}", login.login_id);
                Ok(())
            }
        }
    }
}

/// How long the server may hold a look at the pending logins (it caps it at 25 s;
/// the HTTP client gives up at 60 s).
const LONG_POLL_SECONDS: u64 = 20;
/// The same, once approvals run on a pool: the lister notices a stop this often.
const POOL_LONG_POLL_SECONDS: u64 = 5;

/// What `approve --watch` remembers between looks at the pending logins.
struct Watch<'a> {
    clients: HashSet<&'a str>,
    /// Logins already answered (or handed to a worker) that the server may still
    /// list for a moment; pruned to what the server lists, so it stays small.
    seen: HashSet<String>,
    cursor: u64,
    pause: Duration,
    last_report: std::time::Instant,
}

impl Watch<'_> {
    /// One look (held by the server until a login newer than the last look arrives,
    /// at most `wait_seconds`): the new logins of the watched providers.
    fn look(
        &mut self,
        client: &Client<ReqwestHttp>,
        wait_seconds: u64,
        tally: &Tally,
    ) -> anyhow::Result<Vec<PendingLogin>> {
        let logins = match client.pending_logins_after(self.cursor, wait_seconds) {
            Ok(answer) => {
                self.cursor = answer.cursor;
                answer.logins
            }
            Err(e @ ClientError::Http(_)) => {
                eprintln!("listing pending logins: {e}; retrying in 1 s");
                std::thread::sleep(Duration::from_secs(1));
                return Ok(Vec::new());
            }
            Err(e) => return Err(e.into()),
        };
        self.seen
            .retain(|id| logins.iter().any(|l| &l.login_id == id));
        let todo: Vec<PendingLogin> = logins
            .into_iter()
            .filter(|l| {
                self.clients.contains(l.client_id.as_str()) && !self.seen.contains(&l.login_id)
            })
            .collect();
        self.seen.extend(todo.iter().map(|l| l.login_id.clone()));
        if self.last_report.elapsed() >= Duration::from_secs(10) {
            eprintln!(
                "{} logins approved, {} not approved",
                tally.approved.load(Ordering::Relaxed),
                tally.refused.load(Ordering::Relaxed)
            );
            self.last_report = std::time::Instant::now();
        }
        if todo.is_empty() {
            std::thread::sleep(self.pause);
        }
        Ok(todo)
    }
}

/// Approves `first`, then every new login, with `workers` threads fed by this one, which keeps looking at the
/// pending logins: a login is taken by the first free worker as soon as it is
/// listed, whatever the others are doing. Runs until a refusal stops the watch
/// (approvals in flight are answered first) or the listing fails; returns why.
fn approve_on_pool(
    client: &Client<ReqwestHttp>,
    watch: &mut Watch<'_>,
    tally: &Tally,
    first: Vec<PendingLogin>,
    pin: &Pin,
    workers: usize,
    quiet: bool,
) -> anyhow::Error {
    let stop: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let stopped = || stop.lock().map_or(true, |s| s.is_some());
    let halt = |e: anyhow::Error| {
        if let Ok(mut first) = stop.lock() {
            first.get_or_insert(e);
        }
    };
    let (queue, taken) = std::sync::mpsc::channel::<PendingLogin>();
    for login in first {
        let _ = queue.send(login);
    }
    let taken = Mutex::new(taken);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = taken.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(login) = next else { break };
                    if stopped() {
                        continue; // drain without answering
                    }
                    let outcome = client.approve_login_shared(&login, pin);
                    if let Err(e) = tally.record(&login, outcome, quiet) {
                        halt(e);
                    }
                }
            });
        }
        while !stopped() {
            match watch.look(client, POOL_LONG_POLL_SECONDS, tally) {
                Ok(todo) => {
                    for login in todo {
                        let _ = queue.send(login);
                    }
                }
                Err(e) => halt(e),
            }
        }
        drop(queue);
    });
    match stop.into_inner() {
        Ok(Some(e)) => e,
        _ => anyhow::anyhow!("an approval thread failed"),
    }
}

/// `approve --watch`: approves every pending login of the chosen service providers,
/// each exactly as `approve ID` does (one PIN proof and one presentation per login,
/// bound to it), `--parallel` at a time once the PIN has been accepted, until
/// interrupted or the PIN is refused.
fn watch(client: &mut Client<ReqwestHttp>, args: &ApproveArgs) -> anyhow::Result<ExitCode> {
    // Fail before asking for the PIN if the wallet cannot list its logins.
    client.pending_logins()?;
    let pin: Pin = PinInput::new(args.pin).read("Your PIN to approve every login")?;
    let workers = usize::from(args.parallel.max(1));
    eprintln!(
        "approving every login asked by {} until interrupted{}",
        args.clients.join(", "),
        if workers > 1 {
            format!(", up to {workers} at once")
        } else {
            String::new()
        }
    );
    let mut watch = Watch {
        clients: args.clients.iter().map(String::as_str).collect(),
        seen: HashSet::new(),
        cursor: 0,
        pause: Duration::from_millis(args.poll_ms),
        last_report: std::time::Instant::now(),
    };
    // One at a time until an approval with this PIN is accepted, so that a wrong
    // PIN costs one attempt; then on the pool.
    let tally = Tally::default();
    let mut held: Vec<PendingLogin> = Vec::new();
    loop {
        let todo = watch.look(client, LONG_POLL_SECONDS, &tally)?;
        let mut todo = todo.into_iter();
        for login in todo.by_ref() {
            let outcome = client.approve_login(&login, &pin);
            let accepted = outcome.is_ok();
            tally.record(&login, outcome, args.quiet)?;
            if accepted && workers > 1 {
                break;
            }
        }
        held.extend(todo);
        if !held.is_empty() {
            break;
        }
        if workers > 1 && tally.approved.load(Ordering::Relaxed) > 0 {
            break;
        }
    }
    // The rest of that look, then every later one, on the pool.
    Err(approve_on_pool(
        client, &mut watch, &tally, held, &pin, workers, args.quiet,
    ))
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
