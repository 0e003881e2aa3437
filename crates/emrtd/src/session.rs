//! The reading API as protocol states: a [`Document`] is a chip whose public files can
//! be read; only [`Document::authenticate`] (BAC or PACE) yields an
//! [`AuthenticatedSession`], the one type that reads protected files, runs Chip and
//! Active Authentication, and holds the session keys (wiped on drop).

use std::time::Duration;

use crate::apdu::{CommandApdu, ResponseApdu, StatusMeaning};
use crate::ca::{self, ChipAuthenticationOutcome};
use crate::commands::{self, PasswordRef};
use crate::crypto::entropy::{Entropy, OsEntropy};
use crate::domain_parameters::DomainParameters;
use crate::error::EmrtdError;
use crate::lds::FileId;
use crate::lds::security_infos::{PaceProtocol, SecurityInfos};
use crate::mrz::AccessKey;
use crate::pace::{self, CamEvidence, PaceChoice};
use crate::read::{self, ExtendedLengthInfo, ReadOptions, ReadProgress, ReadStrategy};
use crate::transport::Transport;
use crate::{bac, commands::ins};

pub(crate) mod link;

pub use link::TrafficStats;
use link::{Link, Secured};

/// Which access protocol to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessChoice {
    /// PACE when EF.CardAccess offers it, else BAC.
    #[default]
    Auto,
    /// BAC even if the chip offers PACE.
    Bac,
    /// PACE only; fail if the chip does not offer it.
    Pace,
}

/// Options of [`Document::open_with`].
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    pub access: AccessChoice,
    pub read: ReadOptions,
}

/// The access protocol that opened the session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "protocol")]
pub enum AccessProtocol {
    #[serde(rename = "BAC")]
    Bac,
    #[serde(rename = "PACE")]
    Pace {
        /// Key agreement, mapping and cipher.
        pace: PaceProtocol,
        parameters: DomainParameters,
        parameter_id: u64,
        password: PasswordRef,
    },
}

/// Time and traffic of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionStats {
    pub traffic: TrafficStats,
    pub elapsed: Duration,
}

/// A chip before authentication: only EF.CardAccess and EF.ATR/INFO are readable.
pub struct Document<T: Transport> {
    link: Link<T>,
    card_access: Option<Vec<u8>>,
    extended_length: Option<ExtendedLengthInfo>,
    rng: Box<dyn Entropy + Send>,
}

/// Where the session's current DF is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CurrentDf {
    MasterFile,
    Application,
}

impl<T: Transport> Document<T> {
    /// Connects to the chip and reads its public files (EF.CardAccess, EF.ATR/INFO).
    pub fn connect(transport: T) -> Result<Self, EmrtdError> {
        Self::connect_with(transport, Box::new(OsEntropy))
    }

    /// As [`Document::connect`], drawing nonces and ephemeral keys from `rng`.
    pub fn connect_with(transport: T, rng: Box<dyn Entropy + Send>) -> Result<Self, EmrtdError> {
        let mut link = Link::new(transport);
        // Start from the master file whatever an earlier session left selected.
        link.transmit(&commands::select_mf(), false)?;
        let mut strategy = ReadStrategy::new(&ReadOptions::default(), false, None);
        let mut plain = |c: &CommandApdu, e: bool| link.transmit(c, e);
        let card_access = read_public(&mut plain, &mut strategy, FileId::CardAccess)?;
        let atr_info = read_public_fid(&mut plain, commands::EF_ATR_INFO_FID)?;
        Ok(Self {
            link,
            card_access,
            extended_length: atr_info.as_deref().and_then(read::parse_atr_info),
            rng,
        })
    }

    /// Connects and authenticates with `key`: PACE if offered, else BAC.
    pub fn open(transport: T, key: &AccessKey) -> Result<AuthenticatedSession<T>, EmrtdError> {
        Self::connect(transport)?.authenticate(key, &OpenOptions::default())
    }

    /// As [`Document::open`] with options.
    pub fn open_with(
        transport: T,
        key: &AccessKey,
        options: &OpenOptions,
    ) -> Result<AuthenticatedSession<T>, EmrtdError> {
        Self::connect(transport)?.authenticate(key, options)
    }

    /// EF.CardAccess as read (absent on BAC-only chips).
    pub fn card_access(&self) -> Option<&[u8]> {
        self.card_access.as_deref()
    }

    /// The PACE offer this reader would run, if any.
    pub fn pace_choice(&self) -> Result<Option<PaceChoice>, EmrtdError> {
        match &self.card_access {
            Some(bytes) => Ok(pace::choose(&SecurityInfos::from_der(bytes)?)),
            None => Ok(None),
        }
    }

    /// Authenticates with `key`, consuming the unauthenticated document.
    pub fn authenticate(
        mut self,
        key: &AccessKey,
        options: &OpenOptions,
    ) -> Result<AuthenticatedSession<T>, EmrtdError> {
        let choice = match options.access {
            AccessChoice::Bac => None,
            AccessChoice::Auto => self.pace_choice().ok().flatten(),
            AccessChoice::Pace => Some(self.pace_choice()?.ok_or_else(|| {
                EmrtdError::Unsupported(
                    "the chip offers no PACE protocol this reader supports".into(),
                )
            })?),
        };
        let (sm, access, cam) = match choice {
            Some(choice) => {
                let done = pace::establish(&mut self.link, key, &choice, self.rng.as_mut())?;
                let access = AccessProtocol::Pace {
                    pace: choice.protocol,
                    parameters: choice.parameters,
                    parameter_id: choice.parameter_id,
                    password: match key {
                        AccessKey::Mrz(_) => PasswordRef::Mrz,
                        AccessKey::Can(_) => PasswordRef::Can,
                    },
                };
                (done.channel, access, done.cam)
            }
            None => {
                let AccessKey::Mrz(mrz) = key else {
                    return Err(EmrtdError::Unsupported(
                        "this chip only offers BAC, which needs the MRZ (a CAN cannot open it)"
                            .into(),
                    ));
                };
                let answer = self.link.transmit(&commands::select_application(), false)?;
                if !answer.is_success() {
                    return Err(EmrtdError::Chip {
                        command: "SELECT eMRTD application",
                        status: answer.status,
                    });
                }
                let sm = bac::authenticate(&mut self.link, mrz, self.rng.as_mut())?;
                (sm, AccessProtocol::Bac, None)
            }
        };
        let link_extended = self.link.transport.supports_extended_length();
        let mut session = AuthenticatedSession {
            secured: Secured {
                link: self.link,
                sm,
            },
            access,
            cam,
            current_df: CurrentDf::MasterFile,
            strategy: ReadStrategy::new(&options.read, link_extended, self.extended_length),
            card_access: self.card_access,
            rng: self.rng,
        };
        session.select_df(CurrentDf::Application)?;
        Ok(session)
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.link.transport
    }
}

fn read_public(
    send: &mut read::Sender<'_>,
    strategy: &mut ReadStrategy,
    file: FileId,
) -> Result<Option<Vec<u8>>, EmrtdError> {
    match read::read_file(send, strategy, None, file, &mut |_| {}) {
        Ok(found) => Ok(found),
        // A chip may protect even its public files before authentication.
        Err(EmrtdError::FileAccessDenied { .. }) | Err(EmrtdError::Chip { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Reads a public MF file that has no [`FileId`] (EF.ATR/INFO) by SELECT + READ BINARY.
fn read_public_fid(send: &mut read::Sender<'_>, fid: u16) -> Result<Option<Vec<u8>>, EmrtdError> {
    let answer = send(&commands::select_ef(fid), false)?;
    if !answer.is_success() {
        return Ok(None);
    }
    let mut data = Vec::new();
    while data.len() < 4096 {
        let answer = send(&commands::read_binary(data.len(), 0xDF), false)?;
        match answer.status.meaning() {
            StatusMeaning::Success | StatusMeaning::EndOfFileReached => {
                let done = answer.data.len() < 0xDF
                    || answer.status.meaning() == StatusMeaning::EndOfFileReached;
                data.extend(answer.data);
                if done {
                    break;
                }
            }
            _ => break,
        }
    }
    Ok((!data.is_empty()).then_some(data))
}

/// An authenticated chip: protected files are readable, Chip and Active Authentication
/// can run. A secure messaging failure closes it for good.
pub struct AuthenticatedSession<T: Transport> {
    secured: Secured<T>,
    access: AccessProtocol,
    cam: Option<CamEvidence>,
    current_df: CurrentDf,
    strategy: ReadStrategy,
    card_access: Option<Vec<u8>>,
    rng: Box<dyn Entropy + Send>,
}

impl<T: Transport> AuthenticatedSession<T> {
    pub fn access(&self) -> &AccessProtocol {
        &self.access
    }

    /// EF.CardAccess as read before authentication.
    pub fn card_access(&self) -> Option<&[u8]> {
        self.card_access.as_deref()
    }

    /// Whether secure messaging failed and the session can no longer be used.
    pub fn is_closed(&self) -> bool {
        self.secured.sm.is_closed()
    }

    /// The cipher protecting the session now (it can change with Chip Authentication).
    pub fn cipher(&self) -> crate::lds::security_infos::Cipher {
        self.secured.sm.cipher()
    }

    /// Whether reads and INTERNAL AUTHENTICATE use extended length.
    pub fn uses_extended_length(&self) -> bool {
        self.strategy.extended()
    }

    pub fn stats(&self) -> SessionStats {
        SessionStats {
            traffic: self.secured.link.stats,
            elapsed: self.secured.link.started.elapsed(),
        }
    }

    fn transmit(
        &mut self,
        command: &CommandApdu,
        extended: bool,
    ) -> Result<ResponseApdu, EmrtdError> {
        self.secured.transmit(command, extended)
    }

    fn select_df(&mut self, df: CurrentDf) -> Result<(), EmrtdError> {
        if self.current_df == df {
            return Ok(());
        }
        let (command, name) = match df {
            CurrentDf::MasterFile => (commands::select_mf(), "SELECT master file"),
            CurrentDf::Application => (commands::select_application(), "SELECT eMRTD application"),
        };
        let answer = self.transmit(&command, false)?;
        if !answer.is_success() {
            return Err(EmrtdError::Chip {
                command: name,
                status: answer.status,
            });
        }
        self.current_df = df;
        Ok(())
    }

    /// Reads a file; `Ok(None)` if the chip has no such file.
    pub fn read_file(&mut self, file: FileId) -> Result<Option<Vec<u8>>, EmrtdError> {
        self.read_file_with_progress(file, &mut |_| {})
    }

    /// Reads a file, reporting each chunk to `progress`.
    pub fn read_file_with_progress(
        &mut self,
        file: FileId,
        progress: &mut dyn FnMut(ReadProgress),
    ) -> Result<Option<Vec<u8>>, EmrtdError> {
        self.select_df(if file.in_master_file() {
            CurrentDf::MasterFile
        } else {
            CurrentDf::Application
        })?;
        let cipher = Some(self.secured.sm.cipher());
        let secured = &mut self.secured;
        let mut send = |c: &CommandApdu, e: bool| secured.transmit(c, e);
        read::read_file(&mut send, &mut self.strategy, cipher, file, progress)
    }

    /// Runs Chip Authentication v1 with the key DG14 offers (`dg14` is the raw file).
    /// Secure messaging continues under the new keys; if the chip cannot prove the key,
    /// the outcome says so and the session is closed.
    pub fn chip_authenticate(
        &mut self,
        dg14: &[u8],
    ) -> Result<ChipAuthenticationOutcome, EmrtdError> {
        let infos = SecurityInfos::from_dg14(dg14)?;
        let plan = ca::plan(&infos)?;
        self.select_df(CurrentDf::Application)?;
        ca::authenticate(&mut self.secured, &plan, self.rng.as_mut())
    }

    /// Whether PACE ran with Chip Authentication Mapping (then verify it with
    /// [`AuthenticatedSession::verify_pace_cam`] once EF.CardSecurity is read).
    pub fn has_pace_cam(&self) -> bool {
        self.cam.is_some()
    }

    /// Checks the PACE-CAM proof against the chip key in EF.CardSecurity.
    pub fn verify_pace_cam(
        &self,
        card_security: &[u8],
    ) -> Result<ChipAuthenticationOutcome, EmrtdError> {
        let evidence = self.cam.as_ref().ok_or_else(|| {
            EmrtdError::Unsupported("PACE did not use Chip Authentication Mapping".into())
        })?;
        let infos = ca::card_security_infos(card_security)?;
        ca::verify_cam(evidence, &infos)
    }

    /// Active Authentication: INTERNAL AUTHENTICATE on the caller's 8-byte challenge
    /// (e.g. the server's, so that a remote verifier can trust it). Returns the raw
    /// signature; verifying it against DG15 is Passive Authentication's job.
    pub fn active_authenticate(&mut self, challenge: &[u8; 8]) -> Result<Vec<u8>, EmrtdError> {
        self.select_df(CurrentDf::Application)?;
        let extended = self.strategy.extended();
        let command = commands::internal_authenticate(challenge, extended);
        debug_assert_eq!(command.ins, ins::INTERNAL_AUTHENTICATE);
        let answer = self.transmit(&command, extended)?;
        if !answer.is_success() {
            return Err(EmrtdError::Chip {
                command: "INTERNAL AUTHENTICATE",
                status: answer.status,
            });
        }
        if answer.data.is_empty() {
            return Err(EmrtdError::protocol(
                "INTERNAL AUTHENTICATE",
                "empty signature",
            ));
        }
        Ok(answer.data)
    }

    /// Gives the transport back (the session keys are wiped).
    pub fn into_transport(self) -> T {
        self.secured.link.transport
    }
}
