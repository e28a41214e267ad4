//! An audit says what to measure (which contexts against which links), against which
//! deadlines, by which policy, how politely, and on what schedule.

use chrono::NaiveDate;
use globset::GlobMatcher;
use serde::Serialize;
use std::time::Duration;

use super::{Category, Client, Context, Link, Scene};

/// Picks contexts or links. Every field that is set must match; an empty selector picks all.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// Host platform (contexts) or target platform (links).
    pub platforms: Vec<String>,
    pub scenes: Vec<Scene>,
    pub clients: Vec<Client>,
    pub categories: Vec<Category>,
    /// Glob patterns on the id, e.g. `wechat.*`.
    pub ids: Vec<GlobMatcher>,
}

impl Selector {
    fn id_matches(&self, id: &str) -> bool {
        self.ids.is_empty() || self.ids.iter().any(|glob| glob.is_match(id))
    }

    /// Whether a (non-neutral) context is picked.
    pub fn picks_context(&self, context: &Context) -> bool {
        let platform_ok = self.platforms.is_empty()
            || context
                .host
                .as_ref()
                .is_some_and(|host| self.platforms.contains(host));
        let scene_ok =
            self.scenes.is_empty() || context.scene.is_some_and(|s| self.scenes.contains(&s));
        let client_ok = self.clients.is_empty() || self.clients.contains(&context.client);
        platform_ok && scene_ok && client_ok && self.id_matches(&context.id)
    }

    /// Whether a link is picked.
    pub fn picks_link(&self, link: &Link) -> bool {
        let platform_ok = self.platforms.is_empty() || self.platforms.contains(&link.platform);
        let category_ok = self.categories.is_empty() || self.categories.contains(&link.category);
        platform_ok && category_ok && self.id_matches(&link.id)
    }
}

/// What to do with a pair whose host and target share an owner group.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SameOwner {
    /// Measure it and mark it as a control pair (the default: it is the baseline MIIT's
    /// "same type, same treatment" rule compares against).
    #[default]
    Control,
    /// Leave the pair out.
    Exclude,
    /// Measure it as if it were a rival pair.
    Include,
}

impl SameOwner {
    pub fn parse(s: &str) -> Option<SameOwner> {
        s.parse().ok()
    }
}

/// A date the audit measures against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub date: NaiveDate,
    pub label: String,
}

/// Politeness limits; `None` leaves the run's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Politeness {
    pub concurrency: Option<usize>,
    pub per_host: Option<usize>,
    pub interval: Option<Duration>,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Audit {
    pub id: String,
    pub title: String,
    pub contexts: Selector,
    pub links: Selector,
    /// Id of the neutral context controls are measured in.
    pub control: String,
    pub same_owner: SameOwner,
    pub deadlines: Vec<Deadline>,
    /// Id of the compliance policy (see the assess stage).
    pub policy: String,
    /// Standard five-field cron expression.
    pub schedule: Option<String>,
    /// IANA time zone the schedule is read in.
    pub timezone: String,
    /// `zh` or `en`: the report's default language.
    pub lang: String,
    pub politeness: Politeness,
}
