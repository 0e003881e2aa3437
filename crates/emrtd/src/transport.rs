//! How the reader reaches a chip: one APDU out, one response back.
//!
//! The same protocol code runs over PC/SC (a USB reader or pcscd's virtual reader), the
//! in-process virtual chip, or a phone's NFC stack, each behind this trait.

use crate::apdu::{ApduError, CommandApdu, ResponseApdu};

/// Failure to exchange an APDU with the chip (not a chip-level error status).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("the card was removed or stopped answering: {0}")]
    CardGone(String),
    #[error("reader error: {0}")]
    Reader(String),
    #[error("malformed APDU: {0}")]
    Apdu(#[from] ApduError),
}

/// A link to one chip.
pub trait Transport {
    /// Sends one encoded command APDU and returns the encoded response (data ‖ SW1 SW2).
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Whether the link (reader, phone NFC stack) carries extended-length APDUs.
    /// The chip's own support is read from its files; both must agree.
    fn supports_extended_length(&self) -> bool {
        true
    }

    /// Sends a typed command and decodes the response.
    fn transmit(&mut self, command: &CommandApdu) -> Result<ResponseApdu, TransportError> {
        let bytes = command.to_bytes()?;
        let response = self.transmit_raw(&bytes)?;
        Ok(ResponseApdu::from_bytes(&response)?)
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(command)
    }

    fn supports_extended_length(&self) -> bool {
        (**self).supports_extended_length()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(command)
    }

    fn supports_extended_length(&self) -> bool {
        (**self).supports_extended_length()
    }
}
