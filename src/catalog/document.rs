//! Reads one scenario file: parses the TOML with spans, reports syntax errors, and hands each
//! `[[platform]]`, `[[context]]`, `[[link]]`, `[[signature]]` and `[[audit]]` table to its
//! reader. Anything else at the top level is a mistake worth naming.

use std::collections::BTreeSet;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::draft::Draft;
use super::problems::{Loc, Problems};
use super::suggest::did_you_mean;
use super::{audit, context, link, platform, signature};

const TABLES: &[&str] = &["platform", "context", "link", "signature", "audit"];

/// Reads the file at load position `file`, whose path is `path`, into `draft`.
pub(super) fn read(file: usize, path: &Path, text: &str, problems: &Problems, draft: &mut Draft) {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        report_syntax(file, text, &errors, problems);
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
        for (table, at) in tables_of(file, kind, value, problems) {
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
                Loc {
                    file,
                    span: key.span(),
                },
                format!("unknown table `{name}`"),
                Some(hint),
            );
        }
    }
}

/// The tables of a top-level array of tables; anything else there is reported.
fn tables_of<'a, 'i>(
    file: usize,
    kind: &str,
    value: &'a toml::Spanned<DeValue<'i>>,
    problems: &Problems,
) -> Vec<(&'a DeTable<'i>, Loc)> {
    let at = |span| Loc { file, span };
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
fn report_syntax(file: usize, text: &str, errors: &[toml::de::Error], problems: &Problems) {
    let mut spans: Vec<(usize, usize, &str)> = errors
        .iter()
        .map(|e| {
            let span = e.span().unwrap_or(0..0);
            (span.start, span.end, e.message())
        })
        .collect();
    spans.sort_by_key(|(start, _, _)| *start);
    let mut lines = BTreeSet::new();
    for (start, end, message) in spans {
        let line = text.as_bytes()[..start.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        if !lines.insert(line) {
            continue;
        }
        let at = Loc {
            file,
            span: start..end,
        };
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
