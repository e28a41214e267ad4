//! The catalog is everything the scenario files declare, loaded, validated and compiled:
//! platforms, contexts, links, signatures and audits. Later stages only ever see this checked
//! form, never raw TOML, so a typo in a scenario file is caught once, with its line and column.

use crate::classify::Signature;
use crate::model::{Audit, Context, Link, Platform, ScenarioFile};

/// The checked contents of a set of scenario files.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub platforms: Vec<Platform>,
    /// Host contexts and neutral (control) contexts, in file order.
    pub contexts: Vec<Context>,
    pub links: Vec<Link>,
    /// In load order, which is the final tie-breaker of classification.
    pub signatures: Vec<Signature>,
    pub audits: Vec<Audit>,
    /// Every file loaded, with its SHA-256, in load order.
    pub files: Vec<ScenarioFile>,
}

impl Catalog {
    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    pub fn context(&self, id: &str) -> Option<&Context> {
        self.contexts.iter().find(|c| c.id == id)
    }

    pub fn link(&self, id: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.id == id)
    }

    pub fn audit(&self, id: &str) -> Option<&Audit> {
        self.audits.iter().find(|a| a.id == id)
    }

    pub fn signature(&self, id: &str) -> Option<&Signature> {
        self.signatures.iter().find(|s| s.id == id)
    }

    /// The owner group of a platform, if the platform is known.
    pub fn owner_of(&self, platform: &str) -> Option<&str> {
        self.platform(platform).map(|p| p.owner.as_str())
    }
}
