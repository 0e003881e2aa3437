use super::*;
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!(
        "../../testdata/icao/icao9303-3-4-5-6_mrz_check_digits.json"
    ))
    .unwrap()
}

#[test]
fn computes_icao_check_digit_examples() {
    for case in vectors()["check_digit_cases"].as_array().unwrap() {
        let data = case["data"].as_str().unwrap();
        let expected = case["check_digit"].as_u64().unwrap() as u8;
        assert_eq!(check_digit(data), expected, "{data}");
    }
}

#[test]
fn parses_every_icao_specimen_and_derives_its_mrz_information() {
    for doc in vectors()["documents"].as_array().unwrap() {
        let lines: Vec<&str> = doc["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        let mrz = Mrz::parse(&lines.join("\n")).unwrap_or_else(|e| panic!("{lines:?}: {e}"));
        let fields = &doc["fields"];
        let expected_format = match doc["type"].as_str().unwrap() {
            "TD1" => MrzFormat::Td1,
            "TD2" => MrzFormat::Td2,
            _ => MrzFormat::Td3,
        };
        assert_eq!(mrz.format, expected_format);
        assert_eq!(mrz.issuing_state, fields["issuing_state"].as_str().unwrap());
        assert_eq!(
            mrz.document_number,
            fields["document_number"]
                .as_str()
                .unwrap()
                .trim_end_matches('<')
        );
        assert_eq!(mrz.birth_date, fields["date_of_birth"].as_str().unwrap());
        assert_eq!(mrz.expiry_date, fields["date_of_expiry"].as_str().unwrap());
        assert_eq!(mrz.nationality, fields["nationality"].as_str().unwrap());
        assert_eq!(
            mrz.sex.code().to_string(),
            fields["sex"].as_str().unwrap().replace('X', "<")
        );
        assert_eq!(
            mrz.info().key_seed_input().as_str(),
            doc["bac_mrz_information"].as_str().unwrap()
        );
    }
}

#[test]
fn splits_names_into_primary_and_secondary_identifiers() {
    let mrz = Mrz::parse(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
    )
    .unwrap();
    assert_eq!(mrz.primary_identifier, "ERIKSSON");
    assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
    assert_eq!(mrz.document_code, "P");
    assert_eq!(mrz.optional_data, "ZE184226B");
}

#[test]
fn accepts_lines_separated_by_spaces_and_lower_case() {
    let mrz = Mrz::parse(
        "i<utod231458907<<<<<<<<<<<<<<< 7408122F1204159UTO<<<<<<<<<<<6 ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    )
    .unwrap();
    assert_eq!(mrz.format, MrzFormat::Td1);
    assert_eq!(mrz.document_number, "D23145890");
}

#[test]
fn reads_extended_document_number_from_td1_optional_data() {
    let mrz = Mrz::parse(
        "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<",
    )
    .unwrap();
    assert_eq!(mrz.document_number, "D23145890734");
    assert_eq!(mrz.optional_data, "");
}

#[test]
fn rejects_wrong_document_number_check_digit_naming_expected_digit() {
    let err = Mrz::parse(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C35UTO7408122F1204159ZE184226B<<<<<10",
    )
    .unwrap_err();
    assert_eq!(
        err,
        MrzError::CheckDigit {
            field: MrzField::DocumentNumber,
            found: '5',
            expected: '6'
        }
    );
    assert_eq!(
        err.to_string(),
        "document number check digit is '5', expected '6'"
    );
}

#[test]
fn rejects_wrong_composite_check_digit() {
    let err = Mrz::parse(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<11",
    )
    .unwrap_err();
    assert!(matches!(
        err,
        MrzError::CheckDigit {
            field: MrzField::Composite,
            expected: '0',
            ..
        }
    ));
}

#[test]
fn rejects_unknown_layout_and_bad_characters() {
    assert!(matches!(Mrz::parse("ABC"), Err(MrzError::UnknownLayout(_))));
    let err = Mrz::parse(
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1-",
    )
    .unwrap_err();
    assert_eq!(
        err,
        MrzError::InvalidCharacter {
            line: 2,
            position: 44,
            character: '-'
        }
    );
}

#[test]
fn rejects_impossible_dates() {
    assert!(matches!(
        MrzInfo::new("L898902C", "691306", "940623"),
        Err(MrzError::InvalidDate {
            field: MrzField::BirthDate,
            ..
        })
    ));
}

#[test]
fn pads_short_document_numbers_in_mrz_information() {
    let info = MrzInfo::new("L898902C", "690806", "940623").unwrap();
    assert_eq!(info.key_seed_input().as_str(), "L898902C<369080619406236");
}

#[test]
fn accepts_only_six_digit_cans() {
    assert!(Can::new("123456").is_ok());
    assert_eq!(Can::new("12345"), Err(MrzError::InvalidCan));
    assert_eq!(Can::new("12345a"), Err(MrzError::InvalidCan));
}

#[test]
fn never_shows_secrets_in_debug_output() {
    let info = MrzInfo::new("L898902C", "690806", "940623").unwrap();
    assert_eq!(format!("{info:?}"), "MrzInfo(..)");
    assert_eq!(format!("{:?}", Can::new("123456").unwrap()), "Can(..)");
}
