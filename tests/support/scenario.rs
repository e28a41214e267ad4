//! Scenario files written for one test: two platforms (WeChat hosting, Taobao linked), a
//! WeChat context whose gateway is a local server, a neutral control context, the test's
//! links, an audit `test-audit`, and a signature for WeChat's stop page in a file of its own.

use std::path::{Path, PathBuf};

use super::fixtures::fixture;

pub use super::WECHAT_UA;

/// The two platforms every written scenario has.
pub const PLATFORMS: &str = r#"
[[platform]]
id = "wechat"
owner = "tencent"
name = "WeChat"
name_zh = "微信"

[[platform]]
id = "taobao"
owner = "alibaba"
name = "Taobao"
name_zh = "淘宝"
"#;

/// What the audit of a test says about time.
#[derive(Clone, Copy)]
pub struct Timing<'a> {
    pub schedule: Option<&'a str>,
    pub timezone: &'a str,
}

/// No schedule, in linkgate's default time zone.
pub const UNSCHEDULED: Timing<'static> = Timing {
    schedule: None,
    timezone: "Asia/Shanghai",
};

/// A scenario to write; [`Scenario::new`] gives the usual one.
pub struct Scenario<'a> {
    /// The WeChat gateway: `{gateway_url}?url={url}`.
    pub gateway_url: &'a str,
    /// The links, (id, url), all of them Taobao items.
    pub links: &'a [(&'a str, String)],
    /// The WeChat context's user agent.
    pub user_agent: &'a str,
    /// Script the browser engine runs before the page's own (the WeChat bridge).
    pub bridge: Option<&'a str>,
    pub timing: Timing<'a>,
}

impl<'a> Scenario<'a> {
    pub fn new(gateway_url: &'a str, links: &'a [(&'a str, String)]) -> Scenario<'a> {
        Scenario {
            gateway_url,
            links,
            user_agent: WECHAT_UA,
            bridge: None,
            timing: UNSCHEDULED,
        }
    }

    /// Writes `dir/scenarios/all.toml` (platforms, contexts, audit, links) and
    /// `dir/scenarios/signatures.toml` (WeChat's stop page); returns the folder.
    pub fn write(&self, dir: &Path) -> PathBuf {
        let root = dir.join("scenarios");
        std::fs::create_dir_all(&root).unwrap();
        let mut text = PLATFORMS.to_string();
        text.push_str(&self.contexts());
        text.push_str(&self.audit());
        for (id, url) in self.links {
            text.push_str(&format!(
                "\n[[link]]\nid = \"{id}\"\nplatform = \"taobao\"\ncategory = \"ecommerce\"\nurl = \"{url}\"\nlanding = '/item/'\n"
            ));
        }
        std::fs::write(root.join("all.toml"), text).unwrap();
        write_signature(
            &root,
            "signatures.toml",
            "wechat.stop",
            "blocked",
            "stop_page",
            "已停止访问",
            &fixture("wechat/stop.html"),
        );
        root
    }

    fn contexts(&self) -> String {
        let bridge = self
            .bridge
            .map(|b| format!("bridge = \"{b}\"\n"))
            .unwrap_or_default();
        format!(
            r#"
[[context]]
host = "wechat"
client = "android"
scenes = ["private_chat"]
user_agent = "{user_agent}"
headers = {{ "X-Requested-With" = "com.tencent.mm" }}
gateway = "{gateway_url}?url={{url}}"
{bridge}
[[context]]
id = "neutral.android"
client = "android"
user_agent = "Mozilla/5.0 (Linux; Android 13; Pixel 7) Chrome/126.0 Mobile Safari/537.36"
"#,
            user_agent = self.user_agent,
            gateway_url = self.gateway_url,
        )
    }

    fn audit(&self) -> String {
        let schedule = self
            .timing
            .schedule
            .map(|s| format!("schedule = \"{s}\"\n"))
            .unwrap_or_default();
        format!(
            r#"
[[audit]]
id = "test-audit"
title = "Test audit"
control = "neutral.android"
deadlines = [{{ date = 2021-09-17, label = "MIIT deadline" }}]
timezone = "{timezone}"
{schedule}"#,
            timezone = self.timing.timezone,
        )
    }
}

/// The usual scenario with `timing`, written into `dir/scenarios` (see [`Scenario::write`]).
pub fn scenarios(
    dir: &Path,
    gateway_url: &str,
    links: &[(&str, String)],
    timing: Timing<'_>,
) -> PathBuf {
    Scenario {
        timing,
        ..Scenario::new(gateway_url, links)
    }
    .write(dir)
}

/// Writes a WeChat signature recognising pages whose `.weui-msg__title` contains `text`.
pub fn write_signature(
    root: &Path,
    file: &str,
    id: &str,
    verdict: &str,
    mechanism: &str,
    text: &str,
    fixture: &Path,
) {
    let signature = format!(
        r#"
[[signature]]
id = "{id}"
verdict = "{verdict}"
mechanism = "{mechanism}"
actor = "host"
hosts = ["wechat"]
source = "a test"
fixture = '{fixture}'
when = [{{ in = "selector", selector = ".weui-msg__title", contains = "{text}" }}]
"#,
        fixture = fixture.display()
    );
    std::fs::write(root.join(file), signature).unwrap();
}
