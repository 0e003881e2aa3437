//! Place of birth (DG11, Doc 9303-10 tag 5F11) to FranceConnect's `birthcountry` and
//! `birthplace`.

use super::countries::{self, FRANCE_INSEE};

/// Where a place of birth is, as far as its text says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BirthCountry {
    /// In France; `departement` when the text gives one (e.g. "PARIS (75)").
    France {
        commune: String,
        departement: Option<String>,
    },
    /// Abroad, in the country of this INSEE code.
    Abroad { insee: &'static str },
    /// The text names no country we recognise.
    Unknown,
}

impl BirthCountry {
    /// FranceConnect `birthcountry`.
    pub fn insee_code(&self) -> Option<&'static str> {
        match self {
            BirthCountry::France { .. } => Some(FRANCE_INSEE),
            BirthCountry::Abroad { insee } => Some(insee),
            BirthCountry::Unknown => None,
        }
    }
}

/// Finds the INSEE code of a French commune from its name. The credential crate ships
/// no commune table (35,000 communes, renamed and merged every year, and a name alone
/// is ambiguous); a server that has the COG can provide one. Return `None` unless the
/// answer is certain: a missing `birthplace` is better than a wrong one.
pub trait CommuneDirectory {
    fn commune_code(
        &self,
        commune: &str,
        departement: Option<&str>,
        birth_year: i32,
    ) -> Option<String>;
}

/// Upper-case ASCII, accents removed, every run of other characters a single space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_uppercase) {
        let folded = fold(c);
        for f in folded.chars() {
            if f.is_ascii_alphanumeric() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(f);
            } else {
                space = true;
            }
        }
    }
    out
}

/// Latin letters with diacritics to their base letter (upper case).
fn fold(c: char) -> String {
    let base = match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'Æ' => "AE",
        'Ç' | 'Ć' | 'Č' | 'Ĉ' | 'Ċ' => "C",
        'Ď' | 'Đ' | 'Ð' => "D",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'Ğ' | 'Ģ' | 'Ĝ' | 'Ġ' => "G",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => "I",
        'Ķ' => "K",
        'Ł' | 'Ľ' | 'Ļ' | 'Ĺ' => "L",
        'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'Œ' => "OE",
        'Ŕ' | 'Ř' => "R",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ß' => "SS",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'Ý' | 'Ÿ' => "Y",
        'Ź' | 'Ž' | 'Ż' => "Z",
        'Þ' => "TH",
        other => return other.to_string(),
    };
    base.to_string()
}

/// Names that mean France, or a French overseas territory (born there = born in
/// France for INSEE).
const FRANCE_NAMES: &[&str] = &[
    "FRANCE",
    "FRA",
    "FRANCE METROPOLITAINE",
    "GUADELOUPE",
    "MARTINIQUE",
    "GUYANE",
    "GUYANE FRANCAISE",
    "REUNION",
    "LA REUNION",
    "MAYOTTE",
    "SAINT PIERRE ET MIQUELON",
    "NOUVELLE CALEDONIE",
    "POLYNESIE FRANCAISE",
    "WALLIS ET FUTUNA",
    "SAINT BARTHELEMY",
];

/// A French département code: 01–95 (with 2A, 2B, and 20 for Corsica before 1976) or
/// an overseas one (971–978, 986–988).
fn is_departement(code: &str) -> bool {
    match code.len() {
        2 => {
            code == "2A" || code == "2B" || code.parse::<u8>().is_ok_and(|n| (1..=95).contains(&n))
        }
        3 => code
            .parse::<u16>()
            .is_ok_and(|n| (971..=978).contains(&n) || (986..=988).contains(&n)),
        _ => false,
    }
}

/// Reads a DG11 place of birth. Components are separated by '<' (Doc 9303), and in
/// practice also by ',' or given in parentheses ("PARIS (75)", "ALGER (ALGERIE)").
/// From the last component backwards, the first that is a French département code,
/// a name of France, a country name (French or English) or an ISO alpha-3 code
/// decides; what comes before it is the commune.
pub fn birth_country(place_of_birth: &str) -> BirthCountry {
    let components: Vec<String> = place_of_birth
        .split(['<', ',', '(', ')', '/'])
        .map(normalize)
        .filter(|c| !c.is_empty())
        .collect();
    for (i, component) in components.iter().enumerate().rev() {
        let commune = || components.get(..i).map(|c| c.join(" ")).unwrap_or_default();
        if is_departement(component) {
            return BirthCountry::France {
                commune: commune(),
                departement: Some(component.clone()),
            };
        }
        if FRANCE_NAMES.contains(&component.as_str()) {
            return BirthCountry::France {
                commune: commune(),
                departement: None,
            };
        }
        // A lone three-letter word is more likely a town ("GAP") than a code.
        let by_code = (component.len() == 3 && i > 0)
            .then(|| countries::by_alpha3(component))
            .flatten();
        if let Some(country) = by_code.or_else(|| countries::by_name(component)) {
            return BirthCountry::Abroad {
                insee: country.insee,
            };
        }
    }
    BirthCountry::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_accents_case_and_punctuation() {
        assert_eq!(normalize("  Côte-d'Ivoire "), "COTE D IVOIRE");
        assert_eq!(normalize("SAINT-ÉTIENNE"), "SAINT ETIENNE");
        assert_eq!(normalize("Straße"), "STRASSE");
    }

    #[test]
    fn recognises_births_in_france() {
        assert_eq!(
            birth_country("PARIS (75)"),
            BirthCountry::France {
                commune: "PARIS".into(),
                departement: Some("75".into())
            }
        );
        assert_eq!(
            birth_country("LYON<FRANCE"),
            BirthCountry::France {
                commune: "LYON".into(),
                departement: None
            }
        );
        assert_eq!(birth_country("AJACCIO (2A)").insee_code(), Some("99100"));
        assert_eq!(
            birth_country("POINTE-A-PITRE (971)").insee_code(),
            Some("99100")
        );
        assert_eq!(
            birth_country("SAINT-DENIS, LA RÉUNION").insee_code(),
            Some("99100")
        );
    }

    #[test]
    fn recognises_births_abroad_by_name_or_code() {
        assert_eq!(birth_country("ALGER (ALGÉRIE)").insee_code(), Some("99352"));
        assert_eq!(birth_country("BERLIN<DEU").insee_code(), Some("99109"));
        assert_eq!(
            birth_country("München, Germany").insee_code(),
            Some("99109")
        );
        assert_eq!(
            birth_country("ABIDJAN<COTE D'IVOIRE").insee_code(),
            Some("99326")
        );
        assert_eq!(birth_country("NEW YORK, USA").insee_code(), Some("99404"));
    }

    #[test]
    fn a_bare_city_names_no_country() {
        assert_eq!(birth_country("ANYTOWN"), BirthCountry::Unknown);
        assert_eq!(birth_country("GAP"), BirthCountry::Unknown);
        assert_eq!(birth_country(""), BirthCountry::Unknown);
        // A département-like number beyond the range is not one.
        assert_eq!(birth_country("SOMEWHERE (99)"), BirthCountry::Unknown);
    }

    #[test]
    fn the_country_table_is_consistent() {
        let mut codes = std::collections::BTreeSet::new();
        for c in countries::COUNTRIES {
            assert!(codes.insert(c.alpha3), "{} twice", c.alpha3);
            assert!(c.insee.len() == 5 && c.insee.starts_with("99") && c.insee != FRANCE_INSEE);
            for n in c.names {
                assert_eq!(&normalize(n), n, "{n} is not normalized");
                assert!(!FRANCE_NAMES.contains(n));
            }
        }
    }
}
