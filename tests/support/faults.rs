//! TCP servers that fail on purpose, for the failures an HTTP server library will not
//! produce: one that accepts and never answers, one that resets the connection, and one that
//! plays a script of raw bytes, pauses and resets (malformed status lines, HTTP/0.9, endless
//! and trickled bodies, resets at each phase of a response).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A raw TCP server that counts the connections it accepted; stops when dropped.
pub struct Fault {
    pub port: u16,
    accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Fault {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Fault {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections, reads the request and never answers.
pub async fn silent() -> Fault {
    serve(|stream| async move {
        let mut stream = stream;
        let mut buf = [0u8; 4096];
        // Keep reading (and so keep the socket open) until the client gives up.
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
    })
    .await
}

/// Reads the request, then closes with a TCP reset (SO_LINGER 0).
pub async fn resetting() -> Fault {
    serve(|stream| async move {
        let mut stream = stream;
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await;
        stream.set_zero_linger().unwrap();
        drop(stream);
    })
    .await
}

/// One step of a scripted answer.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes.
    Send(Vec<u8>),
    /// Wait.
    Pause(Duration),
    /// Write these bytes again and again until the client goes away.
    Endless(Vec<u8>),
    /// Write these bytes one at a time, pausing between them, until the client goes away.
    Trickle(Vec<u8>, Duration),
    /// Close with a TCP reset (SO_LINGER 0).
    Reset,
}

impl Step {
    pub fn text(text: &str) -> Step {
        Step::Send(text.as_bytes().to_vec())
    }
}

/// Reads the request head, then plays `steps` on every connection; a script that ends
/// without a reset closes the connection normally.
pub async fn scripted(steps: Vec<Step>) -> Fault {
    let steps = Arc::new(steps);
    serve(move |stream| {
        let steps = steps.clone();
        async move {
            let mut stream = stream;
            read_head(&mut stream).await;
            for step in steps.iter() {
                match step {
                    Step::Send(bytes) => {
                        if stream.write_all(bytes).await.is_err() {
                            return;
                        }
                    }
                    Step::Pause(pause) => tokio::time::sleep(*pause).await,
                    Step::Endless(bytes) => {
                        while stream.write_all(bytes).await.is_ok() {}
                        return;
                    }
                    Step::Trickle(bytes, pause) => loop {
                        for byte in bytes {
                            if stream.write_all(&[*byte]).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(*pause).await;
                        }
                    },
                    Step::Reset => {
                        let _ = stream.set_zero_linger();
                        return;
                    }
                }
            }
            let _ = stream.shutdown().await;
        }
    })
    .await
}

/// Reads until the end of a request head (or the client stops sending).
async fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
}

async fn serve<F, Fut>(on_connection: F) -> Fault
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(on_connection(stream));
        }
    });
    Fault {
        port,
        accepted,
        task,
    }
}
