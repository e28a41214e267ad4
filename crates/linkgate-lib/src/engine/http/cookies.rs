//! The cookie jar of one probe. Gateways and share links set cookies on one hop and check
//! them on the next, so cookies must flow along a probe's chain; they must never leak into
//! another probe, or one context's session would colour another's result. A
//! `cookie_store::CookieStore` per probe is a small map, far cheaper than a reqwest client
//! per probe, and it applies the same domain, path, expiry and `Secure` rules.

use cookie_store::{CookieStore, RawCookie};
use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};
use url::Url;

#[derive(Debug, Default)]
pub(crate) struct Jar {
    store: CookieStore,
}

impl Jar {
    /// The `Cookie` header for a request to `url`, if any cookie applies.
    pub(crate) fn header_for(&self, url: &Url) -> Option<HeaderValue> {
        let pairs: Vec<String> = self
            .store
            .get_request_values(url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if pairs.is_empty() {
            return None;
        }
        HeaderValue::from_str(&pairs.join("; ")).ok()
    }

    /// Keeps the cookies a response from `url` sets; malformed ones are skipped, as browsers do.
    pub(crate) fn store_from(&mut self, url: &Url, headers: &HeaderMap) {
        let cookies = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| std::str::from_utf8(v.as_bytes()).ok())
            .filter_map(|v| RawCookie::parse(v.to_string()).ok());
        self.store.store_response_cookies(cookies, url);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(jar: &mut Jar, url: &str, cookies: &[&str]) {
        let mut headers = HeaderMap::new();
        for c in cookies {
            headers.append(SET_COOKIE, HeaderValue::from_str(c).unwrap());
        }
        jar.store_from(&Url::parse(url).unwrap(), &headers);
    }

    fn sent(jar: &Jar, url: &str) -> Option<String> {
        // The store's order is unspecified; sort for a stable comparison.
        jar.header_for(&Url::parse(url).unwrap()).map(|v| {
            let mut pairs: Vec<&str> = v.to_str().unwrap().split("; ").collect();
            pairs.sort();
            pairs.join("; ")
        })
    }

    #[test]
    fn cookies_follow_domain_and_path_rules() {
        let mut jar = Jar::default();
        set(
            &mut jar,
            "https://s.click.test/t?x=1",
            &[
                "sid=1; Path=/",
                "scoped=2; Path=/only",
                "wide=3; Domain=click.test",
            ],
        );
        assert_eq!(
            sent(&jar, "https://s.click.test/next").as_deref(),
            Some("sid=1; wide=3")
        );
        assert_eq!(
            sent(&jar, "https://item.click.test/").as_deref(),
            Some("wide=3")
        );
        assert_eq!(sent(&jar, "https://other.test/"), None);
    }

    #[test]
    fn secure_cookies_stay_off_plain_http_and_garbage_is_ignored() {
        let mut jar = Jar::default();
        set(&mut jar, "https://a.test/", &["s=1; Secure", "=;;"]);
        assert_eq!(sent(&jar, "http://a.test/"), None);
        assert_eq!(sent(&jar, "https://a.test/").as_deref(), Some("s=1"));
    }
}
