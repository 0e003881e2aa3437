//! `alicem passport emulate`: a virtual chip behind pcscd's vpcd reader.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use alicem_chip_sim::vpcd::{self, VpcdEvent};
use alicem_chip_sim::{ChipImage, VirtualChip};
use anyhow::Context as _;
use clap::Args;

#[derive(Args)]
pub struct EmulateArgs {
    /// A chip image directory (as written by `alicem passport mint`).
    #[arg(long)]
    dir: PathBuf,
    /// Address of pcscd's vpcd driver (see `vpcd-config`; start it with
    /// scripts/pcscd-vpcd).
    #[arg(long, default_value = vpcd::DEFAULT_ADDRESS, value_name = "HOST:PORT")]
    vpcd: String,
}

pub fn run(args: EmulateArgs) -> anyhow::Result<ExitCode> {
    let image = ChipImage::load(&args.dir)
        .with_context(|| format!("loading the chip image in {}", args.dir.display()))?;
    let name = image.profile.name.clone();
    let mut chip = VirtualChip::new(image)
        .with_context(|| format!("the chip image in {} cannot be served", args.dir.display()))?;
    eprintln!(
        "emulating chip {name:?} from {} on vpcd {} (Ctrl-C to stop)",
        args.dir.display(),
        args.vpcd
    );
    // Runs until the process is interrupted.
    let stop = AtomicBool::new(false);
    vpcd::serve(&args.vpcd, &mut chip, &stop, &mut |event| match event {
        VpcdEvent::Connected => tracing::info!("connected to vpcd: card inserted"),
        VpcdEvent::Disconnected => tracing::info!("vpcd went away: card removed"),
        VpcdEvent::Apdu { command, response } => {
            tracing::debug!(command, response, "APDU")
        }
        other => tracing::debug!(?other, "reader event"),
    })
    .with_context(|| format!("talking to vpcd at {}", args.vpcd))?;
    Ok(ExitCode::SUCCESS)
}
