//! The chip's private keys, parsed once from the image.

use alicem_emrtd::crypto::{Group, PrivateKey as GroupKey};
use alicem_emrtd::domain_parameters::{Curve, DomainParameters};
use pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

use super::ChipError;
use crate::image::PrivateKey;
use crate::profile::{AaHash, ActiveAuthenticationProfile};

/// The static key-agreement key of Chip Authentication and PACE-CAM.
pub(super) struct CaKey {
    pub group: Group,
    pub private: GroupKey,
}

impl CaKey {
    pub fn from_private(key: &PrivateKey) -> Result<Self, ChipError> {
        let (parameters, bytes) = match key {
            PrivateKey::Ec { curve, scalar } => (DomainParameters::Ecdh(*curve), scalar),
            PrivateKey::Dh { group, x } => (DomainParameters::Dh(*group), x),
            PrivateKey::Rsa { .. } => {
                return Err(ChipError::Key(
                    "the Chip Authentication key must be EC or DH, not RSA".into(),
                ));
            }
        };
        let group = Group::new(parameters).map_err(|e| ChipError::Key(e.to_string()))?;
        let private = group
            .private_from_bytes(bytes)
            .map_err(|e| ChipError::Key(e.to_string()))?;
        Ok(Self { group, private })
    }
}

/// The Active Authentication signing key.
pub(super) enum AaKey {
    Rsa {
        key: Box<RsaPrivateKey>,
        hash: AaHash,
    },
    Ecdsa {
        curve: Curve,
        scalar: Zeroizing<Vec<u8>>,
        hash: AaHash,
    },
}

impl AaKey {
    pub fn new(key: &PrivateKey, profile: ActiveAuthenticationProfile) -> Result<Self, ChipError> {
        match (key, profile) {
            (PrivateKey::Rsa { pkcs8 }, ActiveAuthenticationProfile::Rsa { hash, .. }) => {
                let key = RsaPrivateKey::from_pkcs8_der(pkcs8)
                    .map_err(|e| ChipError::Key(format!("RSA key: {e}")))?;
                if key.n().bits_vartime() % 8 != 0 {
                    return Err(ChipError::Key(
                        "RSA Active Authentication keys must have a whole number of bytes".into(),
                    ));
                }
                Ok(AaKey::Rsa {
                    key: Box::new(key),
                    hash,
                })
            }
            (PrivateKey::Ec { curve, scalar }, ActiveAuthenticationProfile::Ecdsa { hash, .. }) => {
                Ok(AaKey::Ecdsa {
                    curve: *curve,
                    scalar: Zeroizing::new(scalar.clone()),
                    hash,
                })
            }
            _ => Err(ChipError::Key(
                "the Active Authentication key does not match the profile's algorithm".into(),
            )),
        }
    }
}
