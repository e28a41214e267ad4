//! The checks that need every file at once: ids unique per kind across files, references to
//! platforms and contexts that exist, an audit's control that is neutral, id patterns that
//! match something, and audits that select at least one context and one link.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::model::ScenarioFile;

use super::Catalog;
use super::draft::{Declaration, Draft, Kind, Reference, Wants};
use super::problems::{Problems, position};
use super::suggest::did_you_mean;

/// Runs every check across files, then, if nothing at all was wrong, builds the catalog.
pub(super) fn resolve(
    draft: Draft,
    files: &[(PathBuf, &str)],
    scenario_files: Vec<ScenarioFile>,
    problems: &Problems,
) -> Option<Catalog> {
    let first = check_duplicates(&draft.declarations, files, problems);
    let known = Known {
        declarations: &draft.declarations,
        first: &first,
    };
    for reference in &draft.references {
        check_reference(reference, &known, problems);
    }
    if !problems.is_empty() {
        return None;
    }
    let catalog = Catalog {
        platforms: draft.platforms,
        contexts: draft.contexts,
        links: draft.links,
        signatures: draft.signatures,
        audits: draft.audits.iter().map(|a| a.audit.clone()).collect(),
        files: scenario_files,
        tree: draft.tree,
    };
    // Only meaningful once everything else is right: otherwise a broken context or link
    // would make an audit look empty.
    for a in &draft.audits {
        let hosts = catalog.contexts.iter().filter(|c| !c.is_neutral());
        if !hosts.clone().any(|c| a.audit.contexts.picks_context(c)) {
            problems.error(
                a.contexts_at.clone(),
                format!("{} selects no host context", a.what),
                Some(format!(
                    "its `contexts` selector matches none of the {} host contexts; \
                     loosen it or add [[context]] tables with a `host`",
                    hosts.count()
                )),
            );
        }
        if !catalog.links.iter().any(|l| a.audit.links.picks_link(l)) {
            problems.error(
                a.links_at.clone(),
                format!("{} selects no link", a.what),
                Some(format!(
                    "its `links` selector matches none of the {} links; loosen it or add [[link]] tables",
                    catalog.links.len()
                )),
            );
        }
    }
    problems.is_empty().then_some(catalog)
}

/// Reports every id declared twice (at the second), and returns the first of each.
fn check_duplicates<'d>(
    declarations: &'d [Declaration],
    files: &[(PathBuf, &str)],
    problems: &Problems,
) -> HashMap<(Kind, &'d str), &'d Declaration> {
    let mut first: HashMap<(Kind, &str), &Declaration> = HashMap::new();
    for d in declarations {
        match first.get(&(d.kind, d.id.as_str())) {
            Some(earlier) => problems.error(
                d.at.clone(),
                format!("duplicate {} id `{}`", d.kind.noun(), d.id),
                Some(format!(
                    "first defined at {}; {} ids must be unique across all scenario files",
                    position(&earlier.at, files),
                    d.kind.noun()
                )),
            ),
            None => {
                first.insert((d.kind, d.id.as_str()), d);
            }
        }
    }
    first
}

/// Every id declared, once each, so references can be checked and suggested.
struct Known<'d> {
    declarations: &'d [Declaration],
    first: &'d HashMap<(Kind, &'d str), &'d Declaration>,
}

impl Known<'_> {
    /// Unique ids of a kind (and neutrality, for contexts), in declaration order.
    fn ids(&self, kind: Kind, neutral: Option<bool>) -> Vec<&str> {
        // A set, not `Vec::contains`: a catalog of 100,000 links made that quadratic.
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut ids: Vec<&str> = Vec::new();
        for d in self.declarations {
            if d.kind == kind
                && neutral.is_none_or(|n| d.neutral == n)
                && seen.insert(d.id.as_str())
            {
                ids.push(d.id.as_str());
            }
        }
        ids
    }

    fn get(&self, kind: Kind, id: &str) -> Option<&Declaration> {
        self.first.get(&(kind, id)).copied()
    }
}

fn check_reference(r: &Reference, known: &Known<'_>, problems: &Problems) {
    match &r.wants {
        Wants::Platform => {
            if known.get(Kind::Platform, &r.name).is_none() {
                problems.error(
                    r.at.clone(),
                    format!("unknown platform `{}` in {}", r.name, r.from),
                    Some(unknown_hint(
                        &r.name,
                        &known.ids(Kind::Platform, None),
                        "declare it with a [[platform]] table",
                    )),
                );
            }
        }
        Wants::NeutralContext => check_control(r, known, problems),
        Wants::HostContextIds(glob) => {
            if !known
                .ids(Kind::Context, Some(false))
                .iter()
                .any(|id| glob.is_match(id))
            {
                problems.error(
                    r.at.clone(),
                    format!(
                        "id pattern `{}` in {} matches no host context",
                        r.name, r.from
                    ),
                    Some(
                        "host context ids are host.client.scene, \
                         e.g. `wechat.android.private_chat`"
                            .to_string(),
                    ),
                );
            }
        }
        Wants::LinkIds(glob) => {
            if !known
                .ids(Kind::Link, None)
                .iter()
                .any(|id| glob.is_match(id))
            {
                problems.error(
                    r.at.clone(),
                    format!("id pattern `{}` in {} matches no link", r.name, r.from),
                    Some(
                        "link ids are the `id`s of [[link]] tables, e.g. \"taobao.*\"".to_string(),
                    ),
                );
            }
        }
    }
}

/// An audit's control must be a declared context, and a neutral one.
fn check_control(r: &Reference, known: &Known<'_>, problems: &Problems) {
    let neutral = known.ids(Kind::Context, Some(true));
    let fix = "an audit's control is a neutral context: a [[context]] with an `id` and no `host`";
    let message = match known.get(Kind::Context, &r.name) {
        None => format!("unknown context `{}` in {}", r.name, r.from),
        Some(d) if !d.neutral => format!(
            "control `{}` of {} is a host context, not a neutral one",
            r.name, r.from
        ),
        Some(_) => return,
    };
    problems.error(
        r.at.clone(),
        message,
        Some(unknown_hint(&r.name, &neutral, fix)),
    );
}

/// A did-you-mean when there is one, then the known names (or how to declare one).
fn unknown_hint(name: &str, known: &[&str], fix: &str) -> String {
    let suggestion = did_you_mean(name, known.iter().copied());
    let listing = if known.is_empty() {
        format!("none is declared; {fix}")
    } else {
        format!("known: {}; {fix}", known.join(", "))
    };
    match suggestion {
        Some(s) => format!("{s} ({listing})"),
        None => listing,
    }
}
