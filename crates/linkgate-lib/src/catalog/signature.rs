//! Reads a `[[signature]]` table into a compiled `Signature`: its verdict, mechanism and actor,
//! which platforms it applies to, where its facts come from, the fixture page that proves it,
//! and its conditions (see `condition`).

use std::path::{Component, Path, PathBuf};

use toml::de::{DeTable, DeValue};

use crate::classify::{Condition, PlatformFilter, Signature};
use crate::model::{Actor, VerdictKind};

use super::checks::{IdRule, check_http_url, check_id};
use super::condition;
use super::draft::{Draft, Kind, Wants};
use super::fields::{Fields, Str, peek};
use super::files::Tree;
use super::problems::{Loc, Problems};

const KEYS: &[&str] = &[
    "id",
    "verdict",
    "mechanism",
    "actor",
    "hosts",
    "targets",
    "priority",
    "source",
    "fixture",
    "fixture_url",
    "fixture_verdict",
    "when",
];
const VERDICTS: &[&str] = &["blocked", "interstitial", "inconclusive", "by_continue"];
/// What `verdict = "by_continue"` stands for: the page's continue control decides.
const BY_CONTINUE: &str = "by_continue";
const ACTORS: &[&str] = &["host", "target", "none"];

/// `dir` is the folder of the scenario file: fixture paths are relative to it.
pub(super) fn read(
    table: &DeTable<'_>,
    at: Loc,
    dir: &Path,
    problems: &Problems,
    draft: &mut Draft,
) {
    let order = draft.signatures_seen;
    draft.signatures_seen += 1;
    let what = match peek(table, "id") {
        Some(id) => format!("signature `{id}`"),
        None => "a [[signature]] table".to_string(),
    };
    let f = Fields::new(table, at, what, KEYS, problems);
    let id = f.required_string("id", "\"wechat.stop\"");
    if let Some(id) = &id {
        check_id(&f, "id", id, IdRule::Dotted);
        draft.declare(Kind::Signature, id.text, id.at.clone(), false);
    }
    let verdict_text = f.required_string("verdict", "\"blocked\"");
    let by_continue = verdict_text.as_ref().is_some_and(|s| s.text == BY_CONTINUE);
    let verdict = verdict_text.and_then(|s| {
        if s.text == BY_CONTINUE {
            Some(VerdictKind::Blocked)
        } else {
            read_verdict(&f, &s)
        }
    });
    let mechanism = f
        .required_string("mechanism", "\"stop_page\"")
        .filter(|s| check_mechanism(&f, s));
    let actor = f
        .required_string("actor", "\"host\"")
        .and_then(|s| f.choice("actor", &s, ACTORS, Actor::parse));
    let hosts = platforms(&f, "hosts", draft);
    let targets = platforms(&f, "targets", draft);
    let priority = read_priority(&f);
    let source = f.required_string("source", "\"https://… (where the facts come from)\"");
    let fixture = f
        .required_string("fixture", "\"fixtures/wechat/stop.html\"")
        .and_then(|s| read_fixture(&f, &s, dir, draft.tree));
    let fixture_url = f
        .optional_string("fixture_url")
        .filter(|s| check_http_url(&f, "fixture_url", s));
    let fixture_verdict = read_fixture_verdict(&f, by_continue);
    let conditions = read_when(&f);
    let (Some(id), Some(verdict), Some(mechanism), Some(actor), Some(source), Some(fixture)) =
        (id, verdict, mechanism, actor, source, fixture)
    else {
        return;
    };
    let (Some(priority), Some(conditions), Some(fixture_verdict)) =
        (priority, conditions, fixture_verdict)
    else {
        return;
    };
    draft.signatures.push(Signature {
        id: id.text.to_string(),
        conditions,
        verdict,
        by_continue,
        mechanism: mechanism.text.to_string(),
        actor,
        hosts,
        targets,
        priority,
        source: source.text.to_string(),
        fixture,
        fixture_url: fixture_url.map(|s| s.text.to_string()),
        fixture_verdict,
        order,
    });
}

/// `opened` gets its own explanation: it is the one verdict a signature may not give.
fn read_verdict(f: &Fields<'_, '_>, s: &Str<'_>) -> Option<VerdictKind> {
    if s.text == "opened" {
        f.error(
            s.at.span.clone(),
            format!("`opened` is not a signature verdict (in {})", f.what()),
            Some(
                "a probe is `opened` only when its final URL matches the link's `landing` \
                 pattern; signatures recognise what stands in the way: use blocked, \
                 interstitial or inconclusive"
                    .to_string(),
            ),
        );
        return None;
    }
    f.choice("verdict", s, VERDICTS, |w| {
        VerdictKind::parse(w).filter(|v| *v != VerdictKind::Opened)
    })
}

/// `fixture_verdict`: the verdict the fixture page gets. A `by_continue` signature's
/// depends on the page, so it must be said; `Some(None)` is "absent, and fine".
fn read_fixture_verdict(f: &Fields<'_, '_>, by_continue: bool) -> Option<Option<VerdictKind>> {
    match f.optional_string("fixture_verdict") {
        Some(s) => f
            .choice(
                "fixture_verdict",
                &s,
                &["blocked", "interstitial", "inconclusive"],
                |w| VerdictKind::parse(w).filter(|v| *v != VerdictKind::Opened),
            )
            .map(Some),
        None if by_continue => {
            f.error(
                f.at().span.clone(),
                format!(
                    "{} has `verdict = \"by_continue\"` but no `fixture_verdict`",
                    f.what()
                ),
                Some(
                    "say what its fixture page is: `fixture_verdict = \"interstitial\"` if the \
                     page offers a way on, `\"blocked\"` if it offers none"
                        .to_string(),
                ),
            );
            None
        }
        None => Some(None),
    }
}

fn check_mechanism(f: &Fields<'_, '_>, s: &Str<'_>) -> bool {
    let ok = s.text.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if !ok {
        f.error(
            s.at.span.clone(),
            format!(
                "`mechanism` `{}` in {} is not a word of a-z and `_`",
                s.text,
                f.what()
            ),
            Some("e.g. stop_page, copy_to_browser, risk_warning, leave_app_prompt".to_string()),
        );
    }
    ok
}

/// `hosts` or `targets`: platform ids, each checked once every file is read.
fn platforms(f: &Fields<'_, '_>, key: &str, draft: &mut Draft) -> PlatformFilter {
    let names = f.strings(key);
    for name in &names {
        draft.refer(Wants::Platform, name.text, name.at.clone(), f.what());
    }
    PlatformFilter(names.iter().map(|n| n.text.to_string()).collect())
}

fn read_priority(f: &Fields<'_, '_>) -> Option<i32> {
    let Some((n, at)) = f.optional_int("priority") else {
        // Absent is the default; a wrong type was reported and the catalog fails anyway.
        return Some(0);
    };
    match i32::try_from(n) {
        Ok(n) => Some(n),
        Err(_) => {
            f.error(
                at.span,
                format!("`priority` in {} is out of range", f.what()),
                Some("use a small integer such as 0, 10 or -10".to_string()),
            );
            None
        }
    }
}

/// The fixture path joined onto the scenario file's folder; it must be a file of the tree the
/// scenario file was read from.
fn read_fixture(f: &Fields<'_, '_>, s: &Str<'_>, dir: &Path, tree: Tree) -> Option<PathBuf> {
    let resolved = dir.join(s.text);
    if tree.is_file(&resolved) {
        return Some(resolved);
    }
    f.error(
        s.at.span.clone(),
        format!("fixture `{}` of {} does not exist", s.text, f.what()),
        Some(format!(
            "looked for {} (fixture paths are relative to the scenario file's folder)",
            tidy(&resolved).display()
        )),
    );
    None
}

/// `a/b/../c` → `a/c`, without touching the file system: only for showing a path.
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// At least one condition; every one is read even when an earlier one is wrong.
fn read_when(f: &Fields<'_, '_>) -> Option<Vec<Condition>> {
    let example = "{ in = \"text\", contains = \"已停止访问该网页\" }";
    let Some(tables) = f.tables("when", example) else {
        f.missing("when", &format!("[{example}]"));
        return None;
    };
    if tables.is_empty() {
        if let Some(value) = f.get("when")
            && matches!(value.get_ref(), DeValue::Array(items) if items.is_empty())
        {
            f.error(
                value.span(),
                format!("`when` in {} has no conditions", f.what()),
                Some(format!("add at least one, e.g. `when = [{example}]`")),
            );
        }
        return None;
    }
    let mut conditions = Vec::new();
    let mut all_read = true;
    for (i, (table, at)) in tables.into_iter().enumerate() {
        let what = format!("condition {} of {}", i + 1, f.what());
        match condition::read(table, at, what, f.problems()) {
            Some(c) => conditions.push(c),
            None => all_read = false,
        }
    }
    all_read.then_some(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_folds_parent_folders_for_display() {
        assert_eq!(
            tidy(Path::new("tests/fixtures/invalid/../pages/./x.html")),
            PathBuf::from("tests/fixtures/pages/x.html")
        );
        assert_eq!(tidy(Path::new("../x.html")), PathBuf::from("../x.html"));
    }
}
