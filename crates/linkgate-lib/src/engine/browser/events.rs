//! From DevTools events to the recorder's [`Seen`]: keeps the main frame's navigations and
//! documents, reduces every other request to activity, and drops the rest. The main frame of
//! a page target has the target's id, which is how frames are told apart.

use std::time::Duration;

use headless_chrome::protocol::cdp::Network::{Headers, ResourceType};
use headless_chrome::protocol::cdp::Page::ClientNavigationReason;
use headless_chrome::protocol::cdp::types::Event;

use super::recorder::{NavReason, Seen};

/// The recorder's view of `event` in the tab whose main frame is `main_frame`.
pub(crate) fn seen(event: &Event, main_frame: &str) -> Option<Seen> {
    match event {
        Event::PageFrameRequestedNavigation(e) if e.params.frame_id == main_frame => {
            Some(Seen::NavigationRequested {
                reason: reason(&e.params.reason),
            })
        }
        Event::PageFrameScheduledNavigation(e) if e.params.frame_id == main_frame => {
            Some(Seen::NavigationScheduled {
                delay: Duration::from_secs_f64(e.params.delay.max(0.0)),
            })
        }
        Event::PageFrameClearedScheduledNavigation(e) if e.params.frame_id == main_frame => {
            Some(Seen::NavigationScheduleCleared)
        }
        Event::NetworkRequestWillBeSent(e) => {
            let p = &e.params;
            let document = is_main_document(p.Type.as_ref(), p.frame_id.as_deref(), main_frame);
            Some(Seen::RequestStarted {
                id: p.request_id.clone(),
                document,
                url: p.request.url.clone(),
                redirect: p.redirect_response.as_ref().map(|r| {
                    let location = header(&headers(&r.headers), "location");
                    (status(r.status), location)
                }),
            })
        }
        Event::NetworkResponseReceived(e) => {
            let p = &e.params;
            let document = is_main_document(Some(&p.Type), p.frame_id.as_deref(), main_frame);
            Some(Seen::ResponseReceived {
                id: p.request_id.clone(),
                document,
                status: status(p.response.status),
                headers: if document {
                    headers(&p.response.headers)
                } else {
                    Vec::new()
                },
            })
        }
        Event::NetworkLoadingFinished(e) => Some(Seen::RequestFinished {
            id: e.params.request_id.clone(),
        }),
        Event::NetworkLoadingFailed(e) => Some(Seen::RequestFailed {
            id: e.params.request_id.clone(),
            error: e.params.error_text.clone(),
        }),
        Event::PageFrameNavigated(e) if e.params.frame.parent_id.is_none() => {
            let frame = &e.params.frame;
            Some(Seen::Committed {
                loader: frame.loader_id.clone(),
                url: frame.url.clone(),
                error_page: frame.unreachable_url.is_some()
                    || frame.url.starts_with("chrome-error:"),
            })
        }
        Event::PageLoadEventFired(_) => Some(Seen::Loaded),
        Event::PageJavascriptDialogOpening(e) => Some(Seen::Dialog {
            kind: format!("{:?}", e.params.Type).to_lowercase(),
            message: e.params.message.clone(),
        }),
        Event::InspectorTargetCrashed(_) => Some(Seen::Crashed),
        _ => None,
    }
}

fn is_main_document(kind: Option<&ResourceType>, frame: Option<&str>, main_frame: &str) -> bool {
    matches!(kind, Some(ResourceType::Document)) && frame == Some(main_frame)
}

fn reason(reason: &ClientNavigationReason) -> NavReason {
    match reason {
        ClientNavigationReason::ScriptInitiated => NavReason::Script,
        ClientNavigationReason::MetaTagRefresh | ClientNavigationReason::HttpHeaderRefresh => {
            NavReason::MetaRefresh
        }
        _ => NavReason::Other,
    }
}

fn status(status: u32) -> u16 {
    u16::try_from(status).unwrap_or(0)
}

/// Response headers with lower-cased names; Chromium joins repeated headers with newlines.
pub(crate) fn headers(headers: &Headers) -> Vec<(String, String)> {
    let Some(serde_json::Value::Object(map)) = &headers.0 else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, value) in map {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        for line in text.split('\n') {
            out.push((name.to_ascii_lowercase(), line.to_string()));
        }
    }
    out
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: serde_json::Value) -> Event {
        serde_json::from_value(value).unwrap()
    }

    fn request(frame: &str, kind: &str, redirect: Option<serde_json::Value>) -> Event {
        let mut params = json!({
            "requestId": "L1", "loaderId": "L1", "documentURL": "http://a.test/",
            "request": {"url": "http://b.test/", "method": "GET", "headers": {},
                        "initialPriority": "VeryHigh", "referrerPolicy": "no-referrer"},
            "timestamp": 1.0, "wallTime": 1.0, "initiator": {"type": "other"},
            "redirectHasExtraInfo": false, "type": kind, "frameId": frame
        });
        if let Some(r) = redirect {
            params["redirectResponse"] = r;
        }
        event(json!({"method": "Network.requestWillBeSent", "params": params}))
    }

    fn response_json(status: u32, headers: serde_json::Value) -> serde_json::Value {
        json!({"url": "http://a.test/", "status": status, "statusText": "", "headers": headers,
               "mimeType": "text/html", "charset": "", "connectionReused": false,
               "connectionId": 0, "encodedDataLength": 0, "securityState": "neutral"})
    }

    #[test]
    fn a_redirect_carries_its_status_and_raw_location() {
        let redirect = response_json(302, json!({"Location": "/item/1", "Server": "x"}));
        match seen(&request("F", "Document", Some(redirect)), "F").unwrap() {
            Seen::RequestStarted {
                document,
                redirect,
                url,
                ..
            } => {
                assert!(document);
                assert_eq!(url, "http://b.test/");
                assert_eq!(redirect, Some((302, Some("/item/1".to_string()))));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn iframe_documents_and_scripts_are_not_main_documents() {
        for (frame, kind) in [("CHILD", "Document"), ("F", "Script")] {
            match seen(&request(frame, kind, None), "F").unwrap() {
                Seen::RequestStarted { document, .. } => assert!(!document, "{frame} {kind}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn script_initiated_navigation_of_the_main_frame_is_script() {
        let e = event(
            json!({"method": "Page.frameRequestedNavigation", "params": {
            "frameId": "F", "reason": "scriptInitiated", "url": "http://b.test/",
            "disposition": "currentTab"}}),
        );
        assert_eq!(
            seen(&e, "F"),
            Some(Seen::NavigationRequested {
                reason: NavReason::Script
            })
        );
        assert_eq!(seen(&e, "OTHER"), None);
    }

    #[test]
    fn repeated_headers_are_split_and_names_lowered() {
        let h = Headers(Some(
            json!({"Set-Cookie": "a=1\nb=2", "Content-Type": "text/html"}),
        ));
        let mut got = headers(&h);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("content-type".to_string(), "text/html".to_string()),
                ("set-cookie".to_string(), "a=1".to_string()),
                ("set-cookie".to_string(), "b=2".to_string()),
            ]
        );
    }

    #[test]
    fn dialog_kind_is_lower_case() {
        let e = event(json!({"method": "Page.javascriptDialogOpening", "params": {
            "url": "http://a.test/", "frameId": "F", "message": "hi", "type": "alert",
            "hasBrowserHandler": false}}));
        assert_eq!(
            seen(&e, "F"),
            Some(Seen::Dialog {
                kind: "alert".into(),
                message: "hi".into()
            })
        );
    }
}
