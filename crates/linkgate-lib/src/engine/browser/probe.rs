//! One attempt at a probe in the browser, on a blocking thread: open a tab, make it the
//! context's phone, load the entry URL, wait for the page to settle, read it (final URL,
//! visible text, DOM) and screenshot it, then close the tab. Every step has a hard deadline:
//! the navigation may use what is left of the attempt's `timeout`, every other step gets
//! `step_timeout`. A step past its deadline is a hung tab, which is closed; a browser whose
//! connection closed is reported broken so it is replaced (one that cannot close a tab is
//! marked broken by `chromium.rs`).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use base64::Engine as _;
use headless_chrome::protocol::cdp::{Page, Runtime};
use serde::Deserialize;

use std::sync::Arc;

use super::cdp::{CallError, Pending};
use super::chromium::Chromium;
use super::config::BrowserConfig;
use super::recorder::Document;
use super::settle::{Decision, decide};
use super::tab::Tab;
use crate::engine::PageRequest;
use crate::model::{Failure, FailureKind, Hop};

/// The steps of an attempt, named in failure messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Open,
    Prepare,
    Navigate,
    Settle,
    Read,
}

impl Step {
    fn doing(self) -> &'static str {
        match self {
            Step::Open => "opening a tab",
            Step::Prepare => "setting up the tab",
            Step::Navigate => "loading the entry URL",
            Step::Settle => "waiting for the page to settle",
            Step::Read => "reading the page",
        }
    }
}

/// The page as read after it settled.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct PageRead {
    pub url: String,
    pub charset: String,
    pub text: String,
    pub html: String,
}

/// What one attempt saw.
#[derive(Debug, Default)]
pub(crate) struct Probed {
    pub hops: Vec<Hop>,
    pub dialogs: Vec<String>,
    pub document: Option<Document>,
    /// The latest hop that failed: its error and the status it got.
    pub failed_hop: Option<(String, Option<u16>)>,
    /// Chromium's error for the first navigation, if it failed before committing.
    pub navigate_error: Option<String>,
    pub page: Option<PageRead>,
    pub screenshot: Option<Vec<u8>>,
    /// A step that did not finish.
    pub failure: Option<Failure>,
    /// The browser must be replaced: its connection closed, or it could not open a tab.
    pub broken: bool,
}

/// Runs one attempt at `request` in `chromium`.
pub(crate) fn run(
    chromium: &Arc<Chromium>,
    request: &PageRequest,
    config: &BrowserConfig,
) -> Probed {
    let clock = Instant::now();
    let attempt_end = clock + config.timeout;
    let mut out = Probed::default();
    let opening = (Instant::now() + config.step_timeout).min(attempt_end);
    let tab = match chromium.tab(opening) {
        Ok(tab) => tab,
        Err(error) => {
            fail(&mut out, Step::Open, &error, request, config, chromium);
            // A browser that cannot open a tab in time is as good as hung.
            out.broken = out.broken || error == CallError::Late;
            return out;
        }
    };
    tab.watch.start_clock(clock);
    if let Err((step, error)) = drive(chromium, &tab, request, config, attempt_end, &mut out) {
        fail(&mut out, step, &error, request, config, chromium);
    }
    {
        let recorder = tab.watch.recorder();
        out.hops = recorder.hops();
        out.dialogs = recorder.dialogs().to_vec();
        out.document = recorder.document();
        out.failed_hop = recorder.failed_hop();
    }
    if tab.watch.gone.load(Ordering::SeqCst) && out.failure.is_none() {
        fail(
            &mut out,
            Step::Read,
            &CallError::Closed,
            request,
            config,
            chromium,
        );
    }
    chromium.close_later(tab);
    out
}

fn drive(
    chromium: &Chromium,
    tab: &Tab,
    request: &PageRequest,
    config: &BrowserConfig,
    attempt_end: Instant,
    out: &mut Probed,
) -> Result<(), (Step, CallError)> {
    let step_end = || Instant::now() + config.step_timeout;
    tab.dress(request, step_end().min(attempt_end))
        .map_err(|e| (Step::Prepare, e))?;
    out.navigate_error = tab
        .navigate(&request.entry_url, attempt_end)
        .map_err(|e| (Step::Navigate, e))?;
    if settle(tab, config, attempt_end) == Decision::Crashed {
        out.failure = Some(Failure {
            kind: FailureKind::EngineCrashed,
            message: format!(
                "the tab's renderer crashed while loading {}",
                request.entry_url
            ),
        });
        return Ok(());
    }
    if tab.watch.gone.load(Ordering::SeqCst) {
        return Err((Step::Settle, CallError::Closed));
    }
    let deadline = step_end();
    let read = send_read(tab);
    let pass = chromium.screenshot_pass(deadline);
    let shot = pass.is_some().then(|| send_screenshot(tab));
    out.page = Some(read_page(read, deadline).map_err(|e| (Step::Read, e))?);
    match shot.map(|shot| shot.wait(deadline)) {
        Some(Ok(png)) => {
            out.screenshot = base64::engine::general_purpose::STANDARD
                .decode(png.data)
                .ok();
        }
        Some(Err(error)) => tracing::warn!("no screenshot of {}: {error}", request.entry_url),
        None => tracing::warn!("no screenshot of {}: no turn in time", request.entry_url),
    }
    drop(pass);
    Ok(())
}

/// Waits until the settle rule says so, the cap passes, or the attempt's time is up.
fn settle(tab: &Tab, config: &BrowserConfig, attempt_end: Instant) -> Decision {
    let watch = &tab.watch;
    let began = watch.now();
    let left = attempt_end.saturating_duration_since(Instant::now());
    let cap = config.settle.cap.min(left);
    let mut recorder = watch.recorder();
    loop {
        if watch.gone.load(Ordering::SeqCst) {
            return Decision::Capped;
        }
        let now = watch.now();
        let activity = recorder.activity(now, config.settle.long_request);
        match decide(&activity, began, now, &config.settle, cap) {
            Decision::Wait(wait) => {
                recorder = watch
                    .changed
                    .wait_timeout(recorder, wait)
                    .map(|(guard, _)| guard)
                    .unwrap_or_else(|poisoned| poisoned.into_inner().0);
            }
            other => return other,
        }
    }
}

/// Reads the page in one evaluation, so URL, text and DOM are of the same moment.
const READ_PAGE: &str = r"(() => {
  const d = document;
  const doctype = d.doctype ? '<!DOCTYPE ' + d.doctype.name + '>\n' : '';
  return {
    url: location.href,
    charset: d.characterSet || '',
    text: d.body ? d.body.innerText : '',
    html: d.documentElement ? doctype + d.documentElement.outerHTML : '',
  };
})()";

fn send_read(tab: &Tab) -> Pending<Runtime::EvaluateReturnObject> {
    tab.cdp().send_page(
        &tab.session,
        Runtime::Evaluate {
            expression: READ_PAGE.to_string(),
            object_group: None,
            include_command_line_api: None,
            silent: Some(true),
            context_id: None,
            return_by_value: Some(true),
            generate_preview: None,
            user_gesture: None,
            await_promise: None,
            throw_on_side_effect: None,
            timeout: None,
            disable_breaks: None,
            repl_mode: None,
            allow_unsafe_eval_blocked_by_csp: None,
            unique_context_id: None,
            serialization_options: None,
        },
    )
}

fn read_page(
    pending: Pending<Runtime::EvaluateReturnObject>,
    deadline: Instant,
) -> Result<PageRead, CallError> {
    let evaluated = pending.wait(deadline)?;
    if let Some(exception) = evaluated.exception_details {
        return Err(CallError::Remote(format!(
            "the page threw while being read: {}",
            exception.text
        )));
    }
    let value = evaluated.result.value.unwrap_or(serde_json::Value::Null);
    serde_json::from_value(value)
        .map_err(|e| CallError::Remote(format!("the page could not be read: {e}")))
}

fn send_screenshot(tab: &Tab) -> Pending<Page::CaptureScreenshotReturnObject> {
    tab.cdp().send_page(
        &tab.session,
        Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: None,
            from_surface: Some(true),
            capture_beyond_viewport: Some(false),
            optimize_for_speed: Some(true),
        },
    )
}

/// Records why `step` did not finish.
fn fail(
    out: &mut Probed,
    step: Step,
    error: &CallError,
    request: &PageRequest,
    config: &BrowserConfig,
    chromium: &Chromium,
) {
    let (kind, message) = match error {
        CallError::Closed => {
            out.broken = true;
            (
                FailureKind::EngineCrashed,
                format!(
                    "the browser went away while {} (it crashed or was killed); Chromium's \
                     last words: {}",
                    step.doing(),
                    chromium.tail()
                ),
            )
        }
        CallError::Late if step == Step::Navigate => (
            FailureKind::Timeout,
            format!(
                "no page from {} within {} (--timeout); the tab was closed",
                request.entry_url,
                humanize(config.timeout)
            ),
        ),
        CallError::Late => (
            FailureKind::Timeout,
            format!(
                "the tab hung while {}: no answer within {}; the tab was closed",
                step.doing(),
                humanize(config.step_timeout)
            ),
        ),
        CallError::Remote(message) => (
            FailureKind::Other,
            format!("{} failed: {message}", step.doing()),
        ),
    };
    out.failure = Some(Failure { kind, message });
}

fn humanize(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(humanize(Duration::from_secs(30)), "30 s");
        assert_eq!(humanize(Duration::from_millis(1500)), "1500 ms");
    }

    #[test]
    fn page_read_parses_the_evaluation_result() {
        let value = serde_json::json!({
            "url": "http://a.test/", "charset": "GBK", "text": "你好", "html": "<html></html>"
        });
        let page: PageRead = serde_json::from_value(value).unwrap();
        assert_eq!(page.charset, "GBK");
        assert_eq!(page.text, "你好");
    }
}
