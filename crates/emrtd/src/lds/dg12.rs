//! DG12 (Doc 9303-10 §4.7.12): additional document details — issuing authority, date
//! of issue, endorsements, personalization time and system.

use serde::{Deserialize, Serialize};

use super::tlv::{self, TlvError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dg12Error {
    #[error("DG12: {0}")]
    Tlv(#[from] TlvError),
    #[error("DG12: field {0:X} is not UTF-8 text")]
    NotText(u32),
}

/// The text fields of DG12 (the front/rear images 5F1D/5F1E are skipped).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dg12 {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<String>,
    /// YYYYMMDD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_issue: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_persons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorsements: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_exit_requirements: Option<String>,
    /// YYYYMMDDhhmmss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personalization_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personalization_system_serial: Option<String>,
}

const AUTHORITY: u32 = 0x5F19;
const DATE_OF_ISSUE: u32 = 0x5F26;
const OTHER_PERSON: u32 = 0x5F1A;
const ENDORSEMENTS: u32 = 0x5F1B;
const TAX_EXIT: u32 = 0x5F1C;
const PERSONALIZATION_TIME: u32 = 0x5F55;
const PERSONALIZATION_SERIAL: u32 = 0x5F56;

fn text(tag: u32, bytes: &[u8]) -> Result<String, Dg12Error> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Dg12Error::NotText(tag))
}

/// Dates are 8 ASCII digits or, on some chips, 4 BCD bytes (7 for date and time).
fn date(tag: u32, bytes: &[u8]) -> Result<String, Dg12Error> {
    if (bytes.len() == 4 || bytes.len() == 7) && !bytes.iter().all(|b| b.is_ascii_digit()) {
        let digits: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(digits);
        }
    }
    text(tag, bytes)
}

impl Dg12 {
    pub fn parse(bytes: &[u8]) -> Result<Self, Dg12Error> {
        let dg = tlv::parse_one(bytes, 0x6C)?;
        let mut out = Dg12::default();
        for item in dg.children() {
            let item = item?;
            let v = item.value;
            match item.tag {
                AUTHORITY => out.issuing_authority = Some(text(item.tag, v)?),
                DATE_OF_ISSUE => out.date_of_issue = Some(date(item.tag, v)?),
                OTHER_PERSON => out.other_persons.push(text(item.tag, v)?),
                0xA0 => {
                    for child in item.children() {
                        let child = child?;
                        if child.tag == OTHER_PERSON {
                            out.other_persons.push(text(child.tag, child.value)?);
                        }
                    }
                }
                ENDORSEMENTS => out.endorsements = Some(text(item.tag, v)?),
                TAX_EXIT => out.tax_exit_requirements = Some(text(item.tag, v)?),
                PERSONALIZATION_TIME => out.personalization_time = Some(date(item.tag, v)?),
                PERSONALIZATION_SERIAL => {
                    out.personalization_system_serial = Some(text(item.tag, v)?)
                }
                _ => {}
            }
        }
        Ok(out)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut fields: Vec<(u32, Vec<u8>)> = Vec::new();
        let mut push = |tag: u32, v: &Option<String>| {
            if let Some(v) = v {
                fields.push((tag, tlv::encode(tag, v.as_bytes())));
            }
        };
        push(AUTHORITY, &self.issuing_authority);
        push(DATE_OF_ISSUE, &self.date_of_issue);
        push(ENDORSEMENTS, &self.endorsements);
        push(TAX_EXIT, &self.tax_exit_requirements);
        push(PERSONALIZATION_TIME, &self.personalization_time);
        push(PERSONALIZATION_SERIAL, &self.personalization_system_serial);
        if !self.other_persons.is_empty() {
            let mut template = tlv::encode(0x02, &[self.other_persons.len().min(255) as u8]);
            for p in &self.other_persons {
                template.extend(tlv::encode(OTHER_PERSON, p.as_bytes()));
            }
            fields.push((OTHER_PERSON, tlv::encode(0xA0, &template)));
        }
        let mut tag_list = Vec::new();
        for (tag, _) in &fields {
            tag_list.extend_from_slice(&(*tag as u16).to_be_bytes());
        }
        let mut value = tlv::encode(0x5C, &tag_list);
        for (_, encoded) in fields {
            value.extend(encoded);
        }
        tlv::encode(0x6C, &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_bcd_dates() {
        let dg12 = Dg12 {
            issuing_authority: Some("PRÉFECTURE DE TEST".into()),
            date_of_issue: Some("20240102".into()),
            other_persons: vec!["CHILD<<ONE".into()],
            endorsements: Some("none".into()),
            tax_exit_requirements: None,
            personalization_time: Some("20240102101112".into()),
            personalization_system_serial: Some("SN1".into()),
        };
        assert_eq!(Dg12::parse(&dg12.encode()).unwrap(), dg12);
        let bcd = tlv::encode(0x6C, &tlv::encode(DATE_OF_ISSUE, &[0x20, 0x24, 0x01, 0x02]));
        assert_eq!(
            Dg12::parse(&bcd).unwrap().date_of_issue.as_deref(),
            Some("20240102")
        );
    }
}
