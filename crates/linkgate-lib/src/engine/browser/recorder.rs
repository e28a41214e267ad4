//! The navigation recorder: turns what the browser reports about the main frame into the
//! hops of an observation, the final document's status and headers, the dialogs, and the
//! activity the settle rule watches. Pure: events come in as plain [`Seen`] values with the
//! time they arrived, so every chain (HTTP redirects, script and meta refresh navigations,
//! failed and aborted loads) is tested without a browser.
//!
//! Chromium names a navigation request by its loader id, and a redirect keeps the request
//! id, so a hop is found again by its request id when its redirect or response arrives.

use crate::engine::millis;
use std::collections::HashMap;
use std::time::Duration;

use crate::model::{Hop, HopVia};

/// Why the page asked for a navigation (from `Page.frameRequestedNavigation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NavReason {
    Script,
    MetaRefresh,
    Other,
}

/// One thing the browser reported, already reduced to the main frame's view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// The main frame asked to navigate (in the same tab).
    NavigationRequested {
        reason: NavReason,
    },
    /// The main frame scheduled a navigation (`<meta refresh>` with a delay, …).
    NavigationScheduled {
        delay: Duration,
    },
    NavigationScheduleCleared,
    RequestStarted {
        id: String,
        /// A main-frame document request (a hop); other requests are only activity.
        document: bool,
        url: String,
        /// Status and `Location` of the HTTP redirect that led to this request.
        redirect: Option<(u16, Option<String>)>,
    },
    ResponseReceived {
        id: String,
        document: bool,
        status: u16,
        /// Names lower-cased.
        headers: Vec<(String, String)>,
    },
    RequestFinished {
        id: String,
    },
    RequestFailed {
        id: String,
        error: String,
    },
    /// The main frame committed a document; `error_page` when it is Chromium's own page
    /// for a load that failed.
    Committed {
        loader: String,
        url: String,
        error_page: bool,
    },
    /// The main document's load event.
    Loaded,
    Dialog {
        kind: String,
        message: String,
    },
    /// The renderer of the tab crashed.
    Crashed,
}

/// A requested navigation that starts no request within this time was dropped by the page
/// (a blocked URL, `javascript:`); it no longer holds the page open.
const NAV_GRACE: Duration = Duration::from_secs(1);

/// What the settle rule needs to know at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Activity {
    pub committed: bool,
    pub loaded: bool,
    /// A navigation was requested, scheduled or is loading.
    pub navigating: bool,
    /// Requests in flight that are younger than the long-request limit.
    pub busy_requests: usize,
    /// When anything last happened.
    pub last_event: Duration,
    pub crashed: bool,
}

/// The document the main frame shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    pub url: String,
    pub error_page: bool,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    /// Why its load failed, for an error page.
    pub error: Option<String>,
}

#[derive(Debug)]
struct Draft {
    hop: Hop,
    request: String,
}

#[derive(Debug, Default)]
pub(crate) struct Recorder {
    hops: Vec<Draft>,
    next_via: Option<HopVia>,
    responses: HashMap<String, (u16, Vec<(String, String)>)>,
    errors: HashMap<String, String>,
    committed: Option<(String, String, bool)>,
    loaded: bool,
    inflight: HashMap<String, Duration>,
    loading_document: Option<String>,
    requested_at: Option<Duration>,
    scheduled_until: Option<Duration>,
    last_event: Duration,
    dialogs: Vec<String>,
    crashed: bool,
}

impl Recorder {
    /// Takes in one report that arrived `at` after the attempt started.
    pub(crate) fn see(&mut self, seen: Seen, at: Duration) {
        self.last_event = self.last_event.max(at);
        match seen {
            Seen::NavigationRequested { reason } => {
                self.next_via = Some(match reason {
                    NavReason::Script => HopVia::Script,
                    NavReason::MetaRefresh => HopVia::MetaRefresh,
                    NavReason::Other => HopVia::Client,
                });
                self.requested_at = Some(at);
                self.scheduled_until = None;
            }
            Seen::NavigationScheduled { delay } => {
                self.scheduled_until = Some(at + delay + NAV_GRACE);
            }
            Seen::NavigationScheduleCleared => self.scheduled_until = None,
            Seen::RequestStarted {
                id,
                document,
                url,
                redirect,
            } => self.request_started(id, document, url, redirect, at),
            Seen::ResponseReceived {
                id,
                document,
                status,
                headers,
            } => {
                if document {
                    if let Some(draft) = self.draft_of(&id) {
                        draft.hop.status = Some(status);
                        draft.hop.elapsed_ms = millis(at);
                    }
                    self.responses.insert(id, (status, headers));
                }
            }
            Seen::RequestFinished { id } => self.request_ended(&id),
            Seen::RequestFailed { id, error } => {
                if self.draft_of(&id).is_some() {
                    // A load is sometimes reported failed twice, the second time as
                    // `ERR_ABORTED` when it is cleaned up: the first error is the real one.
                    self.errors.entry(id.clone()).or_insert(error);
                }
                self.request_ended(&id);
            }
            Seen::Committed {
                loader,
                url,
                error_page,
            } => {
                if self.loading_document.as_deref() == Some(loader.as_str()) && !error_page {
                    // The document's body may still stream; its load event ends the wait.
                    self.loading_document = None;
                }
                self.committed = Some((loader, url, error_page));
                self.loaded = false;
            }
            Seen::Loaded => self.loaded = true,
            Seen::Dialog { kind, message } => self.dialogs.push(format!("{kind}: {message}")),
            Seen::Crashed => self.crashed = true,
        }
    }

    fn request_started(
        &mut self,
        id: String,
        document: bool,
        url: String,
        redirect: Option<(u16, Option<String>)>,
        at: Duration,
    ) {
        self.inflight.insert(id.clone(), at);
        if !document {
            return;
        }
        let via = match redirect {
            Some((status, location)) => {
                if let Some(draft) = self.draft_of(&id) {
                    draft.hop.status = Some(status);
                    draft.hop.location = location;
                    draft.hop.elapsed_ms = millis(at);
                    // The redirected request goes on under the same id.
                    draft.request.clear();
                }
                HopVia::Http
            }
            None if self.hops.is_empty() => HopVia::Start,
            None => self.next_via.take().unwrap_or(HopVia::Client),
        };
        self.requested_at = None;
        self.loading_document = Some(id.clone());
        self.hops.push(Draft {
            hop: Hop {
                url,
                status: None,
                location: None,
                via,
                elapsed_ms: millis(at),
            },
            request: id,
        });
    }

    fn request_ended(&mut self, id: &str) {
        self.inflight.remove(id);
        if self.loading_document.as_deref() == Some(id) {
            self.loading_document = None;
        }
    }

    fn draft_of(&mut self, id: &str) -> Option<&mut Draft> {
        self.hops.iter_mut().rev().find(|d| d.request == id)
    }

    /// The state the settle rule reads at `now`.
    pub(crate) fn activity(&self, now: Duration, long_request: Duration) -> Activity {
        let requested = self
            .requested_at
            .is_some_and(|at| now.saturating_sub(at) < NAV_GRACE);
        let scheduled = self.scheduled_until.is_some_and(|until| now < until);
        Activity {
            committed: self.committed.is_some(),
            loaded: self.loaded,
            navigating: requested || scheduled || self.loading_document.is_some(),
            busy_requests: self
                .inflight
                .values()
                .filter(|started| now.saturating_sub(**started) < long_request)
                .count(),
            last_event: self.last_event,
            crashed: self.crashed,
        }
    }

    /// Every hop so far, in order.
    pub(crate) fn hops(&self) -> Vec<Hop> {
        self.hops.iter().map(|d| d.hop.clone()).collect()
    }

    pub(crate) fn dialogs(&self) -> &[String] {
        &self.dialogs
    }

    /// The document the main frame shows now, if any was committed.
    pub(crate) fn document(&self) -> Option<Document> {
        let (loader, url, error_page) = self.committed.as_ref()?;
        let (status, headers) = match self.responses.get(loader) {
            Some((status, headers)) => (Some(*status), headers.clone()),
            None => (None, Vec::new()),
        };
        let error = if *error_page { self.last_error() } else { None };
        Some(Document {
            url: url.clone(),
            error_page: *error_page,
            status,
            headers,
            error,
        })
    }

    /// The error of the latest hop that failed.
    fn last_error(&self) -> Option<String> {
        self.hops
            .iter()
            .rev()
            .find_map(|d| self.errors.get(&d.request).cloned())
    }

    /// The error of the latest failed hop and the status it got, for a navigation that
    /// committed nothing.
    pub(crate) fn failed_hop(&self) -> Option<(String, Option<u16>)> {
        let draft = self
            .hops
            .iter()
            .rev()
            .find(|d| self.errors.contains_key(&d.request))?;
        Some((self.errors[&draft.request].clone(), draft.hop.status))
    }
}

#[cfg(test)]
#[path = "recorder_tests.rs"]
mod tests;
