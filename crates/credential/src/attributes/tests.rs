use super::*;

fn today() -> Date {
    Date::from_calendar_date(2026, time::Month::March, 15).unwrap()
}

/// Doc 9303-4's TD3 specimen (Utopia), with the nationality changed per test.
fn td3(nationality: &str, sex: char, birth: &str, expiry: &str) -> Mrz {
    use alicem_emrtd::mrz::check_digit;
    let cd = |s: &str| char::from(b'0' + check_digit(s));
    let number = "L898902C3";
    let optional = "ZE184226B<<<<<";
    let line2_head = format!(
        "{number}{}{nationality}{birth}{}{sex}{expiry}{}{optional}{}",
        cd(number),
        cd(birth),
        cd(expiry),
        cd(optional)
    );
    let composite = format!(
        "{}{}{}",
        &line2_head[0..10],
        &line2_head[13..20],
        &line2_head[21..43]
    );
    let line2 = format!("{line2_head}{}", cd(&composite));
    let line1 = format!("P<UTO{:<<39}", "ERIKSSON<<ANNA<MARIA");
    Mrz::parse(&format!("{line1}\n{line2}")).unwrap()
}

struct Directory;

impl CommuneDirectory for Directory {
    fn commune_code(&self, commune: &str, departement: Option<&str>, _: i32) -> Option<String> {
        match (commune, departement) {
            ("LYON", Some("69")) => Some("69123".into()),
            ("BOGUS", _) => Some("PARIS".into()),
            _ => None,
        }
    }
}

#[test]
fn maps_the_mrz_alone() {
    let mrz = td3("FRA", 'F', "740812", "310415");
    let cs = CivilStatus::from_document(&mrz, None, today(), None).unwrap();
    assert_eq!(cs.family_name, "ERIKSSON");
    assert_eq!(cs.given_name, "ANNA MARIA");
    assert_eq!(cs.birthdate.to_claim(), "1974-08-12");
    assert_eq!(cs.gender, Gender::Female);
    assert_eq!(cs.nationality.as_deref(), Some("FRA"));
    assert_eq!(iso_date(cs.document_expiry), "2031-04-15");
    // Without DG11 the document does not say where its holder was born.
    assert_eq!(
        (cs.birthplace.as_deref(), cs.birthcountry.as_deref()),
        (None, None)
    );
    let names: Vec<String> = cs.claims().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        names,
        [
            "given_name",
            "family_name",
            "birthdate",
            "gender",
            "document_expiry",
            "nationality"
        ]
    );
}

#[test]
fn dg11_gives_full_names_century_and_place_of_birth() {
    let mrz = td3("D<<", 'M', "250101", "300101");
    let dg11 = Dg11Fields {
        full_name: Some("ERIKSSON-LÖFGREN<<ANNA<MARIA<KRISTINA".into()),
        place_of_birth: Some("MÜNCHEN<DEUTSCHLAND".into()),
        full_date_of_birth: Some("19250101".into()),
    };
    let cs = CivilStatus::from_document(&mrz, Some(&dg11), today(), None).unwrap();
    assert_eq!(cs.family_name, "ERIKSSON-LÖFGREN");
    assert_eq!(cs.given_name, "ANNA MARIA KRISTINA");
    assert_eq!(cs.birthdate.to_claim(), "1925-01-01");
    assert_eq!(cs.nationality.as_deref(), Some("DEU"));
    assert_eq!(cs.birthcountry.as_deref(), Some("99109"));
    // Born abroad: FranceConnect's empty birthplace.
    assert_eq!(cs.birthplace.as_deref(), Some(""));
    assert_eq!(cs.gender.as_claim(), "male");
}

#[test]
fn born_in_france_gets_99100_and_a_commune_code_only_when_certain() {
    let mrz = td3("FRA", 'F', "900714", "310415");
    let dg11 = |place: &str| Dg11Fields {
        full_name: None,
        place_of_birth: Some(place.into()),
        full_date_of_birth: None,
    };
    let lyon = dg11("LYON (69)");
    let cs = CivilStatus::from_document(&mrz, Some(&lyon), today(), Some(&Directory)).unwrap();
    assert_eq!(cs.birthcountry.as_deref(), Some("99100"));
    assert_eq!(cs.birthplace.as_deref(), Some("69123"));
    // Without a directory, or a directory that does not know: no birthplace claim.
    let cs = CivilStatus::from_document(&mrz, Some(&lyon), today(), None).unwrap();
    assert_eq!(
        (cs.birthcountry.as_deref(), cs.birthplace.as_deref()),
        (Some("99100"), None)
    );
    let nice = dg11("NICE (06)");
    let cs = CivilStatus::from_document(&mrz, Some(&nice), today(), Some(&Directory)).unwrap();
    assert_eq!(cs.birthplace, None);
    // A directory answer that is not a commune code is not used.
    let bogus = dg11("BOGUS<FRANCE");
    let cs = CivilStatus::from_document(&mrz, Some(&bogus), today(), Some(&Directory)).unwrap();
    assert_eq!(cs.birthplace, None);
}

#[test]
fn nationality_is_never_used_as_birth_country() {
    let mrz = td3("FRA", 'F', "900714", "310415");
    let dg11 = Dg11Fields {
        full_name: None,
        place_of_birth: Some("ANYTOWN".into()),
        full_date_of_birth: None,
    };
    let cs = CivilStatus::from_document(&mrz, Some(&dg11), today(), None).unwrap();
    assert_eq!(cs.birthcountry, None);
    assert_eq!(cs.birthplace, None);
}

#[test]
fn unspecified_sex_and_stateless_holders() {
    let mrz = td3("XXA", '<', "900714", "310415");
    let cs = CivilStatus::from_document(&mrz, None, today(), None).unwrap();
    assert_eq!(cs.gender.as_claim(), "unspecified");
    assert_eq!(cs.nationality, None);
    assert!(!cs.claims().iter().any(|(k, _)| k == "nationality"));
    let mrz = td3("GBD", 'X', "900714", "310415");
    let cs = CivilStatus::from_document(&mrz, None, today(), None).unwrap();
    assert_eq!(cs.nationality.as_deref(), Some("GBR"));
    assert_eq!(cs.gender, Gender::Unspecified);
}

#[test]
fn expiry_is_the_end_of_the_documents_last_day() {
    let mrz = td3("FRA", 'F', "900714", "310415");
    let cs = CivilStatus::from_document(&mrz, None, today(), None).unwrap();
    // 2031-04-15T23:59:59Z
    assert_eq!(cs.expires_at(), 1_934_063_999);
    assert!(!cs.is_expired(today()));
    let expired = td3("FRA", 'F', "900714", "240101");
    let cs = CivilStatus::from_document(&expired, None, today(), None).unwrap();
    assert!(cs.is_expired(today()));
}

#[test]
fn refuses_an_invalid_dg11_date_rather_than_guessing() {
    let mrz = td3("FRA", 'F', "900714", "310415");
    let dg11 = Dg11Fields {
        full_name: None,
        place_of_birth: None,
        full_date_of_birth: Some("19901399".into()),
    };
    assert_eq!(
        CivilStatus::from_document(&mrz, Some(&dg11), today(), None).unwrap_err(),
        AttributeError::InvalidDate {
            field: "DG11 full date of birth"
        }
    );
}

#[test]
fn debug_hides_civil_status() {
    let mrz = td3("FRA", 'F', "900714", "310415");
    let cs = CivilStatus::from_document(&mrz, None, today(), None).unwrap();
    assert_eq!(format!("{cs:?}"), "CivilStatus(..)");
}
