//! `alicem wallet enroll`: the whole enrollment on the command line — start a session,
//! read the chip (PC/SC reader or a minted document in process), play the liveness
//! script from a folder of frames, upload, wait for the decision, choose the PIN.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use alicem_api::enrollment::{EnrollmentPath, LivenessAction};
use alicem_credential::jose::jwt::now_unix;
use alicem_emrtd::mrz::{AccessKey, Can, Mrz};
use alicem_emrtd::transport::Transport;
use alicem_wallet::enroll::{
    ChipEvent, ChipEvidence, Decision, EnrollmentRequest, FolderFrames, StartedEnrollment,
    TERMS_VERSION,
};
use alicem_wallet::{Client, ReqwestHttp};
use anyhow::{Context as _, bail};
use clap::{ArgGroup, Args, ValueEnum};

use super::open_client;
use super::pin::{PinInput, PinStdinArgs};

#[derive(Args)]
#[command(group(ArgGroup::new("chip").args(["reader", "sim"])))]
#[command(group(ArgGroup::new("password").args(["mrz", "can"])))]
pub struct EnrollArgs {
    /// The PC/SC reader holding the document (its full name, or a part matching one
    /// reader; see `alicem passport readers`).
    #[arg(long, value_name = "NAME", required_unless_present_any = ["sim", "resume"])]
    reader: Option<String>,
    /// Instead of a reader: a chip image minted by `alicem passport mint`, served in
    /// process by the virtual chip.
    #[arg(long, value_name = "DIR")]
    sim: Option<PathBuf>,
    /// The document's MRZ (lines separated by newlines or spaces).
    #[arg(long, required_unless_present_any = ["can", "resume"])]
    mrz: Option<String>,
    /// The document's 6-digit card access number (PACE documents).
    #[arg(long)]
    can: Option<String>,
    /// How you prove you are the holder.
    #[arg(long, value_enum, default_value_t = PathChoice::Face)]
    path: PathChoice,
    /// Folder of JPEG frames named by liveness step (`turn_left/*.jpg`,
    /// `02_smile.jpg`, `neutral.jpg`…; see docs/wallet.md). Required on the face path.
    #[arg(long, value_name = "DIR")]
    frames: Option<PathBuf>,
    /// Contact e-mail given to the server (also the identifier typed at login).
    #[arg(long, required_unless_present = "resume", default_value = "")]
    email: String,
    /// Contact phone number given to the server (international form, +33…).
    #[arg(long, required_unless_present = "resume", default_value = "")]
    phone: String,
    /// Version of the terms of use you accept.
    #[arg(long, default_value = TERMS_VERSION)]
    terms_version: String,
    /// Seconds to wait for a card in the reader.
    #[arg(long, default_value_t = 15)]
    wait: u64,
    /// Seconds between two questions to the server while an agent decides.
    #[arg(long, default_value_t = 5)]
    poll_interval: u64,
    /// Agent path: do not wait for the agent's decision (finish later with --resume).
    #[arg(long)]
    no_wait: bool,
    /// Continue the enrollment in progress: wait for its decision, then choose the
    /// PIN.
    #[arg(long, conflicts_with_all = ["reader", "sim", "mrz", "can", "frames"])]
    resume: bool,
    #[command(flatten)]
    pin: PinStdinArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PathChoice {
    /// A live selfie matched against the chip photo.
    Face,
    /// No face recognition: an agent checks you, in person or by video.
    Agent,
}

fn access_key(args: &EnrollArgs) -> anyhow::Result<AccessKey> {
    match (&args.mrz, &args.can) {
        (Some(mrz), _) => Ok(AccessKey::Mrz(Mrz::parse(mrz).context("--mrz")?.info())),
        (None, Some(can)) => Ok(AccessKey::Can(Can::new(can).context("--can")?)),
        (None, None) => bail!("give --mrz or --can"),
    }
}

fn instruction(action: LivenessAction) -> &'static str {
    match action {
        LivenessAction::TurnLeft => "turn your head to your left",
        LivenessAction::TurnRight => "turn your head to your right",
        LivenessAction::Smile => "smile",
        LivenessAction::Nod => "nod",
    }
}

/// The chip-reading display: a progress bar on a terminal, one line per file
/// otherwise.
struct ChipDisplay {
    bar: Option<indicatif::ProgressBar>,
}

impl ChipDisplay {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg:>12} [{bar:30}] {bytes}/{total_bytes}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Self { bar }
    }

    fn event(&self, event: ChipEvent) {
        match (event, &self.bar) {
            (ChipEvent::Connected, _) => eprintln!("chip found; opening it"),
            (ChipEvent::Authenticated { protocol }, _) => {
                eprintln!("chip opened with {protocol}; reading")
            }
            (ChipEvent::Reading(p), Some(bar)) => {
                bar.set_message(p.file.name());
                if let Some(total) = p.total {
                    bar.set_length(u64::try_from(total).unwrap_or(u64::MAX));
                }
                bar.set_position(u64::try_from(p.read).unwrap_or(u64::MAX));
            }
            (ChipEvent::Reading(_), None) => {}
            (ChipEvent::FileDone { file, size }, None) => match size {
                Some(size) => eprintln!("  {:<10} {size} bytes", file.name()),
                None => eprintln!("  {:<10} absent", file.name()),
            },
            (ChipEvent::FileDone { .. }, Some(_)) => {}
            (ChipEvent::ActiveAuthentication, bar) => {
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                }
                eprintln!("Active Authentication on the server's challenge");
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn read_with<T: Transport>(
    started: &StartedEnrollment,
    transport: T,
    key: &AccessKey,
) -> anyhow::Result<ChipEvidence> {
    let display = ChipDisplay::new();
    let result = started.read_chip(transport, key, &mut |e| display.event(e));
    display.finish();
    Ok(result?)
}

fn read_document(
    args: &EnrollArgs,
    started: &StartedEnrollment,
    key: &AccessKey,
) -> anyhow::Result<ChipEvidence> {
    if let Some(dir) = &args.sim {
        let image = alicem_chip_sim::ChipImage::load(dir)
            .with_context(|| format!("loading the chip image in {}", dir.display()))?;
        let chip = alicem_chip_sim::VirtualChip::new(image)
            .with_context(|| format!("the chip image in {} cannot be served", dir.display()))?;
        eprintln!("using the minted document in {}", dir.display());
        return read_with(started, chip, key);
    }
    let Some(name) = &args.reader else {
        bail!("give --reader or --sim");
    };
    #[cfg(feature = "pcsc")]
    {
        let reader = alicem_emrtd::pcsc::find_reader(name)?;
        eprintln!("place the document on {reader}");
        let card =
            alicem_emrtd::pcsc::PcscCard::wait_and_connect(&reader, Duration::from_secs(args.wait))
                .with_context(|| format!("connecting to the card in {reader}"))?;
        read_with(started, card, key)
    }
    #[cfg(not(feature = "pcsc"))]
    {
        let _ = (name, key, started);
        bail!("this alicem was built without PC/SC support (feature `pcsc`); use --sim")
    }
}

pub fn run(dir: &Path, args: EnrollArgs) -> anyhow::Result<ExitCode> {
    let mut client = open_client(dir)?;
    if args.resume {
        return finish(&mut client, &args);
    }
    let path = match args.path {
        PathChoice::Face => EnrollmentPath::Face,
        PathChoice::Agent => EnrollmentPath::Agent,
    };
    // Check everything local before opening a session with the server.
    let key = access_key(&args)?;
    let mut frames = match (path, &args.frames) {
        (EnrollmentPath::Face, Some(frames)) => Some(
            FolderFrames::open(frames)
                .with_context(|| format!("reading the frames in {}", frames.display()))?,
        ),
        (EnrollmentPath::Face, None) => {
            bail!("the face path needs --frames DIR (or choose --path agent)")
        }
        (EnrollmentPath::Agent, _) => None,
    };
    if client.wallet().enrollment()?.is_some() {
        eprintln!("an earlier enrollment was not finished; starting a new one");
    }

    let started = client.start_enrollment(&EnrollmentRequest {
        email: &args.email,
        phone: &args.phone,
        terms_version: &args.terms_version,
        path,
    })?;
    eprintln!(
        "enrollment session {} opened (until {})",
        started.session().session_id,
        super::date_u64(started.session().deadline)
    );
    let chip = read_document(&args, &started, &key)?;
    let captured = match &mut frames {
        Some(source) => {
            eprintln!("Look at the camera.");
            started.capture(source, &mut |i| {
                eprintln!("Step {}/{}: {}", i.step, i.of, instruction(i.action));
            })?
        }
        None => Vec::new(),
    };
    eprintln!(
        "sending the chip's files{} to the server",
        if captured.is_empty() {
            String::new()
        } else {
            format!(" and {} frames", captured.len())
        }
    );
    let decision = client.submit_evidence(&started, chip, captured)?;
    conclude(&mut client, &args, decision)
}

/// `--resume`: where the enrollment stands, then the same ending.
fn finish(client: &mut Client<ReqwestHttp>, args: &EnrollArgs) -> anyhow::Result<ExitCode> {
    let decision = client.poll_enrollment()?;
    conclude(client, args, decision)
}

fn conclude(
    client: &mut Client<ReqwestHttp>,
    args: &EnrollArgs,
    mut decision: Decision,
) -> anyhow::Result<ExitCode> {
    let mut announced = false;
    while let Decision::Pending {
        session_code,
        status,
        ..
    } = &decision
    {
        if !announced {
            eprintln!(
                "waiting for an agent ({}); show them the session code {session_code}",
                serde_json::to_value(status)?.as_str().unwrap_or_default()
            );
            announced = true;
        }
        let deadline = client
            .wallet()
            .enrollment()?
            .map(|e| e.deadline)
            .unwrap_or_default();
        if args.no_wait || u64::try_from(now_unix()).unwrap_or_default() > deadline {
            eprintln!("not decided yet: run `alicem wallet enroll --resume` later");
            return Ok(ExitCode::from(3));
        }
        std::thread::sleep(Duration::from_secs(args.poll_interval.max(1)));
        decision = client.poll_enrollment()?;
    }
    match decision {
        Decision::Approved { identity_id, level } => {
            eprintln!(
                "approved: identity {identity_id}{}",
                if level.is_empty() {
                    String::new()
                } else {
                    format!(" at level {level}")
                }
            );
            if !client.wallet().receipts()?.is_empty() {
                eprintln!("the server erased your photo and frames (alicem wallet receipts)");
            }
            let pin = PinInput::new(args.pin).choose("Choose your 6-digit PIN")?;
            client.register_pin(&pin)?;
            eprintln!("PIN registered: your identity is ready");
            Ok(ExitCode::SUCCESS)
        }
        Decision::Rejected { reasons } => {
            let reasons: Vec<String> = reasons
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            eprintln!("rejected: {}", reasons.join(", "));
            Ok(ExitCode::from(2))
        }
        Decision::Abandoned => {
            eprintln!("the session expired before a decision; enroll again");
            Ok(ExitCode::from(2))
        }
        Decision::Pending { .. } => Ok(ExitCode::from(3)),
    }
}
