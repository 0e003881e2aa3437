//! ICAO nationality codes (Doc 9303-3 §5) to ISO 3166-1 alpha-3.

use super::countries;

/// Nationality as an ISO 3166-1 alpha-3 code, from the three-character ICAO code of
/// the MRZ (fillers included, e.g. "D<<"). `None` when the code names no nationality:
/// stateless persons and refugees (XXA, XXB, XXC), unspecified (XXX), international
/// organisations (UNO, UNA, UNK, EUE, XOM, XPO, XCC, XES, XMP, XBA, XIM, XCE, XDC,
/// XEC, XCO…) and anything unknown. See `docs/attributes.md`.
pub fn iso_alpha3(icao: &str) -> Option<&'static str> {
    let code = icao.trim_end_matches('<');
    let mapped = match code {
        // Germany uses "D" in the MRZ.
        "D" => "DEU",
        // British citizens of a category other than full British citizen: their
        // nationality is British; the category is lost in ISO 3166.
        "GBD" | "GBN" | "GBO" | "GBP" | "GBS" => "GBR",
        // Kosovo: ICAO "RKS"; ISO has no code, "XKX" is the one the EU uses.
        "RKS" => "XKX",
        "FRA" => return Some("FRA"),
        other => other,
    };
    countries::by_alpha3(mapped).map(|c| c.alpha3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_icao_codes_to_iso_alpha3() {
        assert_eq!(iso_alpha3("FRA"), Some("FRA"));
        assert_eq!(iso_alpha3("D<<"), Some("DEU"));
        assert_eq!(iso_alpha3("DEU"), Some("DEU"));
        assert_eq!(iso_alpha3("GBD"), Some("GBR"));
        assert_eq!(iso_alpha3("GBR"), Some("GBR"));
        assert_eq!(iso_alpha3("RKS"), Some("XKX"));
        assert_eq!(iso_alpha3("UTO"), None); // Utopia, Doc 9303's specimen state
    }

    #[test]
    fn stateless_refugees_and_organisations_have_no_nationality() {
        for code in [
            "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK", "EUE", "XOM", "XPO",
        ] {
            assert_eq!(iso_alpha3(code), None, "{code}");
        }
    }
}
