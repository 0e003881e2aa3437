//! How the wallet reaches the virtual chip: through the real PC/SC stack (pcscd with
//! the vpcd virtual reader, the chip plugged in over vpcd's socket) when it runs, else
//! in process. Either way the wallet speaks the same APDUs as to a real passport.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use alicem_chip_sim::{ChipImage, VirtualChip};
use alicem_emrtd::mrz::AccessKey;
use alicem_wallet::enroll::{ChipEvidence, StartedEnrollment};
use anyhow::Context as _;

use super::narrator::Narrator;

pub enum ChipReader {
    /// pcscd + vpcd: the reader's name.
    Vpcd {
        reader: String,
    },
    InProcess,
}

impl ChipReader {
    pub fn choose(narrator: &Narrator, in_process: bool) -> Self {
        if in_process {
            narrator.ok(
                "the wallet reads the virtual chip in process (same APDUs as through a reader)",
            );
            return Self::InProcess;
        }
        match vpcd_reader() {
            Some(reader) => {
                narrator.ok(&format!(
                    "virtual chip plugged into pcscd's reader {reader:?}: the wallet reads it through PC/SC"
                ));
                Self::Vpcd { reader }
            }
            None => {
                narrator.ok("pcscd with the vpcd reader is not running: the wallet reads the virtual chip in process (same APDUs)");
                Self::InProcess
            }
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Self::Vpcd { .. } => "pcscd+vpcd",
            Self::InProcess => "in-process",
        }
    }

    /// Reads the chip `image` for the enrollment `started` (with Active Authentication
    /// on its challenge), reporting progress to `on_file`.
    pub fn read(
        &self,
        started: &StartedEnrollment,
        image: ChipImage,
        key: &AccessKey,
        on_event: &mut dyn FnMut(alicem_wallet::enroll::ChipEvent),
    ) -> anyhow::Result<ChipEvidence> {
        let chip = VirtualChip::new(image).context("the minted chip cannot be served")?;
        match self {
            Self::InProcess => Ok(started.read_chip(chip, key, on_event)?),
            Self::Vpcd { reader } => read_through_vpcd(reader, chip, started, key, on_event),
        }
    }
}

#[cfg(feature = "pcsc")]
fn vpcd_reader() -> Option<String> {
    let address: std::net::SocketAddr = alicem_chip_sim::vpcd::DEFAULT_ADDRESS.parse().ok()?;
    std::net::TcpStream::connect_timeout(&address, Duration::from_millis(300)).ok()?;
    alicem_emrtd::pcsc::list_readers()
        .ok()?
        .into_iter()
        .find(|r| r.contains("Virtual PCD"))
}

#[cfg(not(feature = "pcsc"))]
fn vpcd_reader() -> Option<String> {
    None
}

#[cfg(feature = "pcsc")]
fn read_through_vpcd(
    reader: &str,
    mut chip: VirtualChip,
    started: &StartedEnrollment,
    key: &AccessKey,
    on_event: &mut dyn FnMut(alicem_wallet::enroll::ChipEvent),
) -> anyhow::Result<ChipEvidence> {
    let stop = Arc::new(AtomicBool::new(false));
    let serving = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            alicem_chip_sim::vpcd::serve(
                alicem_chip_sim::vpcd::DEFAULT_ADDRESS,
                &mut chip,
                &stop,
                &mut |_| {},
            )
        })
    };
    let result = alicem_emrtd::pcsc::PcscCard::wait_and_connect(reader, Duration::from_secs(15))
        .with_context(|| format!("connecting to the virtual chip in {reader}"))
        .and_then(|card| Ok(started.read_chip(card, key, on_event)?));
    stop.store(true, Ordering::Relaxed);
    match serving.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("vpcd bridge: {e}"),
        Err(_) => tracing::warn!("vpcd bridge thread panicked"),
    }
    result
}

#[cfg(not(feature = "pcsc"))]
fn read_through_vpcd(
    _reader: &str,
    chip: VirtualChip,
    started: &StartedEnrollment,
    key: &AccessKey,
    on_event: &mut dyn FnMut(alicem_wallet::enroll::ChipEvent),
) -> anyhow::Result<ChipEvidence> {
    Ok(started.read_chip(chip, key, on_event)?)
}
