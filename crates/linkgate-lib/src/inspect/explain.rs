//! What `linkgate classify` says about a page, as text for a signature author at a terminal
//! and as one JSON object for scripts: the verdict, the signature and evidence that decided
//! it, how the host was found, where the page would go and what it offers as a way on. Pure.

use crate::model::ControlSimilarity;
use serde::Serialize;

use super::Inspection;
use crate::classify::SignatureMatch;

/// The JSON form of an inspection.
#[derive(Serialize)]
pub struct InspectionReport<'a> {
    pub verdict: &'a str,
    pub mechanism: &'a str,
    pub actor: &'a str,
    pub signature: Option<&'a str>,
    pub reason: &'a str,
    pub matches: &'a [SignatureMatch],
    pub charset: &'a str,
    pub host: Option<&'a str>,
    pub host_from: &'a str,
    pub navigates_to: Option<&'a str>,
    pub continue_url: Option<&'a str>,
    pub continue_control: Option<String>,
    pub script_undecided: Option<&'a str>,
    pub versus_control: Option<ControlSimilarity>,
}

impl Inspection<'_> {
    /// The inspection as one JSON object's fields.
    pub fn report(&self) -> InspectionReport<'_> {
        let result = &self.classification;
        let v = &result.verdict;
        InspectionReport {
            verdict: v.kind.as_str(),
            mechanism: &v.mechanism,
            actor: v.actor.as_str(),
            signature: v.signature.as_deref(),
            reason: &v.reason,
            matches: &result.matches,
            charset: &self.charset,
            host: self.host.platform,
            host_from: &self.host.from,
            navigates_to: self.navigation.as_ref().map(|n| n.url.as_str()),
            continue_url: result.way_on.as_ref().and_then(|c| c.target.as_deref()),
            continue_control: result.way_on.as_ref().map(|c| c.describe()),
            script_undecided: self.observation.script_undecided.as_deref(),
            versus_control: self.observation.control_similarity,
        }
    }

    /// The inspection as lines of text, ending with a newline.
    pub fn explain(&self) -> String {
        let result = &self.classification;
        let v = &result.verdict;
        let mut out = format!(
            "verdict:   {}\nmechanism: {}\nactor:     {}\nsignature: {}\nbecause:   {}\nhost:      {} ({})\ncharset:   {}\n",
            v.kind,
            v.mechanism,
            v.actor,
            v.signature.as_deref().unwrap_or("-"),
            v.reason,
            self.host.platform.unwrap_or("-"),
            self.host.from,
            self.charset,
        );
        if let Some(nav) = &self.navigation {
            out.push_str(&format!(
                "navigates: {} ({}, at {} ms)\n",
                nav.url, nav.how, nav.at_ms
            ));
        }
        if let Some(c) = &result.way_on {
            out.push_str(&format!("continue:  {}\n", c.describe()));
        }
        if let Some(why) = &self.observation.script_undecided {
            out.push_str(&format!("scripts:   undecided: {why}\n"));
        }
        if let Some(similarity) = &self.observation.control_similarity {
            out.push_str(&format!("control:   {similarity}\n"));
        }
        for other in result.matches.iter().skip(1) {
            out.push_str(&format!(
                "also matched (lower precedence): {}: {}\n",
                other.signature,
                other.evidence.join("; ")
            ));
        }
        out
    }
}
