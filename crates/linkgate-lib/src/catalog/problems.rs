//! Problems found while validating are collected here, as byte spans into the files they
//! come from, so that every check can report and carry on; only at the end are they turned
//! into line/column `Diagnostic`s, which needs the file's text.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::PathBuf;

use crate::diagnostic::{Diagnostic, Diagnostics};

/// A byte range in one scenario file (by load position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Loc {
    pub file: usize,
    /// Relative to `base`: the spans of a document are relative to the text it was parsed
    /// from, which for a large file is one part of it (see `document::parts`).
    pub span: Range<usize>,
    /// Where the text the span is relative to starts in the file.
    pub base: usize,
}

impl Loc {
    /// A span of a whole file.
    pub fn new(file: usize, span: Range<usize>) -> Loc {
        Loc {
            file,
            span,
            base: 0,
        }
    }

    /// The same span in a text that starts at byte `base` of the file.
    pub fn with_base(self, base: usize) -> Loc {
        Loc { base, ..self }
    }

    /// Another span of the same text.
    pub fn with(&self, span: Range<usize>) -> Loc {
        Loc {
            file: self.file,
            span,
            base: self.base,
        }
    }

    /// The same place, relative to the start of the file.
    fn absolute(&self) -> Loc {
        Loc::new(
            self.file,
            self.span.start + self.base..self.span.end + self.base,
        )
    }
}

/// One problem, before it is placed on a line.
#[derive(Debug, Clone)]
pub(super) struct Problem {
    pub at: Loc,
    pub message: String,
    pub hint: Option<String>,
}

/// Every problem of a load. Shared by reference between the readers of nested tables, which
/// is why it uses a `RefCell` rather than threading `&mut` through every call.
#[derive(Debug, Default)]
pub(super) struct Problems {
    list: RefCell<Vec<Problem>>,
    muted: RefCell<BTreeSet<usize>>,
}

impl Problems {
    pub fn error(&self, at: Loc, message: impl Into<String>, hint: Option<String>) {
        if self.muted.borrow().contains(&at.file) {
            return;
        }
        self.list.borrow_mut().push(Problem {
            at: at.absolute(),
            message: message.into(),
            hint,
        });
    }

    /// Ignores every later problem in `file`: once a file has a syntax error, what the checks
    /// say about its half-read document is guesswork, so only the syntax errors are shown.
    pub fn mute(&self, file: usize) {
        self.muted.borrow_mut().insert(file);
    }

    pub fn is_empty(&self) -> bool {
        self.list.borrow().is_empty()
    }

    /// How many problems concern `file`.
    #[cfg(test)]
    pub fn count_in(&self, file: usize) -> usize {
        self.list
            .borrow()
            .iter()
            .filter(|p| p.at.file == file)
            .count()
    }

    /// Places every problem on its line, in file order then position order.
    pub fn into_diagnostics(self, files: &[(PathBuf, &str)]) -> Diagnostics {
        let mut list = self.list.into_inner();
        // Stable: problems at the same place keep the order the checks found them in.
        list.sort_by_key(|p| (p.at.file, p.at.span.start));
        Diagnostics(
            list.into_iter()
                .map(|p| {
                    let (path, text) = files
                        .get(p.at.file)
                        .map(|(path, text)| (path.clone(), *text))
                        .unwrap_or_default();
                    place(path, text, p)
                })
                .collect(),
        )
    }
}

/// `path:line:column` of a location, for hints that point at another place.
pub(super) fn position(at: &Loc, files: &[(PathBuf, &str)]) -> String {
    match files.get(at.file) {
        Some((path, text)) => {
            let d = place(
                path.clone(),
                text,
                Problem {
                    at: at.absolute(),
                    message: String::new(),
                    hint: None,
                },
            );
            format!("{}:{}:{}", path.display(), d.line, d.column)
        }
        None => "an unknown place".to_string(),
    }
}

/// Turns a byte span into a 1-based line and column (in characters) and keeps the line's text.
fn place(file: PathBuf, text: &str, problem: Problem) -> Diagnostic {
    let start = floor_char_boundary(text, problem.at.span.start);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = floor_char_boundary(text, problem.at.span.end.clamp(start, line_end));
    let line = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    Diagnostic {
        file,
        line,
        column,
        message: problem.message,
        hint: problem.hint,
        source_line: text[line_start..line_end]
            .trim_end_matches('\r')
            .to_string(),
        length: text[start..end].chars().count().max(1),
    }
}

fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut i = index.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, span: Range<usize>) -> Diagnostic {
        let problems = Problems::default();
        problems.error(Loc::new(0, span), "m", None);
        let files = [(PathBuf::from("f.toml"), text)];
        problems.into_diagnostics(&files).0.remove(0)
    }

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let text = "a = 1\ncontains = \"已停止\"\n";
        let start = text.find('"').unwrap();
        let d = one(text, start..start + "\"已停止\"".len());
        assert_eq!((d.line, d.column, d.length), (2, 12, 5));
        assert_eq!(d.source_line, "contains = \"已停止\"");
    }

    #[test]
    fn an_empty_span_still_underlines_one_character() {
        let d = one("b = \n", 4..4);
        assert_eq!((d.line, d.column, d.length), (1, 5, 1));
    }

    #[test]
    fn a_span_over_several_lines_is_cut_at_the_first_line_end() {
        let d = one("x = [\n1]\n", 4..8);
        assert_eq!((d.line, d.column, d.length), (1, 5, 1));
    }

    #[test]
    fn a_muted_file_takes_no_more_problems() {
        let problems = Problems::default();
        problems.error(Loc::new(0, 0..0), "syntax", None);
        problems.mute(0);
        problems.error(Loc::new(0, 0..0), "guess", None);
        problems.error(Loc::new(1, 0..0), "other file", None);
        assert_eq!(problems.count_in(0), 1);
        assert_eq!(problems.count_in(1), 1);
    }
}
