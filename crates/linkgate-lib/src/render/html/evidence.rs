//! Links from a report to the evidence folder. Evidence files are named by their SHA-256, so
//! a link is built only from a well-formed hash (never from crawled text), relative to the
//! page it is on, and only to a file the caller says is there: a report must not promise
//! evidence it does not have.

use std::collections::HashSet;

use crate::model::Observation;

/// A link to one evidence file, or the note that it is missing.
pub struct EvidenceLink {
    pub label: String,
    /// `None` when the file is not in the evidence folder.
    pub href: Option<String>,
}

/// Where evidence files are, seen from one page.
#[derive(Clone)]
pub struct Evidence<'a> {
    /// URL of the evidence folder relative to the page, ending in `/` (or empty).
    prefix: String,
    /// Hashes of the files present; `None` trusts every hash.
    present: Option<&'a HashSet<String>>,
}

impl<'a> Evidence<'a> {
    pub fn new(prefix: &str, present: Option<&'a HashSet<String>>) -> Evidence<'a> {
        let mut prefix = prefix.to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Evidence { prefix, present }
    }

    /// The same evidence seen from a page one folder further down (`details/`).
    pub fn nested(&self) -> Evidence<'a> {
        let absolute = self.prefix.starts_with('/') || self.prefix.contains("://");
        Evidence {
            prefix: match absolute {
                true => self.prefix.clone(),
                false => format!("../{}", self.prefix),
            },
            present: self.present,
        }
    }

    fn href(&self, sha256: &str, extension: &str) -> Option<String> {
        let well_formed = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        let present = self.present.is_none_or(|set| set.contains(sha256));
        (well_formed && present).then(|| format!("{}{}.{extension}", self.prefix, sha256))
    }

    /// A stored page's URL, when it is there.
    pub fn page(&self, sha256: &str) -> Option<String> {
        self.href(sha256, "html.gz")
    }

    /// The screenshot's URL, when it is there.
    pub fn screenshot(&self, sha256: &str) -> Option<String> {
        self.href(sha256, "png")
    }

    /// Links to an observation's raw evidence: the final page's body, the intermediate
    /// pages kept (gateway pages), the screenshot.
    pub fn links(&self, observation: &Observation) -> Vec<EvidenceLink> {
        let mut links = Vec::new();
        let mut add = |label: &str, sha: &str, extension: &str| {
            links.push(EvidenceLink {
                label: format!("{label} {}.{extension}", short(sha)),
                href: self.href(sha, extension),
            });
        };
        if let Some(sha) = &observation.body_sha256 {
            add("body", sha, "html.gz");
        }
        for sha in observation
            .evidence
            .iter()
            .filter(|s| Some(*s) != observation.body_sha256.as_ref())
        {
            add("page", sha, "html.gz");
        }
        if let Some(sha) = &observation.screenshot_sha256 {
            add("screenshot", sha, "png");
        }
        links
    }
}

/// The first 12 digits of a hash, enough to tell files apart on a page.
fn short(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn links_are_relative_and_deeper_pages_climb_one_more_folder() {
        let evidence = Evidence::new("../evidence", None);
        assert_eq!(
            evidence.screenshot(SHA).as_deref(),
            Some(format!("../evidence/{SHA}.png").as_str())
        );
        assert_eq!(
            evidence.nested().screenshot(SHA).as_deref(),
            Some(format!("../../evidence/{SHA}.png").as_str())
        );
    }

    #[test]
    fn only_hashes_become_links_and_only_to_files_that_are_there() {
        let present: HashSet<String> = [SHA.to_string()].into();
        let evidence = Evidence::new("../evidence/", Some(&present));
        assert_eq!(evidence.screenshot("javascript:alert(1)"), None);
        assert_eq!(evidence.screenshot(&SHA.replace('9', "8")), None);
        assert!(evidence.screenshot(SHA).is_some());
    }
}
