//! Reads an audit's `contexts` or `links` selector: platform, scene, client and category
//! lists, and glob patterns on ids. Each platform and each id pattern is checked, once every
//! file is read, to name something that exists, so a typo cannot silently select nothing.

use globset::GlobMatcher;
use toml::de::DeTable;

use crate::model::{Category, Client, Scene, Selector};

use super::context::{CLIENTS, SCENES};
use super::draft::{Draft, Wants};
use super::fields::Fields;
use super::link::CATEGORIES;
use super::problems::{Loc, Problems};

/// Which selector is being read: they allow different keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Picks {
    Contexts,
    Links,
}

/// Reads the selector table at `at`; `what` names it ("`contexts` of audit `x`").
pub(super) fn read(
    table: &DeTable<'_>,
    at: Loc,
    what: String,
    picks: Picks,
    problems: &Problems,
    draft: &mut Draft,
) -> Selector {
    let keys: &[&str] = match picks {
        Picks::Contexts => &["platforms", "scenes", "clients", "ids"],
        Picks::Links => &["platforms", "categories", "ids"],
    };
    let f = Fields::new(table, at, what, keys, problems);
    let mut selector = Selector::default();
    for name in f.strings("platforms") {
        draft.refer(Wants::Platform, name.text, name.at.clone(), f.what());
        selector.platforms.push(name.text.to_string());
    }
    for s in f.strings("scenes") {
        selector
            .scenes
            .extend(f.choice("scene", &s, SCENES, Scene::parse));
    }
    for s in f.strings("clients") {
        selector
            .clients
            .extend(f.choice("client", &s, CLIENTS, Client::parse));
    }
    for s in f.strings("categories") {
        selector
            .categories
            .extend(f.choice("category", &s, CATEGORIES, Category::parse));
    }
    for s in f.strings("ids") {
        match super::glob::compile_glob(s.text) {
            Ok(matcher) => {
                let matcher: GlobMatcher = matcher;
                let wants = match picks {
                    Picks::Contexts => Wants::HostContextIds(matcher.clone()),
                    Picks::Links => Wants::LinkIds(matcher.clone()),
                };
                draft.refer(wants, s.text, s.at.clone(), f.what());
                selector.ids.push(matcher);
            }
            Err(e) => f.error(
                s.at.span.clone(),
                format!("id pattern `{}` in {} {e}", short(s.text), f.what()),
                Some("use `*` for any characters, e.g. \"wechat.*\"".to_string()),
            ),
        }
    }
    selector
}

/// A pattern as a message quotes it: hostile ones can be 100,000 characters long.
fn short(pattern: &str) -> String {
    match pattern.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &pattern[..at]),
        None => pattern.to_string(),
    }
}
