//! A diagnostic is one problem in a file a person edits (a scenario file, a simulator world,
//! a sheet of manual observations), placed on its line and column with a hint at the fix.
//! One type for all of them, so every loader reports every problem at once the same way.
//! The full rendering imitates rustc: the line, a caret under the exact spot, and what to do
//! about it; the short one is `file:line:column: message`, one line each.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

use unicode_width::UnicodeWidthChar;

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The text of the line the problem is on (empty when unknown), shown under the message.
    pub source_line: String,
    /// How many characters from `column` the problem covers (at least 1), for the carets.
    pub length: usize,
}

impl Diagnostic {
    /// A problem at a position, without the source line or a hint.
    pub fn at(file: impl Into<PathBuf>, line: usize, column: usize, message: String) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            line,
            column,
            message,
            hint: None,
            source_line: String::new(),
            length: 1,
        }
    }

    /// `file:line:column: message`.
    pub fn short(&self) -> String {
        format!(
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Every problem of a load, in file order then position order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        writeln!(f, "error: {}", self.message)?;
        writeln!(
            f,
            "{gutter}--> {}:{}:{}",
            self.file.display(),
            self.line,
            self.column
        )?;
        if !self.source_line.is_empty() {
            let shown = self.source_line.replace('\t', "    ");
            let before: String = self.source_line.chars().take(self.column - 1).collect();
            let under: String = self
                .source_line
                .chars()
                .skip(self.column - 1)
                .take(self.length)
                .collect();
            let pad = " ".repeat(width(&before));
            let carets = "^".repeat(width(&under).max(1));
            writeln!(f, "{gutter} |")?;
            writeln!(f, "{number} | {shown}")?;
            writeln!(f, "{gutter} | {pad}{carets}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "{gutter} = hint: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        let files: BTreeSet<&PathBuf> = self.0.iter().map(|d| &d.file).collect();
        write!(
            f,
            "{} in {}",
            plural(self.0.len(), "problem"),
            plural(files.len(), "file")
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Columns a terminal gives the text: CJK characters take two, tabs are shown as four spaces.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| if c == '\t' { 4 } else { c.width().unwrap_or(0) })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(line: usize, column: usize, length: usize, source_line: &str) -> Diagnostic {
        Diagnostic {
            file: PathBuf::from("scenarios/wechat.toml"),
            line,
            column,
            message: "unknown key `verdit` in signature `wechat.stop`".into(),
            hint: Some("did you mean `verdict`?".into()),
            source_line: source_line.into(),
            length,
        }
    }

    #[test]
    fn renders_like_rustc() {
        let d = diagnostic(12, 1, 6, "verdit = \"blocked\"");
        assert_eq!(
            d.to_string(),
            "error: unknown key `verdit` in signature `wechat.stop`\n  --> scenarios/wechat.toml:12:1\n   |\n12 | verdit = \"blocked\"\n   | ^^^^^^\n   = hint: did you mean `verdict`?\n"
        );
    }

    #[test]
    fn carets_line_up_under_wide_characters() {
        let d = diagnostic(3, 6, 3, "t = \"已停止\" x");
        let rendered = d.to_string();
        assert!(rendered.contains("3 | t = \"已停止\" x\n  |      ^^^^^^\n"));
        assert!(!rendered.contains("^^^^^^^"));
    }

    #[test]
    fn counts_problems_and_files() {
        let mut second = diagnostic(1, 1, 1, "x");
        second.file = PathBuf::from("other.toml");
        let all = Diagnostics(vec![diagnostic(1, 1, 1, "x"), second.clone()]);
        assert!(all.to_string().ends_with("\n2 problems in 2 files"));
        let one = Diagnostics(vec![second]);
        assert!(one.to_string().ends_with("\n1 problem in 1 file"));
    }
}
