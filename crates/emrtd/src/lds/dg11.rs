//! DG11 (Doc 9303-10 §4.7.11): additional personal details — full name, other names,
//! personal number, full date and place of birth, address, telephone, profession…
//!
//! Civil-status data: `Debug` does not show the values.

use core::fmt;

use serde::{Deserialize, Serialize};

use super::tlv::{self, TlvError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dg11Error {
    #[error("DG11: {0}")]
    Tlv(#[from] TlvError),
    #[error("DG11: field {0:X} is not UTF-8 text")]
    NotText(u32),
}

/// The text fields of DG11. Every field is optional on the chip.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dg11 {
    /// Full name in national characters, primary and secondary identifiers separated
    /// by "<<" as in the MRZ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
    /// YYYYMMDD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_birth_date: Option<String>,
    /// Fields separated by "<" (city<country).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<String>,
    /// Fields separated by "<" (street<city<postcode<country).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telephone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profession: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_td_numbers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custody_information: Option<String>,
}

impl fmt::Debug for Dg11 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Dg11(..)")
    }
}

const FULL_NAME: u32 = 0x5F0E;
const OTHER_NAME: u32 = 0x5F0F;
const PERSONAL_NUMBER: u32 = 0x5F10;
const PLACE_OF_BIRTH: u32 = 0x5F11;
const TELEPHONE: u32 = 0x5F12;
const PROFESSION: u32 = 0x5F13;
const TITLE: u32 = 0x5F14;
const SUMMARY: u32 = 0x5F15;
const OTHER_TD_NUMBERS: u32 = 0x5F17;
const CUSTODY: u32 = 0x5F18;
const FULL_BIRTH_DATE: u32 = 0x5F2B;
const ADDRESS: u32 = 0x5F42;
const OTHER_NAMES_TEMPLATE: u32 = 0xA0;

fn text(tag: u32, bytes: &[u8]) -> Result<String, Dg11Error> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Dg11Error::NotText(tag))
}

/// Some chips encode the full date of birth as 4 BCD bytes instead of 8 digits.
fn birth_date(bytes: &[u8]) -> Result<String, Dg11Error> {
    if bytes.len() == 4 && !bytes.iter().all(|b| b.is_ascii_digit()) {
        let digits: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(digits);
        }
    }
    text(FULL_BIRTH_DATE, bytes)
}

impl Dg11 {
    pub fn parse(bytes: &[u8]) -> Result<Self, Dg11Error> {
        let dg = tlv::parse_one(bytes, 0x6B)?;
        let mut out = Dg11::default();
        for item in dg.children() {
            let item = item?;
            let value = item.value;
            match item.tag {
                FULL_NAME => out.full_name = Some(text(item.tag, value)?),
                OTHER_NAME => out.other_names.push(text(item.tag, value)?),
                OTHER_NAMES_TEMPLATE => {
                    for child in item.children() {
                        let child = child?;
                        if child.tag == OTHER_NAME {
                            out.other_names.push(text(child.tag, child.value)?);
                        }
                    }
                }
                PERSONAL_NUMBER => out.personal_number = Some(text(item.tag, value)?),
                FULL_BIRTH_DATE => out.full_birth_date = Some(birth_date(value)?),
                PLACE_OF_BIRTH => out.place_of_birth = Some(text(item.tag, value)?),
                ADDRESS => out.address = Some(text(item.tag, value)?),
                TELEPHONE => out.telephone = Some(text(item.tag, value)?),
                PROFESSION => out.profession = Some(text(item.tag, value)?),
                TITLE => out.title = Some(text(item.tag, value)?),
                SUMMARY => out.personal_summary = Some(text(item.tag, value)?),
                OTHER_TD_NUMBERS => out.other_td_numbers = Some(text(item.tag, value)?),
                CUSTODY => out.custody_information = Some(text(item.tag, value)?),
                // The tag list (5C), proof of citizenship image (5F16) and unknown tags.
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
        push(FULL_NAME, &self.full_name);
        push(PERSONAL_NUMBER, &self.personal_number);
        push(FULL_BIRTH_DATE, &self.full_birth_date);
        push(PLACE_OF_BIRTH, &self.place_of_birth);
        push(ADDRESS, &self.address);
        push(TELEPHONE, &self.telephone);
        push(PROFESSION, &self.profession);
        push(TITLE, &self.title);
        push(SUMMARY, &self.personal_summary);
        push(OTHER_TD_NUMBERS, &self.other_td_numbers);
        push(CUSTODY, &self.custody_information);
        if !self.other_names.is_empty() {
            let mut template = tlv::encode(0x02, &[self.other_names.len().min(255) as u8]);
            for name in &self.other_names {
                template.extend(tlv::encode(OTHER_NAME, name.as_bytes()));
            }
            fields.push((OTHER_NAME, tlv::encode(OTHER_NAMES_TEMPLATE, &template)));
        }
        let mut tag_list = Vec::new();
        for (tag, _) in &fields {
            tag_list.extend_from_slice(&(*tag as u16).to_be_bytes());
        }
        let mut value = tlv::encode(0x5C, &tag_list);
        for (_, encoded) in fields {
            value.extend(encoded);
        }
        tlv::encode(0x6B, &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_field_and_hides_them_in_debug() {
        let dg11 = Dg11 {
            full_name: Some("MARTIN<<CAMILLE ÉLODIE".into()),
            other_names: vec!["DURAND<<CAMILLE".into()],
            personal_number: Some("123".into()),
            full_birth_date: Some("19900101".into()),
            place_of_birth: Some("LYON<FRA".into()),
            address: Some("1 RUE DE LA PAIX<PARIS<75002<FRA".into()),
            telephone: Some("+33100000000".into()),
            profession: Some("INGÉNIEURE".into()),
            title: Some("DR".into()),
            personal_summary: Some("-".into()),
            other_td_numbers: Some("X1".into()),
            custody_information: Some("none".into()),
        };
        let bytes = dg11.encode();
        assert_eq!(Dg11::parse(&bytes).unwrap(), dg11);
        assert_eq!(format!("{dg11:?}"), "Dg11(..)");
    }

    #[test]
    fn reads_a_bcd_birth_date() {
        let mut value = tlv::encode(0x5C, &[0x5F, 0x2B]);
        value.extend(tlv::encode(0x5F2B, &[0x19, 0x71, 0x10, 0x19]));
        let dg11 = Dg11::parse(&tlv::encode(0x6B, &value)).unwrap();
        assert_eq!(dg11.full_birth_date.as_deref(), Some("19711019"));
    }

    #[test]
    fn rejects_truncated_input() {
        let bytes = Dg11 {
            full_name: Some("A<<B".into()),
            ..Default::default()
        }
        .encode();
        for len in 0..bytes.len() {
            assert!(Dg11::parse(&bytes[..len]).is_err());
        }
    }
}
