//! One probe's tab: a page in its own browser context (`Target.createBrowserContext`), so it
//! shares no cookies, cache or storage with any other probe, set up to look like the
//! context's phone (screen, touch, user agent, `Accept-Language`, extra headers, JS bridge
//! stubs injected before any page script), and closed with its context afterwards.
//!
//! Opening a tab takes several DevTools round trips, so it is split in two: [`Tab::open`]
//! does everything that does not depend on the probe (and can run ahead of time, see
//! `chromium.rs`), [`Tab::dress`] adds the context's identity.
//!
//! Its events are read by a pump thread that feeds the recorder and dismisses JavaScript
//! dialogs at once (an open `alert()` freezes the page). headless_chrome's transport panics
//! if an event arrives for a session whose receiver is gone, and Chromium sends a last event
//! or two after a context is disposed, so the pump keeps draining until the connection
//! itself closes; a browser is replaced after a bounded number of probes, which bounds these
//! idle threads too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use headless_chrome::browser::transport::SessionId;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Browser, Emulation, Network, Page, Target};

use super::cdp::{CallError, Cdp};
use super::config::Viewport;
use super::events;
use super::recorder::Recorder;
use crate::engine::PageRequest;

/// What the page's event pump shares with the probe.
pub(crate) struct Watch {
    pub recorder: Mutex<Recorder>,
    pub changed: Condvar,
    /// When the attempt started; event times are measured from it.
    clock: Mutex<Instant>,
    /// The event stream ended: the connection to the browser closed.
    pub gone: AtomicBool,
    /// The probe is over; later events are drained and dropped.
    pub done: AtomicBool,
}

impl Watch {
    pub(crate) fn recorder(&self) -> std::sync::MutexGuard<'_, Recorder> {
        self.recorder
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Time since the attempt started.
    pub(crate) fn now(&self) -> Duration {
        self.clock
            .lock()
            .map(|clock| clock.elapsed())
            .unwrap_or_default()
    }

    /// Starts the attempt's clock at `at` (a tab opened ahead of time starts it when used).
    pub(crate) fn start_clock(&self, at: Instant) {
        if let Ok(mut clock) = self.clock.lock() {
            *clock = at;
        }
    }
}

pub(crate) struct Tab {
    cdp: Cdp,
    context: String,
    pub session: SessionId,
    pub watch: Arc<Watch>,
}

impl Tab {
    /// Opens a phone-sized tab in a fresh browser context, listening to its page and network
    /// events; on failure nothing is left open.
    pub(crate) fn open(
        cdp: &Cdp,
        viewport: &Viewport,
        deadline: Instant,
    ) -> Result<Tab, CallError> {
        let context = cdp
            .browser(
                Target::CreateBrowserContext {
                    dispose_on_detach: None,
                    proxy_server: None,
                    proxy_bypass_list: None,
                    origins_with_universal_network_access: None,
                },
                deadline,
            )?
            .browser_context_id;
        let opened = attach(cdp, &context, deadline);
        let (session, target) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                if error != CallError::Closed {
                    let _ = dispose(cdp, &context, Instant::now() + Duration::from_secs(5));
                }
                return Err(error);
            }
        };
        let watch = Arc::new(Watch {
            recorder: Mutex::new(Recorder::default()),
            changed: Condvar::new(),
            clock: Mutex::new(Instant::now()),
            gone: AtomicBool::new(false),
            done: AtomicBool::new(false),
        });
        let events = cdp.listen(&session);
        start_pump(events, watch.clone(), cdp.clone(), session.clone(), target);
        let tab = Tab {
            cdp: cdp.clone(),
            context,
            session,
            watch,
        };
        match tab.phone(viewport, deadline) {
            Ok(()) => Ok(tab),
            Err(error) => {
                if error != CallError::Closed {
                    let _ = tab.close(Instant::now() + Duration::from_secs(5));
                }
                Err(error)
            }
        }
    }

    /// Events on, phone screen and touch; all calls share one round trip.
    fn phone(&self, viewport: &Viewport, deadline: Instant) -> Result<(), CallError> {
        let s = &self.session;
        let page = self.cdp.send_page(
            s,
            Page::Enable {
                enable_file_chooser_opened_event: None,
            },
        );
        let network = self.cdp.send_page(
            s,
            // No response bodies are kept for DevTools (the DOM is read from the page), so
            // the browser need not copy every resource it loads.
            Network::Enable {
                max_total_buffer_size: Some(0),
                max_resource_buffer_size: Some(0),
                max_post_data_size: Some(0),
                report_direct_socket_traffic: None,
                enable_durable_messages: None,
            },
        );
        let screen = self.cdp.send_page(s, screen(viewport));
        let touch = self.cdp.send_page(
            s,
            Emulation::SetTouchEmulationEnabled {
                enabled: true,
                max_touch_points: Some(5),
            },
        );
        page.wait(deadline)?;
        network.wait(deadline)?;
        screen.wait(deadline)?;
        touch.wait(deadline)?;
        Ok(())
    }

    /// Gives the tab the context's identity: user agent, `Accept-Language`, extra headers
    /// and JS bridge; all calls share one round trip.
    pub(crate) fn dress(&self, request: &PageRequest, deadline: Instant) -> Result<(), CallError> {
        let s = &self.session;
        let agent = self.cdp.send_page(
            s,
            Emulation::SetUserAgentOverride {
                user_agent: request.user_agent.clone(),
                accept_language: Some("zh-CN,zh".to_string()),
                platform: platform_of(&request.user_agent).map(str::to_string),
                user_agent_metadata: None,
            },
        );
        let headers = (!request.headers.is_empty())
            .then(|| self.cdp.send_page(s, extra_headers(&request.headers)));
        let bridge = request.bridge.as_ref().map(|source| {
            self.cdp.send_page(
                s,
                Page::AddScriptToEvaluateOnNewDocument {
                    source: source.clone(),
                    world_name: None,
                    include_command_line_api: None,
                    run_immediately: None,
                },
            )
        });
        agent.wait(deadline)?;
        if let Some(headers) = headers {
            headers
                .wait(deadline)
                .map_err(|e| named(e, "the context's extra headers"))?;
        }
        if let Some(bridge) = bridge {
            bridge
                .wait(deadline)
                .map_err(|e| named(e, "the context's JS bridge"))?;
        }
        Ok(())
    }

    /// Asks the tab to load `url` as a tapped link; returns Chromium's error text for a
    /// load that failed before committing. Returns when the first document commits.
    pub(crate) fn navigate(
        &self,
        url: &str,
        deadline: Instant,
    ) -> Result<Option<String>, CallError> {
        let navigated = self.cdp.page(
            &self.session,
            Page::Navigate {
                url: url.to_string(),
                referrer: None,
                transition_Type: Some(Page::TransitionType::Link),
                frame_id: None,
                referrer_policy: None,
            },
            deadline,
        )?;
        Ok(navigated.error_text)
    }

    pub(crate) fn cdp(&self) -> &Cdp {
        &self.cdp
    }

    /// Closes the tab with its browser context.
    pub(crate) fn close(self, deadline: Instant) -> Result<(), CallError> {
        self.watch.done.store(true, Ordering::SeqCst);
        dispose(&self.cdp, &self.context, deadline)
    }
}

/// Creates the page target in `context`, attaches to it and denies downloads there.
fn attach(cdp: &Cdp, context: &str, deadline: Instant) -> Result<(SessionId, String), CallError> {
    let downloads = cdp.send_browser(Browser::SetDownloadBehavior {
        behavior: Browser::SetDownloadBehaviorBehaviorOption::Deny,
        browser_context_id: Some(context.to_string()),
        download_path: None,
        events_enabled: None,
    });
    let target = cdp
        .browser(
            Target::CreateTarget {
                url: "about:blank".to_string(),
                left: None,
                top: None,
                width: None,
                height: None,
                window_state: None,
                browser_context_id: Some(context.to_string()),
                enable_begin_frame_control: None,
                new_window: None,
                background: None,
                for_tab: None,
                hidden: None,
            },
            deadline,
        )?
        .target_id;
    let session = cdp
        .browser(
            Target::AttachToTarget {
                target_id: target.clone(),
                flatten: None,
            },
            deadline,
        )?
        .session_id;
    downloads.wait(deadline)?;
    Ok((SessionId::from(session), target))
}

fn dispose(cdp: &Cdp, context: &str, deadline: Instant) -> Result<(), CallError> {
    cdp.browser(
        Target::DisposeBrowserContext {
            browser_context_id: context.to_string(),
        },
        deadline,
    )
    .map(|_| ())
}

fn screen(viewport: &Viewport) -> Emulation::SetDeviceMetricsOverride {
    Emulation::SetDeviceMetricsOverride {
        width: viewport.width,
        height: viewport.height,
        device_scale_factor: viewport.scale,
        mobile: true,
        scale: None,
        screen_width: Some(viewport.width),
        screen_height: Some(viewport.height),
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: Some(Emulation::ScreenOrientation {
            Type: Emulation::ScreenOrientationType::PortraitPrimary,
            angle: 0,
        }),
        viewport: None,
        display_feature: None,
        device_posture: None,
    }
}

fn extra_headers(headers: &[(String, String)]) -> Network::SetExtraHTTPHeaders {
    let map: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(n, v)| (n.clone(), serde_json::Value::String(v.clone())))
        .collect();
    Network::SetExtraHTTPHeaders {
        headers: Network::Headers(Some(serde_json::Value::Object(map))),
    }
}

/// `navigator.platform` of the phone a user agent names, so scripts that check it agree
/// with the user agent.
pub(crate) fn platform_of(user_agent: &str) -> Option<&'static str> {
    if user_agent.contains("iPhone") {
        Some("iPhone")
    } else if user_agent.contains("iPad") {
        Some("iPad")
    } else if user_agent.contains("Android") {
        Some("Linux armv8l")
    } else {
        None
    }
}

fn named(error: CallError, what: &str) -> CallError {
    match error {
        CallError::Remote(message) => {
            CallError::Remote(format!("Chromium refused {what}: {message}"))
        }
        other => other,
    }
}

fn start_pump(
    events: mpsc::Receiver<Event>,
    watch: Arc<Watch>,
    cdp: Cdp,
    session: SessionId,
    main_frame: String,
) {
    let spawned = std::thread::Builder::new()
        .name("tab-events".into())
        .stack_size(128 * 1024)
        .spawn(move || pump(&events, &watch, &cdp, &session, &main_frame));
    if spawned.is_err() {
        tracing::warn!("could not start a thread for a tab's events; its hops will be missing");
    }
}

/// Feeds events to the recorder and dismisses dialogs, until the connection closes.
fn pump(
    events: &mpsc::Receiver<Event>,
    watch: &Watch,
    cdp: &Cdp,
    session: &SessionId,
    main_frame: &str,
) {
    for event in events {
        if watch.done.load(Ordering::SeqCst) {
            continue;
        }
        if let Some(seen) = events::seen(&event, main_frame) {
            let at = watch.now();
            watch.recorder().see(seen, at);
            watch.changed.notify_all();
        }
        if let Event::PageJavascriptDialogOpening(e) = &event {
            // beforeunload is accepted so the navigation it guards goes on.
            let accept = matches!(e.params.Type, Page::DialogType::Beforeunload);
            let _ = cdp.page(
                session,
                Page::HandleJavaScriptDialog {
                    accept,
                    prompt_text: None,
                },
                Instant::now() + Duration::from_secs(5),
            );
        }
    }
    watch.gone.store(true, Ordering::SeqCst);
    watch.changed.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_follows_the_user_agent() {
        let ios = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47";
        let android = "Mozilla/5.0 (Linux; Android 13; Pixel 7) MicroMessenger/8.0.47";
        assert_eq!(platform_of(ios), Some("iPhone"));
        assert_eq!(platform_of(android), Some("Linux armv8l"));
        assert_eq!(platform_of("curl/8"), None);
    }

    #[test]
    fn extra_headers_are_one_object() {
        let h = extra_headers(&[("X-Requested-With".into(), "com.tencent.mm".into())]);
        assert_eq!(
            h.headers.0,
            Some(serde_json::json!({"X-Requested-With": "com.tencent.mm"}))
        );
    }
}
