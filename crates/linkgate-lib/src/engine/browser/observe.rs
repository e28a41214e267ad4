//! Turns what an attempt saw into the `Observation` the rest of linkgate reads, with the
//! same meanings as the http engine's: the final page is the document the tab shows (its
//! URL as the page itself reports it), a load that failed is a failure of the matching kind,
//! and a 5xx or 429 final page is an `http_status` failure that may be retried. The body is
//! the rendered DOM and `rendered_text` what the page showed, so signatures match what a
//! user saw; the DOM and the screenshot are kept as evidence by content hash.

use chrono::{DateTime, Utc};

use super::failure::{is_empty_error_status, load_failure};
use super::probe::Probed;
use crate::engine::{Capture, PageRequest};
use crate::model::{
    Artifact, ArtifactKind, Attempt, EngineKind, Failure, FailureKind, Observation,
};

/// The final page of an attempt: where it is, its status, and whether it was read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Landing {
    pub url: String,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    /// The page is the server's (not Chromium's error page) and was read.
    pub readable: bool,
    pub failure: Option<Failure>,
}

/// Where an attempt ended and whether that is a failure.
pub(crate) fn landing(probed: &Probed, entry_url: &str) -> Landing {
    let mut landing = reached(probed, entry_url);
    if probed.failure.is_some() {
        landing.failure.clone_from(&probed.failure);
        landing.readable &= probed.page.is_some();
    } else if let Some(status) = landing.status.filter(|s| *s == 429 || *s >= 500) {
        landing.failure = Some(Failure {
            kind: FailureKind::HttpStatus,
            message: format!("HTTP {status} from {}", landing.url),
        });
    }
    landing
}

fn reached(probed: &Probed, entry_url: &str) -> Landing {
    let last_hop_url = probed.hops.last().map_or(entry_url, |h| h.url.as_str());
    let Some(document) = &probed.document else {
        let failure = match (&probed.navigate_error, &probed.failed_hop) {
            (Some(error), _) | (None, Some((error, _))) => load_failure(last_hop_url, error),
            // The load started and neither failed nor showed anything before the page had to
            // settle: as good as no answer in time (seen on a starved machine).
            (None, None) => Failure {
                kind: FailureKind::Timeout,
                message: format!(
                    "the browser showed no page for {entry_url} and reported no error in time"
                ),
            },
        };
        return Landing {
            failure: Some(failure),
            ..Landing::default()
        };
    };
    if document.error_page {
        let (error, status) = match &probed.failed_hop {
            Some((error, status)) => (error.clone(), *status),
            None => (probed.navigate_error.clone().unwrap_or_default(), None),
        };
        if let (true, Some(status)) = (is_empty_error_status(&error), status) {
            // A 4xx/5xx without a body: the server answered, with nothing to show.
            return Landing {
                url: last_hop_url.to_string(),
                status: Some(status),
                ..Landing::default()
            };
        }
        return Landing {
            failure: Some(load_failure(last_hop_url, &error)),
            ..Landing::default()
        };
    }
    let url = probed
        .page
        .as_ref()
        .map_or(document.url.clone(), |p| p.url.clone());
    Landing {
        url,
        status: document.status,
        headers: document.headers.clone(),
        readable: probed.page.is_some(),
        failure: None,
    }
}

/// The probe's observation: every attempt, the last one's page and its evidence.
pub(crate) fn finished(
    request: &PageRequest,
    last: Probed,
    attempts: Vec<Attempt>,
    started_at: DateTime<Utc>,
    duration_ms: u64,
    body_cap: usize,
) -> Capture {
    let landing = landing(&last, &request.entry_url);
    let mut artifacts = Vec::new();
    let mut observation = Observation {
        engine: EngineKind::Browser,
        entry_url: request.entry_url.clone(),
        hops: last.hops,
        final_url: landing.url,
        status: landing.status,
        headers: landing.headers,
        dialogs: last.dialogs,
        attempts,
        failure: landing.failure,
        started_at: Some(started_at),
        duration_ms,
        ..Observation::default()
    };
    if let (true, Some(page)) = (landing.readable, last.page) {
        let (html, truncated) = capped(page.html, body_cap);
        let body = Artifact::new(ArtifactKind::Body, html.clone().into_bytes());
        observation.body_sha256 = Some(body.sha256.clone());
        observation.body = html;
        observation.truncated = truncated;
        observation.charset = Some(page.charset).filter(|c| !c.is_empty());
        observation.rendered_text = Some(page.text);
        artifacts.push(body);
    }
    if let Some(png) = last.screenshot {
        let shot = Artifact::new(ArtifactKind::Screenshot, png);
        observation.screenshot_sha256 = Some(shot.sha256.clone());
        artifacts.push(shot);
    }
    Capture {
        observation,
        artifacts,
    }
}

/// `text` cut to at most `cap` bytes on a character boundary.
fn capped(mut text: String, cap: usize) -> (String, bool) {
    if text.len() <= cap {
        return (text, false);
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

#[cfg(test)]
#[path = "observe_tests.rs"]
mod tests;
