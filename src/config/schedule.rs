//! The `[backup].schedule` mini-language and the `[backup]` rules serde cannot express.
//!
//! Three forms, all in UTC so that a schedule means the same thing on every machine:
//! `"hourly"` (at minute 0), `"daily HH:MM"` (once a day at that time) and `"every N{s|m|h}"`
//! (every N seconds, minutes or hours, counted from the server's start). Unset means no scheduled
//! backups.

use std::time::Duration;

use super::BackupConfig;

/// A parsed backup schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Every hour at minute 0 (UTC).
    Hourly,
    /// Every day at this UTC time, as seconds after midnight.
    Daily { seconds_after_midnight: u32 },
    /// Every fixed interval, counted from the previous run (or the start).
    Every(Duration),
}

const SCHEDULE_FORMS: &str = "use \"hourly\", \"daily HH:MM\" (UTC, e.g. \"daily 02:30\") or \"every N\" with N in s, m or h (e.g. \"every 6h\")";

impl Schedule {
    /// Parses the schedule text; the error says which forms are accepted.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let bad = || format!("`{text}` is not a schedule: {SCHEDULE_FORMS}");
        match words.as_slice() {
            ["hourly"] => Ok(Schedule::Hourly),
            ["daily"] => Ok(Schedule::Daily {
                seconds_after_midnight: 0,
            }),
            ["daily", time] => {
                let (hours, minutes) = time.split_once(':').ok_or_else(bad)?;
                let hours: u32 = hours.parse().map_err(|_| bad())?;
                let minutes: u32 = minutes.parse().map_err(|_| bad())?;
                if hours > 23 || minutes > 59 {
                    return Err(format!(
                        "`{text}`: the time must be between 00:00 and 23:59 (UTC)"
                    ));
                }
                Ok(Schedule::Daily {
                    seconds_after_midnight: hours * 3_600 + minutes * 60,
                })
            }
            ["every", interval] => {
                let split = interval
                    .find(|c: char| !c.is_ascii_digit())
                    .ok_or_else(bad)?;
                let (number, unit) = interval.split_at(split);
                let number: u64 = number.parse().map_err(|_| bad())?;
                let seconds = match unit {
                    "s" => number,
                    "m" => number.saturating_mul(60),
                    "h" => number.saturating_mul(3_600),
                    _ => return Err(bad()),
                };
                if seconds == 0 || seconds > 31 * 86_400 {
                    return Err(format!(
                        "`{text}`: the interval must be between 1s and 744h"
                    ));
                }
                Ok(Schedule::Every(Duration::from_secs(seconds)))
            }
            _ => Err(bad()),
        }
    }

    /// The nominal time between two runs (the health check allows two of these).
    pub fn period(&self) -> Duration {
        match self {
            Schedule::Hourly => Duration::from_secs(3_600),
            Schedule::Daily { .. } => Duration::from_secs(86_400),
            Schedule::Every(interval) => *interval,
        }
    }

    /// Seconds since the epoch of the next run strictly after `now` (also seconds since the epoch);
    /// `previous` is the start of the previous run, or the server's start, for `every`.
    pub fn next_after(&self, now: u64, previous: u64) -> u64 {
        match self {
            Schedule::Hourly => (now / 3_600 + 1) * 3_600,
            Schedule::Daily {
                seconds_after_midnight,
            } => {
                let midnight = now - now % 86_400;
                let today = midnight + u64::from(*seconds_after_midnight);
                if today > now { today } else { today + 86_400 }
            }
            Schedule::Every(interval) => {
                let next = previous.saturating_add(interval.as_secs());
                if next > now { next } else { now + 1 }
            }
        }
    }
}

/// Checks the `[backup]` section: the schedule parses and an S3 target is complete.
pub fn validate_backup(backup: &BackupConfig) -> Result<(), (String, String)> {
    if let Some(schedule) = &backup.schedule {
        Schedule::parse(schedule).map_err(|message| ("backup.schedule".to_owned(), message))?;
    }
    let s3_keys_set = backup.s3_endpoint.is_some()
        || backup.s3_region.is_some()
        || backup.s3_access_key.is_some()
        || backup.s3_secret_key.is_some();
    if backup.s3_bucket.is_none() && s3_keys_set {
        return Err((
            "backup.s3_bucket".to_owned(),
            "s3_endpoint, s3_region or s3 keys are set but s3_bucket is not: set s3_bucket to upload backups, or remove the s3_* keys".to_owned(),
        ));
    }
    if let Some(bucket) = &backup.s3_bucket {
        if bucket.is_empty() || bucket.contains('/') {
            return Err((
                "backup.s3_bucket".to_owned(),
                format!("`{bucket}` is not a bucket name"),
            ));
        }
        if backup.s3_access_key.is_none() {
            return Err((
                "backup.s3_access_key".to_owned(),
                "s3_bucket is set: set s3_access_key (or s3_access_key_file) too".to_owned(),
            ));
        }
        if backup.s3_secret_key.is_none() {
            return Err((
                "backup.s3_secret_key".to_owned(),
                "s3_bucket is set: set s3_secret_key (or s3_secret_key_file) too".to_owned(),
            ));
        }
    }
    if let Some(endpoint) = &backup.s3_endpoint
        && !(endpoint.starts_with("https://") || endpoint.starts_with("http://"))
    {
        return Err((
            "backup.s3_endpoint".to_owned(),
            format!("`{endpoint}` must start with https:// or http://"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_parse() {
        assert_eq!(Schedule::parse("hourly"), Ok(Schedule::Hourly));
        assert_eq!(
            Schedule::parse("daily 02:30"),
            Ok(Schedule::Daily {
                seconds_after_midnight: 9_000
            })
        );
        assert_eq!(
            Schedule::parse("every 6h"),
            Ok(Schedule::Every(Duration::from_secs(21_600)))
        );
        assert_eq!(
            Schedule::parse("every 90s"),
            Ok(Schedule::Every(Duration::from_secs(90)))
        );
        assert_eq!(
            Schedule::parse(" every  15m "),
            Ok(Schedule::Every(Duration::from_secs(900)))
        );
        for bad in [
            "",
            "weekly",
            "daily 24:00",
            "daily 2",
            "every",
            "every h",
            "every 0m",
            "every 5d",
            "0 2 * * *",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn next_runs() {
        let day = 86_400;
        let now = 10 * day + 3 * 3_600 + 5; // 03:00:05 UTC
        assert_eq!(Schedule::Hourly.next_after(now, 0), 10 * day + 4 * 3_600);
        let at_0230 = Schedule::Daily {
            seconds_after_midnight: 9_000,
        };
        assert_eq!(at_0230.next_after(now, 0), 11 * day + 9_000);
        let at_0400 = Schedule::Daily {
            seconds_after_midnight: 4 * 3_600,
        };
        assert_eq!(at_0400.next_after(now, 0), 10 * day + 4 * 3_600);
        let every = Schedule::Every(Duration::from_secs(60));
        assert_eq!(every.next_after(now, now - 10), now + 50);
        assert_eq!(every.next_after(now, now - 600), now + 1);
    }
}
