//! What a host does with a link to a target on a given day: the states a world can ask for,
//! the page styles each state comes in, and which host can show which state. The last point
//! is knowledge of the simulated gateways, kept here so a world file asking for a page that
//! does not exist is refused at load with its line, instead of silently showing another.

use chrono::NaiveDate;
use serde::Deserialize;
use std::time::Duration;
use strum::{Display, EnumString, IntoStaticStr};

use crate::model::Scene;

/// What a host shows when a link to a target is tapped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, IntoStaticStr, EnumString, Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum GateState {
    /// The gateway lets the link through (HTTP 302 to it), or there is no gateway.
    Open,
    /// A risk warning with a button to continue.
    Warning,
    /// A stop page: the link cannot be reached from the host.
    Stop,
    /// A page telling the user to copy the link into a browser.
    CopyToBrowser,
    /// The target itself answers the host's webview with an "open in the app" wall; the
    /// host's gateway (if any) lets the link through.
    AppOnlyWall,
}

/// Which version of a host's page a state is shown with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, IntoStaticStr, EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum Style {
    /// WeChat's older warning: 非微信官方网页 … 继续访问将转换成手机预览模式.
    #[serde(rename = "classic")]
    Classic,
    /// WeChat's warning from 2024 on: 将要访问 … 无法确认该网页的安全性，请谨慎访问。
    #[serde(rename = "2024")]
    #[strum(serialize = "2024")]
    Y2024,
    /// WeChat's copy-to-browser page for Alibaba links at support.weixin.qq.com.
    #[serde(rename = "taobao")]
    Taobao,
    /// WeChat's copy-to-browser text on a weixin110 page.
    #[serde(rename = "weixin110")]
    Weixin110,
    /// QQ's older middle page, c.pc.qq.com/middlem.html.
    #[serde(rename = "middlem")]
    Middlem,
    /// QQ's newer page, c.pc.qq.com/android.html (ios.html for iOS) with `level`.
    #[serde(rename = "mobile")]
    Mobile,
}

/// The host platforms whose gateway the simulator serves.
pub const GATEWAY_HOSTS: [&str; 6] = ["wechat", "wecom", "qq", "weibo", "bilibili", "baidu"];

/// The states `host` can show. Hosts without a gateway only ever open links; a target may
/// still put up an app-only wall for any host's webview.
pub fn states_of(host: &str) -> &'static [GateState] {
    use GateState::*;
    match host {
        "wechat" | "weibo" => &[Open, Warning, Stop, CopyToBrowser, AppOnlyWall],
        "wecom" | "qq" | "bilibili" | "baidu" => &[Open, Warning, Stop, AppOnlyWall],
        _ => &[Open, AppOnlyWall],
    }
}

/// The styles `host` has for `state`; empty when the state has a single look.
pub fn styles_of(host: &str, state: GateState) -> &'static [Style] {
    match (host, state) {
        ("wechat", GateState::Warning) => &[Style::Classic, Style::Y2024],
        ("wechat", GateState::CopyToBrowser) => &[Style::Taobao, Style::Weixin110],
        ("qq", GateState::Warning | GateState::Stop) => &[Style::Middlem, Style::Mobile],
        _ => &[],
    }
}

/// Which targets a rule covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// `["*"]`: every target except the host itself, including links to unknown sites.
    Any,
    Only(Vec<String>),
}

/// One line of a world's story: from `from` (inclusive) until `until` (exclusive), `host`
/// shows `state` for links to `targets` tapped in `scenes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub host: String,
    pub targets: Targets,
    /// `None`: every scene.
    pub scenes: Option<Vec<Scene>>,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub state: GateState,
    pub style: Option<Style>,
    /// Text shown on stop and copy-to-browser pages instead of the default reason.
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Line of the rule in its world file, for logs.
    pub line: usize,
}

impl Rule {
    pub fn applies(&self, host: &str, target: Option<&str>, scene: Scene, date: NaiveDate) -> bool {
        self.host == host
            && self.covers(host, target)
            && self.scenes.as_ref().is_none_or(|s| s.contains(&scene))
            && in_window(self.from, self.until, date)
    }

    fn covers(&self, host: &str, target: Option<&str>) -> bool {
        match &self.targets {
            Targets::Any => target != Some(host),
            Targets::Only(list) => target.is_some_and(|t| list.iter().any(|x| x == t)),
        }
    }
}

/// Whether `date` is in `[from, until)`; a missing end is open.
pub fn in_window(from: Option<NaiveDate>, until: Option<NaiveDate>, date: NaiveDate) -> bool {
    from.is_none_or(|f| date >= f) && until.is_none_or(|u| date < u)
}

/// What the world decided for one tap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision<'w> {
    pub state: GateState,
    pub style: Option<Style>,
    pub reason: Option<&'w str>,
    /// The rule that decided; `None` means no rule matched and the link opens.
    pub rule: Option<&'w Rule>,
}

impl Decision<'_> {
    pub const OPEN: Decision<'static> = Decision {
        state: GateState::Open,
        style: None,
        reason: None,
        rule: None,
    };
}

/// How a faulty site misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Down: every request is answered by resetting the connection.
    Reset,
    /// Down: every request gets HTTP 503.
    Unavailable,
    /// Answers normally, after a delay.
    Slow(Duration),
    /// Bounces between a page and a login URL forever.
    RedirectLoop,
}

/// A site that misbehaves, on the dates given.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Exact host name, lower case.
    pub host: String,
    pub kind: FaultKind,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub note: Option<String>,
}

crate::model::word!(GateState, Style);

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rule(targets: Targets) -> Rule {
        Rule {
            host: "wechat".into(),
            targets,
            scenes: Some(vec![Scene::GroupChat]),
            from: Some(date("2021-09-17")),
            until: Some(date("2022-01-10")),
            state: GateState::Warning,
            style: None,
            reason: None,
            note: None,
            line: 1,
        }
    }

    #[test]
    fn window_includes_from_and_excludes_until() {
        let r = rule(Targets::Only(vec!["taobao".into()]));
        let g = Scene::GroupChat;
        assert!(!r.applies("wechat", Some("taobao"), g, date("2021-09-16")));
        assert!(r.applies("wechat", Some("taobao"), g, date("2021-09-17")));
        assert!(r.applies("wechat", Some("taobao"), g, date("2022-01-09")));
        assert!(!r.applies("wechat", Some("taobao"), g, date("2022-01-10")));
    }

    #[test]
    fn scenes_hosts_and_targets_filter() {
        let r = rule(Targets::Only(vec!["taobao".into()]));
        let d = date("2021-10-01");
        assert!(!r.applies("wechat", Some("taobao"), Scene::PrivateChat, d));
        assert!(!r.applies("qq", Some("taobao"), Scene::GroupChat, d));
        assert!(!r.applies("wechat", Some("jd"), Scene::GroupChat, d));
        assert!(!r.applies("wechat", None, Scene::GroupChat, d));
    }

    #[test]
    fn any_target_covers_unknown_sites_but_not_the_host_itself() {
        let r = rule(Targets::Any);
        let (g, d) = (Scene::GroupChat, date("2021-10-01"));
        assert!(r.applies("wechat", None, g, d));
        assert!(r.applies("wechat", Some("jd"), g, d));
        assert!(!r.applies("wechat", Some("wechat"), g, d));
    }

    #[test]
    fn hosts_without_gateway_only_open_or_wall() {
        assert_eq!(
            states_of("douyin"),
            &[GateState::Open, GateState::AppOnlyWall]
        );
        assert!(states_of("wechat").contains(&GateState::CopyToBrowser));
        assert!(!states_of("qq").contains(&GateState::CopyToBrowser));
    }
}
