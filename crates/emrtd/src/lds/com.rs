//! EF.COM (Doc 9303-10 §4.6.1): LDS and Unicode versions and the list of data groups
//! present. Not signed by the SOD: a reader uses it as a hint only.

use super::DataGroup;
use super::tlv::{self, TlvError};

/// The parsed EF.COM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfCom {
    /// "0107" for LDS 1.7, "0108" for LDS 1.8.
    pub lds_version: String,
    /// "040000" for Unicode 4.0.0.
    pub unicode_version: String,
    /// Data groups listed, in the order found (unknown tags skipped).
    pub data_groups: Vec<DataGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComError {
    #[error("EF.COM: {0}")]
    Tlv(#[from] TlvError),
    #[error("EF.COM: {0} is not text")]
    NotText(&'static str),
}

fn text(bytes: &[u8], what: &'static str) -> Result<String, ComError> {
    if bytes.iter().all(|b| b.is_ascii_graphic()) {
        Ok(String::from_utf8_lossy(bytes).into_owned())
    } else {
        Err(ComError::NotText(what))
    }
}

impl EfCom {
    pub fn parse(bytes: &[u8]) -> Result<Self, ComError> {
        let com = tlv::parse_one(bytes, 0x60)?;
        let lds_version = text(com.require(0x5F01)?.value, "LDS version")?;
        let unicode_version = text(com.require(0x5F36)?.value, "Unicode version")?;
        let data_groups = com
            .require(0x5C)?
            .value
            .iter()
            .filter_map(|t| DataGroup::from_tag(*t))
            .collect();
        Ok(Self {
            lds_version,
            unicode_version,
            data_groups,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let tags: Vec<u8> = self.data_groups.iter().map(|dg| dg.tag()).collect();
        let mut value = tlv::encode(0x5F01, self.lds_version.as_bytes());
        value.extend(tlv::encode(0x5F36, self.unicode_version.as_bytes()));
        value.extend(tlv::encode(0x5C, &tags));
        tlv::encode(0x60, &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_dutch_specimen_ef_com() {
        let bytes =
            hex::decode("60155F0104303130375F3606303430303030 5C03 61756F".replace(' ', ""))
                .unwrap();
        let com = EfCom::parse(&bytes).unwrap();
        assert_eq!(com.lds_version, "0107");
        assert_eq!(com.unicode_version, "040000");
        assert_eq!(
            com.data_groups,
            vec![DataGroup::DG1, DataGroup::DG2, DataGroup::DG15]
        );
        assert_eq!(com.encode(), bytes);
    }
}
