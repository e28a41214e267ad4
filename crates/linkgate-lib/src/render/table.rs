//! Tables for a terminal: aligned columns of the plan and of the schedules. One layout, so
//! every table linkgate prints reads and greps the same way.

use std::collections::BTreeMap;

use unicode_width::UnicodeWidthStr;

use crate::model::ProbeRole;
use crate::plan::PlanRow;
use crate::schedule::ScheduleLine;
use crate::triage::Triage;

/// Left-aligned columns two spaces apart, a header line first, no trailing spaces; widths
/// are terminal columns, so Chinese names line up.
pub fn columns<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    for cells in std::iter::once(header.map(str::to_string)).chain(rows.iter().cloned()) {
        let line: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| {
                let pad = w.saturating_sub(cell.width());
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// What a run would measure, one probe a line, then the totals by role
/// (`42 probes: 30 rival, 6 same_owner, 6 control`).
pub fn plan(rows: &[PlanRow]) -> String {
    let header = ["AUDIT", "ROLE", "CONTEXT", "LINK", "ENGINE", "ENTRY URL"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.audit.clone(),
                r.role.to_string(),
                r.context.clone(),
                r.link.clone(),
                r.engine.clone(),
                r.entry_url.clone(),
            ]
        })
        .collect();
    let mut by_role: BTreeMap<ProbeRole, usize> = BTreeMap::new();
    for row in rows {
        *by_role.entry(row.role).or_default() += 1;
    }
    let parts: Vec<String> = by_role
        .iter()
        .map(|(role, n)| format!("{n} {role}"))
        .collect();
    format!(
        "{}{} probes: {}\n",
        columns(header, &cells),
        rows.len(),
        parts.join(", ")
    )
}

/// Each audit's schedule, time zone, last run and next run.
pub fn schedules(lines: &[ScheduleLine]) -> String {
    let header = ["AUDIT", "SCHEDULE", "TIME ZONE", "LAST RUN", "NEXT RUN"];
    let dash = || "-".to_string();
    let rows: Vec<[String; 5]> = lines
        .iter()
        .map(|l| {
            [
                l.audit.clone(),
                l.schedule.clone().unwrap_or_else(|| "(by hand)".into()),
                l.timezone.clone(),
                l.last_run.clone().unwrap_or_else(dash),
                l.next_run.clone().unwrap_or_else(dash),
            ]
        })
        .collect();
    columns(header, &rows)
}

/// The families of a triage, largest first, and how many pages were looked at.
pub fn families(found: &Triage) -> String {
    let header = [
        "FAMILY",
        "PAGES",
        "HOSTS",
        "TARGETS",
        "FIRST SEEN",
        "LAST SEEN",
        "URL",
    ];
    let join =
        |s: &std::collections::BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(",");
    let rows: Vec<[String; 7]> = found
        .families
        .iter()
        .map(|f| {
            [
                f.id.clone(),
                f.observations.to_string(),
                join(&f.hosts),
                join(&f.targets),
                f.first_seen.format("%Y-%m-%d").to_string(),
                f.last_seen.format("%Y-%m-%d").to_string(),
                f.urls.iter().next().cloned().unwrap_or_default(),
            ]
        })
        .collect();
    format!(
        "{}{} inconclusive pages, {} families\n",
        columns(header, &rows),
        found.pages,
        found.families.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_characters_and_leave_no_trailing_space() {
        let rows = [
            ["微信".to_string(), String::new()],
            ["qq".into(), "x".into()],
        ];
        assert_eq!(columns(["A", "B"], &rows), "A     B\n微信\nqq    x\n");
    }
}
