//! Every corpus page, rewritten mechanically the ways real pages vary without changing what
//! they show or do, keeps its verdict: whitespace reflowed, marker text split by inline tags
//! and line breaks, attributes reordered, inline scripts moved to the end of the body,
//! comments inserted (in the markup and in the scripts), and the page re-encoded as GBK. Each
//! rewrite is applied on its own and all together. The classification is the library's
//! `inspect`, the same function `linkgate classify` calls.

mod support;

use std::sync::LazyLock;

use regex::{Captures, Regex};

use linkgate::inspect::{SavedPage, inspect};
use support::corpus::{CorpusPage, pages};
use support::fixtures::bundled;

/// Elements whose content is not markup: rewrites of markup leave it alone.
static RAW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<(script|style|title|textarea)\b[^>]*>.*?</(script|style|title|textarea)\s*>")
        .unwrap()
});
static INLINE_SCRIPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<script\b([^>]*)>(.*?)</script\s*>").unwrap());
static START_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([a-zA-Z][\w-]*)(\s[^<>]*?)?(/?)>").unwrap());
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"#).unwrap()
});
static TEXT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r">([^<]+)<").unwrap());
static CJK_RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\p{Han}，。、：]{4,}").unwrap());
static CHARSET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)charset\s*=\s*["']?[\w-]+"#).unwrap());

/// Applies `f` to the markup between raw-text elements, leaving those as they are.
fn in_markup(html: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut last = 0;
    for m in RAW.find_iter(html) {
        out.push_str(&f(&html[last..m.start()]));
        out.push_str(m.as_str());
        last = m.end();
    }
    out.push_str(&f(&html[last..]));
    out
}

fn reflow(html: &str) -> String {
    in_markup(html, |m| {
        let m = Regex::new(r">\s*<").unwrap().replace_all(m, ">\n\t  <");
        Regex::new(r"[ \t]*\n[ \t]*")
            .unwrap()
            .replace_all(&m, "\n      ")
            .into_owned()
    })
}

fn split_markers(html: &str) -> String {
    in_markup(html, |m| {
        TEXT.replace_all(m, |c: &Captures<'_>| {
            let text = CJK_RUN.replace_all(&c[1], |run: &Captures<'_>| {
                let chars: Vec<char> = run[0].chars().collect();
                let (a, rest) = chars.split_at(1);
                let (b, c) = rest.split_at(2);
                format!(
                    "{}<span class=\"x\">{}</span>\n  <b>{}</b>",
                    a.iter().collect::<String>(),
                    b.iter().collect::<String>(),
                    c.iter().collect::<String>()
                )
            });
            format!(">{text}<")
        })
        .into_owned()
    })
}

fn reorder_attributes(html: &str) -> String {
    in_markup(html, |m| {
        START_TAG
            .replace_all(m, |c: &Captures<'_>| {
                let attrs: Vec<&str> = c
                    .get(2)
                    .map(|a| {
                        ATTRIBUTE
                            .find_iter(a.as_str())
                            .map(|m| m.as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                let mut attrs = attrs;
                attrs.reverse();
                let joined = attrs.iter().map(|a| format!(" {a}")).collect::<String>();
                format!("<{}{joined}{}>", &c[1], &c[3])
            })
            .into_owned()
    })
}

/// Inline scripts (and script templates) moved, in order, to the end of the body.
fn move_scripts(html: &str) -> String {
    let mut moved = Vec::new();
    let rest = INLINE_SCRIPT.replace_all(html, |c: &Captures<'_>| {
        if c[1].to_ascii_lowercase().contains("src=") {
            c[0].to_string()
        } else {
            moved.push(c[0].to_string());
            String::new()
        }
    });
    let moved = moved.join("\n");
    match rest.rfind("</body>") {
        Some(at) => format!("{}{moved}\n{}", &rest[..at], &rest[at..]),
        None => format!("{rest}\n{moved}"),
    }
}

fn insert_comments(html: &str) -> String {
    let marked = in_markup(html, |m| {
        START_TAG
            .replace_all(m, |c: &Captures<'_>| {
                let tag = c[1].to_ascii_lowercase();
                if matches!(tag.as_str(), "html" | "head") {
                    c[0].to_string()
                } else {
                    format!("{}<!-- 注释 comment 继续访问 -->", &c[0])
                }
            })
            .into_owned()
    });
    INLINE_SCRIPT
        .replace_all(&marked, |c: &Captures<'_>| {
            let attrs = c[1].to_ascii_lowercase();
            let js = !attrs.contains("type=") || attrs.contains("javascript");
            if js && !attrs.contains("src=") {
                format!(
                    "<script{}>/* 注释: location.href = '/x' */\n// 注释\n{}\n// end</script>",
                    &c[1], &c[2]
                )
            } else {
                c[0].to_string()
            }
        })
        .into_owned()
}

/// The page as GBK bytes, declared as GBK.
fn gbk(html: &str) -> Vec<u8> {
    let declared = if CHARSET.is_match(html) {
        CHARSET.replace_all(html, "charset=gbk").into_owned()
    } else {
        html.replacen("<head>", "<head><meta charset=\"gbk\">", 1)
    };
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&declared);
    assert!(!unmappable, "the page has characters GBK cannot hold");
    bytes.into_owned()
}

type Rewrite = fn(&str) -> String;

const REWRITES: [(&str, Rewrite); 5] = [
    ("whitespace reflowed", reflow),
    ("marker text split by inline tags", split_markers),
    ("attributes reordered", reorder_attributes),
    ("scripts moved", move_scripts),
    ("comments inserted", insert_comments),
];

/// The page's text, decoded as `linkgate classify` would, and its encoding.
fn text_of(page: &CorpusPage) -> (String, &'static encoding_rs::Encoding) {
    let decoded = linkgate::charset::decode(&page.bytes(), None, page.charset.as_deref());
    let encoding =
        encoding_rs::Encoding::for_label(decoded.charset.as_bytes()).unwrap_or(encoding_rs::UTF_8);
    (decoded.text, encoding)
}

fn answer(
    catalog: &linkgate::catalog::Catalog,
    page: &CorpusPage,
    bytes: &[u8],
) -> serde_json::Value {
    let found = inspect(
        catalog,
        &SavedPage {
            bytes,
            url: &page.url,
            status: page.status.unwrap_or(200),
            charset: None,
            context: None,
            host: page.host.as_deref(),
            link: None,
            target: page.target.as_deref(),
            control: None,
        },
    )
    .unwrap();
    let v = &found.classification.verdict;
    serde_json::json!({
        "verdict": v.kind.as_str(),
        "mechanism": v.mechanism,
        "signature": v.signature,
        "continue_url": found.classification.way_on.as_ref().and_then(|c| c.target.clone()),
        "navigates_to": found.navigation.as_ref().map(|n| n.url.clone()),
        "reason": v.reason,
    })
}

#[test]
fn every_rewrite_of_every_corpus_page_keeps_its_verdict() {
    let catalog = bundled();
    let mut failures = Vec::new();
    let mut count = 0;
    for page in pages() {
        let (html, encoding) = text_of(&page);
        // A rewrite keeps the page's own encoding, as a server would.
        let mut variants: Vec<(String, Vec<u8>)> = REWRITES
            .iter()
            .map(|(name, f)| (name.to_string(), encoding.encode(&f(&html)).0.into_owned()))
            .collect();
        variants.push(("re-encoded to GBK".to_string(), gbk(&html)));
        let all = REWRITES.iter().fold(html.clone(), |h, (_, f)| f(&h));
        variants.push(("all rewrites, then GBK".to_string(), gbk(&all)));
        for (name, bytes) in variants {
            count += 1;
            let got = answer(&catalog, &page, &bytes);
            let wrong = page.mismatches(&got);
            if !wrong.is_empty() {
                failures.push(format!(
                    "{} / {name}: {}\n    because: {}",
                    page.file,
                    wrong.join("; "),
                    got["reason"]
                ));
            }
        }
    }
    println!("{count} rewritten pages checked");
    assert!(count >= 60 * 7, "only {count} rewrites");
    assert!(
        failures.is_empty(),
        "{} of {count} rewritten pages changed verdict:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_rewrites_really_rewrite() {
    let html = "<html><head><title>已停止访问</title><script>var a = 1;</script></head>\
                <body><p class=\"a\" id=\"b\">已停止访问该网页</p></body></html>";
    assert!(split_markers(html).contains("已<span class=\"x\">停止</span>"));
    assert!(split_markers(html).contains("<title>已停止访问</title>"));
    assert!(reorder_attributes(html).contains("<p id=\"b\" class=\"a\">"));
    let moved = move_scripts(html);
    assert!(moved.find("var a = 1").unwrap() > moved.find("<p ").unwrap());
    assert!(insert_comments(html).contains("<!-- 注释"));
    assert!(insert_comments(html).contains("// 注释\nvar a = 1;"));
    assert!(reflow(html).contains(">\n      <p"));
    assert!(String::from_utf8(gbk(html)).is_err());
}
