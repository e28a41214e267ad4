//! Navigations a page makes on its own rather than by HTTP: `<meta http-equiv=refresh>`, and
//! what its scripts do while it loads or from a timer within the settle time, learned by
//! running them (`crate::script`). Handlers that wait for a tap are never followed.
//!
//! Most pages have no script that could navigate, and those are decided from html5ever's
//! tokenizer alone (`page_scan`), without building a tree or starting the script engine. A
//! script navigation made while the page loads wins over a refresh, which fires only once it
//! has loaded; a timer and a refresh go in the order they fire. A page whose scripts cannot
//! be decided (a budget ran out, or a script that could navigate threw first) is not left:
//! it is the page observed, with the reason, so the classifier says `inconclusive`.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::page_scan;
use crate::model::HopVia;
use crate::script::{self, Limits, Mode, PageSource};

/// A refresh longer than this leaves the page on screen for the user to read, so it is the
/// page observed, not a redirect.
pub(crate) const META_REFRESH_MAX_DELAY_SECS: f64 = 5.0;

/// Pages that can navigate on their own have a script or an `http-equiv` meta; scripts in
/// SVG or MathML may be written with character references, so those pages are always read.
/// A search for these costs far less than reading the page.
static MAY_REDIRECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<script|http-equiv|<svg|<math").unwrap_or_else(|e| panic!("{e}"))
});

/// Where a page sends the browser next, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InPageRedirect {
    pub url: Url,
    pub via: HopVia,
}

/// What a page does on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OnItsOwn {
    pub redirect: Option<InPageRedirect>,
    /// Why the page's own navigation could not be decided.
    pub undecided: Option<String>,
}

/// What `html` (served from `page_url` to `user_agent`) does on its own. Targets that are not
/// http(s) (app schemes such as `taobao://`, `javascript:`) are not redirects the engine can
/// follow.
pub(crate) fn find(html: &str, page_url: &Url, user_agent: &str) -> OnItsOwn {
    if !MAY_REDIRECT.is_match(html) {
        return OnItsOwn::default();
    }
    if let Some(declared) = page_scan::scan(html)
        && !declared.scripts.iter().any(|s| script::may_navigate(s))
    {
        let base = declared
            .base
            .as_deref()
            .and_then(|b| page_url.join(b.trim()).ok())
            .unwrap_or_else(|| page_url.clone());
        return OnItsOwn {
            redirect: refresh(&declared.refreshes, &base).map(|(_, r)| r),
            undecided: None,
        };
    }
    let run = script::run(
        PageSource {
            html,
            url: page_url,
            user_agent,
        },
        Mode::Load,
        &Limits::default(),
    );
    let base = run.base.clone().unwrap_or_else(|| page_url.clone());
    let refresh = refresh(&run.refreshes, &base);
    if let Some(nav) = &run.navigation {
        let fires_first = refresh.as_ref().is_none_or(|(ms, _)| nav.at_ms <= *ms);
        if fires_first {
            let redirect = followable(&base, &nav.url).map(|url| InPageRedirect {
                url,
                via: HopVia::Script,
            });
            return OnItsOwn {
                redirect,
                undecided: None,
            };
        }
    }
    if let Some(why) = run.undecided {
        return OnItsOwn {
            redirect: None,
            undecided: Some(why),
        };
    }
    OnItsOwn {
        redirect: refresh.map(|(_, r)| r),
        undecided: None,
    }
}

/// The first refresh within the settle time, with when it fires (ms).
fn refresh(contents: &[String], base: &Url) -> Option<(u64, InPageRedirect)> {
    contents
        .iter()
        .filter_map(|content| parse_refresh(content))
        .filter(|(delay, _)| *delay <= META_REFRESH_MAX_DELAY_SECS)
        .find_map(|(delay, target)| {
            followable(base, &target).map(|url| {
                (
                    (delay * 1000.0) as u64,
                    InPageRedirect {
                        url,
                        via: HopVia::MetaRefresh,
                    },
                )
            })
        })
}

/// The HTTP `Refresh` header, which browsers treat like a meta refresh. It ranks after
/// anything in the page, since it fires only once the page has loaded.
pub(crate) fn from_refresh_header(value: Option<&str>, page_url: &Url) -> Option<InPageRedirect> {
    let (delay, target) = parse_refresh(value?)?;
    if delay > META_REFRESH_MAX_DELAY_SECS {
        return None;
    }
    followable(page_url, &target).map(|url| InPageRedirect {
        url,
        via: HopVia::MetaRefresh,
    })
}

fn followable(base: &Url, target: &str) -> Option<Url> {
    let target = target.trim();
    if target.is_empty() || target.starts_with('#') {
        return None;
    }
    let url = base.join(target).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

pub(crate) use crate::script::parse_refresh;

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "Mozilla/5.0 (Linux; Android 12) Chrome/120 Mobile";

    fn page(html: &str) -> Option<(String, HopVia)> {
        let base = Url::parse("https://share.test/s/abc?x=1").unwrap();
        find(html, &base, UA)
            .redirect
            .map(|r| (r.url.to_string(), r.via))
    }

    fn script(body: &str) -> Option<String> {
        page(&format!("<html><script>{body}</script></html>")).map(|(u, via)| {
            assert_eq!(via, HopVia::Script);
            u
        })
    }

    #[test]
    fn literal_and_computed_script_redirects_are_followed() {
        let to = Some("https://item.test/1".to_string());
        for form in [
            "location.href = 'https://item.test/1';",
            "var hrl='https://item.test/1'; window.location.replace(hrl);",
            "var base = 'https://item.test/'; location.replace(base + 1);",
            "setTimeout(function () { location.href = 'https://item.test/1' }, 800);",
        ] {
            assert_eq!(script(form), to, "{form}");
        }
    }

    #[test]
    fn escapes_and_entities_in_literals_are_decoded() {
        assert_eq!(
            script(r"var hrl='https:\/\/u.test\/jda?e=1&amp;p=2\x26q=3'; location.replace(hrl);")
                .as_deref(),
            Some("https://u.test/jda?e=1&p=2&q=3")
        );
    }

    #[test]
    fn relative_targets_resolve_against_the_page_or_its_base() {
        assert_eq!(
            script("location.href='/item?id=7'").as_deref(),
            Some("https://share.test/item?id=7")
        );
        assert_eq!(
            page("<base href='https://cdn.test/a/'><script>location.href='b'</script>")
                .map(|(u, _)| u)
                .as_deref(),
            Some("https://cdn.test/a/b")
        );
    }

    #[test]
    fn compared_commented_and_unfollowable_locations_are_not_followed() {
        for form in [
            "if (location.href == 'https://a.test/') {}",
            "var mylocation = {}; mylocation.href = 'https://a.test/';",
            "// location.href = 'https://a.test/';",
            "/* location.replace('https://a.test/') */",
            "location.href = 'javascript:void(0)';",
            "location.href = 'taobao://item.taobao.com/item.htm?id=1';",
            "function later() { location.href = 'https://a.test/'; }",
        ] {
            assert_eq!(script(form), None, "{form}");
        }
    }

    #[test]
    fn handlers_and_non_js_scripts_are_not_followed() {
        assert_eq!(
            page("<a onclick=\"location.href='https://a.test/'\">continue</a>"),
            None
        );
        assert_eq!(
            page(
                "<a id=c>continue</a><script>document.getElementById('c').onclick = function () { location.href = 'https://a.test/'; };</script>"
            ),
            None
        );
        assert_eq!(
            page("<script type='text/template'>location.href='https://a.test/'</script>"),
            None
        );
        assert_eq!(
            page("<noscript><meta http-equiv=refresh content='0;url=https://a.test/'></noscript>"),
            None
        );
    }

    #[test]
    fn a_page_whose_scripts_cannot_be_decided_is_not_left() {
        let base = Url::parse("https://share.test/s").unwrap();
        let found = find(
            "<meta http-equiv=refresh content='1;url=/m'><script>Lib.init(); location.replace(Lib.url);</script>",
            &base,
            UA,
        );
        assert_eq!(found.redirect, None);
        assert!(found.undecided.unwrap().contains("threw"));
    }

    #[test]
    fn pages_naming_no_redirect_are_not_followed_and_svg_scripts_still_are() {
        assert_eq!(
            page("<html><p>no redirect: href, replace('x')</p></html>"),
            None
        );
        assert_eq!(
            page("<svg><script>loc&#97;tion.href = '/svg'</script></svg>"),
            Some(("https://share.test/svg".to_string(), HopVia::Script))
        );
        assert_eq!(
            page(r#"<META HTTP-EQUIV="Refresh" CONTENT="0;URL=/m">"#).map(|(u, _)| u),
            Some("https://share.test/m".to_string())
        );
    }

    #[test]
    fn meta_refresh_is_followed_when_short() {
        assert_eq!(
            page("<meta http-equiv='Refresh' content='0; URL=&quot;/next&quot;'>"),
            Some(("https://share.test/next".to_string(), HopVia::MetaRefresh))
        );
        assert_eq!(
            page("<meta http-equiv=refresh content='0;url=https://a.test/?a=1&amp;b=2'>"),
            Some(("https://a.test/?a=1&b=2".to_string(), HopVia::MetaRefresh))
        );
        assert_eq!(
            page("<meta http-equiv=refresh content='30;url=https://a.test/'>"),
            None
        );
        assert_eq!(page("<meta http-equiv=refresh content='0'>"), None);
    }

    #[test]
    fn a_timer_and_a_refresh_go_in_the_order_they_fire() {
        let html = "<meta http-equiv=refresh content='1;url=/meta'><script>setTimeout(function(){ location.href = '/js' }, 3000)</script>";
        assert_eq!(
            page(html),
            Some(("https://share.test/meta".to_string(), HopVia::MetaRefresh))
        );
    }

    #[test]
    fn script_wins_over_meta_refresh() {
        let html = "<meta http-equiv=refresh content='0;url=/meta'><script>location.replace('/js')</script>";
        assert_eq!(
            page(html),
            Some(("https://share.test/js".to_string(), HopVia::Script))
        );
    }

    #[test]
    fn refresh_header_is_a_meta_refresh() {
        let base = Url::parse("https://t.test/a").unwrap();
        let r = from_refresh_header(Some("0; url=/b"), &base).unwrap();
        assert_eq!(
            (r.url.as_str(), r.via),
            ("https://t.test/b", HopVia::MetaRefresh)
        );
        assert_eq!(from_refresh_header(Some("60; url=/b"), &base), None);
        assert_eq!(from_refresh_header(None, &base), None);
    }

    #[test]
    fn refresh_content_forms_parse() {
        let p = |c| parse_refresh(c);
        assert_eq!(p("0;url=/a"), Some((0.0, "/a".into())));
        assert_eq!(p("1.5, URL = '/b c'"), Some((1.5, "/b c".into())));
        assert_eq!(p("3 /c"), Some((3.0, "/c".into())));
        assert_eq!(p("0"), None);
        assert_eq!(p("soon;url=/a"), None);
    }
}
