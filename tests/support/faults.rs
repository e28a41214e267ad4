//! TCP servers that fail on purpose, for the failures an HTTP server library will not
//! produce: one that accepts and never answers, and one that resets the connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::AsyncReadExt;
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
