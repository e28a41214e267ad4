//! One attempt at a probe: follow the chain from the entry URL to the final page, hop by
//! hop, recording each one. HTTP redirects are followed here rather than by reqwest, which
//! would hide the raw `Location`, the timings and the pages in between; meta refresh and
//! script redirects are followed too, and the pages that made them are kept as evidence.
//!
//! The attempt ends at a page that does not redirect, or with a failure: a transport error,
//! a timeout (the I/O of all hops shares `total_timeout`), a 5xx/429 page, too many hops, or
//! a loop (the same URL requested a third time: one revisit is a normal cookie bounce).

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use reqwest::header::{COOKIE, HeaderMap, REFERER, USER_AGENT};
use tokio::time::Instant;
use url::Url;

use super::cookies::Jar;
use super::fetch::{self, Body, Head};
use super::{Shared, failure, in_page};
use crate::charset;
use crate::engine::{host_key, millis, retry};
use crate::model::{Artifact, ArtifactKind, Failure, FailureKind, Hop, HopVia};

/// What one attempt saw.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub hops: Vec<Hop>,
    /// The last response received.
    pub head: Option<Head>,
    /// The body of `head`, when it was read (it is not for followed HTTP redirects).
    pub body: Option<Body>,
    /// Raw bodies of the pages left by meta refresh or script.
    pub evidence: Vec<Artifact>,
    /// Why the final page's own navigation could not be decided (its scripts), if so.
    pub undecided: Option<String>,
    pub failure: Option<Failure>,
}

impl Outcome {
    /// The `Retry-After` of a final 5xx/429 page.
    pub(crate) fn retry_after(&self) -> Option<&str> {
        let head = self.head.as_ref()?;
        if !retry::is_retryable_status(head.status) {
            return None;
        }
        head.header("retry-after")
    }
}

/// The next request to make.
struct Step {
    url: Url,
    via: HopVia,
    /// The page that started this navigation; HTTP redirects keep it, as browsers do.
    referer: Option<Url>,
}

struct Walk<'a> {
    shared: &'a Shared,
    headers: &'a HeaderMap,
    jar: &'a mut Jar,
    started: Instant,
    io_spent: Duration,
    visits: HashMap<String, u32>,
    out: Outcome,
}

/// Runs one attempt from `entry` with the probe's headers and cookie jar.
pub(crate) async fn walk(
    shared: &Shared,
    entry: &Url,
    headers: &HeaderMap,
    jar: &mut Jar,
) -> Outcome {
    let mut walk = Walk {
        shared,
        headers,
        jar,
        started: Instant::now(),
        io_spent: Duration::ZERO,
        visits: HashMap::new(),
        out: Outcome::default(),
    };
    let mut next = Some(Step {
        url: entry.clone(),
        via: HopVia::Start,
        referer: None,
    });
    while let Some(step) = next.take() {
        match walk.step(step).await {
            Ok(step) => next = step,
            Err(failure) => walk.out.failure = Some(failure),
        }
    }
    walk.out
}

impl Walk<'_> {
    async fn step(&mut self, step: Step) -> Result<Option<Step>, Failure> {
        *self.visits.entry(visit_key(&step.url)).or_default() += 1;
        let request = self.request(&step);
        let pass = self.shared.gate.enter(&host_key(&step.url)).await;
        let mut response = match self.io(request.send(), &step.url, "a response").await {
            Ok(response) => response,
            Err(failure) => {
                self.push_hop(&step, None, None);
                return Err(failure);
            }
        };
        let head = Head::of(&step.url, &response);
        self.jar.store_from(&step.url, response.headers());
        self.push_hop(&step, Some(head.status), head.location.clone());
        self.out.head = Some(head.clone());
        self.out.body = None;
        self.out.undecided = None;
        if let Some(url) = http_redirect(&head)? {
            return self.follow(url, HopVia::Http, step.referer);
        }
        let cap = self.shared.config.body_cap;
        let body = self
            .io(
                fetch::read_capped(&mut response, cap),
                &step.url,
                "the body",
            )
            .await?;
        drop(pass);
        if retry::is_retryable_status(head.status) {
            self.out.body = Some(body);
            return Err(Failure {
                kind: FailureKind::HttpStatus,
                message: format!("HTTP {} from {}", head.status, head.url),
            });
        }
        let user_agent = self
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let on_its_own = in_page_redirect(&head, &body, user_agent);
        self.out.undecided = on_its_own.undecided;
        let redirect = on_its_own.redirect;
        if redirect.is_some() && !body.bytes.is_empty() {
            // The page is left, so it is kept as evidence; it stays the page observed only
            // if the next hop gets no response.
            self.out
                .evidence
                .push(Artifact::new(ArtifactKind::Body, body.bytes.clone()));
        }
        self.out.body = Some(body);
        match redirect {
            Some(r) => self.follow(r.url, r.via, Some(head.url)),
            None => Ok(None),
        }
    }

    /// The request for a step: the probe's headers, its cookies, and the `Referer`.
    fn request(&self, step: &Step) -> reqwest::RequestBuilder {
        let mut request = self
            .shared
            .clients
            .for_url(&step.url)
            .get(step.url.clone())
            .headers(self.headers.clone());
        if let Some(cookies) = self.jar.header_for(&step.url) {
            request = request.header(COOKIE, cookies);
        }
        if let Some(value) = step
            .referer
            .as_ref()
            .and_then(|from| fetch::referer(from, &step.url))
        {
            request = request.header(REFERER, value);
        }
        request
    }

    /// Runs request I/O within what is left of the attempt's time budget.
    async fn io<T>(
        &mut self,
        work: impl Future<Output = Result<T, reqwest::Error>>,
        url: &Url,
        what: &str,
    ) -> Result<T, Failure> {
        let total = self.shared.config.total_timeout;
        let remaining = total.saturating_sub(self.io_spent);
        let began = Instant::now();
        let result = tokio::time::timeout(remaining, work).await;
        self.io_spent += began.elapsed();
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(failure::from_error(
                &error,
                self.shared.config.proxy.as_deref(),
            )),
            Err(_) => Err(Failure {
                kind: FailureKind::Timeout,
                message: format!(
                    "timed out waiting for {what} from {url}: the {} ms allowed per attempt (--timeout) ran out",
                    total.as_millis()
                ),
            }),
        }
    }

    fn push_hop(&mut self, step: &Step, status: Option<u16>, location: Option<String>) {
        self.out.hops.push(Hop {
            url: step.url.to_string(),
            status,
            location,
            via: step.via,
            elapsed_ms: millis(self.started.elapsed()),
        });
    }

    /// The next step, unless it would make a loop or one hop too many.
    fn follow(&self, url: Url, via: HopVia, referer: Option<Url>) -> Result<Option<Step>, Failure> {
        if self.visits.get(&visit_key(&url)).copied().unwrap_or(0) >= 2 {
            return Err(Failure {
                kind: FailureKind::RedirectLoop,
                message: format!("redirect loop: {url} would be requested a third time"),
            });
        }
        let max = self.shared.config.max_hops;
        if self.out.hops.len() > max {
            return Err(Failure {
                kind: FailureKind::TooManyHops,
                message: format!("more than {max} redirects (max_hops); the next was {url}"),
            });
        }
        Ok(Some(Step { url, via, referer }))
    }
}

/// Where a page sends the browser on its own: a script or meta refresh in HTML, or a
/// `Refresh` header (which a page that cannot be decided does not get to use either).
fn in_page_redirect(head: &Head, body: &Body, user_agent: &str) -> in_page::OnItsOwn {
    let mut found = if head.is_html_like() {
        let text = charset::decode(&body.bytes, head.content_type.as_deref(), None).text;
        in_page::find(&text, &head.url, user_agent)
    } else {
        in_page::OnItsOwn::default()
    };
    if found.redirect.is_none() && found.undecided.is_none() {
        found.redirect = in_page::from_refresh_header(head.header("refresh"), &head.url);
    }
    found
}

/// Where a 3xx response sends the browser. A `Location` to an app scheme (`taobao://…`)
/// cannot be followed: the response itself is then the page observed.
fn http_redirect(head: &Head) -> Result<Option<Url>, Failure> {
    if !(300..400).contains(&head.status) {
        return Ok(None);
    }
    let Some(location) = head.location.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if location.is_empty() {
        return Ok(None);
    }
    match head.url.join(location) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(Some(url)),
        Ok(_) => Ok(None),
        Err(e) => Err(Failure {
            kind: FailureKind::BadUrl,
            message: format!("Location `{location}` from {} is not a URL: {e}", head.url),
        }),
    }
}

/// The fragment is never sent, so it does not make a URL different for loop detection.
fn visit_key(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(status: u16, location: Option<&str>) -> Head {
        Head {
            url: Url::parse("https://s.test/a/b?x=1").unwrap(),
            status,
            headers: Vec::new(),
            location: location.map(str::to_string),
            content_type: None,
        }
    }

    #[test]
    fn locations_resolve_relative_and_scheme_relative() {
        let to = |loc| {
            http_redirect(&head(302, Some(loc)))
                .unwrap()
                .map(String::from)
        };
        assert_eq!(to("c").as_deref(), Some("https://s.test/a/c"));
        assert_eq!(to("/c?y=2").as_deref(), Some("https://s.test/c?y=2"));
        assert_eq!(to("//i.test/p").as_deref(), Some("https://i.test/p"));
        assert_eq!(to("http://i.test/").as_deref(), Some("http://i.test/"));
    }

    #[test]
    fn app_scheme_and_missing_location_end_the_chain() {
        assert_eq!(
            http_redirect(&head(302, Some("tbopen://item?id=1"))).unwrap(),
            None
        );
        assert_eq!(http_redirect(&head(302, None)).unwrap(), None);
        assert_eq!(http_redirect(&head(200, Some("/x"))).unwrap(), None);
    }

    #[test]
    fn unparseable_location_is_bad_url() {
        let f = http_redirect(&head(301, Some("http://[::1"))).unwrap_err();
        assert_eq!(f.kind, FailureKind::BadUrl);
    }

    #[test]
    fn host_key_includes_the_default_port() {
        let k = |u| host_key(&Url::parse(u).unwrap());
        assert_eq!(k("https://a.test/x"), "a.test:443");
        assert_eq!(k("http://a.test:8080/"), "a.test:8080");
    }
}
