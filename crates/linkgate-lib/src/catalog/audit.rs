//! Reads an `[[audit]]` table: what to run (context and link selectors, the neutral control),
//! what to measure it against (deadlines, policy, same-owner handling), and how (schedule,
//! time zone, report language, politeness).

use std::time::Duration;

use chrono::NaiveDate;
use toml::de::{DeTable, DeValue};

use crate::model::{Audit, Deadline, Politeness, SameOwner, Selector};

use super::checks::{IdRule, check_id};
use super::draft::{AuditDraft, Draft, Kind, Wants};
use super::fields::{Fields, Str, peek};
use super::problems::{Loc, Problems};
use super::selector::{self, Picks};

const KEYS: &[&str] = &[
    "id",
    "title",
    "control",
    "same_owner",
    "deadlines",
    "policy",
    "contexts",
    "links",
    "schedule",
    "timezone",
    "lang",
    "politeness",
];
const SAME_OWNER: &[&str] = &["control", "exclude", "include"];
const POLICIES: &[&str] = &["same_treatment", "strict"];
const LANGS: &[&str] = &["zh", "en"];
const DEADLINE_EXAMPLE: &str = "{ date = 2021-09-17, label = \"MIIT deadline\" }";

pub(super) fn read(table: &DeTable<'_>, at: Loc, problems: &Problems, draft: &mut Draft) {
    let what = match peek(table, "id") {
        Some(id) => format!("audit `{id}`"),
        None => "an [[audit]] table".to_string(),
    };
    let f = Fields::new(table, at, what, KEYS, problems);
    let id = f.required_string("id", "\"miit-2021\"");
    if let Some(id) = &id {
        check_id(&f, "id", id, IdRule::Dotted);
        draft.declare(Kind::Audit, id.text, id.at.clone(), false);
    }
    let title = f.required_string("title", "\"MIIT link-blocking directive, 2021\"");
    let control = f.required_string("control", "\"neutral.android\"");
    if let Some(c) = &control {
        draft.refer(Wants::NeutralContext, c.text, c.at.clone(), f.what());
    }
    let same_owner = optional_choice(&f, "same_owner", SAME_OWNER, parse_same_owner)
        .map(|s| s.unwrap_or_default());
    let deadlines = read_deadlines(&f);
    let policy = optional_choice(&f, "policy", POLICIES, |w| known(POLICIES, w))
        .map(|p| p.unwrap_or_else(|| "same_treatment".to_string()));
    let (contexts, contexts_at) = read_selector(&f, "contexts", Picks::Contexts, draft);
    let (links, links_at) = read_selector(&f, "links", Picks::Links, draft);
    let schedule = f
        .optional_string("schedule")
        .filter(|s| check_schedule(&f, s));
    let timezone = read_timezone(&f);
    let lang = optional_choice(&f, "lang", LANGS, |w| known(LANGS, w))
        .map(|l| l.unwrap_or_else(|| "zh".to_string()));
    let politeness = read_politeness(&f);
    let (Some(id), Some(title), Some(control), Some(same_owner), Some(deadlines)) =
        (id, title, control, same_owner, deadlines)
    else {
        return;
    };
    let (Some(policy), Some(timezone), Some(lang), Some(politeness)) =
        (policy, timezone, lang, politeness)
    else {
        return;
    };
    draft.audits.push(AuditDraft {
        audit: Audit {
            id: id.text.to_string(),
            title: title.text.to_string(),
            contexts,
            links,
            control: control.text.to_string(),
            same_owner,
            deadlines,
            policy,
            schedule: schedule.map(|s| s.text.to_string()),
            timezone,
            lang,
            politeness,
        },
        what: f.what().to_string(),
        contexts_at,
        links_at,
    });
}

/// A five-field cron expression that `croner` accepts and that fires at some date.
fn check_schedule(f: &Fields<'_, '_>, s: &Str<'_>) -> bool {
    match crate::schedule::parse_cron(s.text) {
        Ok(_) => true,
        Err(reason) => {
            f.error(
                s.at.span.clone(),
                format!("`schedule` `{}` in {}: {reason}", s.text, f.what()),
                Some(
                    "write a five-field cron expression: minute hour day month weekday, \
                     e.g. \"0 3 * * *\""
                        .to_string(),
                ),
            );
            false
        }
    }
}

/// `Some(None)`: absent (take the default); `None`: present but wrong (reported).
fn optional_choice<T>(
    f: &Fields<'_, '_>,
    key: &str,
    allowed: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Option<Option<T>> {
    if f.get(key).is_none() {
        return Some(None);
    }
    let s = f.optional_string(key)?;
    f.choice(key, &s, allowed, parse).map(Some)
}

fn known(allowed: &[&str], word: &str) -> Option<String> {
    allowed.contains(&word).then(|| word.to_string())
}

fn parse_same_owner(word: &str) -> Option<SameOwner> {
    match word {
        "control" => Some(SameOwner::Control),
        "exclude" => Some(SameOwner::Exclude),
        "include" => Some(SameOwner::Include),
        _ => None,
    }
}

/// An absent selector picks everything; it is then located at the audit's header.
fn read_selector(
    f: &Fields<'_, '_>,
    key: &str,
    picks: Picks,
    draft: &mut Draft,
) -> (Selector, Loc) {
    let example = match picks {
        Picks::Contexts => "{ platforms = [\"wechat\"], scenes = [\"private_chat\"] }",
        Picks::Links => "{ platforms = [\"taobao\"], categories = [\"ecommerce\"] }",
    };
    match f.optional_table(key, example) {
        Some((table, at)) => {
            let what = format!("`{key}` of {}", f.what());
            let selector = selector::read(table, at.clone(), what, picks, f.problems(), draft);
            (selector, at)
        }
        None => (Selector::default(), f.at().clone()),
    }
}

fn read_deadlines(f: &Fields<'_, '_>) -> Option<Vec<Deadline>> {
    let Some(tables) = f.tables("deadlines", DEADLINE_EXAMPLE) else {
        f.missing("deadlines", &format!("[{DEADLINE_EXAMPLE}]"));
        return None;
    };
    if tables.is_empty() {
        if let Some(value) = f.get("deadlines")
            && matches!(value.get_ref(), DeValue::Array(items) if items.is_empty())
        {
            f.error(
                value.span(),
                format!("{} has no deadlines", f.what()),
                Some(format!(
                    "add at least one date to measure against, e.g. `deadlines = [{DEADLINE_EXAMPLE}]`"
                )),
            );
        }
        return None;
    }
    let mut deadlines = Vec::new();
    let mut all_read = true;
    for (i, (table, at)) in tables.into_iter().enumerate() {
        let what = format!("deadline {} of {}", i + 1, f.what());
        let d = Fields::new(table, at, what, &["date", "label"], f.problems());
        let date = read_date(&d);
        let label = d.required_string("label", "\"MIIT deadline\"");
        match (date, label) {
            (Some(date), Some(label)) => deadlines.push(Deadline {
                date,
                label: label.text.to_string(),
            }),
            _ => all_read = false,
        }
    }
    all_read.then_some(deadlines)
}

/// A TOML local date (`2021-09-17`, unquoted): a deadline is a day, not an instant.
fn read_date(d: &Fields<'_, '_>) -> Option<NaiveDate> {
    let Some(value) = d.get("date") else {
        d.missing("date", "2021-09-17");
        return None;
    };
    let hint = "write a date without quotes or time, e.g. `date = 2021-09-17`";
    let date = match value.get_ref() {
        DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.date,
        DeValue::Datetime(_) => {
            d.error(
                value.span(),
                format!("`date` in {} must be a date without a time", d.what()),
                Some(hint.to_string()),
            );
            return None;
        }
        _ => {
            d.wrong_type("date", value, "a date", hint);
            return None;
        }
    }?;
    NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
}

/// An IANA zone name from the time zone database; default Asia/Shanghai, where the platforms
/// and most analysts are.
fn read_timezone(f: &Fields<'_, '_>) -> Option<String> {
    let Some(s) = f.optional_string("timezone") else {
        return f
            .get("timezone")
            .is_none()
            .then(|| "Asia/Shanghai".to_string());
    };
    match crate::schedule::parse_timezone(s.text) {
        Ok(_) => Some(s.text.to_string()),
        Err(err) => {
            let hint = match &err {
                crate::schedule::ScheduleError::TimeZone { hint, .. } if !hint.is_empty() => hint
                    .trim()
                    .trim_start_matches('(')
                    .trim_end_matches(')')
                    .to_string(),
                _ => "e.g. \"Asia/Shanghai\" or \"UTC\"".to_string(),
            };
            f.error(
                s.at.span.clone(),
                format!(
                    "`timezone` `{}` in {} is not an IANA time zone name",
                    s.text,
                    f.what()
                ),
                Some(hint),
            );
            None
        }
    }
}

fn read_politeness(f: &Fields<'_, '_>) -> Option<Politeness> {
    let example = "{ concurrency = 8, per_host = 2, interval_ms = 500 }";
    let Some((table, at)) = f.optional_table("politeness", example) else {
        return f.get("politeness").is_none().then(Politeness::default);
    };
    let what = format!("`politeness` of {}", f.what());
    let p = Fields::new(
        table,
        at,
        what,
        &["concurrency", "per_host", "interval_ms"],
        f.problems(),
    );
    let mut ok = true;
    let mut count = |key: &str, min: i64| -> Option<u64> {
        let (n, at) = p.optional_int(key)?;
        if n < min {
            p.error(
                at.span,
                format!("`{key}` in {} must be at least {min}", p.what()),
                Some(format!("leave `{key}` out to keep the run's default")),
            );
            ok = false;
            return None;
        }
        u64::try_from(n).ok()
    };
    let concurrency = count("concurrency", 1);
    let per_host = count("per_host", 1);
    let interval_ms = count("interval_ms", 0);
    let politeness = Politeness {
        concurrency: concurrency.and_then(|n| usize::try_from(n).ok()),
        per_host: per_host.and_then(|n| usize::try_from(n).ok()),
        interval: interval_ms.map(Duration::from_millis),
    };
    ok.then_some(politeness)
}
