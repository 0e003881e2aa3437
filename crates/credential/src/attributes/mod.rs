//! From the chip's data to the credential's claims.
//!
//! Input: DG1's MRZ ([`alicem_emrtd::mrz::Mrz`]) and, when the chip has DG11, the
//! few fields of it we use ([`Dg11Fields`], filled by the server from emrtd's DG11
//! parser). Output: [`CivilStatus`], whose [`claims`](CivilStatus::claims) use the
//! OpenID Connect / FranceConnect names and formats. The rules, and what happens when
//! a document does not say enough, are in `docs/attributes.md`.

use core::fmt;

use alicem_emrtd::mrz::{Mrz, Sex};
use serde_json::Value;
use time::Date;
use zeroize::{Zeroize, ZeroizeOnDrop};

pub mod countries;
mod dates;
mod nationality;
mod place;

pub use dates::{BirthDate, iso_date};
pub use nationality::iso_alpha3;
pub use place::{BirthCountry, CommuneDirectory, birth_country, normalize};

/// Claim names.
pub mod claim {
    pub const GIVEN_NAME: &str = "given_name";
    pub const FAMILY_NAME: &str = "family_name";
    pub const BIRTHDATE: &str = "birthdate";
    pub const GENDER: &str = "gender";
    pub const BIRTHPLACE: &str = "birthplace";
    pub const BIRTHCOUNTRY: &str = "birthcountry";
    pub const NATIONALITY: &str = "nationality";
    pub const DOCUMENT_EXPIRY: &str = "document_expiry";
    /// Every civil-status claim the credential can carry.
    pub const ALL: [&str; 8] = [
        GIVEN_NAME,
        FAMILY_NAME,
        BIRTHDATE,
        GENDER,
        BIRTHPLACE,
        BIRTHCOUNTRY,
        NATIONALITY,
        DOCUMENT_EXPIRY,
    ];
}

/// Why the chip's data could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("{field} is not a valid date")]
    InvalidDate { field: &'static str },
    #[error("the document gives no family name")]
    NoFamilyName,
}

/// The DG11 ("additional personal details", Doc 9303-10 §4.7.11) fields we use, as
/// the chip gives them.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Dg11Fields {
    /// Tag 5F0E, full name in MRZ form: `PRIMARY<<SECONDARY<NAMES` (not truncated,
    /// and possibly with national characters).
    pub full_name: Option<String>,
    /// Tag 5F11, place of birth: components separated by '<'.
    pub place_of_birth: Option<String>,
    /// Tag 5F2B, full date of birth `YYYYMMDD`.
    pub full_date_of_birth: Option<String>,
}

impl fmt::Debug for Dg11Fields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Dg11Fields(..)")
    }
}

/// `gender`, as OpenID Connect and FranceConnect spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    /// The document says "unspecified" (`X` or `<`).
    Unspecified,
}

impl Gender {
    pub fn as_claim(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Unspecified => "unspecified",
        }
    }
}

/// The citizen's civil status as the credential states it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct CivilStatus {
    /// Given names separated by spaces, as printed (upper case in the MRZ); empty
    /// when the document has none.
    pub given_name: String,
    pub family_name: String,
    #[zeroize(skip)]
    pub birthdate: BirthDate,
    #[zeroize(skip)]
    pub gender: Gender,
    /// INSEE commune code when born in France and known, "" when born abroad
    /// (FranceConnect's convention), `None` when it cannot be told.
    pub birthplace: Option<String>,
    /// INSEE COG code: "99100" for France, "99xxx" abroad; `None` when unknown.
    pub birthcountry: Option<String>,
    /// ISO 3166-1 alpha-3; `None` for stateless persons, refugees, organisations.
    pub nationality: Option<String>,
    #[zeroize(skip)]
    pub document_expiry: Date,
}

impl fmt::Debug for CivilStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CivilStatus(..)")
    }
}

/// `PRIMARY<<SECONDARY<NAMES` to (primary, secondary), fillers as spaces.
fn split_name(field: &str) -> (String, String) {
    let clean = |s: &str| {
        s.split(['<', ' '])
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match field.split_once("<<") {
        Some((primary, secondary)) => (clean(primary), clean(secondary)),
        None => (clean(field), String::new()),
    }
}

impl CivilStatus {
    /// Maps a document's data. `today` decides the MRZ centuries; `communes`, when
    /// given, turns a French place of birth into its INSEE code.
    pub fn from_document(
        mrz: &Mrz,
        dg11: Option<&Dg11Fields>,
        today: Date,
        communes: Option<&dyn CommuneDirectory>,
    ) -> Result<Self, AttributeError> {
        let dg11_name = dg11
            .and_then(|d| d.full_name.as_deref())
            .map(split_name)
            .filter(|(primary, _)| !primary.is_empty());
        let (family_name, given_name) = match dg11_name {
            Some(names) => names,
            None => (
                mrz.primary_identifier.clone(),
                mrz.secondary_identifier.clone(),
            ),
        };
        if family_name.trim().is_empty() {
            return Err(AttributeError::NoFamilyName);
        }
        let birthdate = match dg11.and_then(|d| d.full_date_of_birth.as_deref()) {
            Some(full) => dates::dg11_birth_date(full, today)?,
            None => dates::mrz_birth_date(&mrz.birth_date, today)?,
        };
        let document_expiry = dates::mrz_expiry_date(&mrz.expiry_date, today)?;
        let gender = match mrz.sex {
            Sex::Male => Gender::Male,
            Sex::Female => Gender::Female,
            Sex::Unspecified => Gender::Unspecified,
        };
        let place = dg11
            .and_then(|d| d.place_of_birth.as_deref())
            .map_or(BirthCountry::Unknown, birth_country);
        let birthplace = match &place {
            BirthCountry::Abroad { .. } => Some(String::new()),
            BirthCountry::France {
                commune,
                departement,
            } => communes
                .and_then(|c| c.commune_code(commune, departement.as_deref(), birthdate.year()))
                .filter(|code| is_commune_code(code)),
            BirthCountry::Unknown => None,
        };
        Ok(Self {
            given_name,
            family_name,
            birthdate,
            gender,
            birthplace,
            birthcountry: place.insee_code().map(str::to_owned),
            nationality: nationality::iso_alpha3(&mrz.nationality).map(str::to_owned),
            document_expiry,
        })
    }

    /// The claims to issue, every one selectively disclosable. Claims the document
    /// does not support are left out rather than guessed.
    pub fn claims(&self) -> Vec<(String, Value)> {
        let mut out = vec![
            (claim::GIVEN_NAME, Value::from(self.given_name.clone())),
            (claim::FAMILY_NAME, Value::from(self.family_name.clone())),
            (claim::BIRTHDATE, Value::from(self.birthdate.to_claim())),
            (claim::GENDER, Value::from(self.gender.as_claim())),
            (
                claim::DOCUMENT_EXPIRY,
                Value::from(iso_date(self.document_expiry)),
            ),
        ];
        for (name, value) in [
            (claim::BIRTHPLACE, &self.birthplace),
            (claim::BIRTHCOUNTRY, &self.birthcountry),
            (claim::NATIONALITY, &self.nationality),
        ] {
            if let Some(v) = value {
                out.push((name, Value::from(v.clone())));
            }
        }
        out.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// The credential's `exp`: the end (23:59:59 UTC) of the document's last day.
    pub fn expires_at(&self) -> i64 {
        self.document_expiry
            .with_hms(23, 59, 59)
            .map_or(0, |dt| dt.assume_utc().unix_timestamp())
    }

    /// Whether the document has expired by `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.document_expiry < today
    }
}

/// An INSEE commune code: five characters, digits or 2A/2B for Corsica.
fn is_commune_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && (b.iter().all(u8::is_ascii_digit)
            || (code.starts_with("2A") || code.starts_with("2B"))
                && b.get(2..).is_some_and(|r| r.iter().all(u8::is_ascii_digit)))
}

#[cfg(test)]
mod tests;
