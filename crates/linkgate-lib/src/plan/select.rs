//! The words an analyst narrows a plan with (`--host wechat --scene group_chat --link
//! 'taobao.*'`), checked and turned into [`PlanOptions`] in one place, so every front end
//! (the command line, a config file, a test) gets the same errors for a bad word and the same
//! warning for a word that selects nothing.

use crate::catalog::{Catalog, compile_glob};
use crate::model::{Category, Client, Probe, SameOwner, Scene, Selector};

use super::PlanOptions;

/// A selection as words, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Host platforms of the contexts.
    pub hosts: Vec<String>,
    /// Scenes of the contexts (`private_chat`, …).
    pub scenes: Vec<String>,
    /// Clients of the contexts (`android`, `ios`).
    pub clients: Vec<String>,
    /// Globs over context ids.
    pub contexts: Vec<String>,
    /// Target platforms of the links.
    pub targets: Vec<String>,
    /// Categories of the links.
    pub categories: Vec<String>,
    /// Globs over link ids.
    pub links: Vec<String>,
    /// The same-owner rule: `control`, `exclude` or `include`.
    pub same_owner: Option<String>,
}

/// A word of a selection that is not one of the allowed words; the message names the flag's
/// word and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectionError(pub String);

impl Selection {
    /// The plan options of this selection, for `audit` (all audits when `None`).
    pub fn options(&self, audit: Option<String>) -> Result<PlanOptions, SelectionError> {
        let contexts = Selector {
            platforms: self.hosts.clone(),
            scenes: parse_all(
                &self.scenes,
                "scene",
                Scene::parse,
                &Scene::ALL.map(Scene::as_str),
            )?,
            clients: parse_all(&self.clients, "client", Client::parse, &["android", "ios"])?,
            ids: globs(&self.contexts)?,
            ..Selector::default()
        };
        let links = Selector {
            platforms: self.targets.clone(),
            categories: parse_all(
                &self.categories,
                "category",
                Category::parse,
                &Category::ALL.map(Category::as_str),
            )?,
            ids: globs(&self.links)?,
            ..Selector::default()
        };
        let same_owner = self
            .same_owner
            .as_deref()
            .map(|rule| {
                SameOwner::parse(rule).ok_or_else(|| {
                    SelectionError(format!(
                        "unknown --same-owner rule `{rule}`; use control, exclude or include"
                    ))
                })
            })
            .transpose()?;
        Ok(PlanOptions {
            audit,
            contexts,
            links,
            same_owner,
            shard: None,
        })
    }

    /// The words that select nothing in `catalog` (each a warning). Refuses a selection under
    /// which nothing at all would run (`--context 'neutral*'` picks no host context: neutral
    /// ones are controls).
    pub fn check(
        &self,
        catalog: &Catalog,
        probes: &[Probe],
    ) -> Result<Vec<String>, SelectionError> {
        let idle = self.idle(catalog)?;
        if probes.is_empty() {
            let why = match idle.is_empty() {
                true => String::new(),
                false => format!(" ({})", idle.join("; ")),
            };
            return Err(SelectionError(format!(
                "the selection matches nothing, so nothing would run{why}; `linkgate plan` lists \
                 what the audits measure (context ids such as `wechat.android.private_chat`, \
                 neutral contexts only as controls)"
            )));
        }
        Ok(idle)
    }

    fn idle(&self, catalog: &Catalog) -> Result<Vec<String>, SelectionError> {
        let host_contexts: Vec<&str> = catalog
            .contexts
            .iter()
            .filter(|c| c.host.is_some())
            .map(|c| c.id.as_str())
            .collect();
        let links: Vec<&str> = catalog.links.iter().map(|l| l.id.as_str()).collect();
        let mut idle = Vec::new();
        for (flag, patterns, ids) in [
            ("--context", &self.contexts, &host_contexts),
            ("--link", &self.links, &links),
        ] {
            for pattern in patterns {
                let matches = globs(std::slice::from_ref(pattern))?
                    .first()
                    .is_some_and(|g| ids.iter().any(|id| g.is_match(id)));
                if !matches {
                    idle.push(format!(
                        "{flag} '{}' matches no {} id",
                        shown(pattern),
                        &flag[2..]
                    ));
                }
            }
        }
        for (flag, names) in [("--host", &self.hosts), ("--target", &self.targets)] {
            for name in names {
                if catalog.platform(name).is_none() {
                    idle.push(format!("{flag} {name} is not a platform of the scenarios"));
                }
            }
        }
        Ok(idle)
    }
}

/// A pattern as a message quotes it: hostile ones can be 100,000 characters long.
fn shown(pattern: &str) -> String {
    match pattern.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &pattern[..at]),
        None => pattern.to_string(),
    }
}

fn parse_all<T>(
    words: &[String],
    what: &str,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<Vec<T>, SelectionError> {
    words
        .iter()
        .map(|w| {
            parse(w).ok_or_else(|| {
                SelectionError(format!(
                    "unknown {what} `{w}`; use one of: {}",
                    allowed.join(", ")
                ))
            })
        })
        .collect()
}

fn globs(patterns: &[String]) -> Result<Vec<globset::GlobMatcher>, SelectionError> {
    patterns
        .iter()
        .map(|p| {
            compile_glob(p).map_err(|e| {
                SelectionError(format!(
                    "the id pattern `{}` {e}; use `*` for any characters, e.g. `wechat.*`",
                    shown(p)
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_word_names_the_allowed_ones() {
        let selection = Selection {
            scenes: vec!["chat".into()],
            ..Selection::default()
        };
        let err = selection.options(None).unwrap_err();
        assert!(
            err.0
                .starts_with("unknown scene `chat`; use one of: private_chat"),
            "{err}"
        );
        let selection = Selection {
            same_owner: Some("keep".into()),
            ..Selection::default()
        };
        assert!(
            selection
                .options(None)
                .unwrap_err()
                .0
                .contains("--same-owner rule `keep`")
        );
    }

    #[test]
    fn a_long_pattern_is_quoted_short() {
        assert_eq!(shown(&"a".repeat(100)).chars().count(), 41);
    }
}
