//! Reads a `[[link]]` table: a target platform's URL, its category, and the landing pattern
//! that proves the target's own page was reached.

use toml::de::DeTable;

use crate::model::{Category, Link};

use super::checks::{IdRule, check_http_url, check_id, compile_regex};
use super::draft::{Draft, Kind, Wants};
use super::fields::{Fields, peek};
use super::problems::{Loc, Problems};

const KEYS: &[&str] = &[
    "id",
    "platform",
    "category",
    "url",
    "landing",
    "landing_marker",
    "note",
];

pub(super) const CATEGORIES: &[&str] =
    &["ecommerce", "short_video", "social", "payment", "article"];

pub(super) fn read(table: &DeTable<'_>, at: Loc, problems: &Problems, draft: &mut Draft) {
    let what = match peek(table, "id") {
        Some(id) => format!("link `{id}`"),
        None => "a [[link]] table".to_string(),
    };
    let f = Fields::new(table, at, what, KEYS, problems);
    let id = f.required_string("id", "\"taobao.item.share\"");
    if let Some(id) = &id {
        check_id(&f, "id", id, IdRule::Dotted);
        draft.declare(Kind::Link, id.text, id.at.clone(), false);
    }
    let platform = f.required_string("platform", "\"taobao\"");
    if let Some(p) = &platform {
        draft.refer(Wants::Platform, p.text, p.at.clone(), f.what());
    }
    let category = f
        .required_string("category", "\"ecommerce\"")
        .and_then(|s| f.choice("category", &s, CATEGORIES, Category::parse));
    let url = f
        .required_string("url", "\"https://m.tb.cn/h.fkR7c2\"")
        .filter(|s| check_http_url(&f, "url", s));
    let landing = f
        .required_string("landing", "'^https://item\\.taobao\\.com/'")
        .and_then(|s| compile_regex(&f, "landing", &s));
    let marker = match f.optional_string("landing_marker") {
        Some(s) => compile_regex(&f, "landing_marker", &s).map(Some),
        None => Some(None),
    };
    let note = f.optional_string("note");
    if let (Some(id), Some(platform), Some(category), Some(url), Some(landing), Some(marker)) =
        (id, platform, category, url, landing, marker)
    {
        draft.links.push(Link {
            id: id.text.to_string(),
            platform: platform.text.to_string(),
            category,
            url: url.text.to_string(),
            landing,
            landing_marker: marker,
            note: note.map(|n| n.text.to_string()),
        });
    }
}
