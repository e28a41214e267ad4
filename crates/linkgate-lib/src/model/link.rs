//! A link is a URL owned by a target platform, with the pattern that proves the target's own
//! content was reached. Without that proof a probe is never scored `opened`.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use strum::{Display, EnumString, IntoStaticStr};

/// What kind of service a link leads to; MIIT's rule compares links of one category.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Category {
    Ecommerce,
    ShortVideo,
    Social,
    Payment,
    Article,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Ecommerce,
        Category::ShortVideo,
        Category::Social,
        Category::Payment,
        Category::Article,
    ];
}

/// A URL owned by a platform.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    /// The target platform that owns the URL.
    pub platform: String,
    pub category: Category,
    pub url: String,
    /// Matches the final URL of a page that is the target's own content.
    #[serde(serialize_with = "serialize_regex")]
    /// Shared by every link with the same pattern (a site's links usually have one).
    pub landing: Arc<Regex>,
    /// What the landed page's source must contain to prove the target's content was shown
    /// (for pages whose content is drawn by script); without it, a title or visible text.
    #[serde(serialize_with = "serialize_opt_regex")]
    pub landing_marker: Option<Arc<Regex>>,
    pub note: Option<String>,
}

impl Link {
    /// Whether `url` is on this link's landing pattern.
    pub fn lands_on(&self, url: &str) -> bool {
        self.landing.is_match(url)
    }
}

fn serialize_opt_regex<S: serde::Serializer>(
    re: &Option<Arc<Regex>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match re {
        Some(re) => s.serialize_str(re.as_str()),
        None => s.serialize_none(),
    }
}

fn serialize_regex<S: serde::Serializer>(re: &Regex, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(re.as_str())
}

crate::model::words!(Category);
