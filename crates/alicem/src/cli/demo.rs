//! `alicem demo`: the whole story in one process, on embedded defaults. A passport is
//! minted for a fictional citizen whose chip photo is a real person's; the identity
//! server starts on a free loopback port with SQLite in a temporary directory; the
//! wallet reads the virtual chip over APDUs (through pcscd + vpcd when available),
//! runs Active Authentication on the server's challenge and "films" the liveness
//! script with frames of a real video of the same person; the server decides with the
//! real face models; then a service provider logs the citizen in through the real
//! OpenID Connect endpoints and the wallet approves with the PIN. A cloned chip is
//! refused at the end. Nothing is left behind unless `--keep DIR` says so. With
//! `--browser`, a headless Chromium does the browser's part of the login and a
//! screenshot of each page is saved.

mod browser;
mod chip;
mod citizen;
mod login;
mod media;
mod narrator;
mod outcome;
mod server;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use narrator::Narrator;
use outcome::DemoOutcome;

/// Run the whole story: mint a passport, enroll it, log in to a service, see a refusal.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Keep the demo's files (passports, server database, wallet, frames) in DIR
    /// instead of a temporary directory that is removed at the end.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Where the face models are (fetched there if missing).
    #[arg(long, env = "ALICEM_MODELS", value_name = "DIR")]
    pub models: Option<PathBuf>,
    /// Cache of downloaded demo media (default: the user cache directory).
    #[arg(long, env = "ALICEM_CACHE", value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Read the virtual chip in process even when pcscd with the vpcd reader runs
    /// (the vpcd reader is one slot shared by everything on the machine).
    #[arg(long)]
    pub in_process: bool,
    /// Do the login in a headless Chromium (Debian: chromium, chromium-driver) when it is
    /// installed, saving a screenshot of each page in the kept directory's
    /// `screenshots/` (with --keep) or in a new directory printed at the end; without
    /// Chromium, say so and use the HTTP client.
    #[arg(long)]
    pub browser: bool,
    /// Also write the outcome as JSON to FILE (for tests and scripts).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// The citizen's PIN in the demo.
const PIN: &str = "274915";

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let mut narrator = Narrator::new(7);
    let workspace = workspace::Workspace::new(args.keep.as_deref())?;
    let cache = args.cache.clone().unwrap_or_else(workspace::default_cache);
    let models_dir = args
        .models
        .clone()
        .unwrap_or_else(alicem_face::FaceEngine::default_models_dir);
    crate::cli::emit(
        "alicem demo: a citizen gets a digital identity from their passport's chip,\nthen logs in to an online service with it.\n",
    );

    narrator.step("Face models and the demo citizen's photos");
    let engine = citizen::load_models(&narrator, &models_dir)?;
    let media = citizen::fetch_media(&narrator, &cache)?;

    narrator.step("A test CSCA, a Document Signer, and a passport");
    let documents = citizen::mint_documents(&narrator, &workspace, &media)?;

    narrator.step("The identity server and the virtual chip");
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let server = server::DemoServer::start(&runtime, &workspace, &documents, engine)?;
    narrator.ok(&format!(
        "identity server on {} (SQLite in {})",
        server.base_url,
        workspace.server_dir().display()
    ));
    let reader = chip::ChipReader::choose(&narrator, args.in_process);

    narrator.step("The wallet enrolls with the passport");
    let mut enrolled = citizen::enroll(
        &narrator,
        &workspace,
        &server,
        &reader,
        &documents.genuine,
        &media,
    )?;

    narrator.step("Logging in to a service provider");
    let choice = if args.browser {
        login::BrowserChoice::Chromium {
            screenshots: screenshots_dir(&workspace),
        }
    } else {
        login::BrowserChoice::Http
    };
    let login = login::log_in(
        &narrator,
        &runtime,
        &server,
        &mut enrolled,
        &documents.genuine,
        &choice,
    )?;

    narrator.step("A cloned chip is refused");
    let refusal = citizen::enroll_clone(
        &narrator,
        &workspace,
        &server,
        &reader,
        &documents.cloned,
        &media,
    )?;

    narrator.step("Cleaning up");
    drop(server);
    let outcome = DemoOutcome {
        enrollment: enrolled.outcome(),
        login,
        refusal,
        seconds: narrator.total_elapsed().as_secs_f64(),
    };
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&outcome)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let kept = workspace.finish()?;
    match kept {
        Some(dir) => narrator.ok(&format!("kept everything in {}", dir.display())),
        None => narrator.ok("temporary files removed (server database, wallet, passports, frames)"),
    }
    if let Some(first) = outcome.login.screenshots.first() {
        narrator.ok(&format!(
            "{} screenshots of the login's pages in {}",
            outcome.login.screenshots.len(),
            first.parent().unwrap_or(first).display()
        ));
    }
    crate::cli::emit(&format!(
        "\nDone in {:.1} s: enrolled, logged in, clone refused.\n",
        outcome.seconds
    ));
    Ok(ExitCode::SUCCESS)
}

/// Where `--browser` saves its screenshots (created only when Chromium runs): inside
/// the kept directory, else in a directory of their own that outlives the temporary
/// workspace (printed at the end).
fn screenshots_dir(workspace: &workspace::Workspace) -> PathBuf {
    match workspace {
        workspace::Workspace::Kept(dir) => dir.join("screenshots"),
        workspace::Workspace::Temporary(_) => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            std::env::temp_dir().join(format!(
                "alicem-demo-screenshots-{stamp}-{}",
                std::process::id()
            ))
        }
    }
}
