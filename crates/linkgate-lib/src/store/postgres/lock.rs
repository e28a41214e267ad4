//! Locks in the database, for histories many machines share: a PostgreSQL advisory lock,
//! held by a connection of its own for as long as the lock is, so two machines never run the
//! same audit (or the same shard of the same run group) at once. The server releases it when
//! that connection ends, however the process ends, as the OS does for the file locks an
//! SQLite history uses (`crate::lock`).

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use super::{block_on, connect};
use crate::store::error::postgres;
use crate::store::{Location, StoreError};

/// A held advisory lock; dropping it closes its connection, which releases it.
pub struct AdvisoryLock {
    _client: Client,
    name: String,
}

impl AdvisoryLock {
    /// Takes the lock named `name` in the database at `url` if no one holds it; `None` when
    /// another session does.
    pub fn try_acquire(url: &str, name: &str) -> Result<Option<AdvisoryLock>, StoreError> {
        let shown = Location::Postgres(url.to_string()).to_string();
        let client = connect(url, &shown)?;
        let taken: bool =
            block_on(client.query_one("SELECT pg_try_advisory_lock($1)", &[&key(name)]))
                .map_err(|e| postgres(&shown, "taking an advisory lock", e))?
                .get(0);
        Ok(taken.then(|| AdvisoryLock {
            _client: client,
            name: name.to_string(),
        }))
    }

    /// The lock's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Debug for AdvisoryLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvisoryLock")
            .field("name", &self.name)
            .finish()
    }
}

/// The lock's 64-bit key: the first 8 bytes of the SHA-256 of `linkgate:` and its name.
fn key(name: &str) -> i64 {
    let digest = Sha256::digest(format!("linkgate:{name}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}
