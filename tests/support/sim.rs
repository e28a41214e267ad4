//! Helpers shared by the simulator's integration tests: start a simulator on 127.0.0.1:0 and
//! fetch through it with reqwest, trusting only its CA and following no redirects.

use chrono::NaiveDate;
use linkgate::sim::{SimConfig, SimLimits, Simulator, World};
use std::time::Duration;

#[allow(unused_imports)]
pub use super::WECHAT_UA;
pub const DOUYIN_UA: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 aweme_210600 JsSdk/1.0 NetType/WIFI Channel/douyin_tengxun_wzl_1108 AppName/aweme app_version/21.6.0 ByteLocale/zh-CN Region/CN AppSkin/white AppTheme/light BytedanceWebview/d8a21c6 TTWebView/1120045009013";
pub const CHROME_UA: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36";

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Limits short enough for tests, long enough for a loaded 2-core machine.
pub fn test_limits() -> SimLimits {
    SimLimits {
        header_timeout: Duration::from_secs(1),
        tls_timeout: Duration::from_secs(1),
        max_connections: 1024,
    }
}

pub async fn start(day: &str) -> Simulator {
    start_world(World::bundled(), day).await
}

pub async fn start_world(world: World, day: &str) -> Simulator {
    let config = SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        world,
        date: date(day),
    };
    Simulator::start_with(config, test_limits()).await.unwrap()
}

pub fn client(sim: &Simulator, user_agent: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(sim.ca_pem().as_bytes()).unwrap();
    reqwest::Client::builder()
        .proxy(reqwest::Proxy::all(sim.proxy_url()).unwrap())
        .tls_certs_only([ca])
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// One fetched page.
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn get(client: &reqwest::Client, url: &str) -> Fetched {
    get_with(client, url, None).await
}

pub async fn get_with(client: &reqwest::Client, url: &str, referer: Option<&str>) -> Fetched {
    let mut request = client.get(url);
    if let Some(referer) = referer {
        request = request.header("Referer", referer);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e:?}"));
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (location, content_type) = (header("location"), header("content-type"));
    Fetched {
        status: response.status().as_u16(),
        location,
        content_type,
        body: response.bytes().await.unwrap().to_vec(),
    }
}

/// The URL in a gateway template, percent-encoded as apps do.
pub fn gateway(template: &str, target: &str) -> String {
    let gw = linkgate::model::Gateway {
        template: template.to_string(),
    };
    gw.url_for(target)
}

pub const WECHAT_GATEWAY: &str = "https://mp.weixinbridge.com/mp/wapredirect?url={url}";
