//! The running simulator: binds, accepts connections (each in its own task, all aborted on
//! shutdown), and holds what connections share: the world, the simulated date, the CA and
//! the request counters tests read.

use chrono::{Datelike, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use super::conn;
use super::tls::Authority;
use super::{SimError, World};

/// What to simulate and where.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub listen: SocketAddr,
    pub world: World,
    /// The simulated "today": the world's rules are applied for this date.
    pub date: NaiveDate,
}

/// How patient the simulator is with clients. The defaults suit real runs; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimLimits {
    /// How long a client may take to send a request's headers, and how long an idle
    /// keep-alive connection stays open.
    pub header_timeout: Duration,
    /// How long a client may take to finish the TLS handshake after CONNECT.
    pub tls_timeout: Duration,
    /// Connections served at once; more are closed at accept.
    pub max_connections: usize,
}

impl Default for SimLimits {
    fn default() -> Self {
        SimLimits {
            header_timeout: Duration::from_secs(30),
            tls_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

/// Counters since start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimStats {
    /// TCP connections accepted.
    pub connections: u64,
    /// CONNECT tunnels whose TLS handshake succeeded.
    pub tunnels: u64,
    /// HTTP requests answered, in tunnels or as plain proxy requests.
    pub requests: u64,
    /// Requests per host name.
    pub per_host: BTreeMap<String, u64>,
    /// Connections reset on purpose (sites that are down).
    pub resets: u64,
    /// Connections dropped for bad client behaviour: garbage, timeouts, failed handshakes.
    pub bad_clients: u64,
}

/// What every connection task shares.
pub(crate) struct Shared {
    pub world: World,
    /// Days from the common era of the simulated date (an atomic, so `set_date` is cheap).
    date: AtomicI32,
    pub authority: Authority,
    pub limits: SimLimits,
    pub proxy_url: String,
    stats: Mutex<SimStats>,
}

impl Shared {
    pub fn date(&self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.date.load(Ordering::Relaxed)).unwrap_or_default()
    }

    /// Updates the counters.
    pub fn count(&self, update: impl FnOnce(&mut SimStats)) {
        update(&mut self.stats.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// A running simulator. Dropping it, or `shutdown`, stops it and closes every connection.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds `config.listen` and starts serving, with default limits.
    pub async fn start(config: SimConfig) -> Result<Simulator, SimError> {
        Simulator::start_with(config, SimLimits::default()).await
    }

    pub async fn start_with(config: SimConfig, limits: SimLimits) -> Result<Simulator, SimError> {
        let bind_error = |source| SimError::Bind {
            addr: config.listen,
            source,
        };
        let listener = TcpListener::bind(config.listen).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let shared = Arc::new(Shared {
            date: AtomicI32::new(config.date.num_days_from_ce()),
            world: config.world,
            authority: Authority::new(Utc::now())?,
            limits,
            proxy_url: format!("http://{addr}"),
            stats: Mutex::new(SimStats::default()),
        });
        tracing::info!(%addr, world = %shared.world.name, date = %config.date, "simulator listening");
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, shared.clone(), stopped));
        Ok(Simulator {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What `linkgate sim` says once it listens: where, on which simulated day, and the
    /// command that audits through it with its CA certificate at `ca_out`.
    pub fn banner(&self, date: NaiveDate, ca_out: &std::path::Path) -> String {
        format!(
            "simulator listening on {} (simulated date {date})\nCA certificate: {}\n\
             try: linkgate run --proxy {} --ca-cert {} --interval 0s\npress Ctrl-C to stop\n",
            self.addr(),
            ca_out.display(),
            self.proxy_url(),
            ca_out.display()
        )
    }

    /// `http://ADDR`, for `--proxy`.
    pub fn proxy_url(&self) -> String {
        self.shared.proxy_url.clone()
    }

    /// The CA certificate every intercepted site is signed by, PEM, for `--ca-cert`.
    pub fn ca_pem(&self) -> &str {
        self.shared.authority.ca_pem()
    }

    /// The world being simulated.
    pub fn world(&self) -> &World {
        &self.shared.world
    }

    pub fn date(&self) -> NaiveDate {
        self.shared.date()
    }

    /// Moves the simulated "today"; requests after this see the world of `date`.
    pub fn set_date(&self, date: NaiveDate) {
        self.shared
            .date
            .store(date.num_days_from_ce(), Ordering::Relaxed);
        tracing::info!(%date, "simulated date changed");
    }

    pub fn stats(&self) -> SimStats {
        self.shared
            .stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Stops accepting, closes every connection and waits until they are gone.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            // The loop may already be gone; then there is nothing to stop.
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::warn!(error = %e, "simulator accept loop ended abnormally");
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    let permits = Arc::new(Semaphore::new(shared.limits.max_connections));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        tracing::warn!(%peer, "too many connections: closing a new one");
                        continue;
                    };
                    shared.count(|s| s.connections += 1);
                    let shared = shared.clone();
                    connections.spawn(async move {
                        conn::serve(stream, peer, shared).await;
                        drop(permit);
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    connections.shutdown().await;
    tracing::info!("simulator stopped");
}
