//! One request as the simulated platforms see it (a `Visit`) and what they answer (a
//! `Reply`, or a connection reset). Keeping these plain values lets every page be decided by
//! pure functions that tests call directly, with the simulated date inside the visit.

use chrono::NaiveDate;
use encoding_rs::Encoding;

/// A request, reduced to what the simulated platforms look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// Lower case, without port or trailing dot.
    pub host: String,
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    pub user_agent: String,
    pub referer: Option<String>,
    /// The simulated "today".
    pub date: NaiveDate,
}

impl Visit {
    /// A GET of `url` by `user_agent` on `date`; `None` unless `url` is an http(s) URL.
    pub fn from_url(url: &str, user_agent: &str, date: NaiveDate) -> Option<Visit> {
        let parsed = url::Url::parse(url).ok()?;
        let scheme = match parsed.scheme() {
            "http" => "http",
            "https" => "https",
            _ => return None,
        };
        Some(Visit {
            scheme,
            host: parsed
                .host_str()?
                .trim_end_matches('.')
                .to_ascii_lowercase(),
            path: parsed.path().to_string(),
            query: parsed.query().map(String::from),
            user_agent: user_agent.to_string(),
            referer: None,
            date,
        })
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The full URL of the request.
    pub fn url(&self) -> String {
        match &self.query {
            Some(q) => format!("{}://{}{}?{q}", self.scheme, self.host, self.path),
            None => format!("{}://{}{}", self.scheme, self.host, self.path),
        }
    }

    /// The path without its leading and trailing slashes: a share link's code.
    pub fn code(&self) -> &str {
        self.path.trim_matches('/')
    }

    /// Whether the user agent is an iPhone or iPad webview.
    pub fn is_ios(&self) -> bool {
        ["iPhone", "iPad", "iOS"]
            .iter()
            .any(|t| self.user_agent.contains(t))
    }
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// Header names are lower case.
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// An HTML page in UTF-8.
    pub fn html(status: u16, page: String) -> Reply {
        Reply::html_in(status, &page, encoding_rs::UTF_8)
    }

    /// An HTML page in `encoding`, declared in `Content-Type` as real GBK sites do.
    pub fn html_in(status: u16, page: &str, encoding: &'static Encoding) -> Reply {
        let (bytes, _, _) = encoding.encode(page);
        Reply {
            status,
            headers: vec![(
                "content-type",
                format!("text/html; charset={}", encoding.name()),
            )],
            body: bytes.into_owned(),
        }
    }

    /// An HTTP redirect to `location`, sent exactly as given.
    pub fn redirect(status: u16, location: &str) -> Reply {
        let body = format!(
            "<html><head><title>{status}</title></head><body><a href=\"{}\">{}</a></body></html>",
            crate::sim::page::html(location),
            crate::sim::page::html(location)
        );
        let mut reply = Reply::html(status, body);
        reply.headers.push(("location", location.to_string()));
        reply
    }

    pub fn plain(status: u16, text: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "text/plain; charset=utf-8".to_string())],
            body: text.as_bytes().to_vec(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the simulator does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Reply(Reply),
    /// Reset the client's connection (a site that is down).
    Reset,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(query: Option<&str>) -> Visit {
        Visit {
            scheme: "https",
            host: "mp.weixinbridge.com".into(),
            path: "/mp/wapredirect".into(),
            query: query.map(String::from),
            user_agent: String::new(),
            referer: None,
            date: NaiveDate::from_ymd_opt(2021, 9, 17).unwrap(),
        }
    }

    #[test]
    fn from_url_keeps_the_raw_query() {
        let day = NaiveDate::from_ymd_opt(2021, 9, 17).unwrap();
        let v = Visit::from_url("https://T.CN/A6?x=%41", "ua", day).unwrap();
        assert_eq!((v.host.as_str(), v.path.as_str()), ("t.cn", "/A6"));
        assert_eq!(v.query.as_deref(), Some("x=%41"));
        assert_eq!(v.url(), "https://t.cn/A6?x=%41");
        assert!(Visit::from_url("ftp://t.cn/", "ua", day).is_none());
    }

    #[test]
    fn params_are_percent_decoded() {
        let v = visit(Some(
            "url=https%3A%2F%2Fm.tb.cn%2Fh.abc%3Fx%3D1%26y%3D2&scene=group_chat",
        ));
        assert_eq!(
            v.param("url").as_deref(),
            Some("https://m.tb.cn/h.abc?x=1&y=2")
        );
        assert_eq!(v.param("scene").as_deref(), Some("group_chat"));
        assert_eq!(v.param("nope"), None);
        assert_eq!(visit(None).param("url"), None);
    }

    #[test]
    fn gbk_pages_are_encoded_and_declared() {
        let reply = Reply::html_in(200, "淘宝网", encoding_rs::GBK);
        assert_eq!(reply.header("Content-Type"), Some("text/html; charset=GBK"));
        assert_eq!(reply.body, vec![0xCC, 0xD4, 0xB1, 0xA6, 0xCD, 0xF8]);
    }
}
