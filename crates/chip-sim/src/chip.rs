//! The virtual chip: decodes command APDUs and answers like an eMRTD chip of the given
//! [`ChipProfile`], reusing the reader's protocol primitives (KDF, secure messaging,
//! PACE mappings, tokens) so each primitive exists once in the project.
//!
//! It enforces access the way Doc 9303-11 asks: nothing protected is readable or even
//! selectable before BAC/PACE; a plain command or a bad MAC during secure messaging ends
//! the session; a wrong MRZ or CAN fails BAC with 6300 and PACE's last step with 6300.

use std::collections::BTreeMap;

use alicem_emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord};
use alicem_emrtd::commands::ins;
use alicem_emrtd::crypto::{Entropy, OsEntropy};
use alicem_emrtd::lds::FileId;
use alicem_emrtd::mrz::{Can, MrzError, MrzInfo};
use alicem_emrtd::sm::{SecureChannel, SessionKeys, SmError};
use alicem_emrtd::transport::{Transport, TransportError};

use crate::image::ChipImage;
use crate::profile::ChipProfile;

mod aa;
mod bac;
mod ca;
mod files;
mod keys;
mod pace;

use keys::{AaKey, CaKey};

/// An image the chip cannot serve.
#[derive(Debug, thiserror::Error)]
pub enum ChipError {
    #[error("the document's MRZ is invalid: {0}")]
    Mrz(#[from] MrzError),
    #[error("chip key: {0}")]
    Key(String),
    #[error("profile: {0}")]
    Profile(String),
}

/// The current dedicated file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Df {
    Master,
    Application,
}

/// An elementary file the chip serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ef {
    File(FileId),
    /// EF.ATR/INFO, derived from the profile.
    AtrInfo,
}

/// How the current secure messaging session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Bac,
    Pace,
}

/// An open secure messaging session.
struct Open {
    channel: SecureChannel,
    via: Via,
    /// Chip Authentication selected by MSE:Set AT, awaiting GENERAL AUTHENTICATE.
    ca_pending: bool,
}

enum Security {
    None,
    Pace(Box<pace::Run>),
    Open(Box<Open>),
}

/// Everything that resets on power-up.
struct State {
    df: Df,
    ef: Option<Ef>,
    security: Security,
    challenge: Option<[u8; 8]>,
    /// New keys to switch to once the current answer is protected (Chip Authentication).
    switch_to: Option<SessionKeys>,
}

impl State {
    fn fresh() -> Self {
        Self {
            df: Df::Master,
            ef: None,
            security: Security::None,
            challenge: None,
            switch_to: None,
        }
    }
}

/// How the command arrived.
#[derive(Debug, Clone, Copy)]
struct Context {
    /// Under secure messaging.
    secure: bool,
    /// With extended length fields.
    extended: bool,
}

/// A software eMRTD chip.
pub struct VirtualChip {
    files: BTreeMap<FileId, Vec<u8>>,
    atr_info: Option<Vec<u8>>,
    profile: ChipProfile,
    mrz: MrzInfo,
    can: Option<Can>,
    ca_key: Option<CaKey>,
    aa_key: Option<AaKey>,
    rng: Box<dyn Entropy + Send>,
    state: State,
}

impl core::fmt::Debug for VirtualChip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualChip")
            .field("profile", &self.profile.name)
            .finish_non_exhaustive()
    }
}

fn sw(status: u16) -> ResponseApdu {
    ResponseApdu::status(StatusWord(status))
}

/// True when the encoded command uses extended length fields.
fn is_extended(bytes: &[u8]) -> bool {
    matches!(bytes.get(4..), Some([0, _, _, ..]))
}

impl VirtualChip {
    /// A chip serving `image`, with the operating system's randomness.
    pub fn new(image: ChipImage) -> Result<Self, ChipError> {
        Self::with_entropy(image, Box::new(OsEntropy))
    }

    /// A chip drawing its nonces and keys from `rng` (scripted tests).
    pub fn with_entropy(image: ChipImage, rng: Box<dyn Entropy + Send>) -> Result<Self, ChipError> {
        let mrz = image.access.parsed_mrz()?.info();
        let can = Can::new(&image.access.can).ok();
        let ca_key = image
            .keys
            .chip_authentication
            .as_ref()
            .map(CaKey::from_private)
            .transpose()?;
        let aa_key = match (
            &image.keys.active_authentication,
            image.profile.active_authentication,
        ) {
            (Some(key), Some(profile)) => Some(AaKey::new(key, profile)?),
            (None, Some(_)) => {
                return Err(ChipError::Profile(
                    "Active Authentication announced without a key".into(),
                ));
            }
            _ => None,
        };
        let atr_info = image
            .profile
            .extended_length
            .then(|| files::atr_info(&image.profile));
        Ok(Self {
            files: image.files,
            atr_info,
            profile: image.profile,
            mrz,
            can,
            ca_key,
            aa_key,
            rng,
            state: State::fresh(),
        })
    }

    pub fn profile(&self) -> &ChipProfile {
        &self.profile
    }

    /// Changes the largest read the chip honours without changing what EF.ATR/INFO
    /// announces: a chip overstating its buffers, as some do.
    pub fn set_max_read(&mut self, max_read: usize) {
        self.profile.max_read = max_read;
    }

    /// Power-up or reset: every session and selection is forgotten.
    pub fn reset(&mut self) {
        self.state = State::fresh();
    }

    /// The answer to reset: ISO 14443 contactless, as a PC/SC reader builds it.
    pub fn atr(&self) -> Vec<u8> {
        // 3B 88 80 01 + historical bytes ("eMRTD sim") + TCK.
        let mut atr = vec![0x3B, 0x88, 0x80, 0x01];
        atr.extend_from_slice(b"eMRTDsim");
        let tck = atr.iter().skip(1).fold(0u8, |a, b| a ^ b);
        atr.push(tck);
        atr
    }

    /// Whether a secure messaging session is open.
    pub fn is_session_open(&self) -> bool {
        matches!(self.state.security, Security::Open(_))
    }

    fn abort_session(&mut self) {
        if matches!(self.state.security, Security::Open(_) | Security::Pace(_)) {
            self.state.security = Security::None;
            self.state.switch_to = None;
        }
    }

    /// Answers one encoded command APDU.
    pub fn process(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.answer(bytes).to_bytes()
    }

    fn answer(&mut self, bytes: &[u8]) -> ResponseApdu {
        let extended = is_extended(bytes);
        let Ok(command) = CommandApdu::from_bytes(bytes) else {
            self.abort_session();
            return sw(0x6700);
        };
        if command.cla & !0x1C != 0 {
            return sw(0x6E00);
        }
        let crypto_command = matches!(
            command.ins,
            ins::GENERAL_AUTHENTICATE | ins::MANAGE_SECURITY_ENVIRONMENT
        );
        if extended && !self.profile.extended_length && !crypto_command {
            self.abort_session();
            return sw(0x6700);
        }
        let protected = command.cla & 0x0C == 0x0C;
        if !protected {
            // A plain command ends secure messaging (§9.8.3).
            if matches!(self.state.security, Security::Open(_)) {
                self.abort_session();
            }
            return self.dispatch(
                &command,
                Context {
                    secure: false,
                    extended,
                },
            );
        }
        let Security::Open(open) = &mut self.state.security else {
            return sw(0x6988);
        };
        let plain = match open.channel.unprotect_command(&command) {
            Ok(plain) => plain,
            Err(e) => {
                tracing::debug!(error = %e, "secure messaging error: session aborted");
                let status = if matches!(e, SmError::Missing(_)) {
                    0x6987
                } else {
                    0x6988
                };
                self.abort_session();
                return sw(status);
            }
        };
        let answer = self.dispatch(
            &plain,
            Context {
                secure: true,
                extended,
            },
        );
        let odd = plain.ins & 1 == 1;
        let Security::Open(open) = &mut self.state.security else {
            // The command itself ended the session.
            return answer;
        };
        let protected = match open.channel.protect_response(&answer, odd) {
            Ok(p) => p,
            Err(_) => {
                self.abort_session();
                return sw(0x6988);
            }
        };
        if let Some(keys) = self.state.switch_to.take() {
            open.channel = SecureChannel::with_zero_ssc(keys);
            open.ca_pending = false;
        }
        protected
    }

    fn dispatch(&mut self, command: &CommandApdu, ctx: Context) -> ResponseApdu {
        match command.ins {
            ins::SELECT => self.select(command),
            ins::READ_BINARY | ins::READ_BINARY_ODD => self.read_binary(command, ctx),
            ins::GET_CHALLENGE => self.get_challenge(command),
            ins::EXTERNAL_AUTHENTICATE if !ctx.secure => self.external_authenticate(command),
            ins::MANAGE_SECURITY_ENVIRONMENT => match (command.p1, command.p2, ctx.secure) {
                (0xC1, 0xA4, false) => self.pace_set_at(command),
                (0x41, 0xA4, true) => self.ca_set_at(command),
                (0x41, 0xA6, true) => self.ca_set_kat(command),
                (0xC1, 0xA4, true) | (0x41, _, false) => sw(0x6982),
                _ => sw(0x6A86),
            },
            ins::GENERAL_AUTHENTICATE if ctx.secure => self.ca_general_authenticate(command),
            ins::GENERAL_AUTHENTICATE => self.pace_step(command),
            ins::INTERNAL_AUTHENTICATE => self.internal_authenticate(command, ctx),
            ins::EXTERNAL_AUTHENTICATE => sw(0x6985),
            _ => sw(0x6D00),
        }
    }

    fn get_challenge(&mut self, command: &CommandApdu) -> ResponseApdu {
        if command.le != Some(8) {
            return sw(0x6700);
        }
        let mut challenge = [0u8; 8];
        if self.rng.fill(&mut challenge).is_err() {
            return sw(0x6F00);
        }
        self.state.challenge = Some(challenge);
        ResponseApdu::new(challenge.to_vec(), StatusWord::SUCCESS)
    }
}

impl Transport for VirtualChip {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.process(command))
    }

    /// The in-process link carries any APDU; the chip's own limits come from its profile.
    fn supports_extended_length(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests;
