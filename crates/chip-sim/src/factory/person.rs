//! The holder and document data of a minted document (`PERSON.json`), and the MRZ
//! written from it: TD3 for passports (document type P…), TD1 for identity cards and
//! residence permits.

use alicem_emrtd::lds::Dg11;
use alicem_emrtd::mrz::{Mrz, check_digit};
use serde::{Deserialize, Serialize};

use super::FactoryError;

/// `PERSON.json`. Dates are `YYYY-MM-DD`. Civil-status data: `Debug` shows only the
/// document type and issuing state.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// "P" (passport), "ID" (identity card), "IR" (residence permit), "AC"…
    pub document_type: String,
    /// ICAO code of the issuing state ("UTO", "FRA", "D").
    pub issuing_state: String,
    /// May exceed 9 characters on TD1 documents.
    pub document_number: String,
    pub surname: String,
    pub given_names: String,
    pub nationality: String,
    pub birth_date: String,
    pub expiry_date: String,
    /// "M", "F" or "X".
    pub sex: String,
    #[serde(default)]
    pub optional_data: String,
    /// The card access number (6 digits).
    pub can: String,
    /// Additional personal details for DG11 (full name in national characters, place of
    /// birth, address…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dg11: Option<Dg11>,
}

impl core::fmt::Debug for Person {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Person")
            .field("document_type", &self.document_type)
            .field("issuing_state", &self.issuing_state)
            .finish_non_exhaustive()
    }
}

impl Person {
    /// A fictional holder of Utopia (the ICAO specimens' state), for `kind`:
    /// "P", "ID" or "IR"; the document expires `expiry` (YYYY-MM-DD).
    pub fn fictional(document_type: &str, expiry: &str) -> Self {
        let td1 = document_type != "P";
        Self {
            document_type: document_type.to_string(),
            issuing_state: "UTO".into(),
            document_number: if td1 {
                "UT0A1B2C3D4E".into()
            } else {
                "UT4B7X2M9".into()
            },
            surname: "SPECIMEN-MARTIN".into(),
            given_names: "CAMILLE ÉLODIE".into(),
            nationality: "UTO".into(),
            birth_date: "1990-04-15".into(),
            expiry_date: expiry.to_string(),
            sex: "F".into(),
            optional_data: String::new(),
            can: "123456".into(),
            dg11: Some(Dg11 {
                full_name: Some("SPECIMEN-MARTIN<<CAMILLE ÉLODIE".into()),
                place_of_birth: Some("UTOPIA CITY<UTO".into()),
                full_birth_date: Some("19900415".into()),
                address: Some("1 RUE DE L'EXEMPLE<UTOPIA CITY<00000<UTO".into()),
                profession: Some("TEST SUBJECT".into()),
                ..Default::default()
            }),
        }
    }

    /// Whether this document uses the TD3 (passport book) layout.
    pub fn is_td3(&self) -> bool {
        self.document_type.starts_with('P')
    }

    /// The MRZ lines, verified by parsing them back.
    pub fn mrz_lines(&self) -> Result<Vec<String>, FactoryError> {
        let lines = if self.is_td3() {
            self.td3()?
        } else {
            self.td1()?
        };
        Mrz::parse(&lines.join("\n")).map_err(|e| {
            FactoryError::Person(format!("the MRZ written does not parse back: {e}"))
        })?;
        Ok(lines)
    }

    fn validate_common(&self) -> Result<(), FactoryError> {
        if self.can.len() != 6 || !self.can.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FactoryError::Person("can must be 6 digits".into()));
        }
        if !matches!(self.sex.as_str(), "M" | "F" | "X" | "<") {
            return Err(FactoryError::Person("sex must be M, F or X".into()));
        }
        let code = |what: &str, v: &str| {
            let v = v.trim_end_matches('<');
            if v.is_empty() || v.len() > 3 || !v.bytes().all(|b| b.is_ascii_alphabetic()) {
                Err(FactoryError::Person(format!(
                    "{what} must be a 1-3 letter ICAO code"
                )))
            } else {
                Ok(())
            }
        };
        code("issuing_state", &self.issuing_state)?;
        code("nationality", &self.nationality)?;
        let doc = field(&self.document_number);
        if doc.is_empty() {
            return Err(FactoryError::Person("document_number is empty".into()));
        }
        Ok(())
    }

    fn td3(&self) -> Result<Vec<String>, FactoryError> {
        self.validate_common()?;
        let number = field(&self.document_number);
        if number.len() > 9 {
            return Err(FactoryError::Person(
                "a passport (TD3) document number has at most 9 characters".into(),
            ));
        }
        let kind = pad(&field(&self.document_type), 2);
        let line1 = format!(
            "{kind}{}{}",
            pad(&field(&self.issuing_state), 3),
            pad(&names(&self.surname, &self.given_names), 39)
        );
        let number = pad(&number, 9);
        let birth = yymmdd(&self.birth_date, "birth_date")?;
        let expiry = yymmdd(&self.expiry_date, "expiry_date")?;
        let optional = pad(&field(&self.optional_data), 14);
        if field(&self.optional_data).len() > 14 {
            return Err(FactoryError::Person(
                "optional_data exceeds 14 characters".into(),
            ));
        }
        let optional_cd = if optional.bytes().all(|b| b == b'<') {
            '<'
        } else {
            digit(&optional)
        };
        let mut line2 = format!(
            "{number}{}{}{birth}{}{}{expiry}{}{optional}{optional_cd}",
            digit(&number),
            pad(&field(&self.nationality), 3),
            digit(&birth),
            sex(&self.sex),
            digit(&expiry),
        );
        let composite = format!(
            "{}{}{}",
            line2.get(0..10).unwrap_or(""),
            line2.get(13..20).unwrap_or(""),
            line2.get(21..43).unwrap_or("")
        );
        line2.push(digit(&composite));
        Ok(vec![line1, line2])
    }

    fn td1(&self) -> Result<Vec<String>, FactoryError> {
        self.validate_common()?;
        let number = field(&self.document_number);
        let optional = field(&self.optional_data);
        let (number_field, number_cd, optional1) = if number.len() <= 9 {
            (pad(&number, 9), digit(&pad(&number, 9)), optional.clone())
        } else {
            // Extended document number: 9 characters, '<', then the rest and its check
            // digit at the start of the optional data.
            let (head, tail) = number.split_at(9);
            (
                head.to_string(),
                '<',
                format!("{tail}{}<{optional}", digit(&number)),
            )
        };
        if optional1.len() > 15 {
            return Err(FactoryError::Person(
                "document_number and optional_data do not fit the TD1 optional field".into(),
            ));
        }
        let line1 = format!(
            "{}{}{number_field}{number_cd}{}",
            pad(&field(&self.document_type), 2),
            pad(&field(&self.issuing_state), 3),
            pad(&optional1, 15)
        );
        let birth = yymmdd(&self.birth_date, "birth_date")?;
        let expiry = yymmdd(&self.expiry_date, "expiry_date")?;
        let mut line2 = format!(
            "{birth}{}{}{expiry}{}{}{}",
            digit(&birth),
            sex(&self.sex),
            digit(&expiry),
            pad(&field(&self.nationality), 3),
            pad("", 11)
        );
        let composite = format!(
            "{}{}{}{}",
            line1.get(5..30).unwrap_or(""),
            line2.get(0..7).unwrap_or(""),
            line2.get(8..15).unwrap_or(""),
            line2.get(18..29).unwrap_or("")
        );
        line2.push(digit(&composite));
        let line3 = pad(&names(&self.surname, &self.given_names), 30);
        Ok(vec![line1, line2, line3])
    }
}

fn digit(s: &str) -> char {
    char::from(b'0' + check_digit(s))
}

fn sex(s: &str) -> char {
    match s {
        "M" => 'M',
        "F" => 'F',
        _ => '<',
    }
}

/// Transliterates to the MRZ alphabet (Doc 9303-3 §6): upper case, accents dropped,
/// separators as '<'.
fn field(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars().flat_map(char::to_uppercase) {
        let mapped = match c {
            'A'..='Z' | '0'..='9' | '<' => Some(c.to_string()),
            'À' | 'Á' | 'Â' | 'Ã' | 'Å' => Some("A".into()),
            'Ä' | 'Æ' => Some("AE".into()),
            'Ç' => Some("C".into()),
            'È' | 'É' | 'Ê' | 'Ë' => Some("E".into()),
            'Ì' | 'Í' | 'Î' | 'Ï' => Some("I".into()),
            'Ñ' => Some("N".into()),
            'Ò' | 'Ó' | 'Ô' | 'Õ' => Some("O".into()),
            'Ö' | 'Ø' | 'Œ' => Some("OE".into()),
            'Ù' | 'Ú' | 'Û' => Some("U".into()),
            'Ü' => Some("UE".into()),
            'Ý' | 'Ÿ' => Some("Y".into()),
            'ß' => Some("SS".into()),
            ' ' | '-' | '\'' | ',' | '.' => Some("<".into()),
            _ => None,
        };
        if let Some(m) = mapped {
            out.push_str(&m);
        }
    }
    out
}

fn names(surname: &str, given: &str) -> String {
    let given = field(given);
    if given.is_empty() {
        field(surname)
    } else {
        format!("{}<<{given}", field(surname))
    }
}

/// Pads with '<' or truncates to `width`.
fn pad(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width).collect();
    while out.len() < width {
        out.push('<');
    }
    out
}

/// `YYYY-MM-DD` → `YYMMDD`.
fn yymmdd(date: &str, what: &str) -> Result<String, FactoryError> {
    let bad = || FactoryError::Person(format!("{what} must be YYYY-MM-DD, got {date:?}"));
    let parts: Vec<&str> = date.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let ok = y.len() == 4
        && m.len() == 2
        && d.len() == 2
        && [y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    if !ok || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    Ok(format!("{}{m}{d}", y.get(2..4).unwrap_or("00")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_td3_mrz_that_parses_back() {
        let person = Person::fictional("P", "2034-12-31");
        let lines = person.mrz_lines().unwrap();
        assert_eq!(lines[0], "P<UTOSPECIMEN<MARTIN<<CAMILLE<ELODIE<<<<<<<<");
        let mrz = Mrz::parse(&lines.join("\n")).unwrap();
        assert_eq!(mrz.document_number, "UT4B7X2M9");
        assert_eq!(mrz.expiry_date, "341231");
    }

    #[test]
    fn writes_a_td1_mrz_with_an_extended_document_number() {
        let person = Person::fictional("ID", "2034-12-31");
        let lines = person.mrz_lines().unwrap();
        assert_eq!(lines.len(), 3);
        let mrz = Mrz::parse(&lines.join("\n")).unwrap();
        assert_eq!(mrz.document_number, "UT0A1B2C3D4E");
        assert_eq!(mrz.document_code, "ID");
    }

    #[test]
    fn refuses_bad_person_data_with_the_field_named() {
        let mut person = Person::fictional("P", "2034-12-31");
        person.birth_date = "15/04/1990".into();
        let err = person.mrz_lines().unwrap_err().to_string();
        assert!(err.contains("birth_date"), "{err}");
        let mut person = Person::fictional("P", "2034-12-31");
        person.document_number = "ABCDEFGHIJK".into();
        assert!(person.mrz_lines().is_err());
        let json = r#"{"document_type":"P","unknown":1}"#;
        assert!(serde_json::from_str::<Person>(json).is_err());
    }
}
