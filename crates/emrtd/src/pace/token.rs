//! The PACE authentication token (§4.4.3.4): a MAC under KSmac over a public key data
//! object (DO'7F49', §9.4) holding the protocol OID and the peer's ephemeral key.

use const_oid::ObjectIdentifier;

use crate::crypto::cipher::MAC_LEN;
use crate::crypto::padding::pad;
use crate::crypto::{CryptoError, Element, Group};
use crate::lds::security_infos::Cipher;
use crate::sm::SessionKeys;
use crate::tlv;

/// `7F49 { 06 OID, 86 point | 84 integer }`.
pub fn public_key_object(protocol: &ObjectIdentifier, group: &Group, public: &Element) -> Vec<u8> {
    let mut inner = tlv::encode(0x06, protocol.as_bytes());
    let tag = if group.curve().is_some() { 0x86 } else { 0x84 };
    inner.extend(tlv::encode(tag, &group.encode_public(public)));
    tlv::encode(0x7F49, &inner)
}

/// The token over the peer's public key. Retail MAC pads (method 2) itself, CMAC needs
/// no padding: "padding is performed internally by the MAC".
pub fn token(
    keys: &SessionKeys,
    protocol: &ObjectIdentifier,
    group: &Group,
    peer_public: &Element,
) -> Result<[u8; MAC_LEN], CryptoError> {
    let data = public_key_object(protocol, group, peer_public);
    match keys.cipher() {
        Cipher::Tdes => keys.mac(&pad(&data, 8)),
        _ => keys.mac(&data),
    }
}
