//! A reader over one TOML table that checks as it reads: unknown keys (with a suggestion),
//! missing required keys, wrong types and values outside a fixed set all become problems with
//! the span of the key or value at fault. Readers never stop at the first problem; a value
//! that cannot be read is simply absent, and the load fails at the end if anything was wrong.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::problems::{Loc, Problems};
use super::suggest::{closest, one_of};

/// A string value with where it was written.
#[derive(Debug, Clone)]
pub(super) struct Str<'a> {
    pub text: &'a str,
    pub at: Loc,
}

/// A table being read: which keys it may have, what to call it in messages.
pub(super) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    at: Loc,
    what: String,
    problems: &'a Problems,
    /// Known keys that an unknown key was taken for: their "missing" problem would only
    /// repeat the "did you mean" one.
    suggested: Vec<String>,
}

impl<'a, 'i> Fields<'a, 'i> {
    /// Starts reading `table` (whose header or braces are at `at`), reporting every key not
    /// in `allowed`. `what` names the table in messages, e.g. "signature `wechat.stop`".
    pub fn new(
        table: &'a DeTable<'i>,
        at: Loc,
        what: String,
        allowed: &[&str],
        problems: &'a Problems,
    ) -> Self {
        let mut suggested = Vec::new();
        for (key, _) in table.iter() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let closest = closest(name, allowed.iter().copied());
                suggested.extend(closest.map(str::to_string));
                let hint = match closest {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("keys allowed here: {}", allowed.join(", ")),
                };
                problems.error(
                    at.with(key.span()),
                    format!("unknown key `{name}` in {what}"),
                    Some(hint),
                );
            }
        }
        Fields {
            table,
            at,
            what,
            problems,
            suggested,
        }
    }

    pub fn what(&self) -> &str {
        &self.what
    }

    pub fn at(&self) -> &Loc {
        &self.at
    }

    pub fn problems(&self) -> &'a Problems {
        self.problems
    }

    /// Reports a problem at `span` of this table's file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) {
        self.problems.error(self.at.with(span), message, hint);
    }

    pub fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    /// Where `key` is written, if it is.
    pub fn key_span(&self, key: &str) -> Option<Range<usize>> {
        self.table.get_key_value(key).map(|(k, _)| k.span())
    }

    /// Whether an unknown key in this table was taken for one of `keys` (and said so).
    pub fn misspelt_any(&self, keys: &[&str]) -> bool {
        self.suggested.iter().any(|s| keys.contains(&s.as_str()))
    }

    /// Reports `key` as missing from this table, with an example of what to write.
    pub fn missing(&self, key: &str, example: &str) {
        if self.suggested.iter().any(|s| s == key) {
            return;
        }
        self.error(
            self.at.span.clone(),
            format!("missing key `{key}` in {}", self.what),
            Some(format!("add `{key} = {example}`")),
        );
    }

    /// Reports a value of the wrong type.
    pub fn wrong_type(&self, key: &str, value: &Spanned<DeValue<'_>>, expected: &str, hint: &str) {
        self.error(
            value.span(),
            format!(
                "`{key}` in {} must be {expected}, found {}",
                self.what,
                article(value.get_ref().type_str())
            ),
            Some(hint.to_string()),
        );
    }

    /// A required, non-empty string.
    pub fn required_string(&self, key: &str, example: &str) -> Option<Str<'a>> {
        if self.get(key).is_none() {
            self.missing(key, example);
            return None;
        }
        let s = self.optional_string(key)?;
        if s.text.trim().is_empty() {
            self.error(
                s.at.span.clone(),
                format!("`{key}` in {} is empty", self.what),
                Some(format!("write `{key} = {example}`")),
            );
            return None;
        }
        Some(s)
    }

    /// An optional string (`None` when absent or not a string; the latter is reported).
    pub fn optional_string(&self, key: &str) -> Option<Str<'a>> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Str {
                text: s.as_ref(),
                at: self.at.with(value.span()),
            }),
            _ => {
                self.wrong_type(key, value, "a string", "put the text in quotes: \"…\"");
                None
            }
        }
    }

    /// An optional array of strings; non-string elements are reported and skipped.
    pub fn strings(&self, key: &str) -> Vec<Str<'a>> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(
                key,
                value,
                "an array of strings",
                &format!("write `{key} = [\"…\", \"…\"]`"),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| match item.get_ref() {
                DeValue::String(s) => Some(Str {
                    text: s.as_ref(),
                    at: self.at.with(item.span()),
                }),
                _ => {
                    self.wrong_type(key, item, "an array of strings", "quote every element");
                    None
                }
            })
            .collect()
    }

    /// An optional integer, with where it was written.
    pub fn optional_int(&self, key: &str) -> Option<(i64, Loc)> {
        let value = self.get(key)?;
        let DeValue::Integer(n) = value.get_ref() else {
            self.wrong_type(
                key,
                value,
                "an integer",
                "write a whole number without quotes",
            );
            return None;
        };
        match i64::from_str_radix(n.as_str(), n.radix()) {
            Ok(n) => Some((n, self.at.with(value.span()))),
            Err(_) => {
                self.error(
                    value.span(),
                    format!("`{key}` in {} is too large", self.what),
                    None,
                );
                None
            }
        }
    }

    /// An optional table (inline `{ … }` or `[a.b]`), with where it was written.
    pub fn optional_table(&self, key: &str, example: &str) -> Option<(&'a DeTable<'i>, Loc)> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Table(t) => Some((t, self.at.with(value.span()))),
            _ => {
                self.wrong_type(key, value, "a table", &format!("write `{key} = {example}`"));
                None
            }
        }
    }

    /// An optional array of tables (`[{ … }, { … }]` or `[[a.b]]`); `None` when absent.
    pub fn tables(&self, key: &str, example: &str) -> Option<Vec<(&'a DeTable<'i>, Loc)>> {
        let value = self.get(key)?;
        let hint = format!("write `{key} = [{example}]`");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "an array of tables", &hint);
            return Some(Vec::new());
        };
        Some(
            items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::Table(t) => Some((t, self.at.with(item.span()))),
                    _ => {
                        self.wrong_type(key, item, "an array of tables", &hint);
                        None
                    }
                })
                .collect(),
        )
    }

    /// Reads `s` as one of a fixed set of words, reporting anything else with the list.
    pub fn choice<T>(
        &self,
        key: &str,
        s: &Str<'_>,
        allowed: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let parsed = parse(s.text);
        if parsed.is_none() {
            self.error(
                s.at.span.clone(),
                format!("unknown {key} `{}` in {}", s.text, self.what),
                Some(one_of(s.text, allowed)),
            );
        }
        parsed
    }
}

/// The string value of `key` in `table`, if it is a string: used to name a table in messages
/// before it is read.
pub(super) fn peek<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    table.get(key).and_then(|v| v.get_ref().as_str())
}

fn article(type_name: &str) -> String {
    match type_name.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_name}"),
        _ => format!("a {type_name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, check: impl FnOnce(&Fields<'_, '_>)) -> Vec<String> {
        let doc = DeTable::parse(text).unwrap();
        let problems = Problems::default();
        let at = Loc::new(0, 0..0);
        let fields = Fields::new(
            doc.get_ref(),
            at,
            "thing `t`".into(),
            &["name", "size", "tags"],
            &problems,
        );
        check(&fields);
        let files = [(std::path::PathBuf::from("t.toml"), text)];
        problems
            .into_diagnostics(&files)
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn reports_unknown_keys_at_the_key() {
        let problems = read("name = \"x\"\nsiez = 3\n", |_| {});
        assert_eq!(problems, ["2:1 unknown key `siez` in thing `t`"]);
    }

    #[test]
    fn a_misspelt_required_key_is_reported_once() {
        let problems = read("nmae = \"x\"\n", |f| {
            assert!(f.required_string("name", "\"x\"").is_none());
        });
        assert_eq!(problems, ["1:1 unknown key `nmae` in thing `t`"]);
    }

    #[test]
    fn reports_wrong_types_at_the_value() {
        let problems = read("name = 3\nsize = \"3\"\ntags = [\"a\", 1]\n", |f| {
            assert!(f.required_string("name", "\"x\"").is_none());
            assert!(f.optional_int("size").is_none());
            assert_eq!(f.strings("tags").len(), 1);
        });
        assert_eq!(
            problems,
            [
                "1:8 `name` in thing `t` must be a string, found an integer",
                "2:8 `size` in thing `t` must be an integer, found a string",
                "3:14 `tags` in thing `t` must be an array of strings, found an integer",
            ]
        );
    }

    #[test]
    fn reports_missing_and_empty_required_strings() {
        let problems = read("name = \" \"\n", |f| {
            assert!(f.required_string("name", "\"x\"").is_none());
            assert!(f.required_string("size", "3").is_none());
        });
        assert_eq!(
            problems,
            [
                "1:1 missing key `size` in thing `t`",
                "1:8 `name` in thing `t` is empty"
            ]
        );
    }

    #[test]
    fn choice_accepts_known_words_only() {
        let problems = read("name = \"andriod\"\n", |f| {
            let s = f.optional_string("name").unwrap();
            let parsed = f.choice("client", &s, &["android", "ios"], |w| {
                (w == "android").then_some(())
            });
            assert!(parsed.is_none());
        });
        assert_eq!(problems, ["1:8 unknown client `andriod` in thing `t`"]);
    }
}
