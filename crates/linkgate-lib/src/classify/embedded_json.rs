//! Values of an object a page embeds in a script, by key: WeChat's gateway pages carry their
//! state in `var cgiData = {"type": …, "title": …, "url": …}` (DOMAIN.md §3), and a signature
//! can test `cgiData.title` or `cgiData.btns.0.name` whether or not the page also shows it.
//! The object is found by its name (`var cgiData =`, `window.cgiData =`, `cgiData:`), cut
//! out with its strings and comments respected, and read as JSON; an object written as
//! JavaScript (single quotes, bare keys, trailing commas) is read by the script engine.

use serde_json::Value;

/// The value at `path` (`cgiData.btns.0.url`: the object's name, then keys and indexes) in
/// the first object of that name in `scripts`, as text: a string as it is, anything else as
/// JSON. `None` when there is no such object or key.
pub fn lookup(scripts: &[String], path: &str) -> Option<String> {
    let mut keys = path.split('.');
    let name = keys.next()?;
    let object = scripts.iter().find_map(|s| object_named(s, name))?;
    let mut value = &object;
    for key in keys {
        value = match value {
            Value::Object(map) => map.get(key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// The object assigned to `name` in `script`, read.
fn object_named(script: &str, name: &str) -> Option<Value> {
    let mut from = 0;
    while let Some(found) = script[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before = script[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = script[from..].trim_start();
        let Some(rest) = rest.strip_prefix(['=', ':']) else {
            continue;
        };
        let rest = rest.trim_start();
        if !rest.starts_with('{') {
            continue;
        }
        let text = balanced(rest)?;
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            return Some(value);
        }
        if let Some(value) = crate::script::evaluate_literal(text) {
            return Some(value);
        }
    }
    None
}

/// The `{…}` that `text` starts with, strings, templates and comments respected.
fn balanced(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[..=i]);
                }
            }
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripts(s: &str) -> Vec<String> {
        vec!["var x = 1;".to_string(), s.to_string()]
    }

    #[test]
    fn keys_and_indexes_are_followed() {
        let s = scripts(
            r#"var cgiData = {"type":"empty","title":"已停止访问该网页","btns":[{"name":"申请恢复访问","url":"https:&#x2f;&#x2f;a"}],"n":2};"#,
        );
        assert_eq!(lookup(&s, "cgiData.type").as_deref(), Some("empty"));
        assert_eq!(
            lookup(&s, "cgiData.btns.0.name").as_deref(),
            Some("申请恢复访问")
        );
        assert_eq!(lookup(&s, "cgiData.n").as_deref(), Some("2"));
        assert_eq!(lookup(&s, "cgiData.missing"), None);
        assert_eq!(lookup(&s, "otherData.type"), None);
    }

    #[test]
    fn objects_written_as_javascript_are_read() {
        let s = scripts(
            "window.cgiData = { type: 'stop', title: '\\u5df2\\u505c\\u6b62', list: [1, 2,], }; // {",
        );
        assert_eq!(lookup(&s, "cgiData.title").as_deref(), Some("已停止"));
        assert_eq!(lookup(&s, "cgiData.list.1").as_deref(), Some("2"));
        let s = scripts("var page = { cgiData: {\"desc\": \"a } b\"} };");
        assert_eq!(lookup(&s, "cgiData.desc").as_deref(), Some("a } b"));
        assert_eq!(
            lookup(&scripts("var mycgiData = {\"a\": 1};"), "cgiData.a"),
            None
        );
    }
}
