//! Distinguished names compared by meaning, not by encoding: issuers write the same name
//! with RDNs in another order, other string types, other case or spacing (a SignerInfo
//! naming its DSC's issuer "C=es,O=…" while the certificate says "O=…,C=ES").

use der::Tag;
use der::Tagged;
use x509_cert::name::Name;

/// The text of an attribute value of any directory string type.
pub fn value_text(value: &der::Any) -> String {
    let bytes = value.value();
    match value.tag() {
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
        // Teletex strings are in practice Latin-1.
        Tag::TeletexString => bytes.iter().map(|b| char::from(*b)).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// The name's attributes as sorted (type, normalised value) pairs.
fn canonical(name: &Name) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = name
        .iter()
        .map(|atv| (atv.oid.to_string(), normalise(&value_text(&atv.value))))
        .collect();
    pairs.sort();
    pairs
}

const fn oid(text: &str) -> const_oid::ObjectIdentifier {
    const_oid::ObjectIdentifier::new_unwrap(text)
}

/// The short names of the attribute types found in eMRTD PKIs.
const SHORT_NAMES: &[(const_oid::ObjectIdentifier, &str)] = &[
    (oid("2.5.4.3"), "CN"),
    (oid("2.5.4.6"), "C"),
    (oid("2.5.4.10"), "O"),
    (oid("2.5.4.11"), "OU"),
    (oid("2.5.4.5"), "SERIALNUMBER"),
    (oid("2.5.4.7"), "L"),
    (oid("2.5.4.8"), "ST"),
    (oid("2.5.4.4"), "SN"),
    (oid("2.5.4.9"), "STREET"),
    (oid("2.5.4.12"), "TITLE"),
    (oid("2.5.4.42"), "GN"),
    (oid("2.5.4.97"), "ORGANIZATIONIDENTIFIER"),
    (oid("1.2.840.113549.1.9.1"), "EMAILADDRESS"),
    (oid("0.9.2342.19200300.100.1.25"), "DC"),
];

fn short_name(oid: &const_oid::ObjectIdentifier) -> Option<&'static str> {
    SHORT_NAMES
        .iter()
        .find(|(o, _)| o == oid)
        .map(|(_, name)| *name)
}

/// The name as an RFC 4514 string ("CN=CSCA SPAIN,O=…,C=ES"). Faster than the
/// generic `Display`, which searches the whole OID database for every attribute.
pub fn display(name: &Name) -> String {
    let mut out = String::new();
    let rdns: Vec<_> = name.iter_rdn().collect();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            match short_name(&atv.oid) {
                Some(short) => out.push_str(short),
                None => out.push_str(&atv.oid.to_string()),
            }
            out.push('=');
            for c in value_text(&atv.value).chars() {
                if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

/// Whether two names designate the same entity.
pub fn same_name(a: &Name, b: &Name) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// The country attribute (C), upper-cased.
pub fn country(name: &Name) -> Option<String> {
    const COUNTRY: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("2.5.4.6");
    name.iter()
        .find(|atv| atv.oid == COUNTRY)
        .map(|atv| value_text(&atv.value).trim().to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn names_in_another_rdn_order_and_case_are_the_same() {
        let a = Name::from_str("CN=CSCA Spain,O=Direccion General de la Policia,C=ES").unwrap();
        let b = Name::from_str("C=es,O=DIRECCION  GENERAL DE LA POLICIA,CN=csca spain").unwrap();
        assert!(same_name(&a, &b));
        let c = Name::from_str("C=ES,CN=CSCA Portugal").unwrap();
        assert!(!same_name(&a, &c));
        assert_eq!(country(&b).as_deref(), Some("ES"));
        assert_eq!(display(&a), a.to_string());
    }
}
