//! The vocabulary of DESIGN.md as plain Rust values: platforms, contexts, links, audits,
//! probes, observations and verdicts. Every later stage speaks in these types, so the words a
//! scenario author writes in TOML are the words the code, the CSV and the report use.

/// Gives string enums the words of the files: `as_str`, the exact word (from the enum's
/// `strum::IntoStaticStr`), and `parse`, the value of a word (from `strum::EnumString`).
macro_rules! words {
    ($($name:ident),+ $(,)?) => {$(
        crate::model::word!($name);
        impl $name {
            /// The value of a word of the files, if it is one.
            pub fn parse(s: &str) -> Option<$name> {
                s.parse().ok()
            }
        }
    )+};
}

/// `as_str` alone, for enums that are written but never read back.
macro_rules! word {
    ($($name:ident),+ $(,)?) => {$(
        impl $name {
            /// The word the files, the database and the reports use.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    )+};
}

pub(crate) use {word, words};

mod audit;
mod context;
mod link;
mod observation;
mod platform;
mod probe;
mod record;
mod run;
mod verdict;

pub use audit::{Audit, Deadline, Politeness, SameOwner, Selector};
pub use context::{Client, Context, EngineKind, Gateway, Scene, encode_uri_component};
pub use link::{Category, Link};
pub use observation::{Attempt, ControlSimilarity, Failure, FailureKind, Hop, HopVia, Observation};
pub use platform::Platform;
pub use probe::{Probe, ProbeRole};
pub use record::{Record, StoredVerdict};
pub use run::{Artifact, ArtifactKind, Run, RunStatus, ScenarioFile, new_run_id};
pub use verdict::{Actor, Mechanism, Verdict, VerdictKind};

#[cfg(test)]
mod tests {
    use super::*;

    /// The words strum derives are the words serde writes and the files use: one spelling.
    fn same_words<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + serde::Serialize,
        T: Into<&'static str> + std::str::FromStr,
    {
        for &value in all {
            let word: &'static str = value.into();
            assert_eq!(
                serde_json::to_string(&value).unwrap(),
                format!("\"{word}\"")
            );
            assert_eq!(value.to_string(), word);
            assert!(
                word.parse::<T>().ok() == Some(value),
                "{word} does not parse back"
            );
        }
    }

    #[test]
    fn every_string_enum_has_one_spelling() {
        same_words(&VerdictKind::ALL);
        same_words(&Scene::ALL);
        same_words(&Category::ALL);
        same_words(&FailureKind::ALL);
        same_words(&[Client::Android, Client::Ios]);
        same_words(&[EngineKind::Http, EngineKind::Browser, EngineKind::Manual]);
        same_words(&[Actor::Host, Actor::Target, Actor::None]);
        assert_eq!(FailureKind::TooManyHops.as_str(), "too_many_hops");
        assert_eq!(VerdictKind::parse("opened"), Some(VerdictKind::Opened));
        assert_eq!(VerdictKind::parse("Opened"), None);
    }
}
