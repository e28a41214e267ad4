//! Id patterns (`wechat.*`) as the user writes them, in a selector of an audit's file or in
//! `--context` / `--link`: checked before they are compiled. globset turns a glob into a
//! regular expression and panics when that expression is too large or nests too deep (300
//! nested `{…}`, 100,000 `*`), so a pattern is held to a length and a nesting that any real
//! id pattern stays far below.

use globset::{Glob, GlobMatcher};

/// Longest id pattern accepted, in characters.
pub const MAX_GLOB_LEN: usize = 256;
/// Deepest nesting of `{…}` and `[…]` accepted.
pub const MAX_GLOB_NESTING: usize = 8;
/// Most wildcards (`*`, `?`) accepted in one pattern.
pub const MAX_GLOB_WILDCARDS: usize = 32;

/// Why an id pattern was refused: a sentence to follow "id pattern `…` ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobProblem {
    #[error("is {0} characters long; at most {MAX_GLOB_LEN} are allowed")]
    TooLong(usize),
    #[error("nests `{{…}}` or `[…]` {0} deep; at most {MAX_GLOB_NESTING} levels are allowed")]
    TooDeep(usize),
    #[error("has {0} wildcards; at most {MAX_GLOB_WILDCARDS} are allowed")]
    TooManyWildcards(usize),
    #[error("is not a valid glob: {0}")]
    Invalid(String),
}

/// The matcher of `pattern`, or why it is refused.
pub fn compile_glob(pattern: &str) -> Result<GlobMatcher, GlobProblem> {
    let len = pattern.chars().count();
    if len > MAX_GLOB_LEN {
        return Err(GlobProblem::TooLong(len));
    }
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut wildcards = 0usize;
    for c in pattern.chars() {
        match c {
            '{' | '[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            '*' | '?' => wildcards += 1,
            _ => {}
        }
    }
    if deepest > MAX_GLOB_NESTING {
        return Err(GlobProblem::TooDeep(deepest));
    }
    if wildcards > MAX_GLOB_WILDCARDS {
        return Err(GlobProblem::TooManyWildcards(wildcards));
    }
    let glob = Glob::new(pattern).map_err(|e| GlobProblem::Invalid(e.kind().to_string()))?;
    Ok(glob.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_patterns_compile() {
        for p in [
            "wechat.*",
            "*.private_chat",
            "{wechat,qq}.android.*",
            "taobao.item[0-9]",
        ] {
            assert!(compile_glob(p).is_ok(), "{p}");
        }
        assert!(compile_glob("wechat.*").unwrap().is_match("wechat.android"));
    }

    /// Regression: these panicked in globset ("regex compilation shouldn't fail").
    #[test]
    fn hostile_patterns_are_refused_not_panicked_on() {
        let nested = format!("{}a{}", "{".repeat(300), "}".repeat(300));
        assert!(matches!(
            compile_glob(&nested),
            Err(GlobProblem::TooLong(_))
        ));
        let nested = format!("{}a{}", "{".repeat(20), "}".repeat(20));
        assert_eq!(compile_glob(&nested).unwrap_err(), GlobProblem::TooDeep(20));
        assert!(matches!(
            compile_glob(&"*".repeat(100_000)),
            Err(GlobProblem::TooLong(100_000))
        ));
        assert_eq!(
            compile_glob(&"*a".repeat(40)).unwrap_err(),
            GlobProblem::TooManyWildcards(40)
        );
        assert!(matches!(compile_glob("a[b"), Err(GlobProblem::Invalid(_))));
    }

    /// Every pattern within the limits compiles without a panic, however it nests.
    #[test]
    fn the_worst_pattern_within_the_limits_compiles() {
        let deep = format!("{}a{}", "{a,".repeat(8), "}".repeat(8));
        assert!(compile_glob(&deep).is_ok());
        let stars = "*?".repeat(16) + &"{x,y}".repeat(8);
        assert!(compile_glob(&stars).is_ok());
        let classes = "[a-z]*".repeat(32);
        assert!(compile_glob(&classes).is_ok());
    }
}
