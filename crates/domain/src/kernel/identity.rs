//! Swedish identity numbers (personnummer and samordningsnummer) and
//! organisation numbers.
//!
//! An [`IdentityNumber`] is personal data of the most sensitive kind we
//! handle, so the type is built to keep it out of logs: there is no `Display`,
//! `Debug` masks the serial and check digits, and no error message ever
//! contains the rejected input. Code that really needs the digits calls
//! [`IdentityNumber::as_str`] or [`IdentityNumber::formatted`], which makes
//! every disclosure explicit and greppable.
//!
//! Organisation numbers of legal persons are public, so
//! [`OrganisationNumber`] has an ordinary `Debug`.
//!
//! Everything here is pure: the current date is always passed in, so century
//! resolution and the "not born in the future" rule are deterministic in tests.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Luhn (mod 10) check digit over `nine_digits`, as used by personnummer,
/// samordningsnummer and organisation numbers.
///
/// The slice holds digit *values* (0–9), not ASCII characters. The digit just
/// left of the check digit gets weight 2, so the function works for any
/// length; Swedish numbers always pass nine digits. Values above 9 are a
/// caller bug: debug builds panic, release builds return an unspecified digit.
pub fn luhn_check_digit(nine_digits: &[u8]) -> u8 {
    let sum: u32 = nine_digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            debug_assert!(d <= 9, "luhn_check_digit takes digit values 0-9");
            let weighted = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            // A two-digit product counts as the sum of its digits.
            weighted / 10 + weighted % 10
        })
        .sum();
    // `% 10` is < 10, so the result always fits in a u8.
    ((10 - sum % 10) % 10) as u8
}

/// Converts `bytes` to digit values, or `None` if any byte is not an ASCII
/// digit or the length is not exactly `N`.
fn digit_values<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    if bytes.len() != N {
        return None;
    }
    let mut out = [0u8; N];
    for (o, &b) in out.iter_mut().zip(bytes) {
        if !b.is_ascii_digit() {
            return None;
        }
        *o = b - b'0';
    }
    Some(out)
}

fn two_digits(d: &[u8]) -> u32 {
    u32::from(d[0]) * 10 + u32::from(d[1])
}

// ---------------------------------------------------------------------------
// Identity numbers
// ---------------------------------------------------------------------------

/// Which kind of identity number this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// Issued by Skatteverket to people who are or have been folkbokförda.
    Personnummer,
    /// Issued to people who are not folkbokförda; the day of birth has 60
    /// added to it.
    Samordningsnummer,
}

/// Why an identity number was rejected.
///
/// Messages are English for the API and deliberately never contain the
/// input, since the input is (nearly) an identity number. The UI translates
/// by [`IdentityError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// Nothing but whitespace was given.
    #[error("identity number is empty")]
    Empty,
    /// Wrong length, a character other than a digit, a separator other than
    /// `-`/`+` or in the wrong place, or serial number `000` (never issued).
    #[error(
        "identity number must be 10 or 12 digits, optionally with - or + before the last four"
    )]
    Format,
    /// Month or day does not exist (including 29 February in a common year).
    #[error("identity number does not contain a valid date")]
    Date,
    /// The Luhn check digit does not match.
    #[error("identity number has an invalid check digit")]
    Checksum,
    /// The birth date is after the date the number was checked against.
    #[error("identity number's birth date is in the future")]
    Future,
}

impl IdentityError {
    /// Stable machine code; the UI translates by it and the API returns it.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityError::Empty => "empty",
            IdentityError::Format => "format",
            IdentityError::Date => "date",
            IdentityError::Checksum => "checksum",
            IdentityError::Future => "future",
        }
    }
}

/// A validated Swedish personnummer or samordningsnummer, stored canonically
/// as 12 digits `YYYYMMDDNNNC` (for samordningsnummer the day part stays
/// day+60, as issued).
///
/// Ordering is that of the canonical string, i.e. roughly by birth date.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentityNumber(String);

/// The separator of a spelling, which for 10-digit forms carries the century.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Separator {
    None,
    Minus,
    Plus,
}

/// An input split into its parts, before any date or checksum validation.
struct Spelling {
    /// The two century digits as a number (`19`, `20`), for 12-digit forms.
    century: Option<u32>,
    /// `YYMMDDNNNC` as digit values: exactly what the Luhn check covers.
    ten: [u8; 10],
    separator: Separator,
}

impl Spelling {
    /// Splits a trimmed, non-empty input. Accepts 12 or 10 digits with an
    /// optional `-` or `+` before the last four; everything else is `Format`.
    fn lex(s: &str) -> Result<Self, IdentityError> {
        let b = s.as_bytes();
        let (date, separator, serial) = match b.len() {
            12 | 10 => {
                let (date, serial) = b.split_at(b.len() - 4);
                (date, Separator::None, serial)
            }
            13 | 11 => {
                let (date, rest) = b.split_at(b.len() - 5);
                let separator = match rest[0] {
                    b'-' => Separator::Minus,
                    b'+' => Separator::Plus,
                    _ => return Err(IdentityError::Format),
                };
                (date, separator, &rest[1..])
            }
            _ => return Err(IdentityError::Format),
        };
        let (century, yymmdd) = match date.len() {
            8 => {
                let c: [u8; 2] = digit_values(&date[..2]).ok_or(IdentityError::Format)?;
                (Some(two_digits(&c)), &date[2..])
            }
            _ => (None, date),
        };
        let mut ten_bytes = [0u8; 10];
        ten_bytes[..6].copy_from_slice(yymmdd);
        ten_bytes[6..].copy_from_slice(serial);
        let ten = digit_values(&ten_bytes).ok_or(IdentityError::Format)?;
        Ok(Spelling {
            century,
            ten,
            separator,
        })
    }

    fn yy(&self) -> u32 {
        two_digits(&self.ten[0..2])
    }

    fn month(&self) -> u32 {
        two_digits(&self.ten[2..4])
    }

    /// The day as written: 1–31, or 61–91 for a samordningsnummer.
    fn issued_day(&self) -> u32 {
        two_digits(&self.ten[4..6])
    }

    /// The real day of the month (samordningsnummer have 60 added).
    fn real_day(&self) -> u32 {
        let day = self.issued_day();
        if day > 60 {
            day - 60
        } else {
            day
        }
    }

    /// Checks serial, date and check digit for the given full year and
    /// returns the real birth date.
    ///
    /// Order matters only for which error the user sees: a structural problem
    /// first, then the date (a typo in the date is the likelier story than a
    /// wrong check digit), then the checksum.
    fn validate(&self, year: i32) -> Result<NaiveDate, IdentityError> {
        if self.ten[6..9] == [0, 0, 0] {
            return Err(IdentityError::Format);
        }
        // Days 32–60 are neither a real day nor a samordningsnummer day;
        // `real_day` leaves them unchanged so `from_ymd_opt` rejects them.
        let birth = NaiveDate::from_ymd_opt(year, self.month(), self.real_day())
            .ok_or(IdentityError::Date)?;
        if luhn_check_digit(&self.ten[..9]) != self.ten[9] {
            return Err(IdentityError::Checksum);
        }
        Ok(birth)
    }

    /// The canonical 12-digit string for a validated spelling.
    fn canonical(&self, year: i32) -> String {
        let mut s = format!("{year:04}");
        s.extend(self.ten[2..].iter().map(|&d| char::from(b'0' + d)));
        s
    }
}

impl IdentityNumber {
    /// Parses any accepted spelling, trimming surrounding whitespace:
    ///
    /// * `YYYYMMDDNNNC`, `YYYYMMDD-NNNC`, `YYYYMMDD+NNNC` — the century is
    ///   explicit; a `+` is accepted (people copy it from 10-digit forms) but
    ///   means nothing extra and is not checked against the age.
    /// * `YYMMDDNNNC`, `YYMMDD-NNNC` — the person is under 100 on `today`: the
    ///   most recent century that puts the birth date not after `today`.
    /// * `YYMMDD+NNNC` — the person is 100 or older on `today`: one century
    ///   before the `-` reading.
    ///
    /// `today` also rejects birth dates in the future (12-digit forms only;
    /// 10-digit forms can never resolve to one).
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdentityError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(IdentityError::Empty);
        }
        let sp = Spelling::lex(s)?;
        let year = match sp.century {
            Some(c) => (c * 100 + sp.yy()) as i32,
            None => {
                // Latest year ending in YY that is not after today's year...
                let yy = sp.yy() as i32;
                let mut year = today.year() - (today.year() - yy).rem_euclid(100);
                // ...stepping back a century if the birthday would be later
                // this year. Compared as (month, day) rather than as a date so
                // an invalid date still picks a century and then fails as
                // `Date`, not as something confusing.
                if year == today.year()
                    && (sp.month(), sp.real_day()) > (today.month(), today.day())
                {
                    year -= 100;
                }
                if sp.separator == Separator::Plus {
                    year -= 100;
                }
                year
            }
        };
        let birth = sp.validate(year)?;
        if birth > today {
            return Err(IdentityError::Future);
        }
        Ok(IdentityNumber(sp.canonical(year)))
    }

    /// Parses an already-canonical 12-digit string, as read from the
    /// database: exactly 12 ASCII digits, no whitespace, no separator. Same
    /// date, serial and checksum validation as [`IdentityNumber::parse`], but
    /// no "future" check, since there is no `today` — a stored number was
    /// checked when it was entered, and re-reading it must not start failing.
    pub fn from_canonical(s: &str) -> Result<Self, IdentityError> {
        if s.is_empty() {
            return Err(IdentityError::Empty);
        }
        if s.len() != 12 {
            return Err(IdentityError::Format);
        }
        let sp = Spelling::lex(s)?;
        let century = sp.century.ok_or(IdentityError::Format)?;
        let year = (century * 100 + sp.yy()) as i32;
        sp.validate(year)?;
        Ok(IdentityNumber(sp.canonical(year)))
    }

    /// The canonical form `YYYYMMDDNNNC`. Handle with care: this is the full
    /// number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn kind(&self) -> IdentityKind {
        if self.issued_day() > 60 {
            IdentityKind::Samordningsnummer
        } else {
            IdentityKind::Personnummer
        }
    }

    /// The real birth date (day − 60 for a samordningsnummer).
    pub fn birth_date(&self) -> NaiveDate {
        let d = self.0.as_bytes();
        let num = |r: std::ops::Range<usize>| {
            d[r].iter()
                .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'))
        };
        let day = num(6..8);
        let day = if day > 60 { day - 60 } else { day };
        NaiveDate::from_ymd_opt(num(0..4) as i32, num(4..6), day)
            .expect("IdentityNumber holds a date validated at construction")
    }

    /// Age in completed years on `date`; 0 if `date` is before the birth
    /// date. Someone born on 29 February has their birthday on 1 March in
    /// common years (the (month, day) comparison below).
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        crate::time::age_on(self.birth_date(), date)
    }

    /// `YYYYMMDD-NNNC`, for display to authorised users.
    pub fn formatted(&self) -> String {
        format!("{}-{}", &self.0[..8], &self.0[8..])
    }

    /// The traditional 10-digit form `YYMMDD-NNNC`, or `YYMMDD+NNNC` if the
    /// person is 100 or older on `today`. Parsing it with the same `today`
    /// gives back this number (for anyone under 200).
    pub fn ten_digit(&self, today: NaiveDate) -> String {
        let sep = if self.age_on(today) >= 100 { '+' } else { '-' };
        format!("{}{}{}", &self.0[2..8], sep, &self.0[8..])
    }

    /// `YYYYMMDD-****`, for lists where the date is enough to tell people
    /// apart at a glance.
    pub fn masked(&self) -> String {
        format!("{}-****", &self.0[..8])
    }

    fn issued_day(&self) -> u32 {
        let d = &self.0.as_bytes()[6..8];
        u32::from(d[0] - b'0') * 10 + u32::from(d[1] - b'0')
    }
}

/// Masked, so a stray `{:?}` in a log line or a panic message cannot leak
/// the number.
impl fmt::Debug for IdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityNumber({})", self.masked())
    }
}

impl Serialize for IdentityNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Only the canonical form is accepted: JSON and stored data are
/// machine-written, and guessing a century there would hide bugs.
impl<'de> Deserialize<'de> for IdentityNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        // The error's message never contains the input, so this is safe to
        // surface in an API response.
        IdentityNumber::from_canonical(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for IdentityNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{12}$"))
            .description(Some(
                "Swedish personnummer or samordningsnummer, canonical YYYYMMDDNNNC",
            ))
            .into()
    }
}

impl utoipa::ToSchema for IdentityNumber {}

// ---------------------------------------------------------------------------
// Organisation numbers
// ---------------------------------------------------------------------------

/// Why an organisation number was rejected. Like [`IdentityError`], messages
/// never contain the input (it might be a personnummer typed in the wrong
/// field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgNumberError {
    #[error("organisation number is empty")]
    Empty,
    #[error(
        "organisation number must be 10 digits, optionally with - before the last four, or 12 digits starting with 16"
    )]
    Format,
    #[error("organisation number has an invalid check digit")]
    Checksum,
    /// The third digit is 0 or 1, so this is a personnummer (a sole trader's
    /// organisation number), not a legal person's number.
    #[error("organisation number does not belong to a legal person")]
    NotLegalPerson,
}

impl OrgNumberError {
    /// Stable machine code; the UI translates by it and the API returns it.
    pub fn code(&self) -> &'static str {
        match self {
            OrgNumberError::Empty => "empty",
            OrgNumberError::Format => "format",
            OrgNumberError::Checksum => "checksum",
            OrgNumberError::NotLegalPerson => "not_legal_person",
        }
    }
}

/// A validated organisation number of a legal person, stored canonically as
/// 10 digits `NNNNNNNNNN`. Public information, so `Debug` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganisationNumber(String);

impl OrganisationNumber {
    /// Parses `NNNNNN-NNNN` or `NNNNNNNNNN`, or the 12-digit form with the
    /// `16` prefix that some registers use (`16NNNNNNNNNN`, and likewise
    /// `16NNNNNN-NNNN`). Surrounding whitespace is trimmed.
    pub fn parse(input: &str) -> Result<Self, OrgNumberError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(OrgNumberError::Empty);
        }
        let b = s.as_bytes();
        let b = match b.len() {
            12 | 13 => b.strip_prefix(b"16").ok_or(OrgNumberError::Format)?,
            _ => b,
        };
        let digits: [u8; 10] = match b.len() {
            10 => digit_values(b),
            11 if b[6] == b'-' => {
                let mut joined = [0u8; 10];
                joined[..6].copy_from_slice(&b[..6]);
                joined[6..].copy_from_slice(&b[7..]);
                digit_values(&joined)
            }
            _ => None,
        }
        .ok_or(OrgNumberError::Format)?;
        Self::validate(&digits)
    }

    /// Parses the canonical 10-digit form exactly (no whitespace, separator
    /// or prefix), as read from the database or JSON.
    pub fn from_canonical(s: &str) -> Result<Self, OrgNumberError> {
        if s.is_empty() {
            return Err(OrgNumberError::Empty);
        }
        let digits: [u8; 10] = digit_values(s.as_bytes()).ok_or(OrgNumberError::Format)?;
        Self::validate(&digits)
    }

    fn validate(digits: &[u8; 10]) -> Result<Self, OrgNumberError> {
        // Checksum first: a typo is likelier than someone entering a
        // personnummer, and a personnummer passes the checksum anyway.
        if luhn_check_digit(&digits[..9]) != digits[9] {
            return Err(OrgNumberError::Checksum);
        }
        // Legal persons have a "month" of 20 or more, which keeps their
        // numbers apart from personnummer.
        if digits[2] < 2 {
            return Err(OrgNumberError::NotLegalPerson);
        }
        Ok(OrganisationNumber(
            digits.iter().map(|&d| char::from(b'0' + d)).collect(),
        ))
    }

    /// The canonical form `NNNNNNNNNN`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `NNNNNN-NNNN`, the usual written form.
    pub fn formatted(&self) -> String {
        format!("{}-{}", &self.0[..6], &self.0[6..])
    }
}

impl Serialize for OrganisationNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OrganisationNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        OrganisationNumber::from_canonical(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for OrganisationNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{10}$"))
            .description(Some("Swedish organisation number, canonical NNNNNNNNNN"))
            .into()
    }
}

impl utoipa::ToSchema for OrganisationNumber {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Fixed so the century rules are deterministic.
    fn today() -> NaiveDate {
        date(2026, 11, 27)
    }

    fn parse(s: &str) -> Result<IdentityNumber, IdentityError> {
        IdentityNumber::parse(s, today())
    }

    #[test]
    fn luhn_known_values() {
        // 811218987: products 16,1,2,2,2,8,18,8,14 -> digit sums 44 -> 6.
        assert_eq!(luhn_check_digit(&[8, 1, 1, 2, 1, 8, 9, 8, 7]), 6);
        // Skatteverket's classic example 121212-1212.
        assert_eq!(luhn_check_digit(&[1, 2, 1, 2, 1, 2, 1, 2, 1]), 2);
        // Ericsson, 556016-0680.
        assert_eq!(luhn_check_digit(&[5, 5, 6, 0, 1, 6, 0, 6, 8]), 0);
    }

    #[test]
    fn accepts_all_spellings_of_a_personnummer() {
        for s in [
            "19811218-9876",
            "198112189876",
            "19811218+9876",
            "811218-9876",
            "8112189876",
            "  811218-9876\t",
        ] {
            let id = parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(id.as_str(), "198112189876", "{s:?}");
        }
        let id = parse("811218-9876").unwrap();
        assert_eq!(id.kind(), IdentityKind::Personnummer);
        assert_eq!(id.birth_date(), date(1981, 12, 18));
        assert_eq!(id.formatted(), "19811218-9876");
        assert_eq!(id.masked(), "19811218-****");
        assert_eq!(id.ten_digit(today()), "811218-9876");
        assert_eq!(id.age_on(today()), 44);
        assert_eq!(id.age_on(date(2026, 12, 17)), 44);
        assert_eq!(id.age_on(date(2026, 12, 18)), 45);
        assert_eq!(id.age_on(date(1970, 1, 1)), 0);
    }

    #[test]
    fn samordningsnummer_keeps_issued_day() {
        // 811278987 -> digit sums 47 -> check digit 3.
        let id = parse("19811278-9873").unwrap();
        assert_eq!(id.as_str(), "198112789873");
        assert_eq!(id.kind(), IdentityKind::Samordningsnummer);
        assert_eq!(id.birth_date(), date(1981, 12, 18));
        assert_eq!(id.formatted(), "19811278-9873");
        assert_eq!(parse("8112789873").unwrap(), id);
        // Day 32-60 and 92+ are neither kind.
        let bad_day = |day: u32| {
            let ten = format!("8112{day:02}987");
            let digits: Vec<u8> = ten.bytes().map(|b| b - b'0').collect();
            format!("{ten}{}", luhn_check_digit(&digits))
        };
        assert_eq!(parse(&bad_day(45)), Err(IdentityError::Date));
        assert_eq!(parse(&bad_day(92)), Err(IdentityError::Date));
        assert_eq!(parse(&bad_day(60)), Err(IdentityError::Date));
        assert!(parse(&bad_day(91)).is_ok());
    }

    #[test]
    fn century_from_separator() {
        // 121212-1212: with '-' under 100 -> 2012; with '+' 100 or older -> 1912.
        let young = parse("121212-1212").unwrap();
        assert_eq!(young.as_str(), "201212121212");
        let old = parse("121212+1212").unwrap();
        assert_eq!(old.as_str(), "191212121212");
        assert_eq!(old.age_on(today()), 113);
        assert_eq!(old.ten_digit(today()), "121212+1212");
        assert_eq!(young.ten_digit(today()), "121212-1212");

        // A birthday later this year than `today` belongs to the previous
        // century; one on `today` itself is this year (born today).
        let with_check = |yymmdd: &str, sep: char| {
            let ten = format!("{yymmdd}123");
            let digits: Vec<u8> = ten.bytes().map(|b| b - b'0').collect();
            format!("{yymmdd}{sep}123{}", luhn_check_digit(&digits))
        };
        assert_eq!(
            &parse(&with_check("261128", '-')).unwrap().as_str()[..8],
            "19261128"
        );
        assert_eq!(
            &parse(&with_check("261127", '-')).unwrap().as_str()[..8],
            "20261127"
        );
        assert_eq!(
            &parse(&with_check("261127", '+')).unwrap().as_str()[..8],
            "19261127"
        );
        assert_eq!(
            &parse(&with_check("261128", '+')).unwrap().as_str()[..8],
            "18261128"
        );

        // Exactly 100 today: '+' form, and it round-trips.
        let hundred = parse(&with_check("261127", '+')).unwrap();
        assert_eq!(hundred.age_on(today()), 100);
        assert_eq!(hundred.ten_digit(today()), with_check("261127", '+'));
    }

    #[test]
    fn leap_days() {
        // 000229123 -> digit sums 25 -> check digit 5.
        assert_eq!(
            parse("20000229-1235").unwrap().birth_date(),
            date(2000, 2, 29)
        );
        assert_eq!(parse("000229-1235").unwrap().as_str(), "200002291235");
        assert_eq!(parse("19000229-1235"), Err(IdentityError::Date));
        // '+' means 1900, which has no 29 February.
        assert_eq!(parse("000229+1235"), Err(IdentityError::Date));
        assert_eq!(
            IdentityNumber::from_canonical("190002291235"),
            Err(IdentityError::Date)
        );
        // Born on a leap day: a year older on 1 March in common years.
        let id = parse("20000229-1235").unwrap();
        assert_eq!(id.age_on(date(2001, 2, 28)), 0);
        assert_eq!(id.age_on(date(2001, 3, 1)), 1);
    }

    #[test]
    fn rejects_invalid_identity_numbers() {
        use IdentityError::*;
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("19811218-9877", Checksum),
            ("811218-9875", Checksum),
            ("19811318-9876", Date),
            ("19810018-9876", Date),
            ("19811200-9876", Date),
            ("19811232-9876", Date),
            ("19811218-98A6", Format),
            ("19811218/9876", Format),
            ("19811218 9876", Format),
            ("19811218–9876", Format), // en dash
            ("1981121-89876", Format),
            ("1981-12-18-9876", Format),
            ("1981121898761", Format),
            ("81121898", Format),
            ("+8112189876", Format),
            ("１９８１１２１８９８７６", Format), // full-width digits
            // 811218000 -> check digit 8; serial 000 is never issued.
            ("811218-0008", Format),
            // 301218987 -> check digit 8; valid, but born after today.
            ("20301218-9878", Future),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input), Err(expected.clone()), "{input:?}");
        }
        // The 10-digit form of the same digits is simply someone born 1930.
        assert_eq!(parse("301218-9878").unwrap().as_str(), "193012189878");
    }

    #[test]
    fn from_canonical_is_strict() {
        let id = IdentityNumber::from_canonical("198112189876").unwrap();
        assert_eq!(id, parse("811218-9876").unwrap());
        assert_eq!(
            IdentityNumber::from_canonical("19811218-9876"),
            Err(IdentityError::Format)
        );
        assert_eq!(
            IdentityNumber::from_canonical("8112189876"),
            Err(IdentityError::Format)
        );
        assert_eq!(
            IdentityNumber::from_canonical(" 198112189876"),
            Err(IdentityError::Format)
        );
        assert_eq!(
            IdentityNumber::from_canonical(""),
            Err(IdentityError::Empty)
        );
        // No `today`, so no future check.
        assert!(IdentityNumber::from_canonical("203012189878").is_ok());
    }

    #[test]
    fn errors_have_stable_codes_and_never_echo_input() {
        use IdentityError::*;
        let codes: Vec<_> = [Empty, Format, Date, Checksum, Future]
            .iter()
            .map(IdentityError::code)
            .collect();
        assert_eq!(codes, ["empty", "format", "date", "checksum", "future"]);
        for input in ["19811218-9877", "19811318-9876", "20301218-9878"] {
            let e = parse(input).unwrap_err();
            let msg = e.to_string();
            assert!(!msg.contains("9876") && !msg.contains("9877") && !msg.contains("1218"));
        }
    }

    #[test]
    fn debug_is_masked() {
        let id = parse("811218-9876").unwrap();
        assert_eq!(format!("{id:?}"), "IdentityNumber(19811218-****)");
        assert!(!format!("{:#?}", Some(&id)).contains("9876"));
    }

    #[test]
    fn serde_uses_canonical_form() {
        let de: StrDeserializer<DeError> = "198112189876".into_deserializer();
        let id = IdentityNumber::deserialize(de).unwrap();
        assert_eq!(id.as_str(), "198112189876");
        let de: StrDeserializer<DeError> = "811218-9876".into_deserializer();
        let err = IdentityNumber::deserialize(de).unwrap_err().to_string();
        assert!(!err.contains("9876"), "{err}");

        let de: StrDeserializer<DeError> = "5560160680".into_deserializer();
        let org = OrganisationNumber::deserialize(de).unwrap();
        assert_eq!(org.as_str(), "5560160680");
        let de: StrDeserializer<DeError> = "556016-0680".into_deserializer();
        assert!(OrganisationNumber::deserialize(de).is_err());
    }

    #[test]
    fn organisation_numbers() {
        for s in [
            "556016-0680",
            "5560160680",
            "165560160680",
            "16556016-0680",
            " 556016-0680 ",
        ] {
            let org = OrganisationNumber::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert_eq!(org.as_str(), "5560160680");
            assert_eq!(org.formatted(), "556016-0680");
        }
        // 212000-0142: a government body (21xxxx), check digit 2.
        assert_eq!(
            OrganisationNumber::parse("212000-0142").unwrap().as_str(),
            "2120000142"
        );
        assert_eq!(
            format!("{:?}", OrganisationNumber::parse("5560160680").unwrap()),
            "OrganisationNumber(\"5560160680\")"
        );

        use OrgNumberError::*;
        let cases = [
            ("", Empty),
            (" ", Empty),
            ("556016-0681", Checksum),
            ("5560160689", Checksum),
            ("556016-068", Format),
            ("55601606800", Format),
            ("5560-160680", Format),
            ("556016+0680", Format),
            ("175560160680", Format),
            ("195560160680", Format),
            ("55601606A0", Format),
            // A personnummer passes Luhn but is not a legal person.
            ("811218-9876", NotLegalPerson),
            ("198112189876", Format),
        ];
        for (input, expected) in cases {
            assert_eq!(
                OrganisationNumber::parse(input),
                Err(expected.clone()),
                "{input:?}"
            );
        }
        let codes: Vec<_> = [Empty, Format, Checksum, NotLegalPerson]
            .iter()
            .map(OrgNumberError::code)
            .collect();
        assert_eq!(codes, ["empty", "format", "checksum", "not_legal_person"]);
    }
}
