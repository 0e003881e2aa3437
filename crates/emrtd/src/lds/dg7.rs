//! DG7 (Doc 9303-10 §4.7.7): displayed signature or usual mark, as images (5F43).

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::tlv::{self, TlvError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dg7Error {
    #[error("DG7: {0}")]
    Tlv(#[from] TlvError),
}

/// The signature images stored in DG7 (usually one JPEG or JPEG 2000).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Dg7 {
    pub images: Vec<Vec<u8>>,
}

impl core::fmt::Debug for Dg7 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Dg7({} image(s))", self.images.len())
    }
}

impl Dg7 {
    pub fn parse(bytes: &[u8]) -> Result<Self, Dg7Error> {
        let dg = tlv::parse_one(bytes, 0x67)?;
        let mut images = Vec::new();
        for item in dg.children() {
            let item = item?;
            if item.tag == 0x5F43 {
                images.push(item.value.to_vec());
            }
        }
        Ok(Self { images })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut value = tlv::encode(0x02, &[self.images.len().min(255) as u8]);
        for image in &self.images {
            value.extend(tlv::encode(0x5F43, image));
        }
        tlv::encode(0x67, &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_signature_images() {
        let dg7 = Dg7 {
            images: vec![vec![0xFF, 0xD8, 0xFF, 0xD9]],
        };
        assert_eq!(Dg7::parse(&dg7.encode()).unwrap(), dg7);
    }
}
