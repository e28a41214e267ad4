//! DevTools calls with a deadline. headless_chrome's transport is blocking and waits for an
//! answer as long as its idle timeout (an hour here, see `chromium.rs`), and a tab whose page
//! hangs never answers. So each call runs on its own short-lived thread and the caller waits
//! only until its step's deadline: a late call is abandoned, and its thread ends when
//! Chromium answers or the browser is closed. Starting several calls before waiting for any
//! also lets independent set-up calls share one round trip.

use std::fmt;
use std::sync::{Arc, mpsc};
use std::time::Instant;

use headless_chrome::browser::transport::{ConnectionClosed, SessionId, Transport};
use headless_chrome::protocol::cdp::types::{Event, Method};
use headless_chrome::types::RemoteError;

/// Why a call gave no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallError {
    /// No answer before the deadline.
    Late,
    /// The connection to the browser is gone: it crashed, was killed or went idle.
    Closed,
    /// Chromium answered with an error (or with something unexpected).
    Remote(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Late => f.write_str("no answer before the deadline"),
            CallError::Closed => f.write_str("the connection to the browser is closed"),
            CallError::Remote(message) => f.write_str(message),
        }
    }
}

/// A call under way.
#[must_use]
pub(crate) struct Pending<T> {
    answer: mpsc::Receiver<Result<T, CallError>>,
}

impl<T> Pending<T> {
    /// The answer, if it comes before `deadline`.
    pub(crate) fn wait(self, deadline: Instant) -> Result<T, CallError> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.answer.recv_timeout(left) {
            Ok(answer) => answer,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(CallError::Late),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(CallError::Remote(
                "the call ended without an answer".to_string(),
            )),
        }
    }
}

/// The connection to one browser.
#[derive(Clone)]
pub(crate) struct Cdp {
    transport: Arc<Transport>,
}

impl Cdp {
    pub(crate) fn new(transport: Transport) -> Cdp {
        Cdp {
            transport: Arc::new(transport),
        }
    }

    /// Starts a call to the browser itself.
    pub(crate) fn send_browser<M>(&self, method: M) -> Pending<M::ReturnObject>
    where
        M: Method + serde::Serialize + Send + 'static,
        M::ReturnObject: Send + 'static,
    {
        let transport = self.transport.clone();
        spawn(move || transport.call_method_on_browser(method))
    }

    /// Starts a call to a page session.
    pub(crate) fn send_page<M>(&self, session: &SessionId, method: M) -> Pending<M::ReturnObject>
    where
        M: Method + serde::Serialize + Send + 'static,
        M::ReturnObject: Send + 'static,
    {
        let transport = self.transport.clone();
        let session = session.clone();
        spawn(move || transport.call_method_on_target(session, method))
    }

    pub(crate) fn browser<M>(
        &self,
        method: M,
        deadline: Instant,
    ) -> Result<M::ReturnObject, CallError>
    where
        M: Method + serde::Serialize + Send + 'static,
        M::ReturnObject: Send + 'static,
    {
        self.send_browser(method).wait(deadline)
    }

    pub(crate) fn page<M>(
        &self,
        session: &SessionId,
        method: M,
        deadline: Instant,
    ) -> Result<M::ReturnObject, CallError>
    where
        M: Method + serde::Serialize + Send + 'static,
        M::ReturnObject: Send + 'static,
    {
        self.send_page(session, method).wait(deadline)
    }

    /// The events of a page session. The receiver must be drained until it disconnects
    /// (when the connection closes): the transport panics if it is dropped earlier.
    pub(crate) fn listen(&self, session: &SessionId) -> mpsc::Receiver<Event> {
        self.transport.listen_to_target_events(session.clone())
    }

    /// Closes the connection; every call still waiting ends with `Closed`.
    pub(crate) fn shutdown(&self) {
        self.transport.shutdown();
    }
}

/// headless_chrome answers with `anyhow` errors; they are taken through what they dereference
/// to (the error inside), so the library names no `anyhow` type and still tells the kinds
/// apart by downcasting.
fn spawn<T, F, E>(call: F) -> Pending<T>
where
    T: Send + 'static,
    E: std::ops::Deref<Target = dyn std::error::Error + Send + Sync + 'static>,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    let (tx, answer) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("cdp-call".into())
        .stack_size(256 * 1024)
        .spawn({
            let tx = tx.clone();
            move || {
                let _ = tx.send(call().map_err(|e| classify(&*e)));
            }
        });
    if let Err(e) = spawned {
        let _ = tx.send(Err(CallError::Remote(format!(
            "cannot start a thread for the call: {e}"
        ))));
    }
    Pending { answer }
}

/// What an error from headless_chrome means for the caller.
fn classify(error: &(dyn std::error::Error + Send + Sync + 'static)) -> CallError {
    if error.downcast_ref::<ConnectionClosed>().is_some() {
        CallError::Closed
    } else if error
        .downcast_ref::<headless_chrome::util::Timeout>()
        .is_some()
    {
        CallError::Late
    } else if let Some(remote) = error.downcast_ref::<RemoteError>() {
        CallError::Remote(remote.message.clone())
    } else if let Some(json) = error.downcast_ref::<serde_json::Error>() {
        CallError::Remote(format!("unexpected answer from the browser: {json}"))
    } else {
        // Sending on a closed WebSocket fails with the socket's own error type.
        CallError::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_late_call_is_abandoned_at_the_deadline() {
        let started = Instant::now();
        let pending: Pending<u8> = spawn(|| {
            std::thread::sleep(Duration::from_secs(5));
            Ok::<_, anyhow::Error>(1)
        });
        let got = pending.wait(Instant::now() + Duration::from_millis(50));
        assert_eq!(got, Err(CallError::Late));
        assert!(started.elapsed() < Duration::from_secs(4));
    }

    #[test]
    fn errors_are_sorted_by_what_they_mean() {
        let via_anyhow = |e: anyhow::Error| e;
        assert_eq!(
            classify(&*via_anyhow(ConnectionClosed {}.into())),
            CallError::Closed
        );
        let remote = RemoteError {
            code: -32000,
            message: "Target closed".into(),
        };
        assert_eq!(
            classify(&*via_anyhow(remote.into())),
            CallError::Remote("Target closed".into())
        );
        assert_eq!(
            classify(&*via_anyhow(headless_chrome::util::Timeout.into())),
            CallError::Late
        );
    }

    #[test]
    fn answers_come_back() {
        let pending = spawn(|| Ok::<_, anyhow::Error>(7));
        assert_eq!(pending.wait(Instant::now() + Duration::from_secs(5)), Ok(7));
    }
}
