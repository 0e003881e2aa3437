//! DG15 (Doc 9303-10 §4.7.15): the Active Authentication public key, tag 6F wrapping a
//! SubjectPublicKeyInfo (RSA, or EC whose signature algorithm DG14 announces).

use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;

use super::tlv::{self, TlvError};
use crate::oid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dg15Error {
    #[error("DG15: {0}")]
    Tlv(#[from] TlvError),
    #[error("DG15: the public key is not a valid SubjectPublicKeyInfo: {0}")]
    Der(#[from] der::Error),
    #[error("DG15: unsupported public key algorithm {0}")]
    Algorithm(const_oid::ObjectIdentifier),
}

/// The kind of Active Authentication key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AaKeyKind {
    Rsa,
    Ec,
}

/// DG15: the chip's Active Authentication public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg15 {
    pub public_key: SubjectPublicKeyInfoOwned,
}

impl Dg15 {
    pub fn parse(bytes: &[u8]) -> Result<Self, Dg15Error> {
        let dg = tlv::parse_one(bytes, 0x6F)?;
        let public_key = SubjectPublicKeyInfoOwned::from_der(dg.value)
            .or_else(|_| SubjectPublicKeyInfoOwned::from_ber(dg.value))?;
        let this = Self { public_key };
        this.kind()?;
        Ok(this)
    }

    pub fn kind(&self) -> Result<AaKeyKind, Dg15Error> {
        match self.public_key.algorithm.oid {
            oid::RSA_ENCRYPTION => Ok(AaKeyKind::Rsa),
            oid::EC_PUBLIC_KEY => Ok(AaKeyKind::Ec),
            other => Err(Dg15Error::Algorithm(other)),
        }
    }

    pub fn encode(public_key: &SubjectPublicKeyInfoOwned) -> Result<Vec<u8>, der::Error> {
        Ok(tlv::encode(0x6F, &public_key.to_der()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_dutch_specimen_rsa_key() {
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_DG15_010F.bin");
        let dg15 = Dg15::parse(&bytes).unwrap();
        assert_eq!(dg15.kind().unwrap(), AaKeyKind::Rsa);
        assert_eq!(Dg15::encode(&dg15.public_key).unwrap(), bytes);
    }

    #[test]
    fn rejects_truncated_input() {
        let bytes = crate::testdata::shared("pa/nl_specimen_2006/EF_DG15_010F.bin");
        for len in 0..bytes.len() {
            assert!(Dg15::parse(&bytes[..len]).is_err());
        }
    }
}
