//! A drafted signature for a family, in the pack's own TOML: the URL its pages are served
//! from, a selector and a phrase every member has and no opened page of the same targets has,
//! and the verdict left for the analyst (`CHOOSE`, which the catalog refuses until it is
//! replaced: nothing drafted is ever used unread).

use std::collections::BTreeSet;

use super::features::Features;

/// What the draft is built from.
pub struct DraftInput<'a> {
    pub id: &'a str,
    pub members: &'a [&'a Features],
    pub final_urls: &'a [&'a str],
    /// Opened pages of the same targets: nothing they have may identify the family.
    pub opened: &'a [&'a Features],
    pub hosts: &'a BTreeSet<String>,
    /// Some members are controls: the target serves the page, so it is not the host's.
    pub controls: bool,
    pub representative_url: &'a str,
    pub source: String,
}

/// The draft's TOML (one `[[signature]]` table).
pub fn draft(input: &DraftInput<'_>) -> String {
    let mut when = vec![format!(
        "  {{ in = \"final_url\", regex = '{}' }},",
        url_regex(input.final_urls)
    )];
    if let Some(selector) = common_selector(input) {
        when.push(format!(
            "  {{ in = \"selector\", selector = \"{}\" }},",
            toml_text(&selector)
        ));
    }
    if let Some(phrase) = common_phrase(input) {
        when.push(format!(
            "  {{ in = \"any_text\", contains = \"{}\" }},",
            toml_text(&phrase)
        ));
    }
    let hosts: Vec<String> = input
        .hosts
        .iter()
        .map(|h| format!("\"{}\"", toml_text(h)))
        .collect();
    // A page the neutral browser is shown too is the target's, in every context.
    let (actor, hosts) = match input.controls || hosts.is_empty() {
        true => ("target", String::new()),
        false => ("host", format!("hosts = [{}]\n", hosts.join(", "))),
    };
    format!(
        "# Drafted by `linkgate triage`. Choose the verdict (blocked, interstitial, or by_continue to\n\
         # let the page's continue control decide), name the mechanism, check the conditions, then\n\
         # add this file to scenarios/signatures/ and its page to scenarios/signatures/fixtures/draft/.\n\
         [[signature]]\n\
         id = \"{id}\"\n\
         verdict = \"CHOOSE\"\n\
         mechanism = \"unknown_page\"\n\
         actor = \"{actor}\"\n\
         {hosts}\
         source = \"{source}\"\n\
         fixture = \"fixtures/draft/{id}.html\"\n\
         fixture_url = \"{url}\"\n\
         when = [\n{when}\n]\n",
        id = input.id,
        source = toml_text(&input.source),
        url = toml_text(input.representative_url),
        when = when.join("\n"),
    )
}

/// `^https?://host/common/path` of every member's final URL (hosts alternated when several).
fn url_regex(urls: &[&str]) -> String {
    let parsed: Vec<url::Url> = urls
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .collect();
    let hosts: BTreeSet<String> = parsed
        .iter()
        .filter_map(|u| {
            u.host_str().map(|h| match u.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_string(),
            })
        })
        .collect();
    let mut prefix: Option<Vec<String>> = None;
    for url in &parsed {
        let segments: Vec<String> = url
            .path_segments()
            .map(|s| s.map(str::to_string).collect())
            .unwrap_or_default();
        // The last segment is a page's own name; the folders before it are the template's.
        let folders = segments[..segments.len().saturating_sub(1)].to_vec();
        prefix = Some(match prefix {
            None => folders,
            Some(p) => p
                .iter()
                .zip(&folders)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a.clone())
                .collect(),
        });
    }
    let hosts: Vec<String> = hosts.iter().map(|h| regex::escape(h)).collect();
    let host = match hosts.len() {
        1 => hosts[0].clone(),
        _ => format!("({})", hosts.join("|")),
    };
    let path: String = prefix
        .unwrap_or_default()
        .iter()
        .map(|s| format!("/{}", regex::escape(s)))
        .collect();
    format!("^https?://{host}{path}/")
}

/// A class or id every member has and no opened page has; classes first, longest first.
fn common_selector(input: &DraftInput<'_>) -> Option<String> {
    let (first, rest) = input.members.split_first()?;
    let mut common: Vec<&String> = first
        .selectors
        .iter()
        .filter(|s| rest.iter().all(|m| m.selectors.contains(*s)))
        .filter(|s| !input.opened.iter().any(|o| o.selectors.contains(*s)))
        .collect();
    // Classes before ids, the longest name first: the most specific to the template.
    common.sort_by_key(|s| {
        (
            !s.starts_with('.'),
            std::cmp::Reverse(s.len()),
            (*s).clone(),
        )
    });
    common.first().map(|s| (*s).clone())
}

/// The longest phrase (a clause between punctuation, at least four characters, Chinese
/// before Latin) of the first member's text that every member's text holds and no opened
/// page's does.
fn common_phrase(input: &DraftInput<'_>) -> Option<String> {
    let (first, rest) = input.members.split_first()?;
    let delimiters =
        |c: char| "，。！？；：、,.!?;:|()（）“”\"<>《》".contains(c) || c.is_whitespace();
    let mut phrases: Vec<&str> = first
        .visible
        .split(delimiters)
        .map(str::trim)
        .filter(|p| p.chars().count() >= 4)
        .collect();
    // Words of the page before fragments of a URL it quotes; the longest first.
    phrases.sort_by_key(|p| (p.is_ascii(), std::cmp::Reverse(p.chars().count())));
    phrases
        .into_iter()
        .find(|p| {
            rest.iter().all(|m| m.visible.contains(p))
                && !input.opened.iter().any(|o| o.visible.contains(p))
        })
        .map(|p| p.chars().take(40).collect())
}

/// Text inside a TOML basic string.
fn toml_text(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '"' => "\\\"".chars().collect::<Vec<_>>(),
            '\\' => "\\\\".chars().collect(),
            c if c.is_control() => Vec::new(),
            c => vec![c],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_condition_keeps_the_common_folders_and_escapes() {
        let regex = url_regex(&[
            "https://safe.example.test/warn/v1/a.html?x=1",
            "http://safe.example.test/warn/v1/b.html",
        ]);
        assert_eq!(regex, r"^https?://safe\.example\.test/warn/v1/");
        let regex = url_regex(&["http://127.0.0.1:8080/w/a", "http://127.0.0.1:8080/x/b"]);
        assert_eq!(regex, r"^https?://127\.0\.0\.1:8080/");
    }
}
