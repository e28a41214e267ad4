//! Selector flags shared by the commands that pick contexts and links (`plan`, `run`), turned
//! into the library's `Selector` values with clear errors for bad words.

use clap::Args;

use linkgate::model::{Category, Client, Scene, Selector};

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
                let shown: String = p.chars().take(40).collect();
                let more = if shown.len() < p.len() { "…" } else { "" };
                InvalidArgs(format!(
                    "the id pattern `{shown}{more}` {e}; use `*` for any characters, e.g. `wechat.*`"
                ))
            })
        })
        .collect()
}
