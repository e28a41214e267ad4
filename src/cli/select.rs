//! Selector flags shared by the commands that pick contexts and links (`plan`, `run`); the
//! library's [`Selection`] checks the words and says which select nothing.

use clap::Args;

use linkgate::catalog::Catalog;
use linkgate::plan::plan;
use linkgate::plan::{PlanOptions, Selection, SelectionError, Shard};

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
    /// Same-owner pairs: control (default: the audit's rule), exclude, include (as rivals)
    #[arg(long, value_name = "RULE")]
    same_owner: Option<String>,
    /// Only shard I of N (I from 0): a deterministic 1/N of the links, each with its control
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
}

impl SelectArgs {
    fn selection(&self) -> Selection {
        Selection {
            hosts: self.hosts.clone(),
            scenes: self.scenes.clone(),
            clients: self.clients.clone(),
            contexts: self.contexts.clone(),
            targets: self.targets.clone(),
            categories: self.categories.clone(),
            links: self.links.clone(),
            same_owner: self.same_owner.clone(),
        }
    }

    /// The plan options of these flags for `audit`.
    pub fn options(&self, audit: Option<String>) -> Result<PlanOptions, SelectionError> {
        let options = self.selection().options(audit)?;
        Ok(PlanOptions {
            shard: self.shard,
            ..options
        })
    }

    /// Warns of each word that selects nothing; refuses a selection that runs nothing. Judged
    /// on the whole plan of `options`, not its shard: a shard with no links of its own (more
    /// shards than links) is not a mistake, and a run group needs every shard to report in.
    pub fn check(&self, catalog: &Catalog, options: &PlanOptions) -> anyhow::Result<()> {
        let whole = PlanOptions {
            shard: None,
            ..options.clone()
        };
        for what in self.selection().check(catalog, &plan(catalog, &whole)?)? {
            tracing::warn!("{what}; it selects nothing");
        }
        Ok(())
    }
}
