//! Swedish local time. "Today" for registration dates, ages and consent
//! periods is the date in Sweden, not in UTC: between midnight and 01:00 or
//! 02:00 Swedish time the two differ.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("valid month");
    let last = first_next - Duration::days(1);
    let back = last.weekday().num_days_from_sunday() as i64;
    last - Duration::days(back)
}

/// Sweden's UTC offset at `now`: CET (+1), or CEST (+2) from the last Sunday
/// of March 01:00 UTC to the last Sunday of October 01:00 UTC (EU rules).
pub fn sweden_offset(now: DateTime<Utc>) -> Duration {
    let y = now.year();
    let start = last_sunday(y, 3)
        .and_hms_opt(1, 0, 0)
        .expect("time")
        .and_utc();
    let end = last_sunday(y, 10)
        .and_hms_opt(1, 0, 0)
        .expect("time")
        .and_utc();
    if now >= start && now < end {
        Duration::hours(2)
    } else {
        Duration::hours(1)
    }
}

/// The date in Sweden at `now`.
pub fn swedish_date(now: DateTime<Utc>) -> NaiveDate {
    (now + sweden_offset(now)).date_naive()
}

/// Age in completed years on `date`; 0 if `date` is before `birth`.
/// Someone born on 29 February has their birthday on 1 March in common
/// years (the (month, day) comparison below).
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    if date < birth {
        return 0;
    }
    let mut age = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age as u32
}

/// A date written `YYYY-MM-DD`, for the tests.
#[cfg(test)]
pub(crate) fn ymd(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn swedish_midnight_is_the_next_day_before_utc_midnight() {
        assert_eq!(
            swedish_date(utc("2026-11-27T23:30:00Z")).to_string(),
            "2026-11-28"
        );
        assert_eq!(
            swedish_date(utc("2026-11-27T22:59:00Z")).to_string(),
            "2026-11-27"
        );
        assert_eq!(
            swedish_date(utc("2026-07-01T22:30:00Z")).to_string(),
            "2026-07-02"
        );
        assert_eq!(
            swedish_date(utc("2026-07-01T21:59:00Z")).to_string(),
            "2026-07-01"
        );
    }

    #[test]
    fn daylight_saving_switches_at_one_utc_on_the_last_sundays() {
        // 2026: 29 March and 25 October.
        assert_eq!(
            sweden_offset(utc("2026-03-29T00:59:00Z")),
            Duration::hours(1)
        );
        assert_eq!(
            sweden_offset(utc("2026-03-29T01:00:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            sweden_offset(utc("2026-10-25T00:59:00Z")),
            Duration::hours(2)
        );
        assert_eq!(
            sweden_offset(utc("2026-10-25T01:00:00Z")),
            Duration::hours(1)
        );
    }
}
