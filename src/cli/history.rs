//! Where the history lives, for the commands that read it after the fact (`schedule`,
//! `verify`, `reclassify`, `import`, `prune`): the reports folder and the database in it.

use std::path::PathBuf;

use clap::Args;

use linkgate::store::Store;

#[derive(Debug, Args, Clone)]
pub struct HistoryArgs {
    /// Reports folder: run folders, `latest`, `pruned/`
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// History database [default: OUT/linkgate.db]
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

impl HistoryArgs {
    pub fn db(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(|| self.out.join("linkgate.db"))
    }

    /// Opens the database to read it, read-only where it cannot be written (see
    /// [`Store::open_to_read`]); it must exist.
    pub fn open_to_read(&self) -> anyhow::Result<Store> {
        let db = self.db();
        if !db.exists() {
            return self.open(true);
        }
        Ok(Store::open_to_read(&db)?)
    }

    /// Opens the database; `must_exist` refuses to create an empty one by mistake (a typo in
    /// `--out` would otherwise "verify" a brand-new, empty history).
    pub fn open(&self, must_exist: bool) -> anyhow::Result<Store> {
        let db = self.db();
        if must_exist && !db.exists() {
            return Err(super::InvalidArgs(format!(
                "there is no history database at {}; pass --out (or --db) to point at the \
                 reports folder of your runs",
                db.display()
            ))
            .into());
        }
        Ok(Store::open(&db)?)
    }
}
