//! One request and its response, at the level of bytes: the headers every hop carries, the
//! response head as recorded, and the body read as a stream up to the cap, so a huge or
//! endless body costs at most `body_cap` bytes of memory.

use reqwest::header::{
    ACCEPT, ACCEPT_LANGUAGE, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, USER_AGENT,
};
use url::Url;

use crate::engine::PageRequest;
use crate::model::{Failure, FailureKind};

/// What a mobile WebView sends for a navigation.
const ACCEPT_HTML: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const ACCEPT_LANGUAGE_ZH: &str = "zh-CN,zh;q=0.9";

/// The headers every hop of a probe sends: the context's user agent, browser-like `Accept`
/// and `Accept-Language`, then the context's own headers, which win over the defaults.
pub(crate) fn probe_headers(request: &PageRequest) -> Result<HeaderMap, Failure> {
    let bad = |what: &str, name: &str, e: &dyn std::fmt::Display| Failure {
        kind: FailureKind::Other,
        message: format!(
            "the context's {what} `{name}` cannot be sent in HTTP ({e}); fix it in the scenario"
        ),
    };
    let mut headers = HeaderMap::new();
    let ua = HeaderValue::from_str(&request.user_agent)
        .map_err(|e| bad("user agent", &request.user_agent, &e))?;
    headers.insert(USER_AGENT, ua);
    headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_HTML));
    headers.insert(
        ACCEPT_LANGUAGE,
        HeaderValue::from_static(ACCEPT_LANGUAGE_ZH),
    );
    for (name, value) in &request.headers {
        let header = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|e| bad("header name", name, &e))?;
        let value = HeaderValue::from_str(value.trim()).map_err(|e| bad("header", name, &e))?;
        headers.insert(header, value);
    }
    Ok(headers)
}

/// The `Referer` for a request to `next` made from the page at `from`: the page URL
/// without fragment or credentials, and none from https to http (every browser referrer
/// policy drops it on a downgrade).
pub(crate) fn referer(from: &Url, next: &Url) -> Option<HeaderValue> {
    if from.scheme() == "https" && next.scheme() == "http" {
        return None;
    }
    let mut page = from.clone();
    page.set_fragment(None);
    // Both only fail for URLs that cannot carry credentials, which then have none.
    let _ = page.set_username("");
    let _ = page.set_password(None);
    HeaderValue::from_str(page.as_str()).ok()
}

/// The parts of a response head an observation keeps.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub url: Url,
    pub status: u16,
    /// Lower-cased names, in order received; values decoded leniently.
    pub headers: Vec<(String, String)>,
    /// The raw `Location`, as sent.
    pub location: Option<String>,
    pub content_type: Option<String>,
}

impl Head {
    pub(crate) fn of(url: &Url, response: &reqwest::Response) -> Head {
        let map = response.headers();
        let text = |v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
        Head {
            url: url.clone(),
            status: response.status().as_u16(),
            headers: map
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), text(v)))
                .collect(),
            location: map.get(LOCATION).map(text),
            content_type: map.get(CONTENT_TYPE).map(text),
        }
    }

    /// Whether a browser would render the body as HTML (and so run its scripts): an HTML
    /// type, or no type at all, which browsers sniff.
    pub(crate) fn is_html_like(&self) -> bool {
        self.content_type
            .as_ref()
            .is_none_or(|t| t.to_ascii_lowercase().contains("html"))
    }

    /// The first value of a header, by lower-case name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A body read up to the cap.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

/// Reads at most `cap` bytes; the rest is not downloaded (dropping the response closes the
/// connection).
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> Result<Body, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Body {
                bytes,
                truncated: true,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes,
        truncated: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> PageRequest {
        PageRequest {
            entry_url: "https://a.test/".into(),
            user_agent: "Mozilla/5.0 MicroMessenger/8.0.50".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            bridge: None,
        }
    }

    #[test]
    fn context_headers_are_added_and_win_over_defaults() {
        let h = probe_headers(&request(&[
            ("X-Requested-With", "com.tencent.mm"),
            ("Accept-Language", "zh-TW"),
        ]))
        .unwrap();
        assert_eq!(h["user-agent"], "Mozilla/5.0 MicroMessenger/8.0.50");
        assert_eq!(h["x-requested-with"], "com.tencent.mm");
        assert_eq!(h["accept-language"], "zh-TW");
    }

    #[test]
    fn default_accept_language_is_chinese() {
        let h = probe_headers(&request(&[])).unwrap();
        assert_eq!(h["accept-language"], "zh-CN,zh;q=0.9");
    }

    #[test]
    fn unsendable_context_header_is_a_failure_naming_it() {
        let f = probe_headers(&request(&[("Bad Name", "x")])).unwrap_err();
        assert!(f.message.contains("`Bad Name`"), "{}", f.message);
    }

    #[test]
    fn referer_drops_fragment_credentials_and_downgrades() {
        let u = |s| Url::parse(s).unwrap();
        let r = referer(
            &u("https://user:pw@s.test/p?q=1#frag"),
            &u("https://i.test/"),
        );
        assert_eq!(r.unwrap(), "https://s.test/p?q=1");
        assert_eq!(referer(&u("https://s.test/"), &u("http://i.test/")), None);
        assert_eq!(
            referer(&u("http://s.test/"), &u("https://i.test/")).unwrap(),
            "http://s.test/"
        );
    }
}
