//! The history in a PostgreSQL database (`--db postgres://USER@HOST/DB`): the same records as
//! the SQLite file, with the evidence in the database too, so every vantage and shard writes
//! one history and `verify` and `report` work from any machine that reaches the server.
//!
//! The driver is `tokio-postgres`. Its connection runs on a thread of its own (a small
//! runtime that only drives the socket), and the store's calls wait for their answers with a
//! plain executor: the store is called from plain threads and from inside the run's runtime
//! alike, as the SQLite file is, and neither may start a runtime of its own there. A `Store`
//! is one connection, as with SQLite; the run's one writer thread is the only one that writes.
//! The connection is encrypted with a verified certificate whenever the server offers TLS
//! (see `tls.rs`).

mod backend;
mod lock;
mod read;
mod runs;
mod schema;
mod tls;
mod write;

pub use lock::AdvisoryLock;

use std::future::Future;
use std::time::Duration;

use tokio_postgres::{Client, Config, Row};

use super::cells::Cells;
use super::error::postgres_detail;
use super::{Location, StoreError};

/// How long connecting may take when the URL does not say (`connect_timeout=`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL history.
pub(crate) struct Postgres {
    client: Client,
    location: Location,
    /// The URL without its password, for messages.
    shown: String,
}

/// Waits for a query's answer on the calling thread (see the module documentation).
pub(super) fn block_on<F: Future>(future: F) -> F::Output {
    futures_executor::block_on(future)
}

impl Postgres {
    /// Connects to the database at `url` and brings its schema up to date.
    pub(crate) fn open(url: &str) -> Result<Postgres, StoreError> {
        let location = Location::Postgres(url.to_string());
        let shown = location.to_string();
        let client = connect(url, &shown)?;
        let mut store = Postgres {
            client,
            location,
            shown,
        };
        store.migrate()?;
        Ok(store)
    }
}

/// Opens a connection whose socket is driven by a thread of its own; the thread ends when the
/// client is dropped.
pub(super) fn connect(url: &str, shown: &str) -> Result<Client, StoreError> {
    let refused = |detail: String| StoreError::PostgresConnect {
        at: shown.to_string(),
        hint: connect_hint(&detail),
        detail,
    };
    let mut config: Config = url.parse().map_err(|e| refused(postgres_detail(&e)))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("linkgate");
    }
    let tls = tls::connector().map_err(refused)?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("linkgate-postgres".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = sender.send(Err(format!("cannot start the connection's runtime: {e}")));
                    return;
                }
            };
            runtime.block_on(async move {
                match config.connect(tls).await {
                    Ok((client, connection)) => {
                        let _ = sender.send(Ok(client));
                        let _ = connection.await;
                    }
                    Err(e) => {
                        let _ = sender.send(Err(postgres_detail(&e)));
                    }
                }
            });
        })
        .map_err(|e| refused(format!("cannot start the connection's thread: {e}")))?;
    receiver
        .recv()
        .map_err(|_| refused("the connection's thread stopped".to_string()))?
        .map_err(refused)
}

/// What to do about a connection that failed, from what failed.
fn connect_hint(detail: &str) -> &'static str {
    if detail.contains("certificate") || detail.contains("UnknownIssuer") {
        "the server's TLS certificate is not trusted: set PGSSLROOTCERT to the PEM file of the \
         CA that signed it"
    } else if detail.contains("PGSSLROOTCERT") {
        "point PGSSLROOTCERT at a readable PEM file, or unset it"
    } else {
        "check the URL (postgres://USER[:PASSWORD]@HOST[:PORT]/DB), that the server runs and \
         lets this user in, and the network between"
    }
}

/// A PostgreSQL row read by column name; a value of the wrong type is the same
/// [`StoreError::BadValue`] as an SQLite one.
pub(super) struct PgRow<'a> {
    pub row: &'a Row,
    pub shown: &'a str,
}

impl PgRow<'_> {
    fn get<'r, T: tokio_postgres::types::FromSql<'r>>(
        &'r self,
        column: &str,
    ) -> Result<Option<T>, StoreError> {
        self.row
            .try_get::<_, Option<T>>(column)
            .map_err(|e| StoreError::BadValue {
                path: self.shown.into(),
                what: "a column",
                value: format!("{column}: {}", postgres_detail(&e)),
            })
    }
}

impl Cells for PgRow<'_> {
    type Error = StoreError;

    fn text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.get(column)
    }
    fn int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.get(column)
    }
    fn flag(&self, column: &str) -> Result<Option<bool>, StoreError> {
        self.get(column)
    }
    fn blob(&self, column: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(column)
    }
    fn unreadable(&self, _column: &str, what: &'static str, value: String) -> StoreError {
        StoreError::BadValue {
            path: self.shown.into(),
            what,
            value,
        }
    }
}

/// A count or duration as stored (PostgreSQL's `BIGINT` is signed).
pub(super) fn big(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}
