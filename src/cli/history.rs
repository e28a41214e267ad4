//! Where the history lives, for the commands that read it after the fact (`schedule`,
//! `verify`, `reclassify`, `import`, `prune`): the reports folder and the database in it.

use std::path::PathBuf;

use clap::Args;

use linkgate::audit::{AuditError, DB_FILE, history};
use linkgate::store::Store;

#[derive(Debug, Args, Clone)]
pub struct HistoryArgs {
    /// Reports folder: run folders, `latest`, `pruned/`
    #[arg(long, value_name = "DIR", default_value = linkgate::audit::DEFAULT_OUT)]
    pub out: PathBuf,
    /// History database [default: OUT/linkgate.db]
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

impl HistoryArgs {
    pub fn db(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(|| self.out.join(DB_FILE))
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
