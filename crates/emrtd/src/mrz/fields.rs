//! Field positions of the three MRZ layouts and their verification.

use core::fmt;

use super::{Mrz, MrzError, MrzFormat, check_digit};

/// The MRZ fields an error can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MrzField {
    DocumentNumber,
    BirthDate,
    ExpiryDate,
    OptionalData,
    Composite,
}

impl fmt::Display for MrzField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MrzField::DocumentNumber => "document number",
            MrzField::BirthDate => "date of birth",
            MrzField::ExpiryDate => "date of expiry",
            MrzField::OptionalData => "optional data",
            MrzField::Composite => "composite",
        })
    }
}

/// Sex as printed in the MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    Male,
    Female,
    /// '<' or 'X'.
    Unspecified,
}

impl Sex {
    fn parse(c: char) -> Result<Self, MrzError> {
        match c {
            'M' => Ok(Sex::Male),
            'F' => Ok(Sex::Female),
            '<' | 'X' => Ok(Sex::Unspecified),
            other => Err(MrzError::InvalidSex(other)),
        }
    }

    /// The MRZ character for this value.
    pub fn code(self) -> char {
        match self {
            Sex::Male => 'M',
            Sex::Female => 'F',
            Sex::Unspecified => '<',
        }
    }
}

/// `s[range]` for an all-ASCII line; the caller has checked the line's width.
fn at(line: &str, start: usize, end: usize) -> &str {
    line.get(start..end).unwrap_or("")
}

fn char_at(line: &str, index: usize) -> char {
    line.as_bytes().get(index).map_or('\0', |b| char::from(*b))
}

/// Verifies a check digit. `filler_ok` accepts '<' in place of '0' for an unused field.
fn verify(field: MrzField, data: &str, found: char, filler_ok: bool) -> Result<(), MrzError> {
    let expected = check_digit(data);
    let ok = match found {
        '0'..='9' => found as u8 - b'0' == expected,
        '<' => filler_ok && expected == 0 && data.bytes().all(|b| b == b'<'),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(MrzError::CheckDigit {
            field,
            found,
            expected: char::from(b'0' + expected),
        })
    }
}

/// Checks a YYMMDD date. Birth dates may leave day or month unknown ("<<").
pub(super) fn check_date(field: MrzField, value: &str) -> Result<(), MrzError> {
    let invalid = || MrzError::InvalidDate {
        field,
        value: value.to_string(),
    };
    let b = value.as_bytes();
    if b.len() != 6 {
        return Err(invalid());
    }
    let pair = |i: usize| -> Result<Option<u8>, MrzError> {
        match (b.get(i), b.get(i + 1)) {
            (Some(b'<'), Some(b'<')) if field == MrzField::BirthDate && i > 0 => Ok(None),
            (Some(h @ b'0'..=b'9'), Some(l @ b'0'..=b'9')) => {
                Ok(Some((h - b'0') * 10 + (l - b'0')))
            }
            _ => Err(invalid()),
        }
    };
    pair(0)?.ok_or_else(invalid)?;
    if pair(2)?.is_some_and(|month| !(1..=12).contains(&month)) {
        return Err(invalid());
    }
    if pair(4)?.is_some_and(|day| !(1..=31).contains(&day)) {
        return Err(invalid());
    }
    Ok(())
}

fn names(field: &str) -> (String, String) {
    let clean = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match field.split_once("<<") {
        Some((primary, secondary)) => (clean(primary), clean(secondary)),
        None => (clean(field), String::new()),
    }
}

fn trim_fillers(s: &str) -> String {
    s.trim_end_matches('<').to_string()
}

/// Splits an extended document number's continuation out of an optional data field:
/// the characters up to the first filler, the last of which is the check digit.
/// Returns (continuation, check digit, remaining optional data).
fn extended_number(optional: &str) -> Result<(&str, char, &str), MrzError> {
    let end = optional.find('<').unwrap_or(optional.len());
    if end < 2 {
        return Err(MrzError::Malformed {
            field: MrzField::DocumentNumber,
            reason: "marked as extended but no continuation in the optional data",
        });
    }
    let continuation = at(optional, 0, end - 1);
    let cd = char_at(optional, end - 1);
    let rest = optional.get(end..).unwrap_or("");
    Ok((continuation, cd, rest))
}

/// Document number and the remaining optional data, resolving the extended form.
fn document_number(number: &str, cd: char, optional: &str) -> Result<(String, String), MrzError> {
    if cd == '<' && number.bytes().last() != Some(b'<') {
        let (continuation, ext_cd, rest) = extended_number(optional)?;
        let full = format!("{number}{continuation}");
        verify(MrzField::DocumentNumber, &full, ext_cd, false)?;
        Ok((full, rest.to_string()))
    } else {
        verify(MrzField::DocumentNumber, number, cd, false)?;
        Ok((number.to_string(), optional.to_string()))
    }
}

pub(super) fn parse_lines(format: MrzFormat, lines: Vec<String>) -> Result<Mrz, MrzError> {
    let l1 = lines.first().map_or("", String::as_str);
    let l2 = lines.get(1).map_or("", String::as_str);
    let document_code = at(l1, 0, 2).replace('<', "");
    let issuing_state = at(l1, 2, 5).to_string();
    let mrz = match format {
        MrzFormat::Td3 | MrzFormat::Td2 => {
            let width = l2.len();
            let opt_end = if format == MrzFormat::Td3 { 42 } else { 35 };
            let optional = at(l2, 28, opt_end);
            let (number, rest_optional) = if format == MrzFormat::Td2 {
                document_number(at(l2, 0, 9), char_at(l2, 9), optional)?
            } else {
                verify(
                    MrzField::DocumentNumber,
                    at(l2, 0, 9),
                    char_at(l2, 9),
                    false,
                )?;
                (at(l2, 0, 9).to_string(), optional.to_string())
            };
            check_date(MrzField::BirthDate, at(l2, 13, 19))?;
            verify(MrzField::BirthDate, at(l2, 13, 19), char_at(l2, 19), false)?;
            let sex = Sex::parse(char_at(l2, 20))?;
            check_date(MrzField::ExpiryDate, at(l2, 21, 27))?;
            verify(MrzField::ExpiryDate, at(l2, 21, 27), char_at(l2, 27), false)?;
            if format == MrzFormat::Td3 {
                verify(MrzField::OptionalData, optional, char_at(l2, 42), true)?;
            }
            let composite = format!(
                "{}{}{}",
                at(l2, 0, 10),
                at(l2, 13, 20),
                at(l2, 21, width - 1)
            );
            verify(
                MrzField::Composite,
                &composite,
                char_at(l2, width - 1),
                false,
            )?;
            let (primary, secondary) = names(at(l1, 5, l1.len()));
            Mrz {
                format,
                document_code,
                issuing_state,
                document_number: trim_fillers(&number),
                primary_identifier: primary,
                secondary_identifier: secondary,
                nationality: at(l2, 10, 13).to_string(),
                birth_date: at(l2, 13, 19).to_string(),
                sex,
                expiry_date: at(l2, 21, 27).to_string(),
                optional_data: trim_fillers(&rest_optional),
                lines,
            }
        }
        MrzFormat::Td1 => {
            let l3 = lines.get(2).map_or("", String::as_str);
            let (number, optional1) =
                document_number(at(l1, 5, 14), char_at(l1, 14), at(l1, 15, 30))?;
            check_date(MrzField::BirthDate, at(l2, 0, 6))?;
            verify(MrzField::BirthDate, at(l2, 0, 6), char_at(l2, 6), false)?;
            let sex = Sex::parse(char_at(l2, 7))?;
            check_date(MrzField::ExpiryDate, at(l2, 8, 14))?;
            verify(MrzField::ExpiryDate, at(l2, 8, 14), char_at(l2, 14), false)?;
            let composite = format!(
                "{}{}{}{}",
                at(l1, 5, 30),
                at(l2, 0, 7),
                at(l2, 8, 15),
                at(l2, 18, 29)
            );
            verify(MrzField::Composite, &composite, char_at(l2, 29), false)?;
            let (primary, secondary) = names(l3);
            let optional: Vec<String> = [
                trim_fillers(optional1.trim_start_matches('<')),
                trim_fillers(at(l2, 18, 29)),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
            Mrz {
                format,
                document_code,
                issuing_state,
                document_number: trim_fillers(&number),
                primary_identifier: primary,
                secondary_identifier: secondary,
                nationality: at(l2, 15, 18).to_string(),
                birth_date: at(l2, 0, 6).to_string(),
                sex,
                expiry_date: at(l2, 8, 14).to_string(),
                optional_data: optional.join("<"),
                lines,
            }
        }
    };
    Ok(mrz)
}
