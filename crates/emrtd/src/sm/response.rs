//! Response APDUs: the chip protects, the terminal unprotects (Figure 6 of §9.8.4).

use super::command::split_mac;
use super::{SecureChannel, SmError};
use crate::apdu::{ResponseApdu, StatusWord};
use crate::tlv;

impl SecureChannel {
    /// Chip: protects a response. `odd_ins` selects DO'85' for the data (odd INS).
    pub fn protect_response(
        &mut self,
        response: &ResponseApdu,
        odd_ins: bool,
    ) -> Result<ResponseApdu, SmError> {
        self.ensure_open()?;
        self.increment();
        let mut objects = Vec::new();
        if !response.data.is_empty() {
            let cryptogram = self.encrypt(&response.data)?;
            if odd_ins {
                objects.extend(tlv::encode(0x85, &cryptogram));
            } else {
                let mut value = Vec::with_capacity(cryptogram.len() + 1);
                value.push(0x01);
                value.extend(cryptogram);
                objects.extend(tlv::encode(0x87, &value));
            }
        }
        objects.extend(tlv::encode(0x99, &response.status.to_bytes()));
        let mac = self.mac(&objects)?;
        objects.extend(tlv::encode(0x8E, &mac));
        Ok(ResponseApdu::new(objects, response.status))
    }

    /// Terminal: checks and removes the protection of a response.
    ///
    /// A bare status word other than 9000 is passed through unauthenticated (chips
    /// commonly answer "file not found" that way); 6987/6988 mean the chip dropped the
    /// session, and a bare 9000, a bad MAC or malformed objects close the channel.
    pub fn unprotect_response(&mut self, response: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        self.ensure_open()?;
        self.increment();
        if response.data.is_empty() {
            let status = response.status;
            if status.is_secure_messaging_error() {
                return self.fail(SmError::ChipAborted(status));
            }
            if status.is_success() {
                return self.fail(SmError::Missing("DO'8E' (MAC) in a successful response"));
            }
            return Ok(ResponseApdu::status(status));
        }
        match self.read_response(response) {
            Ok(plain) => Ok(plain),
            Err(e) => self.fail(e),
        }
    }

    fn read_response(&self, response: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        let (covered, mac) = split_mac(&response.data)?;
        if !self.verify_mac(covered, mac)? {
            return Err(SmError::MacMismatch);
        }
        let mut data = Vec::new();
        let mut status = response.status;
        for object in tlv::parse_all(covered)? {
            match object.tag {
                0x87 => match object.value.split_first() {
                    Some((0x01, cryptogram)) => data = self.decrypt(cryptogram)?,
                    _ => return Err(SmError::Malformed("DO'87' padding indicator".into())),
                },
                0x85 => data = self.decrypt(object.value)?,
                0x99 => match object.value {
                    [sw1, sw2] => status = StatusWord::from_bytes([*sw1, *sw2]),
                    _ => return Err(SmError::Malformed("DO'99' is not 2 bytes".into())),
                },
                other => return Err(SmError::Malformed(format!("unexpected DO'{other:X}'"))),
            }
        }
        Ok(ResponseApdu::new(data, status))
    }
}
