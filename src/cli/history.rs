//! Where the history lives, for the commands that read it after the fact (`schedule`,
//! `verify`, `reclassify`, `import`, `prune`): the reports folder and the database in it.

use std::path::PathBuf;

use clap::Args;

use linkgate::audit::{AuditError, DB_FILE, history};
use linkgate::store::{Location, Store};

/// `--db`: a `postgres://` URL is a PostgreSQL history, anything else an SQLite file.
pub fn location(text: &str) -> Result<Location, std::convert::Infallible> {
    Ok(Location::parse(text))
}

#[derive(Debug, Args, Clone)]
pub struct HistoryArgs {
    /// Reports folder: run folders, `latest`, `pruned/`
    #[arg(long, value_name = "DIR", default_value = linkgate::audit::DEFAULT_OUT)]
    pub out: PathBuf,
    /// History: an SQLite file [default: OUT/linkgate.db], or postgres://USER@HOST/DB for a
    /// PostgreSQL history shared by many machines
    #[arg(long, value_name = "FILE|URL", env = "LINKGATE_DB", hide_env_values = true, value_parser = location)]
    pub db: Option<Location>,
}

impl HistoryArgs {
    pub fn db(&self) -> Location {
        self.db
            .clone()
            .unwrap_or_else(|| Location::Sqlite(self.out.join(DB_FILE)))
    }

    /// Opens the database to read it, read-only where it cannot be written; it must exist.
    pub fn open_to_read(&self) -> Result<Store, AuditError> {
        history::open_to_read(&self.db())
    }

    /// Opens the database; `must_exist` refuses to create an empty one by mistake.
    pub fn open(&self, must_exist: bool) -> Result<Store, AuditError> {
        history::open(&self.db(), must_exist)
    }
}
