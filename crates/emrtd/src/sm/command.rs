//! Command APDUs: the terminal protects, the chip unprotects (Figure 5 of §9.8.4).

use super::{SecureChannel, SmError};
use crate::apdu::{CommandApdu, EXTENDED_MAX, SHORT_MAX};
use crate::crypto::cipher::block_size;
use crate::crypto::padding::pad;
use crate::tlv;

/// The CLA bits that mark a command as protected.
const SM_CLA: u8 = 0x0C;

impl SecureChannel {
    /// Terminal: protects `command`. With `extended`, the expected length travels in two
    /// bytes and the protected command asks for up to 65536 bytes.
    pub fn protect_command(
        &mut self,
        command: &CommandApdu,
        extended: bool,
    ) -> Result<CommandApdu, SmError> {
        self.ensure_open()?;
        if command.cla & SM_CLA == SM_CLA {
            return Err(SmError::AlreadyProtected);
        }
        self.increment();
        let cla = command.cla | SM_CLA;
        let header = [cla, command.ins, command.p1, command.p2];
        let mut objects = Vec::new();
        if !command.data.is_empty() {
            let cryptogram = self.encrypt(&command.data)?;
            if command.ins & 1 == 1 {
                objects.extend(tlv::encode(0x85, &cryptogram));
            } else {
                let mut value = Vec::with_capacity(cryptogram.len() + 1);
                value.push(0x01);
                value.extend(cryptogram);
                objects.extend(tlv::encode(0x87, &value));
            }
        }
        let long_le = command.le.is_some_and(|le| le > SHORT_MAX);
        if let Some(le) = command.le {
            let value = if extended || long_le {
                ((le % EXTENDED_MAX) as u16).to_be_bytes().to_vec()
            } else {
                vec![(le % SHORT_MAX) as u8]
            };
            objects.extend(tlv::encode(0x97, &value));
        }
        let mut mac_input = pad(&header, block_size(self.cipher()));
        mac_input.extend_from_slice(&objects);
        let mac = self.mac(&mac_input)?;
        objects.extend(tlv::encode(0x8E, &mac));
        let wide = extended || long_le || objects.len() > 255;
        Ok(CommandApdu {
            cla,
            ins: command.ins,
            p1: command.p1,
            p2: command.p2,
            data: objects,
            le: Some(if wide { EXTENDED_MAX } else { SHORT_MAX }),
        })
    }

    /// Chip: checks and removes the protection of `command`. Any failure closes the
    /// channel (the chip then answers a plain 6987/6988).
    pub fn unprotect_command(&mut self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.ensure_open()?;
        if command.cla & SM_CLA != SM_CLA {
            return self.fail(SmError::NotProtected);
        }
        self.increment();
        match self.read_command(command) {
            Ok(plain) => Ok(plain),
            Err(e) => self.fail(e),
        }
    }

    fn read_command(&self, command: &CommandApdu) -> Result<CommandApdu, SmError> {
        let header = [command.cla, command.ins, command.p1, command.p2];
        let (covered, mac) = split_mac(&command.data)?;
        let mut mac_input = pad(&header, block_size(self.cipher()));
        mac_input.extend_from_slice(covered);
        if !self.verify_mac(&mac_input, mac)? {
            return Err(SmError::MacMismatch);
        }
        let objects = tlv::parse_all(covered)?;
        let mut data = Vec::new();
        let mut le = None;
        for object in &objects {
            match object.tag {
                0x87 => match object.value.split_first() {
                    Some((0x01, cryptogram)) => data = self.decrypt(cryptogram)?,
                    _ => return Err(SmError::Malformed("DO'87' padding indicator".into())),
                },
                0x85 => data = self.decrypt(object.value)?,
                0x97 => {
                    le = Some(match object.value {
                        [] | [0] => SHORT_MAX,
                        [n] => usize::from(*n),
                        [0, 0] => EXTENDED_MAX,
                        [hi, lo] => usize::from(u16::from_be_bytes([*hi, *lo])),
                        _ => return Err(SmError::Malformed("DO'97' longer than 2 bytes".into())),
                    })
                }
                other => return Err(SmError::Malformed(format!("unexpected DO'{other:X}'"))),
            }
        }
        Ok(CommandApdu {
            cla: command.cla & !SM_CLA,
            ins: command.ins,
            p1: command.p1,
            p2: command.p2,
            data,
            le,
        })
    }
}

/// Splits protected data into the bytes covered by the MAC and the MAC of the final
/// DO'8E'.
pub(super) fn split_mac(data: &[u8]) -> Result<(&[u8], &[u8]), SmError> {
    let mut rest = data;
    let mut offset = 0;
    while !rest.is_empty() {
        let (object, after) = tlv::parse_one(rest)?;
        if object.tag == 0x8E {
            if !after.is_empty() {
                return Err(SmError::Malformed("data after DO'8E'".into()));
            }
            if object.value.len() != crate::crypto::cipher::MAC_LEN {
                return Err(SmError::Malformed("DO'8E' is not 8 bytes".into()));
            }
            return Ok((data.get(..offset).unwrap_or_default(), object.value));
        }
        offset += rest.len() - after.len();
        rest = after;
    }
    Err(SmError::Missing("DO'8E' (MAC)"))
}
