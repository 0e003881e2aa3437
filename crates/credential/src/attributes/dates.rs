//! MRZ dates (YYMMDD) to calendar dates, with the century rules of `docs/attributes.md`.

use time::{Date, Month};

use super::AttributeError;

/// A date of birth: a full date, or only the year when the document leaves the month
/// or day unknown (printed `<<` in the MRZ, `00` in DG11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDate {
    Full(Date),
    YearOnly(i32),
}

impl BirthDate {
    /// OpenID Connect `birthdate`: `YYYY-MM-DD`, or `YYYY` when only the year is known
    /// (OIDC Core §5.1 allows the year alone; it has no year-month form).
    pub fn to_claim(self) -> String {
        match self {
            BirthDate::Full(d) => iso_date(d),
            BirthDate::YearOnly(y) => format!("{y:04}"),
        }
    }

    pub fn year(self) -> i32 {
        match self {
            BirthDate::Full(d) => d.year(),
            BirthDate::YearOnly(y) => y,
        }
    }
}

/// `YYYY-MM-DD`.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn two_digits(s: &str, at: usize) -> Option<u8> {
    let b = s.as_bytes();
    match (b.get(at), b.get(at + 1)) {
        (Some(h @ b'0'..=b'9'), Some(l @ b'0'..=b'9')) => Some((h - b'0') * 10 + (l - b'0')),
        _ => None,
    }
}

fn date(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// A birth date from the MRZ. The century is the most recent one that does not put the
/// date after `today` ("260316" read on 2026-03-15 is 1926-03-16, "260315" is
/// 2026-03-15). Only people aged 100 or more are misread; DG11's full date fixes that.
pub fn mrz_birth_date(yymmdd: &str, today: Date) -> Result<BirthDate, AttributeError> {
    let invalid = || AttributeError::InvalidDate {
        field: "MRZ date of birth",
    };
    let yy = two_digits(yymmdd, 0).ok_or_else(invalid)?;
    if yymmdd.len() != 6 {
        return Err(invalid());
    }
    let month = two_digits(yymmdd, 2);
    let day = two_digits(yymmdd, 4);
    let century_base = today.year() - today.year().rem_euclid(100);
    let candidates = [
        century_base + i32::from(yy),
        century_base - 100 + i32::from(yy),
    ];
    match (month, day) {
        (Some(m), Some(d)) => {
            for year in candidates {
                let full = date(year, m, d).ok_or_else(invalid)?;
                if full <= today {
                    return Ok(BirthDate::Full(full));
                }
            }
            Err(invalid())
        }
        // "<<" for an unknown month or day (the MRZ parser only lets fillers through
        // in those places).
        _ => {
            if let Some(m) = month
                && !(1..=12).contains(&m)
            {
                return Err(invalid());
            }
            candidates
                .into_iter()
                .find(|y| *y <= today.year())
                .map(BirthDate::YearOnly)
                .ok_or_else(invalid)
        }
    }
}

/// A DG11 full date of birth, `YYYYMMDD` (Doc 9303-10, tag 5F2B). `00` for the month
/// or day means unknown. The date must not be after `today`.
pub fn dg11_birth_date(yyyymmdd: &str, today: Date) -> Result<BirthDate, AttributeError> {
    let invalid = || AttributeError::InvalidDate {
        field: "DG11 full date of birth",
    };
    let text = yyyymmdd.trim();
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let year = i32::from(two_digits(text, 0).ok_or_else(invalid)?) * 100
        + i32::from(two_digits(text, 2).ok_or_else(invalid)?);
    let month = two_digits(text, 4).ok_or_else(invalid)?;
    let day = two_digits(text, 6).ok_or_else(invalid)?;
    let birth = if month == 0 || day == 0 {
        if month > 12 {
            return Err(invalid());
        }
        BirthDate::YearOnly(year)
    } else {
        BirthDate::Full(date(year, month, day).ok_or_else(invalid)?)
    };
    let in_future = match birth {
        BirthDate::Full(d) => d > today,
        BirthDate::YearOnly(y) => y > today.year(),
    };
    if in_future || year < 1850 {
        return Err(invalid());
    }
    Ok(birth)
}

/// An expiry date from the MRZ. Documents are valid for at most a few decades, so the
/// century is the one that puts the date within 50 years of `today`, either side:
/// [today − 50 years, today + 50 years).
pub fn mrz_expiry_date(yymmdd: &str, today: Date) -> Result<Date, AttributeError> {
    let invalid = || AttributeError::InvalidDate {
        field: "MRZ date of expiry",
    };
    if yymmdd.len() != 6 {
        return Err(invalid());
    }
    let yy = i32::from(two_digits(yymmdd, 0).ok_or_else(invalid)?);
    let month = two_digits(yymmdd, 2).ok_or_else(invalid)?;
    let day = two_digits(yymmdd, 4).ok_or_else(invalid)?;
    let century_base = today.year() - today.year().rem_euclid(100);
    let year = [century_base - 100, century_base, century_base + 100]
        .into_iter()
        .map(|c| c + yy)
        .find(|y| (today.year() - 50..today.year() + 50).contains(y))
        .ok_or_else(invalid)?;
    date(year, month, day).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        date(y, m, day).unwrap()
    }

    #[test]
    fn birth_dates_are_never_in_the_future() {
        let today = d(2026, 3, 15);
        assert_eq!(
            mrz_birth_date("900714", today),
            Ok(BirthDate::Full(d(1990, 7, 14)))
        );
        assert_eq!(
            mrz_birth_date("050101", today),
            Ok(BirthDate::Full(d(2005, 1, 1)))
        );
        // The same two digits as this year: before today → this century, after → last.
        assert_eq!(
            mrz_birth_date("260315", today),
            Ok(BirthDate::Full(d(2026, 3, 15)))
        );
        assert_eq!(
            mrz_birth_date("260316", today),
            Ok(BirthDate::Full(d(1926, 3, 16)))
        );
        assert_eq!(
            mrz_birth_date("300101", today),
            Ok(BirthDate::Full(d(1930, 1, 1)))
        );
    }

    #[test]
    fn birth_dates_with_unknown_month_or_day_keep_the_year() {
        let today = d(2026, 3, 15);
        assert_eq!(
            mrz_birth_date("85<<<<", today),
            Ok(BirthDate::YearOnly(1985))
        );
        assert_eq!(
            mrz_birth_date("8506<<", today),
            Ok(BirthDate::YearOnly(1985))
        );
        assert_eq!(
            mrz_birth_date("26<<<<", today),
            Ok(BirthDate::YearOnly(2026))
        );
        assert_eq!(BirthDate::YearOnly(1985).to_claim(), "1985");
    }

    #[test]
    fn rejects_impossible_dates() {
        let today = d(2026, 3, 15);
        for bad in ["900230", "901301", "9007", "ab0101", "000000"] {
            assert!(mrz_birth_date(bad, today).is_err(), "{bad}");
        }
        assert!(mrz_birth_date("000229", today).is_ok()); // 2000 was a leap year
        assert!(mrz_birth_date("010229", today).is_err());
        assert!(mrz_expiry_date("270230", today).is_err());
    }

    #[test]
    fn expiry_dates_fall_within_fifty_years_of_today() {
        let today = d(2026, 3, 15);
        assert_eq!(mrz_expiry_date("310501", today), Ok(d(2031, 5, 1)));
        assert_eq!(mrz_expiry_date("240101", today), Ok(d(2024, 1, 1))); // expired
        assert_eq!(mrz_expiry_date("751231", today), Ok(d(2075, 12, 31)));
        assert_eq!(mrz_expiry_date("761231", today), Ok(d(1976, 12, 31)));
        // Near a century boundary.
        assert_eq!(mrz_expiry_date("050101", d(2098, 6, 1)), Ok(d(2105, 1, 1)));
    }

    #[test]
    fn dg11_full_dates_resolve_the_century() {
        let today = d(2026, 3, 15);
        assert_eq!(
            dg11_birth_date("19250101", today),
            Ok(BirthDate::Full(d(1925, 1, 1)))
        );
        assert_eq!(
            dg11_birth_date("19850000", today),
            Ok(BirthDate::YearOnly(1985))
        );
        assert_eq!(
            dg11_birth_date("19850600", today),
            Ok(BirthDate::YearOnly(1985))
        );
        for bad in ["2030010", "20300101", "19851301", "1985-01-01", "18000101"] {
            assert!(dg11_birth_date(bad, today).is_err(), "{bad}");
        }
    }
}
