//! An observation is the raw evidence of one probe: every hop, the final page and every
//! attempt. It carries no verdict, so verdicts can be recomputed from it later, and a probe
//! that failed is still an observation (with a `failure`), never an error that stops a run.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

use super::EngineKind;

/// How a hop was made.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum HopVia {
    /// The first request of the probe.
    Start,
    /// An HTTP 3xx `Location`.
    Http,
    /// `<meta http-equiv=refresh>`.
    MetaRefresh,
    /// A script assignment such as `location.href = …` or `var hrl = …`.
    Script,
    /// A navigation the browser made for another reason (form, user-gesture emulation, …).
    Client,
}

/// One request in the chain from the entry URL to the final page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub url: String,
    /// `None` when the request got no response (the failure says why).
    pub status: Option<u16>,
    /// The raw `Location` header, as sent.
    pub location: Option<String>,
    /// How this hop was reached from the previous one.
    pub via: HopVia,
    /// Milliseconds from the start of the attempt to the response of this hop.
    pub elapsed_ms: u64,
}

/// Why a probe did not reach a page.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FailureKind {
    Timeout,
    Connect,
    Tls,
    Dns,
    /// The proxy given (`--proxy`) refused or dropped the connection, or would not open a
    /// tunnel to the site: nothing reached the site.
    Proxy,
    Reset,
    TooManyHops,
    RedirectLoop,
    /// An HTTP error status the engine gave up on after retries (5xx, 429).
    HttpStatus,
    /// The engine could not start (e.g. no Chromium installed).
    EngineUnavailable,
    /// The browser crashed or hung and retries did not help.
    EngineCrashed,
    /// The run was stopped (Ctrl-C, SIGTERM) while the probe was in flight.
    Interrupted,
    /// A URL that could not be parsed or requested.
    BadUrl,
    Other,
}

impl FailureKind {
    pub const ALL: [FailureKind; 14] = [
        FailureKind::Timeout,
        FailureKind::Connect,
        FailureKind::Tls,
        FailureKind::Dns,
        FailureKind::Proxy,
        FailureKind::Reset,
        FailureKind::TooManyHops,
        FailureKind::RedirectLoop,
        FailureKind::HttpStatus,
        FailureKind::EngineUnavailable,
        FailureKind::EngineCrashed,
        FailureKind::Interrupted,
        FailureKind::BadUrl,
        FailureKind::Other,
    ];

    /// Whether trying again may help.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FailureKind::Timeout
                | FailureKind::Connect
                | FailureKind::Reset
                | FailureKind::HttpStatus
                | FailureKind::EngineCrashed
        )
    }
}

/// A failure with its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

/// One try at a probe. Every attempt is kept, not only the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub number: u32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    /// Status of the last response this attempt got, if any.
    pub status: Option<u16>,
    pub failure: Option<Failure>,
    /// How long the engine waited before the next attempt (backoff or `Retry-After`).
    pub wait_ms: Option<u64>,
}

/// How a probe's final page compares with its control's final page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlSimilarity {
    /// Both pages have the same `<title>`.
    pub same_title: bool,
    /// This page's visible text length, in percent of the control's.
    pub length_percent: u32,
    /// How much of their visible text the pages share (estimated Jaccard of shingles), in
    /// percent.
    pub text_percent: u32,
}

impl std::fmt::Display for ControlSimilarity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "title {}, length {} % of the control's, text {} % alike",
            if self.same_title {
                "the same"
            } else {
                "different"
            },
            self.length_percent,
            self.text_percent
        )
    }
}

/// What one probe saw.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Observation {
    pub engine: EngineKind,
    /// The URL first requested (the gateway URL when the context has one).
    pub entry_url: String,
    pub hops: Vec<Hop>,
    /// URL of the last page reached (the last hop's URL), empty when nothing was reached.
    pub final_url: String,
    /// Status of the final page.
    pub status: Option<u16>,
    /// Response headers of the final page (names lower-cased), in order received.
    pub headers: Vec<(String, String)>,
    /// The final page decoded to text (for the browser engine: the rendered DOM).
    pub body: String,
    /// The charset the body was decoded from (`UTF-8`, `GBK`, …).
    pub charset: Option<String>,
    /// The body was cut at the engine's size cap.
    pub truncated: bool,
    /// SHA-256 (hex) of the raw final body bytes, as stored in the evidence folder.
    pub body_sha256: Option<String>,
    /// SHA-256 (hex) of the PNG screenshot, for the browser engine.
    pub screenshot_sha256: Option<String>,
    /// Visible text as the browser rendered it, when the engine has one; otherwise the
    /// classifier extracts it from `body`.
    pub rendered_text: Option<String>,
    /// JavaScript dialogs the page opened (and the engine dismissed).
    pub dialogs: Vec<String>,
    /// SHA-256 of the raw bodies of intermediate pages kept as evidence (gateway pages).
    pub evidence: Vec<String>,
    /// Where the final page's continue control leads: the link, button or handler that
    /// offers a way on from a gateway or warning page (never followed). Found when the
    /// observation is classified, since what counts as the way on depends on the link.
    #[serde(default)]
    pub continue_url: Option<String>,
    /// That control, as `onclick property of a#continue.btn "继续访问"`.
    #[serde(default)]
    pub continue_control: Option<String>,
    /// Why the final page's own navigation could not be decided (its scripts ran out of
    /// budget, or one that could navigate threw first); such a page is never `opened`.
    #[serde(default)]
    pub script_undecided: Option<String>,
    /// How the final page compares with the control's, for a probe not opened on its
    /// landing: evidence that the host showed something else than the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_similarity: Option<ControlSimilarity>,
    pub attempts: Vec<Attempt>,
    pub failure: Option<Failure>,
    pub started_at: Option<DateTime<Utc>>,
    pub duration_ms: u64,
}

impl Observation {
    /// An observation of a probe that never reached a page.
    pub fn failed(engine: EngineKind, entry_url: &str, kind: FailureKind, message: &str) -> Self {
        Observation {
            engine,
            entry_url: entry_url.to_string(),
            failure: Some(Failure {
                kind,
                message: message.to_string(),
            }),
            ..Observation::default()
        }
    }

    /// Value of the first header with this (case-insensitive) name on the final page.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

crate::model::words!(FailureKind);
crate::model::word!(HopVia);
