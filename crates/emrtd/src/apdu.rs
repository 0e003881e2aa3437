//! ISO/IEC 7816-4 command and response APDUs.
//!
//! Commands are built by the reader and decoded by the virtual chip, so both directions
//! live here. Decoding never panics: every byte string either decodes or yields an
//! [`ApduError`] naming what was wrong.

use core::fmt;

mod status;

pub use status::{StatusMeaning, StatusWord};

/// Largest command data field / expected length in short form.
pub const SHORT_MAX: usize = 256;
/// Largest command data field / expected length in extended form.
pub const EXTENDED_MAX: usize = 65_536;

/// Why bytes are not a valid APDU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    #[error("APDU too short: {0} bytes, a command needs at least 4")]
    TooShort(usize),
    #[error("APDU length fields do not match its size ({0} bytes)")]
    LengthMismatch(usize),
    #[error("command data of {0} bytes exceeds the extended-length maximum of 65535")]
    DataTooLong(usize),
    #[error("expected length {0} exceeds the maximum of 65536")]
    LeTooLarge(usize),
    #[error("response too short: {0} bytes, a response needs a 2-byte status word")]
    ResponseTooShort(usize),
}

/// A command APDU: header, optional data, optional expected response length.
///
/// `le` is the number of bytes expected, where `Some(256)` (short) or `Some(65536)`
/// (extended) mean "as many as available", encoded as zero bytes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    pub le: Option<usize>,
}

impl fmt::Debug for CommandApdu {
    // Command data may carry key material (e.g. PACE nonces); show only its length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandApdu")
            .field("cla", &format_args!("{:02X}", self.cla))
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2))
            .field("data_len", &self.data.len())
            .field("le", &self.le)
            .finish()
    }
}

impl CommandApdu {
    /// A command with no data and no expected response (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// True when this command must use extended length fields.
    pub fn needs_extended_length(&self) -> bool {
        self.data.len() > 255 || self.le.is_some_and(|le| le > SHORT_MAX)
    }

    /// Encodes the command, choosing short form unless data or `le` require extended.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        self.encode(self.needs_extended_length())
    }

    /// Encodes the command, in extended form when `extended` (required or not).
    pub fn encode(&self, extended: bool) -> Result<Vec<u8>, ApduError> {
        if self.data.len() > EXTENDED_MAX - 1 {
            return Err(ApduError::DataTooLong(self.data.len()));
        }
        if let Some(le) = self.le
            && (le > EXTENDED_MAX || le == 0)
        {
            return Err(ApduError::LeTooLarge(le));
        }
        let extended = extended || self.needs_extended_length();
        let mut out = Vec::with_capacity(4 + 3 + self.data.len() + 3);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let lc = self.data.len();
        if extended {
            if lc > 0 {
                out.push(0);
                out.extend_from_slice(&(lc as u16).to_be_bytes());
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                if lc == 0 {
                    out.push(0);
                }
                let le = if le == EXTENDED_MAX { 0 } else { le as u16 };
                out.extend_from_slice(&le.to_be_bytes());
            }
        } else {
            if lc > 0 {
                out.push(lc as u8);
                out.extend_from_slice(&self.data);
            }
            if let Some(le) = self.le {
                out.push(if le == SHORT_MAX { 0 } else { le as u8 });
            }
        }
        Ok(out)
    }

    /// Decodes a command APDU in any of the ISO 7816-3 cases, short or extended.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ApduError> {
        let (header, body) = bytes
            .split_first_chunk::<4>()
            .ok_or(ApduError::TooShort(bytes.len()))?;
        let [cla, ins, p1, p2] = *header;
        let mismatch = || ApduError::LengthMismatch(bytes.len());
        let (data, le): (&[u8], Option<usize>) = match body {
            // Case 1.
            [] => (&[], None),
            // Case 2 short.
            [le] => (&[], Some(if *le == 0 { SHORT_MAX } else { *le as usize })),
            // Extended forms start with a zero byte followed by two length bytes.
            [0, hi, lo, rest @ ..] => {
                let n = u16::from_be_bytes([*hi, *lo]) as usize;
                match rest {
                    // Case 2 extended.
                    [] => (&[], Some(if n == 0 { EXTENDED_MAX } else { n })),
                    _ => {
                        if n == 0 {
                            return Err(mismatch());
                        }
                        let data = rest.get(..n).ok_or_else(mismatch)?;
                        match rest.get(n..).ok_or_else(mismatch)? {
                            // Case 3 extended.
                            [] => (data, None),
                            // Case 4 extended.
                            [a, b] => {
                                let le = u16::from_be_bytes([*a, *b]) as usize;
                                (data, Some(if le == 0 { EXTENDED_MAX } else { le }))
                            }
                            _ => return Err(mismatch()),
                        }
                    }
                }
            }
            [lc, rest @ ..] => {
                let n = *lc as usize;
                if n == 0 {
                    return Err(mismatch());
                }
                let data = rest.get(..n).ok_or_else(mismatch)?;
                match rest.get(n..).ok_or_else(mismatch)? {
                    // Case 3 short.
                    [] => (data, None),
                    // Case 4 short.
                    [le] => (data, Some(if *le == 0 { SHORT_MAX } else { *le as usize })),
                    _ => return Err(mismatch()),
                }
            }
        };
        Ok(Self {
            cla,
            ins,
            p1,
            p2,
            data: data.to_vec(),
            le,
        })
    }
}

/// A response APDU: data and the two status bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    pub data: Vec<u8>,
    pub status: StatusWord,
}

impl fmt::Debug for ResponseApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseApdu")
            .field("data_len", &self.data.len())
            .field("status", &self.status)
            .finish()
    }
}

impl ResponseApdu {
    pub fn new(data: impl Into<Vec<u8>>, status: StatusWord) -> Self {
        Self {
            data: data.into(),
            status,
        }
    }

    /// A response carrying only a status word.
    pub fn status(status: StatusWord) -> Self {
        Self::new(Vec::new(), status)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ApduError> {
        let (data, sw) = bytes
            .split_last_chunk::<2>()
            .ok_or(ApduError::ResponseTooShort(bytes.len()))?;
        Ok(Self {
            data: data.to_vec(),
            status: StatusWord::from_bytes(*sw),
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.status.to_bytes());
        out
    }

    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(cmd: &CommandApdu) {
        let bytes = cmd.to_bytes().unwrap();
        assert_eq!(
            &CommandApdu::from_bytes(&bytes).unwrap(),
            cmd,
            "{bytes:02X?}"
        );
    }

    #[test]
    fn encodes_select_by_file_id_in_short_form() {
        let cmd = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data([0x01, 0x1E]);
        assert_eq!(
            cmd.to_bytes().unwrap(),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]
        );
    }

    #[test]
    fn encodes_le_256_as_zero_byte() {
        let cmd = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(256);
        assert_eq!(cmd.to_bytes().unwrap(), [0x00, 0xB0, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn switches_to_extended_form_for_large_le() {
        let cmd = CommandApdu::new(0x0C, 0xB0, 0x00, 0x00)
            .with_data([0x97, 0x02, 0x10, 0x00])
            .with_le(65536);
        let bytes = cmd.to_bytes().unwrap();
        assert_eq!(
            bytes,
            [
                0x0C, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x04, 0x97, 0x02, 0x10, 0x00, 0x00, 0x00
            ]
        );
        round_trip(&cmd);
    }

    #[test]
    fn round_trips_every_case() {
        round_trip(&CommandApdu::new(0x00, 0x84, 0x00, 0x00));
        round_trip(&CommandApdu::new(0x00, 0x84, 0x00, 0x00).with_le(8));
        round_trip(&CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(vec![1; 15]));
        round_trip(
            &CommandApdu::new(0x00, 0x86, 0x00, 0x00)
                .with_data(vec![7; 300])
                .with_le(256),
        );
        round_trip(&CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(1000));
    }

    #[test]
    fn rejects_truncated_and_overlong_commands() {
        assert_eq!(
            CommandApdu::from_bytes(&[0, 0xA4]),
            Err(ApduError::TooShort(2))
        );
        assert!(CommandApdu::from_bytes(&[0, 0xA4, 2, 0x0C, 5, 1, 2]).is_err());
        assert!(CommandApdu::from_bytes(&[0, 0xA4, 2, 0x0C, 1, 1, 2, 3]).is_err());
        assert!(CommandApdu::from_bytes(&[0, 0xA4, 2, 0x0C, 0, 0, 3, 1]).is_err());
    }

    #[test]
    fn refuses_data_beyond_extended_maximum() {
        let cmd = CommandApdu::new(0, 0xD6, 0, 0).with_data(vec![0; 65_536]);
        assert_eq!(cmd.to_bytes(), Err(ApduError::DataTooLong(65_536)));
    }

    #[test]
    fn splits_response_data_and_status() {
        let rsp = ResponseApdu::from_bytes(&[0xAA, 0xBB, 0x90, 0x00]).unwrap();
        assert_eq!(rsp.data, [0xAA, 0xBB]);
        assert!(rsp.is_success());
        assert_eq!(
            ResponseApdu::from_bytes(&[0x90]),
            Err(ApduError::ResponseTooShort(1))
        );
    }

    #[test]
    fn debug_output_hides_command_data() {
        let cmd = CommandApdu::new(0, 0x86, 0, 0).with_data([0xDE, 0xAD, 0xBE, 0xEF]);
        let shown = format!("{cmd:?}");
        assert!(
            !shown.contains("DE") && shown.contains("data_len: 4"),
            "{shown}"
        );
    }
}
