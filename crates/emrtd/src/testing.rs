//! Test doubles shared by the unit tests of this crate.

use std::collections::VecDeque;

use crate::transport::{Transport, TransportError};

/// A transport that expects exact command bytes and plays back canned answers.
pub(crate) struct ScriptedTransport {
    exchanges: VecDeque<(Vec<u8>, Vec<u8>)>,
}

impl ScriptedTransport {
    pub(crate) fn new(exchanges: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        Self {
            exchanges: exchanges.into(),
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.exchanges.is_empty()
    }
}

impl Transport for ScriptedTransport {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (expected, answer) = self
            .exchanges
            .pop_front()
            .ok_or_else(|| TransportError::Reader("unexpected extra command".into()))?;
        assert_eq!(
            hex::encode_upper(command),
            hex::encode_upper(&expected),
            "command differs from the script"
        );
        Ok(answer)
    }
}
