//! Small formatting helpers for sizes, digests and times.

/// `1.5 MB` style, decimal units as registries and Docker Hub show them.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 { format!("{value:.0} {}", UNITS[unit]) } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// `1.2M`, `15.3k`, `987`: counts as Docker Hub shows pulls and stars.
pub fn count(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1}M", n as f64 / 1e6),
        _ => format!("{:.1}B", n as f64 / 1e9),
    }
}

/// `sha256:0123456789ab`: algorithm and the first 12 hex digits.
pub fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algo, hex)) => format!("{algo}:{}", hex.get(..12).unwrap_or(hex)),
        None => digest.get(..19).unwrap_or(digest).to_string(),
    }
}

/// `2026-11-27 17:55 UTC` from an RFC 3339 time; anything else is shown as is.
pub fn when(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) if rfc3339.as_bytes().get(10) == Some(&b'T') => format!("{date} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

/// `2026-11-27 17:55 UTC` from Unix seconds (Howard Hinnant's civil-from-days).
pub fn unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// Size range over platforms: `12.0 MB` or `11.2 MB – 12.0 MB`.
pub fn size_range(sizes: impl IntoIterator<Item = u64>) -> Option<String> {
    let sizes: Vec<u64> = sizes.into_iter().collect();
    let min = sizes.iter().min()?;
    let max = sizes.iter().max()?;
    Some(if min == max { bytes(*min) } else { format!("{} – {}", bytes(*min), bytes(*max)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_read_as_utc_dates() {
        assert_eq!(unix(0), "1970-01-01 00:00 UTC");
        assert_eq!(unix(1_767_323_045), "2026-01-02 03:04 UTC");
        assert_eq!(unix(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn sizes_read_like_docker_hub() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1_500), "1.5 kB");
        assert_eq!(bytes(29_123_456), "29.1 MB");
        assert_eq!(bytes(123_456_789), "123 MB");
    }

    #[test]
    fn counts_shorten_like_docker_hub() {
        assert_eq!(count(987), "987");
        assert_eq!(count(15_300), "15.3k");
        assert_eq!(count(1_234_567), "1.2M");
        assert_eq!(count(5_000_000_000), "5.0B");
    }

    #[test]
    fn digests_shorten_to_twelve_hex_digits() {
        assert_eq!(short_digest("sha256:0123456789abcdef0123"), "sha256:0123456789ab");
        assert_eq!(short_digest("sha256:abc"), "sha256:abc");
    }

    #[test]
    fn times_keep_minutes() {
        assert_eq!(when("2026-11-27T17:55:42.123Z"), "2026-11-27 17:55 UTC");
        assert_eq!(when("yesterday"), "yesterday");
    }

    #[test]
    fn ranges_collapse_when_equal() {
        assert_eq!(size_range([5_000, 5_000]).as_deref(), Some("5.0 kB"));
        assert_eq!(size_range([1_000, 2_000]).as_deref(), Some("1.0 kB – 2.0 kB"));
        assert_eq!(size_range([]), None);
    }
}
