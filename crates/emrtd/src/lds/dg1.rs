//! DG1 (Doc 9303-10 §4.7.1): the MRZ as stored in the chip, tag 61 wrapping 5F1F.

use super::tlv::{self, TlvError};
use crate::mrz::{Mrz, MrzError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dg1Error {
    #[error("DG1: {0}")]
    Tlv(#[from] TlvError),
    #[error("DG1: the MRZ is not ASCII text")]
    NotText,
    #[error("DG1: {0}")]
    Mrz(#[from] MrzError),
}

/// Parses DG1 into a check-digit-verified MRZ.
pub fn parse(bytes: &[u8]) -> Result<Mrz, Dg1Error> {
    let dg1 = tlv::parse_one(bytes, 0x61)?;
    let data = dg1.require(0x5F1F)?.value;
    if !data.is_ascii() {
        return Err(Dg1Error::NotText);
    }
    let text = String::from_utf8_lossy(data);
    Ok(Mrz::parse(&text)?)
}

/// Encodes MRZ lines (already formatted, joined without separators) as DG1.
pub fn encode(lines: &[String]) -> Vec<u8> {
    tlv::encode(0x61, &tlv::encode(0x5F1F, lines.concat().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_td3_mrz_and_round_trips() {
        let lines = vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_string(),
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_string(),
        ];
        let dg1 = encode(&lines);
        let mrz = parse(&dg1).unwrap();
        assert_eq!(mrz.issuing_state, "UTO");
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.lines, lines);
    }

    #[test]
    fn rejects_a_bad_check_digit() {
        let dg1 = encode(&[
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_string(),
            "L898902C37UTO7408122F1204159ZE184226B<<<<<10".to_string(),
        ]);
        assert!(matches!(parse(&dg1), Err(Dg1Error::Mrz(_))));
    }
}
