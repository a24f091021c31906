//! Wall-clock helpers shared by the whole crate. Kept in one place so a test clock can replace
//! them later without touching their callers.

/// Now, as RFC 3339 UTC with second precision.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Now, as seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Seconds since the Unix epoch as RFC 3339 (UTC, seconds); empty if out of range.
pub fn format_time(epoch: u64) -> String {
    i64::try_from(epoch)
        .ok()
        .and_then(|seconds| time::OffsetDateTime::from_unix_timestamp(seconds).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// RFC 3339 to seconds since the Unix epoch.
pub fn parse_time(text: &str) -> Option<u64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| u64::try_from(t.unix_timestamp()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        assert_eq!(parse_time(&format_time(1_800_000_000)), Some(1_800_000_000));
        assert_eq!(format_time(1_800_000_000), "2027-01-15T08:00:00Z");
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(format_time(u64::MAX), "");
    }

    #[test]
    fn now_in_both_forms_agree() {
        let (text, seconds) = (now_rfc3339(), unix_now());
        let parsed = parse_time(&text).unwrap();
        assert!(seconds.abs_diff(parsed) <= 1, "{text} vs {seconds}");
    }
}
