//! PC/SC readers (USB readers, or pcscd's vpcd virtual reader) as a [`Transport`].

use std::ffi::CString;
use std::time::{Duration, Instant};

use pcsc::{Card, Context, Error, Protocols, ReaderState, Scope, ShareMode, State};

use crate::transport::{Transport, TransportError};

fn reader_error(e: Error) -> TransportError {
    match e {
        Error::RemovedCard | Error::ResetCard | Error::NoSmartcard | Error::UnpoweredCard => {
            TransportError::CardGone(e.to_string())
        }
        Error::NoService | Error::ServiceStopped => {
            TransportError::Reader(format!("{e} (is pcscd running?)"))
        }
        _ => TransportError::Reader(e.to_string()),
    }
}

fn context() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(reader_error)
}

/// The names of the connected readers.
pub fn list_readers() -> Result<Vec<String>, TransportError> {
    let ctx = context()?;
    match ctx.list_readers_owned() {
        Ok(readers) => Ok(readers
            .into_iter()
            .map(|r| r.to_string_lossy().into_owned())
            .collect()),
        Err(Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(reader_error(e)),
    }
}

/// The reader named `name`, or the only one whose name contains it (case-insensitive).
pub fn find_reader(name: &str) -> Result<String, TransportError> {
    let readers = list_readers()?;
    if let Some(exact) = readers.iter().find(|r| r.as_str() == name) {
        return Ok(exact.clone());
    }
    let wanted = name.to_lowercase();
    let matches: Vec<&String> = readers
        .iter()
        .filter(|r| r.to_lowercase().contains(&wanted))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(TransportError::Reader(format!(
            "no reader matches {name:?} (readers: {})",
            if readers.is_empty() {
                "none".into()
            } else {
                readers.join(", ")
            }
        ))),
        _ => Err(TransportError::Reader(format!(
            "{name:?} matches several readers: {}",
            readers.join(", ")
        ))),
    }
}

/// A card in a PC/SC reader.
pub struct PcscCard {
    card: Card,
    _context: Context,
    reader: String,
    atr: Vec<u8>,
}

impl core::fmt::Debug for PcscCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscCard")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

impl PcscCard {
    /// Waits up to `timeout` for a card in `reader`, then connects to it.
    pub fn wait_and_connect(reader: &str, timeout: Duration) -> Result<Self, TransportError> {
        let ctx = context()?;
        let name = CString::new(reader)
            .map_err(|_| TransportError::Reader("reader name contains a NUL byte".into()))?;
        let deadline = Instant::now() + timeout;
        let mut states = [ReaderState::new(name.clone(), State::UNAWARE)];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match ctx.get_status_change(left.min(Duration::from_millis(500)), &mut states) {
                Ok(()) | Err(Error::Timeout) => {}
                Err(e) => return Err(reader_error(e)),
            }
            let state = states[0].event_state();
            if state.contains(State::PRESENT) && !state.contains(State::MUTE) {
                break;
            }
            if Instant::now() >= deadline {
                return Err(TransportError::CardGone(format!(
                    "no card in {reader} after {} s",
                    timeout.as_secs()
                )));
            }
            states[0].sync_current_state();
        }
        let card = ctx
            .connect(&name, ShareMode::Shared, Protocols::ANY)
            .map_err(reader_error)?;
        let atr = card
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .unwrap_or_default();
        Ok(Self {
            card,
            _context: ctx,
            reader: reader.to_string(),
            atr,
        })
    }

    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's answer to reset (built from the ATS by contactless readers).
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }
}

impl Transport for PcscCard {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut buffer = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let answer = self
            .card
            .transmit(command, &mut buffer)
            .map_err(reader_error)?;
        Ok(answer.to_vec())
    }

    /// PC/SC carries extended APDUs when the reader driver does; the reader only uses
    /// them when the chip announces support too.
    fn supports_extended_length(&self) -> bool {
        true
    }
}
