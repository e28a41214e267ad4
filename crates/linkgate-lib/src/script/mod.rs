//! What a page's own scripts do, learned by running them. A hop is a navigation the page
//! makes on its own: script that runs while the page loads, or from a timer within the
//! settle time. Code that runs only when a person acts (an `onclick` property or attribute,
//! a click/touch/submit listener, jQuery's `.on('click')`, a `javascript:` link, a form) is a
//! *control*: it is never followed, only run on its own, once, to learn where it would go.
//! Regexes over script text cannot tell the two apart; running the scripts can.
//!
//! The inline scripts run in QuickJS (`rquickjs`) against a stub browser written in
//! JavaScript (`prelude.js`): `window`, `document` built from the parsed page (elements,
//! selectors, `innerHTML`), `location`, `navigator` with the context's user agent, timers,
//! storage, and enough jQuery for pages that wait for taps with it. Nothing reaches the
//! network: `XMLHttpRequest` and `fetch` never answer, external scripts are not loaded.
//! Every page gets a time, operation and memory budget. When a page's own navigation
//! cannot be decided (a budget ran out, or a script that could navigate threw first), the
//! run says so, and callers report it rather than guess.

mod input;
mod runtime;

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use scraper::Html;
use serde::Deserialize;
use url::Url;

pub(crate) use input::is_javascript;
use runtime::Stopped;

const PRELUDE: &str = include_str!("prelude.js");

/// How long a page's timers may take to fire and still be the page's own navigation: the
/// browser engine's settle cap (5 s) and the longest meta refresh followed.
pub const SETTLE_MS: u64 = 5_000;

/// A page's budget.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Wall-clock time for the whole page.
    pub time: Duration,
    /// QuickJS interrupt checks (each about 10,000 operations): the deterministic budget,
    /// about 0.2 s of a release build's time.
    pub checks: u64,
    /// Memory of the JavaScript runtime.
    pub memory_bytes: usize,
    /// Most controls learned.
    pub max_controls: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            time: Duration::from_millis(1_500),
            checks: 2_000,
            memory_bytes: 48 * 1024 * 1024,
            max_controls: 200,
        }
    }
}

/// What to learn from a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only the page's own navigation (what the http engine needs for every page).
    Load,
    /// Its own navigation and every control a person could act on (what the classifier needs
    /// for a gateway page).
    Controls,
}

/// The page, and who is looking at it.
#[derive(Debug, Clone, Copy)]
pub struct PageSource<'a> {
    pub html: &'a str,
    pub url: &'a Url,
    pub user_agent: &'a str,
}

/// A navigation the page makes on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Navigation {
    /// Absolute, as the script asked for it (it may be an app scheme or `javascript:`).
    pub url: String,
    /// How: `location.replace`, `location.href`, `form.submit()`, `a.click()`, …
    pub how: String,
    /// When, after the page loaded: 0 while loading, a timer's delay otherwise.
    pub at_ms: u64,
}

/// Something a person can tap or submit, and where it would go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// `link`, `javascript_href`, `form`, `onclick_property:click`, `onclick_attribute:click`,
    /// `listener:touchend`, `delegated:click`, …
    pub kind: String,
    /// The element, as `a#continue.btn`.
    pub element: String,
    /// Its text (or value, aria-label, title), whitespace collapsed, at most 80 characters.
    pub label: String,
    /// Where it navigates, absolute; `None` when it does not (or it could not be learned).
    pub target: Option<String>,
    /// The handler's exception, when running it failed.
    pub error: Option<String>,
    /// Its handler failed and its code could navigate: where it goes is unknown.
    pub undecided: bool,
}

impl Control {
    /// `onclick property of a#continue.btn "继续访问" → https://…`.
    pub fn describe(&self) -> String {
        let (base, event) = match self.kind.split_once(':') {
            Some((base, event)) => (base, Some(event)),
            None => (self.kind.as_str(), None),
        };
        let how = match (base, event) {
            ("listener", Some(e)) => format!("{e} listener"),
            ("delegated", Some(e)) => format!("delegated {e} handler"),
            ("onclick_property" | "onclick_attribute", Some(e)) => {
                format!("on{e} {}", &base["onclick_".len()..])
            }
            (base, _) => base.replace('_', " "),
        };
        let to = match (&self.target, &self.error) {
            (Some(t), _) => format!(" → {t}"),
            (None, Some(e)) => format!(" (its handler failed: {e})"),
            (None, None) => String::new(),
        };
        format!("{how} of {} {:?}{to}", self.element, self.label)
    }
}

/// What running a page's scripts found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRun {
    /// The page's own navigation, if it makes one.
    pub navigation: Option<Navigation>,
    /// With [`Mode::Controls`]: every control, in document order.
    pub controls: Vec<Control>,
    /// Why the page's own navigation could not be decided, if it could not.
    pub undecided: Option<String>,
    /// `<meta http-equiv=refresh>` contents, in document order.
    pub refreshes: Vec<String>,
    /// The page's `<base href>`, resolved.
    pub base: Option<Url>,
    /// Whether scripts ran at all (a page without any is decided without the engine).
    pub ran: bool,
}

/// Whether any inline script could make a navigation (or hides what it does): the run is
/// skipped for the others, which is most landing pages. Reading `location` is not
/// navigating: an assignment to it or a part of it, a call of `replace`/`assign`, an alias
/// of it, a form submitted or an element clicked by script, `open(`, and anything that
/// hides names (`eval`, `Function(`, `atob`, computed property names, `document.write`) is.
static MAY_NAVIGATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"location\s*(?:\.\s*(?:href|search|pathname|hash|host|hostname|protocol|port)\s*)?=[^=]",
        r"|location\s*\.\s*(?:replace|assign)\s*\(|location\s*\[|\blocation\s*[,;)]",
        r"|\.submit\s*\(|\.click\s*\(|\bopen\s*\(|navigate|dispatchEvent|document\.write",
        r"|\beval\b|\bFunction\s*\(|\batob\b|fromCharCode|\[\s*['\x22`]|\bhrl\b|real_jump_address",
    ))
    .unwrap_or_else(|e| panic!("{e}"))
});

/// A refresh `content` as (delay seconds, URL), as HTML parses it: `5`, `0;url=…`,
/// `0; URL='…'`, `0,…`. A refresh without a URL reloads the page and is not a redirect.
pub fn parse_refresh(content: &str) -> Option<(f64, String)> {
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

/// The refresh of `run` that a browser follows within the settle time, as a navigation
/// (with its URL resolved against the page's base), if the scripts make none first.
pub fn refresh_navigation(run: &PageRun, page_url: &Url) -> Option<Navigation> {
    let base = run.base.clone().unwrap_or_else(|| page_url.clone());
    run.refreshes
        .iter()
        .filter_map(|c| parse_refresh(c))
        .find(|(delay, _)| *delay * 1000.0 <= SETTLE_MS as f64)
        .and_then(|(delay, target)| {
            let url = base.join(target.trim()).ok()?;
            Some(Navigation {
                url: url.to_string(),
                how: "meta refresh".to_string(),
                at_ms: (delay * 1000.0) as u64,
            })
        })
}

/// Whether `script` could make a navigation or hides what it does; a page none of whose
/// scripts could is decided without running them.
pub fn may_navigate(script: &str) -> bool {
    MAY_NAVIGATE.is_match(script)
}

/// The value of a JavaScript object or array literal (`{ type: 'stop', }`), read by the
/// engine with the default budget; `None` when it is not one or does not evaluate.
pub fn evaluate_literal(source: &str) -> Option<serde_json::Value> {
    let trimmed = source.trim();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let json = runtime::evaluate_json(&Limits::default(), trimmed)?;
    serde_json::from_str(&json).ok()
}

/// Runs `page`'s inline scripts as `mode` asks.
pub fn run(page: PageSource<'_>, mode: Mode, limits: &Limits) -> PageRun {
    let parsed = crate::html::parse_page(page.html, &crate::html::ParseLimits::PAGE);
    if let Some(limit) = parsed.exceeded {
        // Scripts read from part of a page could decide anything: say so rather than guess.
        return PageRun {
            undecided: Some(format!(
                "the page was not read whole ({limit}), so its scripts were not run"
            )),
            ..PageRun::default()
        };
    }
    run_parsed(&parsed.html, page, mode, limits)
}

/// [`run`] on a page already parsed.
pub fn run_parsed(doc: &Html, page: PageSource<'_>, mode: Mode, limits: &Limits) -> PageRun {
    let declared = input::declared(doc);
    let base = declared
        .base
        .as_deref()
        .and_then(|b| page.url.join(b.trim()).ok());
    let mut run = PageRun {
        refreshes: declared.refreshes.clone(),
        base,
        ..PageRun::default()
    };
    let needed = match mode {
        Mode::Load => declared.scripts.iter().any(|s| may_navigate(s)),
        Mode::Controls => true,
    };
    if !needed {
        return run;
    }
    let data = input::Input {
        url: page.url.as_str(),
        ua: page.user_agent,
        referrer: "",
        base: declared.base.clone(),
        settle_ms: SETTLE_MS,
        elements: declared.elements,
        scripts: declared.scripts,
    };
    let Ok(json) = serde_json::to_string(&data) else {
        run.undecided = Some("the page could not be handed to the script engine".into());
        return run;
    };
    let scripts = data.scripts.len();
    run.ran = true;
    let found = runtime::with_page(limits, &json, PRELUDE, |session| {
        Ok::<_, Stopped>(drive(session?, scripts, mode, limits))
    });
    match found {
        Err(why) => run.undecided = Some(why_stopped(why)),
        Ok((result, controls, stopped)) => {
            let result: Option<RawResult> = result.and_then(|r| serde_json::from_str(&r).ok());
            decide(&mut run, result, stopped);
            if let Some(raw) =
                controls.and_then(|c| serde_json::from_str::<Vec<RawControl>>(&c).ok())
            {
                run.controls = raw.into_iter().map(RawControl::into_control).collect();
            }
        }
    }
    run
}

/// Runs the page's tasks in order: scripts, load events, timers due within the settle time
/// until one navigates, then (for [`Mode::Controls`]) the controls. Returns the JSON of the
/// result and of the controls, and why the run stopped early, if it did.
fn drive(
    session: &runtime::Session<'_, '_>,
    scripts: usize,
    mode: Mode,
    limits: &Limits,
) -> (Option<String>, Option<String>, Option<Stopped>) {
    let mut stopped = None;
    let mut tasks = (0..scripts)
        .map(|i| ("runScript", Some(i as u32)))
        .chain(std::iter::once(("loaded", None)));
    let mut ok = tasks.all(|(name, arg)| match session.call(name, arg) {
        Ok(()) => true,
        Err(why) => {
            stopped = Some(why.unwrap_or(Stopped::Engine));
            false
        }
    });
    while ok && !navigated(session) {
        match session.call_json("nextTimer", None) {
            Ok(more) if more == "true" => {}
            Ok(_) => break,
            Err(why) => {
                stopped = Some(why.unwrap_or(Stopped::Engine));
                ok = false;
            }
        }
    }
    let controls = if ok && mode == Mode::Controls {
        session.call_json("learn", Some(limits.max_controls)).ok()
    } else {
        None
    };
    session.extend();
    let result = session.call_json("result", None).ok();
    (result, controls, stopped)
}

fn navigated(session: &runtime::Session<'_, '_>) -> bool {
    session
        .call_json("navigated", None)
        .is_ok_and(|v| v == "true")
}

fn decide(run: &mut PageRun, result: Option<RawResult>, stopped: Option<Stopped>) {
    let Some(result) = result else {
        run.undecided = Some(why_stopped(stopped.unwrap_or(Stopped::Engine)));
        return;
    };
    // The last navigation of the task that first navigated: a later assignment in the same
    // task replaces an earlier one, as in a browser.
    if let Some(last) = result.navs.last() {
        run.navigation = Some(Navigation {
            url: unescape_amp(&last.url),
            how: last.how.clone(),
            at_ms: last.at,
        });
        return;
    }
    if let Some(why) = stopped {
        run.undecided = Some(why_stopped(why));
        return;
    }
    if let Some(e) = result.errors.iter().find(|e| e.could_navigate) {
        run.undecided = Some(format!(
            "{} threw before it could be told whether it navigates ({})",
            e.task, e.message
        ));
        return;
    }
    // JD's `var hrl` and Taobao's `real_jump_address` (DOMAIN.md §5 [solid]): the page's
    // next hop by a platform convention, followed when the page navigates nowhere else.
    if let Some(named) = result.named {
        run.navigation = Some(Navigation {
            url: unescape_amp(&named.url),
            how: format!(
                "var {} (the share page's next hop, DOMAIN.md §5)",
                named.name
            ),
            at_ms: 0,
        });
    }
}

/// Pages often HTML-escape the `&` of URLs inside scripts, which browsers do not undo there,
/// but the servers expect `&`: the one escape undone.
fn unescape_amp(url: &str) -> String {
    url.replace("&amp;", "&")
}

fn why_stopped(why: Stopped) -> String {
    match why {
        Stopped::Time => "the page's scripts ran out of their time budget before the page \
                          settled"
            .to_string(),
        Stopped::Memory => "the page's scripts ran out of their memory budget".to_string(),
        Stopped::Engine => "the script engine could not run the page".to_string(),
    }
}

#[derive(Debug, Deserialize)]
struct RawResult {
    navs: Vec<RawNav>,
    named: Option<RawNamed>,
    errors: Vec<RawError>,
}

#[derive(Debug, Deserialize)]
struct RawNamed {
    name: String,
    url: String,
}

#[derive(Debug, Deserialize)]
struct RawNav {
    url: String,
    how: String,
    at: u64,
}

#[derive(Debug, Deserialize)]
struct RawError {
    task: String,
    message: String,
    could_navigate: bool,
}

#[derive(Debug, Deserialize)]
struct RawControl {
    tag: String,
    id: String,
    cls: String,
    label: String,
    kind: String,
    target: Option<String>,
    error: Option<String>,
    could_navigate: bool,
}

impl RawControl {
    fn into_control(self) -> Control {
        let mut element = self.tag;
        if !self.id.is_empty() {
            element.push('#');
            element.push_str(&self.id);
        }
        for class in self.cls.split_whitespace().take(3) {
            element.push('.');
            element.push_str(class);
        }
        Control {
            kind: self.kind,
            element,
            label: self.label,
            undecided: self.target.is_none() && self.could_navigate,
            target: self.target,
            error: self.error,
        }
    }
}

#[cfg(test)]
mod tests;
