//! A context is one place inside a host app where a link can be tapped, and how linkgate
//! emulates it: user agent, headers, JS bridge stubs and the host's gateway. A context without
//! a host is neutral: the plain mobile browser that controls are measured in.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

/// Where inside a host app a link is tapped.
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
pub enum Scene {
    PrivateChat,
    GroupChat,
    Moments,
    LiveRoom,
    VideoDescription,
    Profile,
}

impl Scene {
    pub const ALL: [Scene; 6] = [
        Scene::PrivateChat,
        Scene::GroupChat,
        Scene::Moments,
        Scene::LiveRoom,
        Scene::VideoDescription,
        Scene::Profile,
    ];
}

/// The client operating system a context emulates.
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
pub enum Client {
    Android,
    Ios,
}

/// Which engine measures a probe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EngineKind {
    #[default]
    Http,
    Browser,
    /// Recorded by hand on a real device and imported.
    Manual,
}

/// What JavaScript's `encodeURIComponent` leaves alone, which is how apps build gateway URLs.
const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes a value for a query string, as JavaScript's `encodeURIComponent` does.
pub fn encode_uri_component(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, URI_COMPONENT).to_string()
}

/// A host's link-checking redirector: a URL template where `{url}` is replaced by the
/// percent-encoded target URL. The template is checked to contain `{url}` at load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gateway {
    pub template: String,
}

impl Gateway {
    /// The URL a tap on `target` goes to inside the host.
    pub fn url_for(&self, target: &str) -> String {
        self.template
            .replace("{url}", &encode_uri_component(target))
    }

    /// Scheme, host and path of the gateway: a page there is the gateway's, never the target's.
    pub fn prefix(&self) -> &str {
        let end = self
            .template
            .find(['?', '#', '{'])
            .unwrap_or(self.template.len());
        &self.template[..end]
    }

    /// Whether `url` is a page of this gateway.
    pub fn owns(&self, url: &str) -> bool {
        url.starts_with(self.prefix())
    }
}

/// One in-app context: host platform + scene + client, and how it is emulated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Context {
    /// Unique id, e.g. `wechat.android.private_chat`.
    pub id: String,
    /// The host platform; `None` for a neutral (control) context.
    pub host: Option<String>,
    /// `None` for a neutral context.
    pub scene: Option<Scene>,
    pub client: Client,
    pub user_agent: String,
    /// Extra request headers, in file order.
    pub headers: Vec<(String, String)>,
    pub gateway: Option<Gateway>,
    /// JavaScript injected before any page script by the browser engine (bridge stubs).
    pub bridge: Option<String>,
    pub engine: EngineKind,
    /// Free text from the scenario file (why the context looks the way it does).
    pub note: Option<String>,
}

impl Context {
    pub fn is_neutral(&self) -> bool {
        self.host.is_none()
    }

    /// The URL the engine loads first for `target`: through the gateway, or the link itself.
    pub fn entry_url(&self, target: &str) -> String {
        match &self.gateway {
            Some(gateway) => gateway.url_for(target),
            None => target.to_string(),
        }
    }
}

crate::model::words!(Scene, Client, EngineKind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_percent_encodes_the_target() {
        let gw = Gateway {
            template: "https://weixin110.qq.com/cgi-bin/check?url={url}&scene=1".into(),
        };
        assert_eq!(
            gw.url_for("https://m.tb.cn/h.abc?x=1&y=2"),
            "https://weixin110.qq.com/cgi-bin/check?url=https%3A%2F%2Fm.tb.cn%2Fh.abc%3Fx%3D1%26y%3D2&scene=1"
        );
        assert!(gw.owns("https://weixin110.qq.com/cgi-bin/check?url=x"));
        assert!(!gw.owns("https://weixin110.qq.com/other"));
    }

    #[test]
    fn scene_round_trips() {
        for scene in Scene::ALL {
            assert_eq!(Scene::parse(scene.as_str()), Some(scene));
        }
    }
}
