//! The command APDUs of Doc 9303 (Parts 10 and 11), built in one place and decoded by
//! the virtual chip with the same constants.

use const_oid::ObjectIdentifier;

use crate::apdu::{CommandApdu, EXTENDED_MAX, SHORT_MAX};
use crate::tlv::{self, Tlv, TlvError};

/// Instruction bytes.
pub mod ins {
    pub const SELECT: u8 = 0xA4;
    pub const READ_BINARY: u8 = 0xB0;
    /// READ BINARY with an offset data object (offsets above 32767).
    pub const READ_BINARY_ODD: u8 = 0xB1;
    pub const GET_CHALLENGE: u8 = 0x84;
    pub const EXTERNAL_AUTHENTICATE: u8 = 0x82;
    pub const INTERNAL_AUTHENTICATE: u8 = 0x88;
    pub const MANAGE_SECURITY_ENVIRONMENT: u8 = 0x22;
    pub const GENERAL_AUTHENTICATE: u8 = 0x86;
}

/// The eMRTD application identifier (Doc 9303-10 §3.10).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
/// The master file.
pub const MF_FID: u16 = 0x3F00;
/// EF.ATR/INFO in the master file (ISO/IEC 7816-4 §8.2.1.1): extended length information.
pub const EF_ATR_INFO_FID: u16 = 0x2F01;
/// Largest offset READ BINARY (B0) can address in P1-P2.
pub const MAX_EVEN_OFFSET: usize = 0x7FFF;

/// MSE P1-P2: Set Authentication Template for PACE (mutual authentication).
pub const MSE_SET_AT_PACE: [u8; 2] = [0xC1, 0xA4];
/// MSE P1-P2: Set Authentication Template for Chip Authentication (internal authentication).
pub const MSE_SET_AT_CA: [u8; 2] = [0x41, 0xA4];
/// MSE P1-P2: Set Key Agreement Template (legacy Chip Authentication, 3DES only).
pub const MSE_SET_KAT: [u8; 2] = [0x41, 0xA6];

/// The PACE password reference of MSE:Set AT (DO'83').
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PasswordRef {
    Mrz,
    Can,
}

impl PasswordRef {
    pub fn byte(self) -> u8 {
        match self {
            PasswordRef::Mrz => 0x01,
            PasswordRef::Can => 0x02,
        }
    }

    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            0x01 => Some(PasswordRef::Mrz),
            0x02 => Some(PasswordRef::Can),
            _ => None,
        }
    }
}

pub fn select_mf() -> CommandApdu {
    CommandApdu::new(0x00, ins::SELECT, 0x00, 0x0C).with_data(MF_FID.to_be_bytes())
}

pub fn select_application() -> CommandApdu {
    CommandApdu::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(EMRTD_AID)
}

/// SELECT an EF under the current DF, no response data.
pub fn select_ef(fid: u16) -> CommandApdu {
    CommandApdu::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(fid.to_be_bytes())
}

/// READ BINARY of up to `le` bytes at `offset`: B0 with the offset in P1-P2, or B1 with
/// an offset data object beyond 32767 (the answer is then wrapped in DO'53').
pub fn read_binary(offset: usize, le: usize) -> CommandApdu {
    let le = le.clamp(1, EXTENDED_MAX);
    if offset <= MAX_EVEN_OFFSET {
        CommandApdu::new(0x00, ins::READ_BINARY, (offset >> 8) as u8, offset as u8).with_le(le)
    } else {
        let bytes = (offset as u32).to_be_bytes();
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(3);
        CommandApdu::new(0x00, ins::READ_BINARY_ODD, 0x00, 0x00)
            .with_data(tlv::encode(0x54, bytes.get(start..).unwrap_or_default()))
            .with_le(le)
    }
}

/// READ BINARY selecting the EF by its short identifier (offset ≤ 255).
pub fn read_binary_short_id(short_id: u8, offset: u8, le: usize) -> CommandApdu {
    CommandApdu::new(0x00, ins::READ_BINARY, 0x80 | (short_id & 0x1F), offset)
        .with_le(le.clamp(1, EXTENDED_MAX))
}

pub fn get_challenge() -> CommandApdu {
    CommandApdu::new(0x00, ins::GET_CHALLENGE, 0x00, 0x00).with_le(8)
}

pub fn external_authenticate(data: &[u8]) -> CommandApdu {
    CommandApdu::new(0x00, ins::EXTERNAL_AUTHENTICATE, 0x00, 0x00)
        .with_data(data)
        .with_le(40)
}

pub fn internal_authenticate(challenge: &[u8], extended: bool) -> CommandApdu {
    CommandApdu::new(0x00, ins::INTERNAL_AUTHENTICATE, 0x00, 0x00)
        .with_data(challenge)
        .with_le(if extended { EXTENDED_MAX } else { SHORT_MAX })
}

/// A key or domain-parameter reference: the integer in the fewest bytes.
pub fn encode_reference(id: u64) -> Vec<u8> {
    let bytes = id.to_be_bytes();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    bytes.get(start..).unwrap_or_default().to_vec()
}

/// Decodes a reference (at most 8 bytes).
pub fn decode_reference(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// MSE:Set AT for PACE: protocol OID (DO'80'), password (DO'83'), and the domain
/// parameter id (DO'84') when the chip offers several.
pub fn mse_set_at_pace(
    protocol: &ObjectIdentifier,
    password: PasswordRef,
    parameter_id: Option<u64>,
) -> CommandApdu {
    let mut data = tlv::encode(0x80, protocol.as_bytes());
    data.extend(tlv::encode(0x83, &[password.byte()]));
    if let Some(id) = parameter_id {
        data.extend(tlv::encode(0x84, &encode_reference(id)));
    }
    CommandApdu::new(0x00, ins::MANAGE_SECURITY_ENVIRONMENT, 0xC1, 0xA4).with_data(data)
}

/// MSE:Set AT for Chip Authentication: protocol OID and, if several keys, the key id.
pub fn mse_set_at_ca(protocol: &ObjectIdentifier, key_id: Option<u64>) -> CommandApdu {
    let mut data = tlv::encode(0x80, protocol.as_bytes());
    if let Some(id) = key_id {
        data.extend(tlv::encode(0x84, &encode_reference(id)));
    }
    CommandApdu::new(0x00, ins::MANAGE_SECURITY_ENVIRONMENT, 0x41, 0xA4).with_data(data)
}

/// MSE:Set KAT: the terminal's ephemeral public key (DO'91') and optional key id.
pub fn mse_set_kat(public_key: &[u8], key_id: Option<u64>) -> CommandApdu {
    let mut data = tlv::encode(0x91, public_key);
    if let Some(id) = key_id {
        data.extend(tlv::encode(0x84, &encode_reference(id)));
    }
    CommandApdu::new(0x00, ins::MANAGE_SECURITY_ENVIRONMENT, 0x41, 0xA6).with_data(data)
}

/// GENERAL AUTHENTICATE with dynamic authentication data (DO'7C') holding `objects`.
/// `chained` sets the command-chaining bit (all PACE steps but the last).
pub fn general_authenticate(chained: bool, objects: &[(u32, &[u8])]) -> CommandApdu {
    let mut inner = Vec::new();
    for (tag, value) in objects {
        inner.extend(tlv::encode(*tag, value));
    }
    let data = tlv::encode(0x7C, &inner);
    let le = if data.len() > 255 {
        EXTENDED_MAX
    } else {
        SHORT_MAX
    };
    CommandApdu::new(
        if chained { 0x10 } else { 0x00 },
        ins::GENERAL_AUTHENTICATE,
        0x00,
        0x00,
    )
    .with_data(data)
    .with_le(le)
}

/// Encodes dynamic authentication data (DO'7C') as a chip answers it.
pub fn dynamic_authentication_data(objects: &[(u32, &[u8])]) -> Vec<u8> {
    let mut inner = Vec::new();
    for (tag, value) in objects {
        inner.extend(tlv::encode(*tag, value));
    }
    tlv::encode(0x7C, &inner)
}

/// The data objects inside a DO'7C'.
pub fn parse_dynamic_authentication_data(data: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    tlv::parse_all(tlv::parse_single(data, 0x7C)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_pace_commands_of_icao_appendix_g1() {
        let oid = ObjectIdentifier::new_unwrap("0.4.0.127.0.7.2.2.4.2.2");
        assert_eq!(
            hex::encode_upper(
                mse_set_at_pace(&oid, PasswordRef::Mrz, None)
                    .to_bytes()
                    .unwrap()
            ),
            "0022C1A40F800A04007F00070202040202830101"
        );
        assert_eq!(
            hex::encode_upper(general_authenticate(true, &[]).to_bytes().unwrap()),
            "10860000027C0000"
        );
    }

    #[test]
    fn reads_beyond_32k_with_an_offset_object() {
        let cmd = read_binary(0x8000, 200);
        assert_eq!(cmd.ins, ins::READ_BINARY_ODD);
        assert_eq!(cmd.data, [0x54, 0x02, 0x80, 0x00]);
        let cmd = read_binary(0x7FFF, 200);
        assert_eq!((cmd.ins, cmd.p1, cmd.p2), (ins::READ_BINARY, 0x7F, 0xFF));
    }

    #[test]
    fn references_use_the_fewest_bytes() {
        assert_eq!(encode_reference(0), [0]);
        assert_eq!(encode_reference(13), [13]);
        assert_eq!(encode_reference(0x1234), [0x12, 0x34]);
        assert_eq!(decode_reference(&[0x12, 0x34]), Some(0x1234));
        assert_eq!(decode_reference(&[]), None);
    }
}
