//! A schedule is a standard five-field cron expression (minute hour day month weekday) read in
//! an IANA time zone. `croner` evaluates it: the `cron` crate insists on a seconds field, which
//! would make every crontab-style schedule in a scenario file an error.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// An audit's schedule, parsed.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The expression as written, e.g. `0 3 * * *`.
    pub expression: String,
    pub timezone: Tz,
    cron: Cron,
}

/// A schedule that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error(
        "schedule `{expression}` is not a usable cron expression: {reason}; write five fields \
         (minute hour day month weekday), e.g. \"0 3 * * *\""
    )]
    Cron { expression: String, reason: String },
    #[error("`{name}` is not an IANA time zone name{hint}; e.g. \"Asia/Shanghai\" or \"UTC\"")]
    TimeZone { name: String, hint: String },
}

/// A date the check that a schedule ever fires starts from: fixed, so loading a catalog never
/// depends on today's date.
const EVER_FROM: (i32, u32, u32) = (2000, 1, 1);

/// Parses a five-field cron expression. The error is a short reason, for a diagnostic.
pub fn parse_cron(expression: &str) -> Result<Cron, String> {
    let fields = expression.split_whitespace().count();
    if fields != 5 {
        return Err(format!("it has {fields} fields, not 5"));
    }
    let cron = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build()
        .parse(expression)
        .map_err(|e| reason(&e))?;
    // `0 0 31 2 *` parses but never fires: a schedule that never comes due is a typo.
    let start = Utc
        .with_ymd_and_hms(EVER_FROM.0, EVER_FROM.1, EVER_FROM.2, 0, 0, 0)
        .single()
        .ok_or_else(|| "cannot check it against a start date".to_string())?;
    cron.find_next_occurrence(&start, false)
        .map_err(|_| "it never fires (no such date in any year)".to_string())?;
    Ok(cron)
}

/// croner's messages start with its own type names; keep the part a person can act on.
fn reason(error: &croner::errors::CronError) -> String {
    let text = error.to_string();
    let text = text
        .trim_start_matches("Invalid pattern: ")
        .trim_start_matches("Component error: ");
    text.trim_end_matches('.').to_string()
}

/// Parses an IANA time zone name. The error carries a hint (` (did you mean …?)`) or nothing.
pub fn parse_timezone(name: &str) -> Result<Tz, ScheduleError> {
    name.parse::<Tz>().map_err(|_| ScheduleError::TimeZone {
        name: name.to_string(),
        hint: closest_zone(name)
            .map(|z| format!(" (did you mean `{z}`?)"))
            .unwrap_or_default(),
    })
}

/// The zone name a typo most likely meant: a different case first, then a near spelling.
fn closest_zone(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
    if let Some(same) = names.clone().find(|n| n.to_lowercase() == lower) {
        return Some(same);
    }
    let limit = (lower.chars().count() / 4).max(1);
    names
        .map(|n| (strsim::damerau_levenshtein(&lower, &n.to_lowercase()), n))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, n)| n)
}

impl Schedule {
    /// Parses an expression and a time zone name.
    pub fn parse(expression: &str, timezone: &str) -> Result<Schedule, ScheduleError> {
        let cron = parse_cron(expression).map_err(|reason| ScheduleError::Cron {
            expression: expression.to_string(),
            reason,
        })?;
        Ok(Schedule {
            expression: expression.to_string(),
            timezone: parse_timezone(timezone)?,
            cron,
        })
    }

    /// The audit's schedule; `None` when it has none (it then runs only by hand).
    pub fn of(audit: &crate::model::Audit) -> Option<Result<Schedule, ScheduleError>> {
        audit
            .schedule
            .as_deref()
            .map(|expression| Schedule::parse(expression, &audit.timezone))
    }

    /// The first slot strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&t.with_timezone(&self.timezone), false)
            .ok()
            .map(|slot| slot.with_timezone(&Utc))
    }

    /// The last slot at or before `t`.
    pub fn last_at_or_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_previous_occurrence(&t.with_timezone(&self.timezone), true)
            .ok()
            .map(|slot| slot.with_timezone(&Utc))
    }

    /// `t` on the schedule's wall clock, for people: `2026-11-25 03:00 CST`.
    pub fn local(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.timezone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn five_fields_parse_and_six_do_not() {
        assert!(parse_cron("*/15 * * * *").is_ok());
        assert!(parse_cron("0 3 * * MON-FRI").is_ok());
        assert_eq!(
            parse_cron("0 0 3 * * *").unwrap_err(),
            "it has 6 fields, not 5"
        );
        assert!(parse_cron("61 * * * *").is_err());
        assert!(parse_cron("0 3 * * xyz").is_err());
    }

    #[test]
    fn a_schedule_that_never_fires_is_refused() {
        let err = parse_cron("0 0 31 2 *").unwrap_err();
        assert!(err.contains("never fires"), "{err}");
    }

    #[test]
    fn time_zone_typos_get_a_suggestion() {
        let err = parse_timezone("asia/shanghai").unwrap_err().to_string();
        assert!(err.contains("did you mean `Asia/Shanghai`?"), "{err}");
        let err = parse_timezone("Asia/Shangai").unwrap_err().to_string();
        assert!(err.contains("did you mean `Asia/Shanghai`?"), "{err}");
        let err = parse_timezone("Mars/Olympus").unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn slots_are_read_in_the_schedules_time_zone() {
        let shanghai = Schedule::parse("0 3 * * *", "Asia/Shanghai").unwrap();
        // 03:00 in Shanghai (UTC+8, no daylight saving) is 19:00 UTC the day before.
        assert_eq!(
            shanghai.next_after(utc("2026-11-24T12:00:00Z")),
            Some(utc("2026-11-24T19:00:00Z"))
        );
        let utc_schedule = Schedule::parse("0 3 * * *", "UTC").unwrap();
        assert_eq!(
            utc_schedule.next_after(utc("2026-11-24T12:00:00Z")),
            Some(utc("2026-11-25T03:00:00Z"))
        );
        assert_eq!(
            shanghai.local(utc("2026-11-24T19:00:00Z")),
            "2026-11-25 03:00 CST"
        );
    }

    #[test]
    fn daylight_saving_moves_the_utc_slot() {
        let new_york = Schedule::parse("30 9 * * *", "America/New_York").unwrap();
        // EDT (UTC-4) in July, EST (UTC-5) in January.
        assert_eq!(
            new_york.next_after(utc("2026-07-01T00:00:00Z")),
            Some(utc("2026-07-01T13:30:00Z"))
        );
        assert_eq!(
            new_york.next_after(utc("2026-01-05T00:00:00Z")),
            Some(utc("2026-01-05T14:30:00Z"))
        );
    }
}
