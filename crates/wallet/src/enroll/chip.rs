//! Reading the document for enrollment: open the chip (PACE, else BAC, with the MRZ
//! or the CAN), read the files the server needs to decide, and run Active
//! Authentication on the server's challenge so that the signature proves this chip
//! answered this session (a copy of the files cannot).
//!
//! Chip Authentication is not run: its result is only the wallet's word, which the
//! server cannot check (see `AntiCloneEvidence`), and a chip failing it closes the
//! session.

use alicem_api::Bytes;
use alicem_api::enrollment::{AntiCloneEvidence, ChipFiles};
use alicem_emrtd::lds::{DataGroup, FileId};
use alicem_emrtd::mrz::AccessKey;
use alicem_emrtd::read::ReadProgress;
use alicem_emrtd::session::{AccessProtocol, AuthenticatedSession};
use alicem_emrtd::transport::Transport;
use alicem_emrtd::{Document, EmrtdError, OpenOptions};
use zeroize::Zeroize;

use crate::ClientError;

/// What happens while the chip is read, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChipEvent {
    /// The chip answered; its public files are read.
    Connected,
    /// Access control succeeded ("PACE" or "BAC").
    Authenticated { protocol: &'static str },
    /// Bytes of a file came in.
    Reading(ReadProgress),
    /// A file is complete (`size` bytes), or absent (`None`).
    FileDone { file: FileId, size: Option<usize> },
    /// INTERNAL AUTHENTICATE on the server's challenge is running.
    ActiveAuthentication,
}

/// What the chip gave, ready for upload. Personal data: wiped on drop.
pub struct ChipEvidence {
    pub files: ChipFiles,
    pub anti_clone: AntiCloneEvidence,
    /// "PACE" or "BAC".
    pub access: &'static str,
}

impl core::fmt::Debug for ChipEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipEvidence")
            .field("access", &self.access)
            .field(
                "active_authentication",
                &matches!(
                    self.anti_clone,
                    AntiCloneEvidence::ActiveAuthentication { .. }
                ),
            )
            .finish_non_exhaustive()
    }
}

impl Drop for ChipEvidence {
    fn drop(&mut self) {
        wipe_files(&mut self.files);
    }
}

/// Overwrites every chip file's bytes.
pub(crate) fn wipe_files(files: &mut ChipFiles) {
    for bytes in [
        &mut files.ef_com,
        &mut files.ef_sod,
        &mut files.dg1,
        &mut files.dg2,
    ] {
        bytes.0.zeroize();
    }
    for bytes in [
        &mut files.dg11,
        &mut files.dg14,
        &mut files.dg15,
        &mut files.ef_card_access,
        &mut files.ef_card_security,
    ]
    .into_iter()
    .flatten()
    {
        bytes.0.zeroize();
    }
}

fn chip(context: &'static str) -> impl FnOnce(EmrtdError) -> ClientError {
    move |source| ClientError::Chip { context, source }
}

/// Reads one file; `None` when the chip has none, or protects it behind Terminal
/// Authentication (DG3/DG4 style), which the wallet cannot pass.
fn read_optional<T: Transport>(
    session: &mut AuthenticatedSession<T>,
    file: FileId,
    events: &mut dyn FnMut(ChipEvent),
) -> Result<Option<Bytes>, ClientError> {
    let read = session.read_file_with_progress(file, &mut |p| events(ChipEvent::Reading(p)));
    let found = match read {
        Ok(found) => found,
        Err(EmrtdError::FileAccessDenied { .. }) => None,
        Err(source) => {
            return Err(ClientError::Chip {
                context: "reading a file",
                source,
            });
        }
    };
    events(ChipEvent::FileDone {
        file,
        size: found.as_ref().map(Vec::len),
    });
    Ok(found.map(Bytes))
}

fn read_required<T: Transport>(
    session: &mut AuthenticatedSession<T>,
    file: FileId,
    name: &'static str,
    events: &mut dyn FnMut(ChipEvent),
) -> Result<Bytes, ClientError> {
    read_optional(session, file, events)?.ok_or(ClientError::MissingChipFile(name))
}

/// Opens the chip with `key` and reads the enrollment evidence, answering the
/// server's 8-byte Active Authentication `challenge`.
pub fn read_chip<T: Transport>(
    transport: T,
    key: &AccessKey,
    challenge: &[u8; 8],
    events: &mut dyn FnMut(ChipEvent),
) -> Result<ChipEvidence, ClientError> {
    let document = Document::connect(transport).map_err(chip("talking to the chip"))?;
    events(ChipEvent::Connected);
    let mut session = document
        .authenticate(key, &OpenOptions::default())
        .map_err(chip("opening the chip (check the MRZ or CAN)"))?;
    let access = match session.access() {
        AccessProtocol::Pace { .. } => "PACE",
        AccessProtocol::Bac => "BAC",
    };
    events(ChipEvent::Authenticated { protocol: access });

    let ef_card_access = session.card_access().map(|b| Bytes(b.to_vec()));
    let ef_card_security = if access == "PACE" {
        read_optional(&mut session, FileId::CardSecurity, events)?
    } else {
        None
    };
    let ef_com = read_required(&mut session, FileId::Com, "EF.COM", events)?;
    let ef_sod = read_required(&mut session, FileId::Sod, "EF.SOD", events)?;
    let dg1 = read_required(&mut session, FileId::Dg(DataGroup::DG1), "DG1", events)?;
    let dg2 = read_required(&mut session, FileId::Dg(DataGroup::DG2), "DG2", events)?;
    let dg11 = read_optional(&mut session, FileId::Dg(DataGroup::DG11), events)?;
    let dg14 = read_optional(&mut session, FileId::Dg(DataGroup::DG14), events)?;
    let dg15 = read_optional(&mut session, FileId::Dg(DataGroup::DG15), events)?;
    let mut files = ChipFiles {
        ef_com,
        ef_sod,
        dg1,
        dg2,
        dg11,
        dg14,
        dg15,
        ef_card_access,
        ef_card_security,
    };

    let anti_clone = if files.dg15.is_some() {
        events(ChipEvent::ActiveAuthentication);
        match session.active_authenticate(challenge) {
            Ok(signature) => AntiCloneEvidence::ActiveAuthentication {
                signature: Bytes(signature),
            },
            Err(source) => {
                wipe_files(&mut files);
                return Err(ClientError::Chip {
                    context: "Active Authentication",
                    source,
                });
            }
        }
    } else {
        AntiCloneEvidence::None
    };
    Ok(ChipEvidence {
        files,
        anti_clone,
        access,
    })
}
