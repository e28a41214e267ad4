//! Reads a world file: TOML into raw tables (serde, with spans), then checks every entry and
//! builds the `World`. Syntax and type errors stop at the first; everything else is checked
//! entry by entry so one load reports every problem, each with its line and column.

use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;
use toml::value::Datetime;

use super::rule::{Fault, FaultKind, GateState, Rule, Style, Targets, states_of, styles_of};
use super::{ShortLink, SimPlatform, World};
use crate::diagnostic::Diagnostic;
use crate::model::Scene;
use crate::sim::error::WorldProblems;

/// The longest delay a slow fault may ask for: longer only makes runs hang.
const MAX_DELAY_MS: u64 = 600_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorld {
    name: Option<String>,
    description: Option<String>,
    default_scene: Option<Scene>,
    #[serde(default)]
    platform: Vec<RawPlatform>,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    short_link: Vec<RawShortLink>,
    #[serde(default)]
    fault: Vec<RawFault>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlatform {
    id: Spanned<String>,
    owner: String,
    name: String,
    name_zh: String,
    title: String,
    domains: Spanned<Vec<Spanned<String>>>,
    charset: Option<Spanned<String>>,
    #[serde(default)]
    ua_tokens: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    host: Spanned<String>,
    targets: Spanned<Vec<Spanned<String>>>,
    scenes: Option<Spanned<Vec<Scene>>>,
    from: Option<Spanned<Datetime>>,
    until: Option<Spanned<Datetime>>,
    state: Spanned<GateState>,
    style: Option<Spanned<Style>>,
    reason: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShortLink {
    url: Spanned<String>,
    target: Spanned<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawFaultKind {
    Down,
    Slow,
    RedirectLoop,
}

#[derive(Deserialize)]
enum RawDownMode {
    #[serde(rename = "reset")]
    Reset,
    #[serde(rename = "503")]
    Unavailable,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    host: Spanned<String>,
    kind: Spanned<RawFaultKind>,
    mode: Option<Spanned<RawDownMode>>,
    delay_ms: Option<Spanned<u64>>,
    from: Option<Spanned<Datetime>>,
    until: Option<Spanned<Datetime>>,
    note: Option<String>,
}

pub(super) fn parse(text: &str, name: &Path) -> Result<World, WorldProblems> {
    let mut check = Checker {
        text,
        problems: Vec::new(),
    };
    let raw: RawWorld = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            check.error(e.span().unwrap_or(0..0), e.message().trim().to_string());
            return Err(check.into_problems(name));
        }
    };
    let platforms = raw
        .platform
        .into_iter()
        .filter_map(|p| check.platform(p))
        .collect::<Vec<_>>();
    check.unique_platforms(&platforms);
    let rules = raw
        .rule
        .into_iter()
        .filter_map(|r| check.rule(r, &platforms))
        .collect();
    let short_links = raw
        .short_link
        .into_iter()
        .filter_map(|s| check.short_link(s))
        .collect();
    let faults = raw
        .fault
        .into_iter()
        .filter_map(|f| check.fault(f))
        .collect();
    if !check.problems.is_empty() {
        return Err(check.into_problems(name));
    }
    let fallback_name = name
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "world".to_string());
    Ok(World {
        name: raw.name.unwrap_or(fallback_name),
        description: raw.description,
        default_scene: raw.default_scene.unwrap_or(Scene::PrivateChat),
        platforms,
        rules,
        short_links,
        faults,
    })
}

/// Collects problems, each at a byte span of the text.
struct Checker<'t> {
    text: &'t str,
    problems: Vec<(usize, String)>,
}

impl Checker<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push((span.start, message.into()));
    }

    fn into_problems(self, name: &Path) -> WorldProblems {
        let mut problems: Vec<Diagnostic> = self
            .problems
            .iter()
            .map(|(offset, message)| {
                let (line, column) = line_col(self.text, *offset);
                Diagnostic::at(name, line, column, message.clone())
            })
            .collect();
        problems.sort_by_key(|p| (p.line, p.column));
        WorldProblems {
            file: name.to_path_buf(),
            problems,
        }
    }

    fn platform(&mut self, raw: RawPlatform) -> Option<SimPlatform> {
        let before = self.problems.len();
        let id = raw.id.get_ref();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            self.error(
                raw.id.span(),
                format!("platform id `{id}` must be lower-case letters, digits and `_`"),
            );
        }
        if raw.domains.get_ref().is_empty() {
            self.error(raw.domains.span(), format!("platform `{id}` has no domains: list the host names it owns, e.g. [\"taobao.com\"]"));
        }
        let mut domains = Vec::new();
        for domain in raw.domains.into_inner() {
            if is_host_name(domain.get_ref()) {
                domains.push(domain.into_inner());
            } else {
                self.error(domain.span(), format!("`{}` is not a host name: write it lower case, without scheme or path, e.g. \"item.jd.com\"", domain.get_ref()));
            }
        }
        let charset = match &raw.charset {
            None => encoding_rs::UTF_8,
            Some(label) => match crate::charset::lookup(label.get_ref()) {
                Some(encoding) => encoding,
                None => {
                    self.error(
                        label.span(),
                        format!(
                            "unknown charset `{}`: use UTF-8, GBK, gb18030 or Big5",
                            label.get_ref()
                        ),
                    );
                    encoding_rs::UTF_8
                }
            },
        };
        for token in &raw.ua_tokens {
            if token.get_ref().trim().is_empty() {
                self.error(
                    token.span(),
                    "an empty user-agent token would match every webview",
                );
            }
        }
        (self.problems.len() == before).then(|| SimPlatform {
            id: raw.id.into_inner(),
            owner: raw.owner,
            name: raw.name,
            name_zh: raw.name_zh,
            title: raw.title,
            domains,
            charset,
            ua_tokens: raw.ua_tokens.into_iter().map(Spanned::into_inner).collect(),
        })
    }

    /// Duplicate ids and domains; reported here because spans are gone after `platform`.
    fn unique_platforms(&mut self, platforms: &[SimPlatform]) {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut domains: HashMap<&str, &str> = HashMap::new();
        for p in platforms {
            *ids.entry(&p.id).or_default() += 1;
            for d in &p.domains {
                if let Some(other) = domains.insert(d, &p.id) {
                    let at = self.find(&format!("\"{d}\""));
                    self.error(at, format!("domain `{d}` is listed by both `{other}` and `{}`: a host name belongs to one platform", p.id));
                }
            }
        }
        let mut dups: Vec<&str> = ids
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(id, _)| id)
            .collect();
        dups.sort_unstable();
        for id in dups {
            let at = self.find(&format!("\"{id}\""));
            self.error(at, format!("platform `{id}` is defined more than once"));
        }
    }

    /// Where `needle` last occurs, for problems found after spans were dropped.
    fn find(&self, needle: &str) -> Range<usize> {
        let start = self.text.rfind(needle).unwrap_or(0);
        start..start + needle.len()
    }

    fn rule(&mut self, raw: RawRule, platforms: &[SimPlatform]) -> Option<Rule> {
        let before = self.problems.len();
        let known = |id: &str| platforms.iter().any(|p| p.id == id);
        let host = raw.host.get_ref().as_str();
        if !known(host) {
            self.error(raw.host.span(), format!("rule host `{host}` is not a platform of this world: add a [[platform]] with id = \"{host}\" or fix the name"));
        }
        let targets = self.targets(&raw.targets, &known);
        let scenes = raw.scenes.map(|s| {
            if s.get_ref().is_empty() {
                self.error(
                    s.span(),
                    "`scenes` is empty: leave it out to cover every scene",
                );
            }
            s.into_inner()
        });
        let (from, until) = self.window(raw.from.as_ref(), raw.until.as_ref());
        let state = *raw.state.get_ref();
        if known(host) && !states_of(host).contains(&state) {
            let allowed: Vec<&str> = states_of(host).iter().map(|s| s.as_str()).collect();
            self.error(
                raw.state.span(),
                format!(
                    "`{host}` cannot show `{state}`: the simulator has these states for it: {}",
                    allowed.join(", ")
                ),
            );
        }
        if let Some(style) = &raw.style {
            let styles = styles_of(host, state);
            if !styles.contains(style.get_ref()) {
                let hint = if styles.is_empty() {
                    format!("`{state}` of `{host}` has a single look: remove `style`")
                } else {
                    let names: Vec<&str> = styles.iter().map(|s| s.as_str()).collect();
                    format!("use one of: {}", names.join(", "))
                };
                self.error(
                    style.span(),
                    format!(
                        "style `{}` does not exist for `{state}` of `{host}`: {hint}",
                        style.get_ref().as_str()
                    ),
                );
            }
        }
        let line = line_col(self.text, raw.host.span().start).0;
        (self.problems.len() == before).then(|| Rule {
            host: raw.host.into_inner(),
            targets: targets.unwrap_or(Targets::Any),
            scenes,
            from,
            until,
            state,
            style: raw.style.map(Spanned::into_inner),
            reason: raw.reason,
            note: raw.note,
            line,
        })
    }

    fn targets(
        &mut self,
        raw: &Spanned<Vec<Spanned<String>>>,
        known: &dyn Fn(&str) -> bool,
    ) -> Option<Targets> {
        let list = raw.get_ref();
        if list.is_empty() {
            self.error(
                raw.span(),
                "`targets` is empty: list platform ids, or [\"*\"] for every target",
            );
            return None;
        }
        if list.iter().any(|t| t.get_ref() == "*") {
            if list.len() > 1 {
                self.error(
                    raw.span(),
                    "\"*\" already covers every target: write targets = [\"*\"] alone",
                );
            }
            return Some(Targets::Any);
        }
        for t in list {
            if !known(t.get_ref()) {
                self.error(t.span(), format!("target `{}` is not a platform of this world (or use \"*\" for every target)", t.get_ref()));
            }
        }
        Some(Targets::Only(
            list.iter().map(|t| t.get_ref().clone()).collect(),
        ))
    }

    /// `from` and `until`, checked to be dates in order.
    fn window(
        &mut self,
        from: Option<&Spanned<Datetime>>,
        until: Option<&Spanned<Datetime>>,
    ) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let start = from.and_then(|d| self.date(d));
        let end = until.and_then(|d| self.date(d));
        if let (Some(f), Some(u), Some(raw)) = (start, end, until)
            && f >= u
        {
            self.error(
                raw.span(),
                format!("`until` ({u}) must be after `from` ({f})"),
            );
        }
        (start, end)
    }

    fn date(&mut self, raw: &Spanned<Datetime>) -> Option<NaiveDate> {
        let value = raw.get_ref();
        let date = match (value.date, value.time, value.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
            }
            _ => None,
        };
        if date.is_none() {
            self.error(
                raw.span(),
                format!("`{value}` is not a plain date: write a bare TOML date such as 2021-09-17"),
            );
        }
        date
    }

    fn short_link(&mut self, raw: RawShortLink) -> Option<ShortLink> {
        let before = self.problems.len();
        let code = match url::Url::parse(raw.url.get_ref()) {
            Ok(u) if u.host_str() == Some("t.cn") => {
                let code = u.path().trim_matches('/').to_string();
                if code.is_empty() || code.contains('/') {
                    self.error(
                        raw.url.span(),
                        "a t.cn short link is https://t.cn/<code>, with one path segment",
                    );
                }
                code
            }
            _ => {
                self.error(raw.url.span(), format!("`{}` is not a t.cn link: only t.cn codes need a target (other share links resolve from their code)", raw.url.get_ref()));
                String::new()
            }
        };
        if !is_web_url(raw.target.get_ref()) {
            self.error(
                raw.target.span(),
                format!("target `{}` is not an http(s) URL", raw.target.get_ref()),
            );
        }
        (self.problems.len() == before).then(|| ShortLink {
            code,
            target: raw.target.into_inner(),
            note: raw.note,
        })
    }

    fn fault(&mut self, raw: RawFault) -> Option<Fault> {
        let before = self.problems.len();
        let host = raw.host.get_ref();
        if !is_host_name(host) {
            self.error(
                raw.host.span(),
                format!(
                    "fault host `{host}` is not a host name: lower case, no scheme, port or path"
                ),
            );
        }
        let kind = match raw.kind.get_ref() {
            RawFaultKind::Down => match raw.mode.as_ref().map(Spanned::get_ref) {
                Some(RawDownMode::Reset) => Some(FaultKind::Reset),
                Some(RawDownMode::Unavailable) => Some(FaultKind::Unavailable),
                None => {
                    self.error(raw.kind.span(), "a `down` fault needs `mode = \"reset\"` (connection reset) or `mode = \"503\"`");
                    None
                }
            },
            RawFaultKind::Slow => match &raw.delay_ms {
                Some(d) if (1..=MAX_DELAY_MS).contains(d.get_ref()) => {
                    Some(FaultKind::Slow(Duration::from_millis(*d.get_ref())))
                }
                Some(d) => {
                    let message = format!("`delay_ms` must be between 1 and {MAX_DELAY_MS}");
                    self.error(d.span(), message);
                    None
                }
                None => {
                    let message = "a `slow` fault needs `delay_ms`, the delay before each answer";
                    self.error(raw.kind.span(), message);
                    None
                }
            },
            RawFaultKind::RedirectLoop => Some(FaultKind::RedirectLoop),
        };
        if let (Some(m), false) = (&raw.mode, matches!(raw.kind.get_ref(), RawFaultKind::Down)) {
            self.error(m.span(), "`mode` only applies to `down` faults");
        }
        if let (Some(d), false) = (
            &raw.delay_ms,
            matches!(raw.kind.get_ref(), RawFaultKind::Slow),
        ) {
            self.error(d.span(), "`delay_ms` only applies to `slow` faults");
        }
        let (from, until) = self.window(raw.from.as_ref(), raw.until.as_ref());
        let kind = kind.filter(|_| self.problems.len() == before)?;
        Some(Fault {
            host: raw.host.into_inner(),
            kind,
            from,
            until,
            note: raw.note,
        })
    }
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(['.', '-'])
        && !s.ends_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

fn is_web_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
