//! The wire under a session: counts APDUs and bytes, and applies secure messaging once
//! it is established.

use std::time::Instant;

use crate::apdu::{CommandApdu, ResponseApdu};
use crate::error::EmrtdError;
use crate::sm::SecureChannel;
use crate::transport::{Transport, TransportError};

/// Traffic counters of one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TrafficStats {
    /// Command APDUs sent (each protected command counts once).
    pub apdus: u64,
    /// Bytes of command APDUs sent, as encoded on the wire.
    pub bytes_sent: u64,
    /// Bytes of response APDUs received, as encoded on the wire.
    pub bytes_received: u64,
}

/// A transport with counters.
pub(crate) struct Link<T> {
    pub(crate) transport: T,
    pub(crate) stats: TrafficStats,
    pub(crate) started: Instant,
}

impl<T: Transport> Link<T> {
    pub(crate) fn new(transport: T) -> Self {
        Self {
            transport,
            stats: TrafficStats::default(),
            started: Instant::now(),
        }
    }

    /// Sends one command as is; `extended` forces extended length fields.
    pub(crate) fn transmit(
        &mut self,
        command: &CommandApdu,
        extended: bool,
    ) -> Result<ResponseApdu, EmrtdError> {
        let bytes = command.encode(extended).map_err(TransportError::from)?;
        self.stats.apdus += 1;
        self.stats.bytes_sent += bytes.len() as u64;
        let answer = self.transport.transmit_raw(&bytes)?;
        self.stats.bytes_received += answer.len() as u64;
        Ok(ResponseApdu::from_bytes(&answer).map_err(TransportError::from)?)
    }
}

/// A link whose every command is protected by secure messaging.
pub(crate) struct Secured<T> {
    pub(crate) link: Link<T>,
    pub(crate) sm: SecureChannel,
}

impl<T: Transport> Secured<T> {
    /// Protects, sends, checks and unprotects one command.
    pub(crate) fn transmit(
        &mut self,
        command: &CommandApdu,
        extended: bool,
    ) -> Result<ResponseApdu, EmrtdError> {
        let protected = self.sm.protect_command(command, extended)?;
        let wide = extended || protected.needs_extended_length();
        let answer = self.link.transmit(&protected, wide)?;
        Ok(self.sm.unprotect_response(&answer)?)
    }
}
