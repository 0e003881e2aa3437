//! The wire under a session: counts APDUs and bytes, and applies secure messaging once
//! it is established.

use std::time::Instant;

use crate::apdu::{CommandApdu, ResponseApdu, SHORT_MAX, StatusMeaning};
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

    fn exchange(
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

    /// Sends one command as is; `extended` forces extended length fields. A "61XX: more
    /// bytes available" answer is completed with GET RESPONSE (a transport-level
    /// exchange, never under secure messaging).
    pub(crate) fn transmit(
        &mut self,
        command: &CommandApdu,
        extended: bool,
    ) -> Result<ResponseApdu, EmrtdError> {
        let mut answer = self.exchange(command, extended)?;
        let mut rounds = 0;
        while let StatusMeaning::BytesRemaining(n) = answer.status.meaning() {
            rounds += 1;
            if rounds > 256 {
                return Err(EmrtdError::protocol(
                    "GET RESPONSE",
                    "the chip never finishes",
                ));
            }
            let le = if n == 0 { SHORT_MAX } else { usize::from(n) };
            let get_response = CommandApdu::new(0x00, 0xC0, 0x00, 0x00).with_le(le);
            let more = self.exchange(&get_response, false)?;
            answer.data.extend_from_slice(&more.data);
            answer.status = more.status;
        }
        Ok(answer)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ScriptedTransport;

    #[test]
    fn completes_61xx_answers_with_get_response() {
        let transport = ScriptedTransport::new(vec![
            (
                vec![0x00, 0x84, 0x00, 0x00, 0x08],
                vec![0xAA, 0xBB, 0x61, 0x02],
            ),
            (
                vec![0x00, 0xC0, 0x00, 0x00, 0x02],
                vec![0xCC, 0xDD, 0x90, 0x00],
            ),
        ]);
        let mut link = Link::new(transport);
        let answer = link
            .transmit(&CommandApdu::new(0, 0x84, 0, 0).with_le(8), false)
            .unwrap();
        assert_eq!(answer.data, [0xAA, 0xBB, 0xCC, 0xDD]);
        assert!(answer.is_success());
        assert_eq!(link.stats.apdus, 2);
    }
}
