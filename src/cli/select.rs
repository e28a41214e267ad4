//! Selector flags shared by the commands that pick contexts and links (`plan`, `run`), turned
//! into the library's `Selector` values with clear errors for bad words.

use clap::Args;

use linkgate::catalog::Catalog;
use linkgate::model::{Category, Client, Probe, Scene, Selector};

use super::InvalidArgs;

/// Narrow the audit's contexts and links.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Only host contexts of this platform (repeatable)
    #[arg(long = "host", value_name = "PLATFORM")]
    hosts: Vec<String>,
    /// Only contexts of this scene: private_chat, group_chat, moments, live_room, video_description, profile
    #[arg(long = "scene", value_name = "SCENE")]
    scenes: Vec<String>,
    /// Only contexts of this client: android, ios
    #[arg(long = "client", value_name = "CLIENT")]
    clients: Vec<String>,
    /// Only contexts whose id matches this glob, e.g. 'wechat.*.group_chat' (repeatable)
    #[arg(long = "context", value_name = "GLOB")]
    contexts: Vec<String>,
    /// Only links of this target platform (repeatable)
    #[arg(long = "target", value_name = "PLATFORM")]
    targets: Vec<String>,
    /// Only links of this category: ecommerce, short_video, social, payment, article
    #[arg(long = "category", value_name = "CATEGORY")]
    categories: Vec<String>,
    /// Only links whose id matches this glob, e.g. 'taobao.*' (repeatable)
    #[arg(long = "link", value_name = "GLOB")]
    links: Vec<String>,
}

impl SelectArgs {
    /// The context selector and the link selector these flags describe.
    pub fn selectors(&self) -> Result<(Selector, Selector), InvalidArgs> {
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
        Ok((contexts, links))
    }
}

impl SelectArgs {
    /// Says which flag selects nothing, and refuses a selection under which nothing at all
    /// would run (`--context 'neutral*'` picks no host context: neutral ones are controls).
    pub fn check(&self, catalog: &Catalog, probes: &[Probe]) -> Result<(), InvalidArgs> {
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
        for what in &idle {
            tracing::warn!("{what}; it selects nothing");
        }
        if probes.is_empty() {
            let why = match idle.is_empty() {
                true => String::new(),
                false => format!(" ({})", idle.join("; ")),
            };
            return Err(InvalidArgs(format!(
                "the selection matches nothing, so nothing would run{why}; `linkgate plan` lists \
                 what the audits measure (context ids such as `wechat.android.private_chat`, \
                 neutral contexts only as controls)"
            )));
        }
        Ok(())
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
) -> Result<Vec<T>, InvalidArgs> {
    words
        .iter()
        .map(|w| {
            parse(w).ok_or_else(|| {
                InvalidArgs(format!(
                    "unknown {what} `{w}`; use one of: {}",
                    allowed.join(", ")
                ))
            })
        })
        .collect()
}

fn globs(patterns: &[String]) -> Result<Vec<globset::GlobMatcher>, InvalidArgs> {
    patterns
        .iter()
        .map(|p| {
            linkgate::catalog::compile_glob(p).map_err(|e| {
                InvalidArgs(format!(
                    "the id pattern `{}` {e}; use `*` for any characters, e.g. `wechat.*`",
                    shown(p)
                ))
            })
        })
        .collect()
}
