//! Calendar dates as packs write them: a year, a year and month, or a full
//! day (`2019`, `2019-06`, `2026-11-29`). No time zones, no times.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A date with year precision at least; month and day are optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PackDate {
    /// Year, four digits.
    pub year: u16,
    /// Month 1–12, when known.
    pub month: Option<u8>,
    /// Day of the month, when known (only with a month).
    pub day: Option<u8>,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")]
pub struct BadDate(pub String);

impl PackDate {
    /// A full day. Returns `None` if the day does not exist.
    pub fn ymd(year: u16, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Self {
            year,
            month: Some(month),
            day: Some(day),
        })
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let days = i64::try_from(secs / 86_400).unwrap_or(0);
        from_days_since_epoch(days)
    }

    /// True when year, month and day are all given.
    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }

    /// True when the first day this date can mean comes after `other`'s
    /// first day: `2026-12` is after `2026-11-29`, `2026-11` is not.
    pub fn is_after(&self, other: &PackDate) -> bool {
        self.first_day() > other.first_day()
    }

    fn first_day(&self) -> (u16, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }
}

impl fmt::Display for PackDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl FromStr for PackDate {
    type Err = BadDate;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadDate(text.to_owned());
        let parts: Vec<&str> = text.trim().split('-').collect();
        let number = |part: &str, width: usize| -> Result<u16, BadDate> {
            if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let year = number(parts.first().ok_or_else(bad)?, 4)?;
        let month = match parts.get(1) {
            Some(part) => Some(u8::try_from(number(part, 2)?).map_err(|_| bad())?),
            None => None,
        };
        let day = match parts.get(2) {
            Some(part) => Some(u8::try_from(number(part, 2)?).map_err(|_| bad())?),
            None => None,
        };
        if parts.len() > 3 || year == 0 {
            return Err(bad());
        }
        match (month, day) {
            (Some(m), Some(d)) => Self::ymd(year, m, d).ok_or_else(bad),
            (Some(m), None) if (1..=12).contains(&m) => Ok(Self {
                year,
                month: Some(m),
                day: None,
            }),
            (None, None) => Ok(Self {
                year,
                month: None,
                day: None,
            }),
            _ => Err(bad()),
        }
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Civil date of a day count since 1970-01-01 (proleptic Gregorian).
fn from_days_since_epoch(days: i64) -> PackDate {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    PackDate {
        year: u16::try_from(year).unwrap_or(u16::MAX),
        month: u8::try_from(month).ok(),
        day: u8::try_from(day).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_three_precisions() {
        for text in ["2019", "2019-06", "2026-11-29", "2024-02-29"] {
            assert_eq!(text.parse::<PackDate>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn rejects_impossible_or_odd_dates() {
        for text in [
            "",
            "19",
            "2019-6",
            "2019-13",
            "2023-02-29",
            "2019-06-31",
            "2019-06-01-01",
            "June 2019",
            "0000",
            "2019--01",
        ] {
            assert!(text.parse::<PackDate>().is_err(), "{text:?} accepted");
        }
    }

    #[test]
    fn compares_by_first_day() {
        let day = |t: &str| t.parse::<PackDate>().unwrap();
        assert!(day("2026-12").is_after(&day("2026-11-29")));
        assert!(!day("2026-11").is_after(&day("2026-11-29")));
        assert!(!day("2026-11-29").is_after(&day("2026-11-29")));
        assert!(day("2026-11-30").is_after(&day("2026-11-29")));
    }

    #[test]
    fn converts_day_counts() {
        assert_eq!(from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(from_days_since_epoch(11_016).to_string(), "2000-02-29");
        assert_eq!(from_days_since_epoch(20_486).to_string(), "2026-02-02");
        assert!(PackDate::today_utc().year >= 2026);
    }
}
