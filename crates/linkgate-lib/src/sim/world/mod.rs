//! A world is the simulator's script: which sites belong to which platform, which host
//! blocks, warns, copies-to-browser or opens which target from which date on, which share
//! links point where and which sites are faulty. It is data (a TOML file, `worlds/`), so the
//! history of the MIIT deadline can be replayed and changed without touching code.

mod file;
mod rule;

pub use rule::{
    Decision, Fault, FaultKind, GATEWAY_HOSTS, GateState, Rule, Style, Targets, in_window,
    states_of, styles_of,
};

use chrono::NaiveDate;
use encoding_rs::Encoding;
use std::path::Path;

use super::SimError;
use crate::model::Scene;

/// The bundled world: the MIIT 2021 story of DOMAIN.md §1.
const BUNDLED: &str = include_str!("../../../../../worlds/miit-2021.toml");

/// A platform as the simulator sees it: its sites, its landing page and how to recognise
/// its webview.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPlatform {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub name_zh: String,
    /// `<title>` of its landing pages.
    pub title: String,
    /// Host names it owns; a domain also covers its subdomains.
    pub domains: Vec<String>,
    /// Encoding of its landing pages.
    pub charset: &'static Encoding,
    /// User-agent tokens of its in-app webview (DOMAIN.md §2).
    pub ua_tokens: Vec<String>,
}

/// A t.cn short link and the URL it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortLink {
    /// The code, the path of `https://t.cn/<code>`.
    pub code: String,
    pub target: String,
    pub note: Option<String>,
}

/// A parsed and validated world file.
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub name: String,
    pub description: Option<String>,
    /// The scene of a tap whose request does not say (no `scene=` parameter).
    pub default_scene: Scene,
    pub platforms: Vec<SimPlatform>,
    /// In file order: the last rule that applies wins.
    pub rules: Vec<Rule>,
    pub short_links: Vec<ShortLink>,
    pub faults: Vec<Fault>,
}

impl World {
    /// Parses and validates a world; every problem is reported with its line and column.
    /// `name` is the file name used in messages.
    pub fn from_toml(text: &str, name: &Path) -> Result<World, SimError> {
        file::parse(text, name).map_err(SimError::InvalidWorld)
    }

    pub fn load(path: &Path) -> Result<World, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::ReadWorld {
            path: path.to_path_buf(),
            source,
        })?;
        World::from_toml(&text, path)
    }

    /// The world shipped with linkgate (`worlds/miit-2021.toml`).
    pub fn bundled() -> World {
        // The bundled text is fixed at compile time and `bundled_world_is_valid` loads it,
        // so this cannot fail in a released build.
        World::from_toml(BUNDLED, Path::new("worlds/miit-2021.toml"))
            .expect("the bundled world is valid (checked by a test)")
    }

    pub fn platform(&self, id: &str) -> Option<&SimPlatform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    /// The platform owning `host`: the longest matching domain wins, so `work.weixin.qq.com`
    /// can be WeCom's while `qq.com` is QQ's.
    pub fn platform_of_host(&self, host: &str) -> Option<&SimPlatform> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.platforms
            .iter()
            .flat_map(|p| p.domains.iter().map(move |d| (p, d)))
            .filter(|(_, d)| host == **d || host.ends_with(&format!(".{d}")))
            .max_by_key(|(_, d)| d.len())
            .map(|(p, _)| p)
    }

    /// The platform owning the host of `url`, if it parses.
    pub fn platform_of_url(&self, url: &str) -> Option<&SimPlatform> {
        let parsed = url::Url::parse(url).ok()?;
        self.platform_of_host(parsed.host_str()?)
    }

    /// The host platform whose webview sent `user_agent`: the first platform in file order
    /// with a matching token, which is why WeCom (`wxwork`) is listed before WeChat.
    pub fn host_of_user_agent(&self, user_agent: &str) -> Option<&SimPlatform> {
        self.platforms.iter().find(|p| {
            p.ua_tokens
                .iter()
                .any(|token| user_agent.contains(token.as_str()))
        })
    }

    /// What `host` shows for a link to `target` (a platform id; `None` for a site no
    /// platform owns) tapped in `scene` on `date`. The last rule that applies wins.
    pub fn decide(
        &self,
        host: &str,
        target: Option<&str>,
        scene: Option<Scene>,
        date: NaiveDate,
    ) -> Decision<'_> {
        let scene = scene.unwrap_or(self.default_scene);
        self.rules
            .iter()
            .rev()
            .find(|r| r.applies(host, target, scene, date))
            .map(|r| Decision {
                state: r.state,
                style: r.style,
                reason: r.reason.as_deref(),
                rule: Some(r),
            })
            .unwrap_or(Decision::OPEN)
    }

    /// The fault of `host` on `date`, if any (the last listed wins).
    pub fn fault(&self, host: &str, date: NaiveDate) -> Option<&Fault> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.faults
            .iter()
            .rev()
            .find(|f| f.host == host && in_window(f.from, f.until, date))
    }

    /// The URL a t.cn code stands for.
    pub fn short_link(&self, code: &str) -> Option<&str> {
        self.short_links
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.target.as_str())
    }
}

#[cfg(test)]
mod tests;
