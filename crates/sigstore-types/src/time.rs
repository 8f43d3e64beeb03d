//! Points in time as Sigstore uses them: Unix seconds with nanoseconds, parsed from and written
//! as RFC 3339 (`google.protobuf.Timestamp` JSON), and closed validity intervals.

use core::fmt;
use core::str::FromStr;

use crate::Error;

/// A point in time: seconds since the Unix epoch (UTC, no leap seconds) plus nanoseconds.
///
/// Ordering is chronological. No function in the verification crates reads the clock: callers
/// pass a `Timestamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Self = Self { secs: 0, nanos: 0 };

    /// A whole number of seconds since the epoch.
    pub const fn from_unix(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// Seconds and nanoseconds since the epoch; `None` if `nanos` is 1e9 or more.
    pub const fn new(secs: i64, nanos: u32) -> Option<Self> {
        if nanos >= 1_000_000_000 {
            None
        } else {
            Some(Self { secs, nanos })
        }
    }

    /// Whole seconds since the epoch (rounded down).
    pub const fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// The nanoseconds past [`Timestamp::unix_seconds`].
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// The time of a civil date and time of day in UTC; `None` when a field is out of range.
    pub fn from_utc(
        year: i64,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        nanos: u32,
    ) -> Option<Self> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
            || nanos >= 1_000_000_000
            || !(0..=9999).contains(&year)
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Some(Self { secs, nanos })
    }

    /// Parses an RFC 3339 date-time (`2024-03-19T17:26:26Z`, optional fraction of up to nine
    /// digits, `Z` or a numeric offset). Leap seconds (`:60`) are rejected.
    pub fn parse_rfc3339(text: &str) -> Result<Self, Error> {
        let bad = || Error::InvalidTimestamp(text.chars().take(64).collect());
        let b = text.as_bytes();
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(bad());
        }
        let num = |range: core::ops::Range<usize>| -> Result<u32, Error> {
            let digits = &b[range];
            if digits.iter().all(u8::is_ascii_digit) {
                Ok(digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
            } else {
                Err(bad())
            }
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut pos = 19;
        let mut nanos = 0u32;
        if b[pos] == b'.' {
            pos += 1;
            let start = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                pos += 1;
            }
            let digits = pos - start;
            if digits == 0 || digits > 9 {
                return Err(bad());
            }
            nanos = num(start..pos)? * 10u32.pow(9 - digits as u32);
        }
        let offset_secs: i64 = match b.get(pos) {
            Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if pos + 6 == b.len() && b[pos + 3] == b':' => {
                let (oh, om) = (num(pos + 1..pos + 3)?, num(pos + 4..pos + 6)?);
                if oh > 23 || om > 59 {
                    return Err(bad());
                }
                let off = i64::from(oh * 3600 + om * 60);
                if *sign == b'+' {
                    off
                } else {
                    -off
                }
            }
            _ => return Err(bad()),
        };
        let local = Self::from_utc(i64::from(year), month, day, hour, minute, second, nanos)
            .ok_or_else(bad)?;
        Ok(Self {
            secs: local.secs - offset_secs,
            nanos,
        })
    }

    /// The (year, month, day, hour, minute, second) of this time in UTC.
    pub fn to_utc(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (
            y,
            m,
            d,
            (rem / 3600) as u32,
            ((rem % 3600) / 60) as u32,
            (rem % 60) as u32,
        )
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with `Z`, with a fraction only when there are nanoseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.to_utc();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        if self.nanos != 0 {
            let mut frac = format!("{:09}", self.nanos);
            while frac.ends_with('0') {
                frac.pop();
            }
            write!(f, ".{frac}")?;
        }
        f.write_str("Z")
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_rfc3339(s)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

/// A closed interval `[start, end]` of time; a missing `end` is open-ended
/// (`TimeRange` in the protobuf specs). Both ends are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidityPeriod {
    /// The first instant of validity. Absent in some malformed trust roots: a log key without
    /// a start must be rejected where it is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    /// The last instant of validity, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
}

impl ValidityPeriod {
    /// Whether `time` lies within `[start, end]`. A period without a start contains nothing.
    pub fn contains(&self, time: Timestamp) -> bool {
        match self.start {
            Some(start) => start <= time && self.end.is_none_or(|end| time <= end),
            None => false,
        }
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let t = Timestamp::parse_rfc3339("2024-03-19T17:26:26Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_710_869_186);
        assert_eq!(t.to_string(), "2024-03-19T17:26:26Z");
        let t = Timestamp::parse_rfc3339("2022-12-31T23:59:59.999Z").unwrap();
        assert_eq!(t.subsec_nanos(), 999_000_000);
        assert_eq!(t.to_string(), "2022-12-31T23:59:59.999Z");
        let t = Timestamp::parse_rfc3339("2000-02-29T01:00:00+01:00").unwrap();
        assert_eq!(t.to_string(), "2000-02-29T00:00:00Z");
        assert_eq!(
            Timestamp::parse_rfc3339("1970-01-01T00:00:00Z").unwrap(),
            Timestamp::UNIX_EPOCH
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2024-03-19",
            "2024-03-19T17:26:26",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-03-19T24:00:00Z",
            "2024-03-19T23:59:60Z",
            "2024-03-19T17:26:26.Z",
            "2024-03-19T17:26:26.1234567890Z",
            "2024-03-19T17:26:26Zjunk",
            "２024-03-19T17:26:26Z",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips_every_day_of_a_range() {
        for days in -800_000i64..800_000 {
            let t = Timestamp::from_unix(days * 86_400 + 3661);
            let (y, mo, d, h, mi, s) = t.to_utc();
            if (0..=9999).contains(&y) {
                assert_eq!(Timestamp::from_utc(y, mo, d, h, mi, s, 0), Some(t));
            }
        }
    }

    #[test]
    fn validity_is_inclusive() {
        let start = Timestamp::from_unix(10);
        let end = Timestamp::from_unix(20);
        let v = ValidityPeriod {
            start: Some(start),
            end: Some(end),
        };
        assert!(v.contains(start) && v.contains(end));
        assert!(
            !v.contains(Timestamp::from_unix(9)) && !v.contains(Timestamp::new(20, 1).unwrap())
        );
        let open = ValidityPeriod {
            start: Some(start),
            end: None,
        };
        assert!(open.contains(Timestamp::from_unix(i64::MAX)));
        let no_start = ValidityPeriod {
            start: None,
            end: None,
        };
        assert!(!no_start.contains(start));
    }
}
