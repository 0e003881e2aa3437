//! The machine readable zone (ICAO Doc 9303 Parts 3–6): TD1 (ID cards, 3×30),
//! TD2 (2×36) and TD3 (passports, 2×44), their 7-3-1 check digits, and the
//! secrets a reader derives from it (MRZ information for BAC/PACE) or from the card
//! access number.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

mod check_digit;
mod fields;

pub use check_digit::check_digit;
pub use fields::{MrzField, Sex};

/// The three MRZ layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MrzFormat {
    /// ID-1 size (credit card): three lines of 30 characters.
    Td1,
    /// ID-2 size: two lines of 36 characters.
    Td2,
    /// ID-3 size (passport book): two lines of 44 characters.
    Td3,
}

impl MrzFormat {
    /// (number of lines, characters per line).
    pub fn shape(self) -> (usize, usize) {
        match self {
            MrzFormat::Td1 => (3, 30),
            MrzFormat::Td2 => (2, 36),
            MrzFormat::Td3 => (2, 44),
        }
    }
}

/// Why a text is not a valid MRZ. Messages name the field; check-digit errors give
/// the digit that was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    #[error("an MRZ has 3 lines of 30 (TD1), 2 of 36 (TD2) or 2 of 44 (TD3) characters; got {0}")]
    UnknownLayout(String),
    #[error("invalid character {character:?} in MRZ line {line}, position {position}")]
    InvalidCharacter {
        line: usize,
        position: usize,
        character: char,
    },
    #[error("{field} check digit is {found:?}, expected '{expected}'")]
    CheckDigit {
        field: MrzField,
        found: char,
        expected: char,
    },
    #[error("{field} is not a valid date (YYMMDD): {value:?}")]
    InvalidDate { field: MrzField, value: String },
    #[error("invalid sex code {0:?} (expected M, F, X or <)")]
    InvalidSex(char),
    #[error("{field} is malformed: {reason}")]
    Malformed {
        field: MrzField,
        reason: &'static str,
    },
    #[error("a CAN is 6 digits")]
    InvalidCan,
}

/// A parsed and check-digit-verified MRZ.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mrz {
    pub format: MrzFormat,
    /// Document code without fillers: "P", "I", "ID", "IR", "AC"…
    pub document_code: String,
    /// Three-letter code of the issuing state or organisation (fillers kept, e.g. "D<<").
    pub issuing_state: String,
    /// The full document number, including the part continued in the optional data
    /// when it exceeds 9 characters.
    pub document_number: String,
    /// Surname(s), fillers replaced by spaces.
    pub primary_identifier: String,
    /// Given name(s), fillers replaced by spaces.
    pub secondary_identifier: String,
    pub nationality: String,
    /// YYMMDD as printed (century is the caller's rule to apply).
    pub birth_date: String,
    pub sex: Sex,
    /// YYMMDD as printed.
    pub expiry_date: String,
    /// Optional data (TD3: personal number; TD1: both optional fields joined, without
    /// the extended document number), trailing fillers removed.
    pub optional_data: String,
    /// The lines exactly as read.
    pub lines: Vec<String>,
}

impl fmt::Debug for Mrz {
    // Civil-status data: keep it out of logs and panics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mrz")
            .field("format", &self.format)
            .field("issuing_state", &self.issuing_state)
            .finish_non_exhaustive()
    }
}

impl Mrz {
    /// Parses an MRZ given as lines separated by newlines or spaces, or as one string of
    /// 90, 72 or 88 characters. Lower case is accepted and upper-cased.
    pub fn parse(text: &str) -> Result<Self, MrzError> {
        let joined: String = text
            .split_whitespace()
            .collect::<String>()
            .to_ascii_uppercase();
        let format = match joined.chars().count() {
            90 => MrzFormat::Td1,
            72 => MrzFormat::Td2,
            88 => MrzFormat::Td3,
            n => {
                return Err(MrzError::UnknownLayout(format!(
                    "{n} characters in {} line(s)",
                    text.split_whitespace().count()
                )));
            }
        };
        let (count, width) = format.shape();
        for (i, c) in joined.chars().enumerate() {
            if !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
                return Err(MrzError::InvalidCharacter {
                    line: i / width + 1,
                    position: i % width + 1,
                    character: c,
                });
            }
        }
        // All ASCII from here on, so byte slicing is character slicing.
        let lines: Vec<String> = (0..count)
            .map(|i| joined[i * width..(i + 1) * width].to_string())
            .collect();
        fields::parse_lines(format, lines)
    }

    /// The secret used to derive BAC keys and the PACE MRZ password.
    pub fn info(&self) -> MrzInfo {
        MrzInfo {
            document_number: self.document_number.clone(),
            birth_date: self.birth_date.clone(),
            expiry_date: self.expiry_date.clone(),
        }
    }
}

/// Document number, birth date and expiry date: the MRZ information of Doc 9303-11
/// §9.7.2 from which BAC keys and the PACE MRZ password are derived.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MrzInfo {
    document_number: String,
    birth_date: String,
    expiry_date: String,
}

impl fmt::Debug for MrzInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MrzInfo(..)")
    }
}

impl MrzInfo {
    /// Builds the MRZ information from its three fields, as typed by a user or read
    /// from a document. The document number may exceed 9 characters.
    pub fn new(
        document_number: &str,
        birth_date: &str,
        expiry_date: &str,
    ) -> Result<Self, MrzError> {
        let document_number = document_number.trim().to_ascii_uppercase();
        if document_number.is_empty()
            || !document_number
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<')
        {
            return Err(MrzError::Malformed {
                field: MrzField::DocumentNumber,
                reason: "use letters A-Z, digits and '<' only",
            });
        }
        fields::check_date(MrzField::BirthDate, birth_date)?;
        fields::check_date(MrzField::ExpiryDate, expiry_date)?;
        Ok(Self {
            document_number,
            birth_date: birth_date.to_string(),
            expiry_date: expiry_date.to_string(),
        })
    }

    /// `document number ‖ CD ‖ birth date ‖ CD ‖ expiry date ‖ CD`, the document number
    /// padded with '<' to at least 9 characters (Doc 9303-11 §9.7.2).
    pub fn key_seed_input(&self) -> Zeroizing<String> {
        let mut number = self.document_number.clone();
        while number.len() < 9 {
            number.push('<');
        }
        let mut out = Zeroizing::new(String::with_capacity(number.len() + 15));
        for part in [number.as_str(), &self.birth_date, &self.expiry_date] {
            out.push_str(part);
            out.push(char::from(b'0' + check_digit(part)));
        }
        number.zeroize();
        out
    }

    pub fn document_number(&self) -> &str {
        &self.document_number
    }
}

/// The card access number printed on the card (6 digits), a PACE password.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Can(String);

impl fmt::Debug for Can {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Can(..)")
    }
}

impl Can {
    pub fn new(digits: &str) -> Result<Self, MrzError> {
        let digits = digits.trim();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits.to_string()))
        } else {
            Err(MrzError::InvalidCan)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the holder gives the reader to open the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessKey {
    Mrz(MrzInfo),
    Can(Can),
}

#[cfg(test)]
mod tests;
