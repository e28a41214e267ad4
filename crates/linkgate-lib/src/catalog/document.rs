//! Reads one scenario file: parses the TOML with spans, reports syntax errors, and hands each
//! `[[platform]]`, `[[context]]`, `[[link]]`, `[[signature]]` and `[[audit]]` table to its
//! reader. Anything else at the top level is a mistake worth naming.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::draft::Draft;
use super::problems::{Loc, Problems};
use super::suggest::did_you_mean;
use super::{audit, context, link, platform, signature};

const TABLES: &[&str] = &["platform", "context", "link", "signature", "audit"];

/// Files larger than this are read a part at a time (see `parts`).
const PART_BYTES: usize = 1 << 20;

/// Reads the file at load position `file`, whose path is `path`, into `draft`.
pub(super) fn read(file: usize, path: &Path, text: &str, problems: &Problems, draft: &mut Draft) {
    read_in_parts(file, path, text, PART_BYTES, problems, draft);
}

fn read_in_parts(
    file: usize,
    path: &Path,
    text: &str,
    part_bytes: usize,
    problems: &Problems,
    draft: &mut Draft,
) {
    match parts(text, part_bytes) {
        // A parsed document takes about 20 times its text in memory (300 MB for a list of
        // 100,000 links), so a large file is parsed a part at a time. Its syntax is checked
        // part by part first, so that a broken file is reported exactly as a small one is.
        Some(parts)
            if parts
                .iter()
                .all(|p| DeTable::parse(&text[p.clone()]).is_ok()) =>
        {
            for part in parts {
                read_part(file, part.start, path, &text[part], problems, draft);
            }
        }
        _ => read_part(file, 0, path, text, problems, draft),
    }
}

/// Splits a large file before top-level `[[platform]]`, `[[context]]`, `[[link]]`,
/// `[[signature]]` and `[[audit]]` headers into parts of about `size` bytes, each a document
/// of its own that means what it means in the whole file. `None` when the file is small, or
/// has multi-line strings (a header-like line in one is not a header).
fn parts(text: &str, size: usize) -> Option<Vec<Range<usize>>> {
    if text.len() <= size || text.contains("\"\"\"") || text.contains("'''") {
        return None;
    }
    let mut parts = Vec::new();
    let (mut start, mut line_start) = (0, 0);
    for line in text.split_inclusive('\n') {
        if line_start - start >= size && is_top_level_header(line) {
            parts.push(start..line_start);
            start = line_start;
        }
        line_start += line.len();
    }
    parts.push(start..text.len());
    Some(parts)
}

/// `[[link]]` and the like, alone on its line but for a comment.
fn is_top_level_header(line: &str) -> bool {
    let code = line.split('#').next().unwrap_or("").trim();
    code.strip_prefix("[[")
        .and_then(|rest| rest.strip_suffix("]]"))
        .is_some_and(|name| TABLES.contains(&name.trim()))
}

/// Reads one document: the whole file, or the part of it that starts at byte `base`.
fn read_part(
    file: usize,
    base: usize,
    path: &Path,
    text: &str,
    problems: &Problems,
    draft: &mut Draft,
) {
    let at = Loc::new(file, 0..0).with_base(base);
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        report_syntax(&at, text, &errors, problems);
        // Still read what was recovered, so its ids exist for other files, but say nothing
        // more about this file: its syntax errors come first.
        problems.mute(file);
    }
    let doc = doc.get_ref();
    let dir = path.parent().unwrap_or(Path::new(""));
    // Kinds in a fixed order, whatever order the file writes them in.
    for kind in TABLES {
        let Some(value) = doc.get(*kind) else {
            continue;
        };
        for (table, at) in tables_of(&at, kind, value, problems) {
            match *kind {
                "platform" => platform::read(table, at, problems, draft),
                "context" => context::read(table, at, problems, draft),
                "link" => link::read(table, at, problems, draft),
                "signature" => signature::read(table, at, dir, problems, draft),
                _ => audit::read(table, at, problems, draft),
            }
        }
    }
    for (key, _) in doc.iter() {
        let name: &str = key.get_ref();
        if !TABLES.contains(&name) {
            let hint = did_you_mean(name, TABLES.iter().copied()).unwrap_or_else(|| {
                "a scenario file holds only [[platform]], [[context]], [[link]], \
                 [[signature]] and [[audit]] tables"
                    .to_string()
            });
            problems.error(
                at.with(key.span()),
                format!("unknown table `{name}`"),
                Some(hint),
            );
        }
    }
}

/// The tables of a top-level array of tables; anything else there is reported.
fn tables_of<'a, 'i>(
    doc: &Loc,
    kind: &str,
    value: &'a toml::Spanned<DeValue<'i>>,
    problems: &Problems,
) -> Vec<(&'a DeTable<'i>, Loc)> {
    let at = |span| doc.with(span);
    let hint = Some(format!(
        "write each {kind} as a `[[{kind}]]` table (double brackets)"
    ));
    let DeValue::Array(items) = value.get_ref() else {
        problems.error(
            at(value.span()),
            format!(
                "`{kind}` must be an array of tables, found {}",
                value.get_ref().type_str()
            ),
            hint,
        );
        return Vec::new();
    };
    let mut tables = Vec::new();
    for item in items.iter() {
        match item.get_ref() {
            DeValue::Table(table) => tables.push((table, at(item.span()))),
            other => problems.error(
                at(item.span()),
                format!(
                    "`{kind}` must be an array of tables, found {} in it",
                    other.type_str()
                ),
                hint.clone(),
            ),
        }
    }
    tables
}

/// The parser reads `owner = tencent` as a broken boolean (it starts with `t`) or number;
/// what the author meant is almost always an unquoted string.
fn unquoted_word<'t>(text: &'t str, start: usize, message: &str) -> Option<&'t str> {
    let about_a_value = ["boolean", "float", "integer", "quoted", "datetime"]
        .iter()
        .any(|w| message.contains(w));
    let rest = text.get(start..)?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .unwrap_or(rest.len());
    let word = &rest[..end];
    let literal = word == "true" || word == "false" || word.parse::<f64>().is_ok();
    (about_a_value && !word.is_empty() && !literal).then_some(word)
}

/// Syntax errors, at most one per line: after the first on a line the parser is guessing.
fn report_syntax(doc: &Loc, text: &str, errors: &[toml::de::Error], problems: &Problems) {
    let mut spans: Vec<(usize, usize, &str)> = errors
        .iter()
        .map(|e| {
            let span = e.span().unwrap_or(0..0);
            (span.start, span.end, e.message())
        })
        .collect();
    spans.sort_by_key(|(start, _, _)| *start);
    let mut lines = BTreeSet::new();
    // Spans are sorted: count line breaks from the previous span on, not from the start, so a
    // file with thousands of errors is not read thousands of times.
    let (mut counted_to, mut line) = (0, 0);
    for (start, end, message) in spans {
        let start_at = start.min(text.len());
        line += text.as_bytes()[counted_to..start_at]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = start_at;
        if !lines.insert(line) {
            continue;
        }
        let at = doc.with(start..end);
        match unquoted_word(text, start, message) {
            Some(word) => problems.error(
                at,
                format!("TOML syntax error: `{word}` is not a value (text needs quotes)"),
                Some(format!("write \"{word}\"")),
            ),
            None => problems.error(
                at,
                format!("TOML syntax error: {message}"),
                Some(
                    "see https://toml.io/en/v1.0.0 (strings need quotes, \
                     each table of a list starts with [[double brackets]])"
                        .to_string(),
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// 300 links, a few of them wrong in ways found by reading (not by parsing).
    fn link_list(extra: &str) -> String {
        let mut text = String::from(
            "[[platform]]\nid = \"taobao\"\nowner = \"alibaba\"\nname = \"Taobao\"\n\
             name_zh = \"淘宝\"\n",
        );
        for i in 0..300 {
            let id = if i == 250 { 7 } else { i };
            let key = if i == 120 { "colour" } else { "note" };
            let landing = if i == 200 {
                "("
            } else {
                "^https://a\\\\.example/"
            };
            text.push_str(&format!(
                "\n  [[link]] # no. {i}\nid = \"l.n{id}\"\nplatform = \"taobao\"\n\
                 category = \"ecommerce\"\nurl = \"https://a.example/{i}\"\n\
                 landing = '{landing}'\n{key} = \"{i}\"\n"
            ));
        }
        text + extra
    }

    fn diagnostics(text: &str, part_bytes: usize) -> (Vec<String>, usize) {
        // Counted before `resolve` takes the draft.
        let (problems, mut draft) = (Problems::default(), Draft::default());
        let path = PathBuf::from("links.toml");
        read_in_parts(0, &path, text, part_bytes, &problems, &mut draft);
        let links = draft.links.len();
        let texts = [(path, text)];
        super::super::resolve::resolve(draft, &texts, Vec::new(), &problems);
        let shown = problems
            .into_diagnostics(&texts)
            .0
            .iter()
            .map(|d| format!("{}:{} {} | {}", d.line, d.column, d.message, d.source_line))
            .collect();
        (shown, links)
    }

    #[test]
    fn a_large_file_read_in_parts_is_split_only_before_top_level_headers() {
        let text = link_list("");
        let parts = parts(&text, 1000).unwrap();
        assert!(parts.len() > 30, "{} parts", parts.len());
        assert_eq!(parts.first().unwrap().start, 0);
        assert_eq!(parts.last().unwrap().end, text.len());
        for part in &parts[1..] {
            assert!(text[part.clone()].starts_with("  [[link]] # no."));
        }
        assert_eq!(super::parts(&text, text.len()), None);
        let with_multiline = link_list("[[link]]\nnote = \"\"\"\n[[link]]\n\"\"\"\n");
        assert_eq!(super::parts(&with_multiline, 1000), None);
    }

    #[test]
    fn a_large_file_read_in_parts_says_what_the_whole_file_says() {
        let text = link_list("");
        let whole = diagnostics(&text, usize::MAX);
        let in_parts = diagnostics(&text, 1000);
        assert_eq!(in_parts, whole);
        // The problems planted in link_list, at their own lines, in the later parts.
        assert!(whole.0.len() >= 3, "{:#?}", whole.0);
        assert!(
            whole.0.iter().any(|d| d.contains("colour")),
            "{:#?}",
            whole.0
        );
        assert!(whole.0.iter().any(|d| d.contains("l.n7")), "{:#?}", whole.0);
        assert_eq!(whole.1, 299);
    }

    #[test]
    fn a_syntax_error_late_in_a_large_file_is_reported_as_in_a_small_one() {
        let text = link_list("\n[[link]]\nid = l.broken\n");
        let whole = diagnostics(&text, usize::MAX);
        assert_eq!(diagnostics(&text, 1000), whole);
        assert_eq!(whole.0.len(), 1, "{:#?}", whole.0);
        assert!(whole.0[0].contains("is not a value"), "{:#?}", whole.0);
    }
}
