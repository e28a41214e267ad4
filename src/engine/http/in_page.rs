//! Redirects made by a page rather than by HTTP: `<meta http-equiv=refresh>` and the
//! plain script redirects share links and gateways use (`location.href = '…'`,
//! `location.replace('…')`, JD's `var hrl = '…'`, Taobao's `real_jump_address = '…'`).
//!
//! No JavaScript is run: only assignments of a plain string literal count, so a URL built
//! from pieces is never guessed at. Only `<script>` elements are read (not `onclick`
//! attributes, which wait for a tap), and comments in scripts are skipped. The redirect
//! variables JD and Taobao name win over other assignments, because their pages also carry
//! fallback links; a script redirect wins over a meta refresh, because scripts run while the
//! page is parsed and a refresh fires only after it has loaded.

use std::sync::LazyLock;

use regex::Regex;
use scraper::Selector;
use url::Url;

use super::js;
use super::page_scan::{self, Declared, is_javascript};
use crate::model::HopVia;

/// A refresh longer than this leaves the page on screen for the user to read, so it is the
/// page observed, not a redirect.
pub(crate) const META_REFRESH_MAX_DELAY_SECS: f64 = 5.0;

/// A JS string literal in single or double quotes (group 1 or 2), on one line.
const LITERAL: &str = r#"(?:'((?:[^'\\\r\n]|\\.)*)'|"((?:[^"\\\r\n]|\\.)*)")"#;
/// Not part of a longer name or member access.
const START: &str = r"(?:^|[^\w$.])";
const LOCATION: &str = r"(?:(?:window|document|top|self|parent)\s*\.\s*)?location";

static NAMED_VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?m){START}(?:(?:var|let|const)\s+)?(?:hrl|real_jump_address)\s*=\s*{LITERAL}\s*(?:[;,)}}]|$)"
    ))
});
static LOCATION_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?m){START}{LOCATION}(?:\s*\.\s*href)?\s*=\s*{LITERAL}\s*(?:[;,)}}]|$)"
    ))
});
static LOCATION_CALL: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"{START}{LOCATION}\s*\.\s*(?:replace|assign)\s*\(\s*{LITERAL}\s*\)"
    ))
});
/// What the source of any page `find` can follow contains: a script redirect names
/// `location`, `hrl` or `real_jump_address` as written (HTML scripts are raw text, with no
/// character references), and a meta refresh needs an `http-equiv` attribute. Scripts in SVG
/// or MathML are the exception (their text may be written with references), so those pages
/// are always parsed. Most pages have none of these, and a search for them costs far less than
/// parsing the page: profiling showed that parse as a quarter of a run's CPU.
static MAY_REDIRECT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"location|hrl|real_jump_address|(?i:http-equiv|<svg|<math)"));
static SCRIPT: LazyLock<Selector> = LazyLock::new(|| selector("script"));
static META: LazyLock<Selector> = LazyLock::new(|| selector("meta[http-equiv]"));
static BASE: LazyLock<Selector> = LazyLock::new(|| selector("base[href]"));

fn regex(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(r) => r,
        Err(e) => panic!("built-in pattern {pattern} is invalid: {e}"),
    }
}

fn selector(css: &str) -> Selector {
    match Selector::parse(css) {
        Ok(s) => s,
        Err(e) => panic!("built-in selector {css} is invalid: {e}"),
    }
}

/// Where a page sends the browser next, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InPageRedirect {
    pub url: Url,
    pub via: HopVia,
}

/// The redirect `html` (served from `page_url`) makes, if any. Targets that are not http(s)
/// (app schemes such as `taobao://`, `javascript:`) are not redirects the engine can follow.
pub(crate) fn find(html: &str, page_url: &Url) -> Option<InPageRedirect> {
    if !MAY_REDIRECT.is_match(html) {
        return None;
    }
    let declared = page_scan::scan(html).unwrap_or_else(|| declared_by_tree(html));
    let base = declared
        .base
        .as_deref()
        .and_then(|href| page_url.join(href.trim()).ok())
        .unwrap_or_else(|| page_url.clone());
    let scripts: Vec<String> = declared
        .scripts
        .iter()
        .map(|s| js::strip_comments(s))
        .collect();
    let script_target = first_literal(&scripts, &[&NAMED_VARIABLE], &base)
        .or_else(|| first_literal(&scripts, &[&LOCATION_ASSIGN, &LOCATION_CALL], &base));
    if let Some(url) = script_target {
        return Some(InPageRedirect {
            url,
            via: HopVia::Script,
        });
    }
    declared
        .refreshes
        .iter()
        .filter_map(|content| parse_refresh(content))
        .filter(|(delay, _)| *delay <= META_REFRESH_MAX_DELAY_SECS)
        .find_map(|(_, target)| followable(&base, &target))
        .map(|url| InPageRedirect {
            url,
            via: HopVia::MetaRefresh,
        })
}

/// What `html` declares, read from its parsed document: for the pages
/// [`page_scan::scan`] leaves to the tree builder.
fn declared_by_tree(html: &str) -> Declared {
    let doc = crate::classify::parse_page(html, &crate::classify::ParseLimits::PAGE).html;
    Declared {
        base: doc
            .select(&BASE)
            .next()
            .and_then(|b| b.value().attr("href"))
            .map(str::to_string),
        scripts: doc
            .select(&SCRIPT)
            .filter(|s| s.value().attr("src").is_none() && is_javascript(s.value().attr("type")))
            .map(|s| s.text().collect::<String>())
            .collect(),
        refreshes: doc
            .select(&META)
            .filter(|m| {
                m.value()
                    .attr("http-equiv")
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh"))
            })
            .filter_map(|m| m.value().attr("content"))
            .map(str::to_string)
            .collect(),
    }
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

/// The first followable literal matched by any of `res`, in document order.
fn first_literal(scripts: &[String], res: &[&Regex], base: &Url) -> Option<Url> {
    scripts.iter().find_map(|script| {
        let mut hits: Vec<(usize, &str)> = res
            .iter()
            .flat_map(|re| re.captures_iter(script))
            .filter_map(|c| {
                let m = c.get(1).or_else(|| c.get(2))?;
                Some((m.start(), m.as_str()))
            })
            .collect();
        hits.sort_by_key(|(at, _)| *at);
        hits.into_iter()
            .find_map(|(_, literal)| followable(base, &decode_literal(literal)))
    })
}

/// A JS literal's text as a URL: JS escapes undone, then `&amp;` (pages often HTML-escape
/// URLs inside scripts, which browsers do not undo there, but the servers expect `&`).
fn decode_literal(literal: &str) -> String {
    js::unescape(literal).replace("&amp;", "&")
}

fn followable(base: &Url, target: &str) -> Option<Url> {
    let target = target.trim();
    if target.is_empty() || target.starts_with('#') {
        return None;
    }
    let url = base.join(target).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// A refresh `content` as (delay seconds, URL), as HTML parses it: `5`, `0;url=…`,
/// `0; URL='…'`, `0,…`. A refresh without a URL reloads the page and is not a redirect.
pub(crate) fn parse_refresh(content: &str) -> Option<(f64, String)> {
    let content = content.trim_start();
    let digits = content
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(content.len());
    let delay: f64 = content[..digits].parse().ok()?;
    let rest = content[digits..].trim_start();
    let rest = rest.strip_prefix([';', ',']).unwrap_or(rest).trim_start();
    let rest = match rest.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("url") => {
            let after = rest[3..].trim_start();
            after.strip_prefix('=').map(str::trim_start).unwrap_or(rest)
        }
        _ => rest,
    };
    let url = match rest.chars().next() {
        Some(q @ ('\'' | '"')) => rest[1..].split(q).next().unwrap_or(""),
        _ => rest,
    };
    let url = url.trim();
    (!url.is_empty()).then(|| (delay, url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Option<(String, HopVia)> {
        let base = Url::parse("https://share.test/s/abc?x=1").unwrap();
        find(html, &base).map(|r| (r.url.to_string(), r.via))
    }

    fn script(body: &str) -> Option<String> {
        page(&format!("<html><script>{body}</script></html>")).map(|(u, via)| {
            assert_eq!(via, HopVia::Script);
            u
        })
    }

    #[test]
    fn every_script_form_is_followed() {
        let to = Some("https://item.test/1".to_string());
        for form in [
            "location.href = 'https://item.test/1';",
            "location.replace('https://item.test/1')",
            "location.assign(\"https://item.test/1\");",
            "window.location = 'https://item.test/1'",
            "window.location.href = \"https://item.test/1\";",
            "document.location.href='https://item.test/1'}",
            "top.location.replace( 'https://item.test/1' );",
            "var hrl='https://item.test/1';",
            "real_jump_address = 'https://item.test/1';",
        ] {
            assert_eq!(script(form), to, "{form}");
        }
    }

    #[test]
    fn escapes_and_entities_in_literals_are_decoded() {
        assert_eq!(
            script(r"var hrl='https:\/\/u.test\/jda?e=1&amp;p=2\x26q=3';").as_deref(),
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
    fn computed_or_compared_locations_are_not_followed() {
        for form in [
            "location.href = 'https://a.test/' + id;",
            "location.href = base;",
            "if (location.href == 'https://a.test/') {}",
            "mylocation.href = 'https://a.test/';",
            "// location.href = 'https://a.test/';",
            "/* location.replace('https://a.test/') */",
            "location.href = 'javascript:void(0)';",
            "location.href = 'taobao://item.taobao.com/item.htm?id=1';",
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
            page("<script type='text/template'>location.href='https://a.test/'</script>"),
            None
        );
        assert_eq!(
            page("<noscript><meta http-equiv=refresh content='0;url=https://a.test/'></noscript>"),
            None
        );
    }

    #[test]
    fn named_variables_win_over_fallback_assignments() {
        let body = "function f(){location.href='https://m.jd.test/'}\nvar hrl='https://u.jd.test/jda?e=1';";
        assert_eq!(script(body).as_deref(), Some("https://u.jd.test/jda?e=1"));
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
