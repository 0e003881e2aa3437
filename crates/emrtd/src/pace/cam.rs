//! PACE Chip Authentication Mapping (§4.4.3.5): the chip proves its static key by sending
//! CA_IC = SK_IC⁻¹ · SK_map,IC encrypted under KSenc with IV = E(KSenc, −1).

use zeroize::Zeroizing;

use crate::crypto::cipher::{block_size, cbc_decrypt, cbc_encrypt, encrypt_block};
use crate::crypto::padding::{pad, unpad};
use crate::crypto::{CryptoError, Element};
use crate::domain_parameters::DomainParameters;
use crate::sm::SessionKeys;

fn iv(keys: &SessionKeys) -> Result<Vec<u8>, CryptoError> {
    let minus_one = vec![0xFF; block_size(keys.cipher())];
    encrypt_block(keys.cipher(), keys.k_enc(), &minus_one)
}

/// Chip: A_IC = E(KSenc, pad(CA_IC)).
pub fn encrypt_authentication_data(keys: &SessionKeys, ca: &[u8]) -> Result<Vec<u8>, CryptoError> {
    cbc_encrypt(
        keys.cipher(),
        keys.k_enc(),
        &iv(keys)?,
        &pad(ca, block_size(keys.cipher())),
    )
}

/// Terminal: CA_IC from A_IC.
pub fn decrypt_authentication_data(
    keys: &SessionKeys,
    encrypted: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let padded = Zeroizing::new(cbc_decrypt(
        keys.cipher(),
        keys.k_enc(),
        &iv(keys)?,
        encrypted,
    )?);
    Ok(Zeroizing::new(unpad(&padded)?.to_vec()))
}

/// What the terminal keeps from a PACE-CAM run to authenticate the chip once it has
/// read the static key from EF.CardSecurity.
#[derive(Clone)]
pub struct CamEvidence {
    pub parameters: DomainParameters,
    /// The key id the chip's PACEInfo names (its parameterId).
    pub key_id: Option<u64>,
    /// PK_map,IC, the chip's mapping public key.
    pub mapping_public: Element,
    /// CA_IC, decrypted.
    pub authentication_data: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for CamEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CamEvidence")
            .field("parameters", &self.parameters)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::lds::security_infos::Cipher;

    #[test]
    fn decrypts_the_chip_authentication_data_of_appendix_i() {
        let v: Value = serde_json::from_str(include_str!(
            "../../testdata/icao/icao9303-11_appI1_pace_ecdh_cam_brainpoolP256r1.json"
        ))
        .unwrap();
        let h = |k: &str| hex::decode(v[k].as_str().unwrap()).unwrap();
        let keys = SessionKeys::new(Cipher::Aes128, &h("ks_enc"), &h("ks_mac")).unwrap();
        assert_eq!(iv(&keys).unwrap(), h("iv_ca_data"));
        let ca =
            decrypt_authentication_data(&keys, &h("encrypted_chip_authentication_data")).unwrap();
        assert_eq!(&ca[..], &h("chip_authentication_data")[..]);
        assert_eq!(
            encrypt_authentication_data(&keys, &ca).unwrap(),
            h("encrypted_chip_authentication_data")
        );
    }
}
