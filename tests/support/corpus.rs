//! The robustness corpus (`tests/fixtures/corpus/`): page variants written the way the
//! platforms build them, each with the verdict it must get, read from `corpus.toml`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use linkgate::catalog::Catalog;
use linkgate::classify::{Classification, Situation, classify};
use linkgate::inspect::{SavedPage, host};
use linkgate::model::{Link, Observation};

/// One page of the corpus and what `linkgate classify` must say of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusPage {
    pub file: String,
    pub url: String,
    pub form: String,
    pub verdict: String,
    pub mechanism: Option<String>,
    pub signature: Option<String>,
    pub continue_url: Option<String>,
    pub navigates_to: Option<String>,
    pub target: Option<String>,
    pub host: Option<String>,
    pub status: Option<u16>,
    pub charset: Option<String>,
}

#[derive(Deserialize)]
struct File {
    page: Vec<CorpusPage>,
}

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// Every page of the corpus, in file order.
pub fn pages() -> Vec<CorpusPage> {
    let text = std::fs::read_to_string(dir().join("corpus.toml")).unwrap();
    toml::from_str::<File>(&text)
        .unwrap_or_else(|e| panic!("tests/fixtures/corpus/corpus.toml: {e}"))
        .page
}

impl CorpusPage {
    pub fn path(&self) -> PathBuf {
        dir().join(&self.file)
    }

    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(self.path()).unwrap_or_else(|e| panic!("{}: {e}", self.file))
    }

    /// The `linkgate classify` flags beyond the page: `--url`, and only what the entry
    /// needs.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = vec!["--url".to_string(), self.url.clone()];
        let mut add = |name: &str, value: &Option<String>| {
            if let Some(v) = value {
                flags.push(name.to_string());
                flags.push(v.clone());
            }
        };
        add("--target", &self.target);
        add("--host", &self.host);
        add("--charset", &self.charset);
        if let Some(status) = self.status {
            flags.push("--status".to_string());
            flags.push(status.to_string());
        }
        flags
    }

    /// What differs between this page's expectation and a `classify --json` answer.
    /// How the bundled signatures classify `observation`, a capture of this page, in the
    /// context its host and target say (as `linkgate classify` places a saved page).
    pub fn classify(&self, catalog: &Catalog, observation: &Observation) -> Classification {
        let saved = SavedPage {
            url: &self.url,
            host: self.host.as_deref(),
            ..SavedPage::default()
        };
        let guess = host(catalog, &saved).unwrap();
        let landing: Vec<&Link> = catalog
            .links
            .iter()
            .filter(|l| Some(&l.platform) == self.target.as_ref())
            .collect();
        let situation = Situation {
            host: guess.platform,
            gateway: guess.gateway,
            target: self.target.as_deref(),
            landing: &landing,
            user_agent: None,
        };
        classify(observation, &situation, &catalog.signatures)
    }

    pub fn mismatches(&self, answer: &serde_json::Value) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |key: &str, want: Option<&str>| {
            let got = answer.get(key).and_then(|v| v.as_str());
            if let Some(want) = want
                && got != Some(want)
            {
                out.push(format!("{key}: want {want:?}, got {got:?}"));
            }
        };
        check("verdict", Some(&self.verdict));
        check("mechanism", self.mechanism.as_deref());
        check("signature", self.signature.as_deref());
        check("continue_url", self.continue_url.as_deref());
        check("navigates_to", self.navigates_to.as_deref());
        if self.verdict != "opened"
            && answer.get("verdict").and_then(|v| v.as_str()) == Some("opened")
        {
            out.push("FALSE OPENED".to_string());
        }
        out
    }
}

/// The host of a corpus page's URL (its site is served under that name).
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string()
}

/// The path and query of a corpus page's URL, as its site is asked for it.
pub fn path_of(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}
